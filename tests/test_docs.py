"""Tests that the README tells the truth: two-command quick start, every command, a current config reference.

Run `python tests/test_docs.py` to regenerate the README's config reference after changing the models.
"""

from __future__ import annotations

import re
import sys
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
    from sheets_sync.config import validate_file

    env = {"LATER_CLIENT_ID": "id", "LATER_CLIENT_SECRET": "secret", "SMTP_HOST": "smtp.example.com",
           "SMTP_USER": "reports@example.com", "SMTP_PASSWORD": "pw", "SHEETS_EMULATOR_HOST": "127.0.0.1:9"}
    problems = [p for p in validate_file(ROOT / "config" / "example.yaml", env)
                if getattr(p, "severity", "error") != "warning"]
    assert problems == []


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
