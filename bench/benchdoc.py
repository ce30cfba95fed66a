"""Rewrites one bench script's section of docs/benchmarks.md, leaving the other sections alone."""

from __future__ import annotations

from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"


def write_section(section: str, script: str, body: str, path: Path = BENCHMARKS) -> None:
    """Replace the body under `section` (a "## ..." heading) with `body`, noting `script` as the way to reproduce it."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    block = f"{section}\n\nReproduce: `python {script}`.\n\n{body}\n"
    start = text.find(section + "\n")
    if start == -1:
        text = text.rstrip("\n") + "\n\n" + block
    else:
        end = text.find("\n## ", start + len(section))
        text = text[:start] + block + ("\n" + text[end + 1:] if end != -1 else "")
    path.write_text(text, encoding="utf-8")
