"""Lint and type gates inside the README's test command: ruff, mypy, and a reason on every suppression.

ruff's rule set and mypy's strictness are written down in pyproject.toml; these tests only run the tools,
so `python -m pytest` stays the single gate that CI (.ci/run) and a developer run.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tokenize
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Directories whose Python files are lint-checked (ruff's own file discovery decides the rest).
SOURCE_DIRS = ("sheets_sync", "tests", "bench", "templates")
# A suppression with its codes, then whatever follows on the line (the reason).
NOQA = re.compile(r"#\s*noqa\b(?P<codes>:?\s*[A-Z]+[0-9]+(?:\s*,\s*[A-Z]+[0-9]+)*)?(?P<rest>.*)$")
TYPE_IGNORE = re.compile(r"#\s*type:\s*ignore(?P<codes>\[[a-z0-9_,\s-]+\])?(?P<rest>.*)$")
# A reason is a few words after the directive, optionally behind a dash, a paren or another `#`.
REASON = re.compile(r"^\s*(?:[-—(#:]\s*)?[A-Za-z`\"'].{5,}")


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    """Run one of the tools as a module of this interpreter, from the repository root."""
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, check=False)


def test_ruff_finds_nothing() -> None:
    """`ruff check .` passes with the rule set in pyproject.toml (imports, bugs, security, naming, pytest style)."""
    result = _run("ruff", "check", "--no-cache", ".")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_mypy_passes() -> None:
    """`mypy` passes: strict on the whole package (api/, config/, sinks/, orchestrator, CLI, ...), emulator checked."""
    result = _run("mypy")
    assert result.returncode == 0, result.stdout + result.stderr


def _suppressions() -> list[tuple[str, str, re.Match[str]]]:
    """Every `# noqa` and `# type: ignore` comment (not string) in the project's Python files, with where it is."""
    found = []
    for folder in SOURCE_DIRS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            with path.open("rb") as handle:
                comments = [t for t in tokenize.tokenize(handle.readline) if t.type == tokenize.COMMENT]
            for token in comments:
                for pattern in (NOQA, TYPE_IGNORE):
                    match = pattern.search(token.string)
                    if match:
                        found.append((f"{path.relative_to(ROOT)}:{token.start[0]}", token.line.strip(), match))
    return found


def test_every_suppression_names_its_code_and_says_why() -> None:
    """Each `# noqa` / `# type: ignore` names the rule it silences and gives a reason on the same line."""
    bad = [f"{where}: {line}" for where, line, match in _suppressions()
           if not match.group("codes") or not REASON.match(match.group("rest"))]
    assert not bad, "suppressions without a code or a reason:\n" + "\n".join(bad)


def test_the_suppression_check_can_fail() -> None:
    """The reason check rejects a bare or unexplained suppression and accepts an explained one."""
    def ok(line: str) -> bool:
        match = NOQA.search(line) or TYPE_IGNORE.search(line)
        assert match
        return bool(match.group("codes")) and bool(REASON.match(match.group("rest")))

    assert not ok("x = 1  # noqa")
    assert not ok("x = 1  # noqa: E501")
    assert not ok("x = f()  # type: ignore")
    assert not ok("x = f()  # type: ignore[attr-defined]")
    assert ok("x = 1  # noqa: E501 - a URL cannot be wrapped")
    assert ok("x = f()  # type: ignore[attr-defined]  # set by the server factory above")
