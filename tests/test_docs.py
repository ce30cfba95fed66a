"""Tests that the docs tell the truth: README commands and config reference, and no pointer out of the repository.

Run `python tests/test_docs.py` to regenerate the README's config reference after changing the models.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
START, END = "<!-- config-reference:start -->", "<!-- config-reference:end -->"
QUICK_START = ["pip install -r requirements.txt && python -m sheets_sync demo",
               "pip install -r requirements-dev.txt && python -m pytest"]


def embedded_reference() -> str:
    """The generated config reference as the README embeds it: one heading level down, title dropped."""
    from sheets_sync.config import render_config_reference

    lines = render_config_reference().strip().splitlines()
    if lines and lines[0].startswith("# "):
        lines = lines[1:]
    return "\n".join("#" + line if line.startswith("#") else line for line in lines).strip()


def readme_section(title: str) -> str:
    """The text of the README's `## title` section."""
    text = README.read_text(encoding="utf-8")
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", text, re.S | re.M)
    assert match, f"README has no '## {title}' section"
    return match.group(1)


def test_quick_start_is_exactly_two_commands() -> None:
    """The quick start's code block holds exactly the install-and-demo and the install-and-test commands."""
    blocks = re.findall(r"```(?:sh|bash|console)?\n(.*?)```", readme_section("Quick start"), re.S)
    assert len(blocks) == 1
    commands = [line.strip() for line in blocks[0].splitlines() if line.strip()]
    assert commands == QUICK_START


def test_ci_runs_the_readme_test_command() -> None:
    """.ci/run installs requirements-dev.txt and runs `-m pytest` exactly as the README's test command does."""
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    install, _, test = QUICK_START[1].partition(" && ")
    assert f"-m pip install -r {install.split()[-1]}" in script
    assert re.search(r'"\$PYTHON" -m pytest \|\|', script), "the test command must be `python -m pytest`, nothing added"
    assert test == "python -m pytest"
    assert "exit 1" in script and '"$status" -eq 5' in script  # "no tests collected" counts as failure


def test_every_cli_command_is_documented() -> None:
    """Each subcommand of the parser appears in the README's command table as `sheets-sync COMMAND`."""
    from sheets_sync.cli import build_parser

    commands = next(a for a in build_parser()._actions if a.dest == "command").choices
    section = readme_section("Command line")
    missing = [c for c in commands if f"`sheets-sync {c}" not in section]
    assert not missing, f"README 'Command line' lacks: {missing}"


def test_config_reference_is_current() -> None:
    """The README's config reference equals what the models generate now."""
    text = README.read_text(encoding="utf-8")
    assert START in text and END in text
    current = text.split(START, 1)[1].split(END, 1)[0].strip()
    assert current == embedded_reference(), "run `python tests/test_docs.py` to regenerate the config reference"


def test_documents_linked_from_the_readme_exist() -> None:
    """Every relative link and image in the README points at a file in the repository."""
    targets = re.findall(r"\]\(((?!https?://|#)[^)\s]+)\)", README.read_text(encoding="utf-8"))
    missing = [t for t in targets if not (ROOT / t).exists()]
    assert targets and not missing, f"README links to missing files: {missing}"


def test_example_config_is_valid() -> None:
    """config/example.yaml passes `validate` once its environment variables are set."""
    from sheets_sync.validate import validate_config

    env = {"LATER_CLIENT_ID": "id", "LATER_CLIENT_SECRET": "example-only-s3cret", "SMTP_HOST": "smtp.example.com",
           "SMTP_USER": "reports@example.com", "SMTP_PASSWORD": "pw", "SHEETS_EMULATOR_HOST": "127.0.0.1:9"}
    problems = [p for p in validate_config(ROOT / "config" / "example.yaml", env).problems
                if p.severity != "warning"]
    assert problems == []



# --- The project stands alone: every document a file mentions is in the repository -------------------

# These tests read the published v1 OpenAPI document (or gspread's recorded cassettes) from the folder beside
# the repository at test time: test input kept outside the repository by design
# (docs/decisions.md#v1-openapi-reading).
OUTSIDE_INPUT_READERS = frozenset({"tests/emulator/test_v1_contract.py", "tests/config/test_config_qa_rules.py",
                                   "tests/sheets_emulator/test_cassettes.py"})
# A `*.md` name or path, optionally with a `#section`; never the middle of a URL (nothing after a `/`).
_MD_MENTION = re.compile(r"(?<![\w/.-])((?:[\w.-]+/)*[\w.-]+\.md)(?![\w])(?:#([\w-]+))?")
# The background folder the project was built from, which a clone does not have.
_OUTSIDE_FOLDER = re.compile(r"\.\./shared\b|\bshared/(?:docs|reference)/")
_SKIPPED_DIRS = {".git", ".venv", "venv", "__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache",
                 "node_modules", "reports", ".sheets-sync", "build", "dist"}


def repository_files(root: Path) -> list[Path]:
    """The repository's files, relative to `root`: tracked plus untracked-not-ignored (git), else a walk."""
    try:
        listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                                cwd=root, capture_output=True, check=True).stdout.decode("utf-8")
        names = [Path(n) for n in listed.split("\0") if n]
    except (OSError, subprocess.CalledProcessError):
        names = [p.relative_to(root) for p in root.rglob("*")
                 if p.is_file() and not _SKIPPED_DIRS.intersection(p.relative_to(root).parts)]
    return sorted(n for n in set(names) if (root / n).is_file())


def _text(path: Path) -> str | None:
    data = path.read_bytes()
    if b"\0" in data:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def heading_anchors(markdown: str) -> set[str]:
    """The `#anchor` of every heading of a Markdown text, as GitHub spells them (code blocks skipped)."""
    anchors: set[str] = set()
    fenced = False
    for line in markdown.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and (match := re.match(r"#{1,6}\s+(.+?)\s*#*\s*$", line)):
            anchors.add(re.sub(r"[^\w\- ]", "", match.group(1).lower()).replace(" ", "-"))
    return anchors


def _targets(root: Path, source: Path, mention: str, files: list[Path]) -> list[Path]:
    """The repository files `mention` (written in `source`) can mean."""
    if "/" not in mention:
        return [f for f in files if f.name == mention]
    found = []
    for base in (source.parent, Path()):  # relative to the file that mentions it, or to the repository root
        resolved = (root / base / mention).resolve()
        if resolved.is_relative_to(root.resolve()) and resolved.relative_to(root.resolve()) in files:
            found.append(resolved.relative_to(root.resolve()))
    if not mention.startswith(("./", "../")):
        found += [f for f in files if f.as_posix().endswith("/" + mention)]
    return found


def dangling_references(root: Path, files: Iterable[Path]) -> list[str]:
    """`FILE:LINE: reason` for each mention of a document (or section) the repository does not hold."""
    files = list(files)
    problems: list[str] = []
    anchors: dict[Path, set[str]] = {}
    for source in files:
        text = _text(root / source)
        if text is None:
            continue
        for number, line in enumerate(text.splitlines(), 1):
            where = f"{source.as_posix()}:{number}"
            if _OUTSIDE_FOLDER.search(line) and source.as_posix() not in OUTSIDE_INPUT_READERS:
                problems.append(f"{where}: points outside the repository: {line.strip()}")
            for section in re.findall(r"\]\(#([\w-]+)\)", line) if source.suffix == ".md" else ():
                if section not in anchors.setdefault(source, heading_anchors(text)):
                    problems.append(f"{where}: no section #{section} in this file")
            for match in _MD_MENTION.finditer(line):
                mention, section = match.groups()
                targets = _targets(root, source, mention, files)
                if not targets:
                    problems.append(f"{where}: {mention} is not in the repository")
                    continue
                if section is None:
                    continue
                for target in targets:
                    if target not in anchors:
                        anchors[target] = heading_anchors(_text(root / target) or "")
                if not any(section in anchors[t] for t in targets):
                    problems.append(f"{where}: {mention} has no section #{section}")
    return problems


def test_no_document_points_outside_the_repository() -> None:
    """No file mentions a document (or a section of one) that is not in the repository, nor the folder beside it."""
    assert dangling_references(ROOT, repository_files(ROOT)) == []


def test_planted_pointers_outside_the_repository_are_found(tmp_path: Path) -> None:
    """A missing document, a missing section (in another file or its own) and the outside folder are reported."""
    outside = "../" + "shared"  # built here so that this file itself does not hold the pointer
    missing = "design" + ".md"
    no_section = "docs/decisions.md#" + "retries"
    (tmp_path / "docs").mkdir()
    (tmp_path / "pkg").mkdir()
    (tmp_path / "tests" / "emulator").mkdir(parents=True)
    (tmp_path / "README.md").write_text("# Tool\nSee [decisions](docs/decisions.md#pagination), [up](#tool).\n")
    (tmp_path / "docs" / "reliability.md").write_text("# Reliability\n\n## Retries\n\nSee [below](#locks).\n")
    (tmp_path / "docs" / "decisions.md").write_text("# Decisions\n\n## Pagination\n\n## v1 OpenAPI reading\n")
    (tmp_path / "pkg" / "README.md").write_text("[up](../docs/decisions.md#v1-openapi-reading), README.md\n")
    (tmp_path / "pkg" / "good.py").write_text('"""Envelopes (docs/decisions.md#pagination)."""\n'
                                               "# https://example.com/notes/design.md is a web page\n")
    (tmp_path / "pkg" / "bad.py").write_text(f'"""Rules from {missing} "Columns"."""\n'
                                              f"# see {no_section}\n"
                                              f"# lists come from {outside}/docs/later-api.md\n")
    (tmp_path / "tests" / "emulator" / "test_v1_contract.py").write_text(f"SPEC = '{outside}/reference/v1.json'\n")
    (tmp_path / "pic.png").write_bytes(b"\x89PNG\0" + missing.encode())
    files = [p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file()]
    assert sorted(dangling_references(tmp_path, files)) == [
        "docs/reliability.md:5: no section #locks in this file",
        f"pkg/bad.py:1: {missing} is not in the repository",
        "pkg/bad.py:2: docs/decisions.md has no section #retries",
        f"pkg/bad.py:3: {outside}/docs/later-api.md is not in the repository",
        f"pkg/bad.py:3: points outside the repository: # lists come from {outside}/docs/later-api.md",
    ]


def test_tests_cited_by_the_reliability_table_exist() -> None:
    """Every `test_...` name that docs/reliability.md cites as proof is a test function in tests/."""
    cited = set(re.findall(r"`(test_\w+)`", (ROOT / "docs" / "reliability.md").read_text(encoding="utf-8")))
    defined = {name for path in (ROOT / "tests").rglob("test_*.py")
               for name in re.findall(r"^\s*def (test_\w+)\(", path.read_text(encoding="utf-8"), re.M)}
    assert cited and sorted(cited - defined) == []


def regenerate() -> None:
    """Rewrite the README's config reference from the models."""
    text = README.read_text(encoding="utf-8")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    README.write_text(f"{head}{START}\n{embedded_reference()}\n{END}{tail}", encoding="utf-8")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    regenerate()
    print(f"regenerated the config reference in {README}")
