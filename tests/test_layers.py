"""The package's layers, kept by reading every import (function-level and type-only ones included).

From the bottom up:

- foundation (errors, redaction, catalogue, origin, report, dates): pure rules and models; import only
  each other.
- config: YAML → validated, resolved `Config`. Knows the catalogue, nothing of the API client, the
  records, the sinks or a run.
- api: the Reporting API client. Takes an `Endpoint` and parameters; knows no config and no sink.
- records: API records → `Table`. Knows the catalogue and the report model only.
- sinks: write `Table`s. May read their destination's config and a resolved report; never the API,
  the records code, validation or the orchestrator.
- resolved: one report as a run sees it (config + catalogue + period); no client, records or sinks.
- validate: the config checks plus those needing records and the Excel sink; above config and sinks.
- progress (terminal output) reads the report model only: not the sinks, the client or the config.
- delivery (email after a run, failure alerts): reads the config, the report model and what sinks wrote;
  never the API client, the records code, validation, the orchestrator or the CLI.
- orchestrator: ties the run together; only the scheduler and the CLI sit above it.
- schedule: runs the orchestrator on a clock; only the CLI sits above it.
- emulator: a stand-in for the server, so it shares nothing with the client but the catalogue (and argtypes,
  the stdlib-only argparse types every command uses).
- sheets_emulator: a stand-in for Google Sheets, so it imports nothing of the package but argtypes.
"""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "sheets_sync"
FOUNDATION = ("errors", "redaction", "catalogue", "origin", "report", "dates")
RUN_LAYERS = ("orchestrator", "validate", "resolved", "progress", "history", "cli", "emulator", "delivery",
              "schedule")

# module (or package) → what it must not import, both relative to `sheets_sync`
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "config": ("api", "sinks", "records", "timeseries", *RUN_LAYERS),
    "api": ("config", "sinks", "records", "timeseries", *RUN_LAYERS),
    "records": ("config", "api", "sinks", *RUN_LAYERS),
    "sinks": ("api", "records", "timeseries", "orchestrator", "validate", "progress", "history", "cli", "emulator",
              "delivery", "schedule"),
    "delivery": ("api", "records", "timeseries", "orchestrator", "validate", "resolved", "progress", "cli",
                 "emulator", "schedule"),
    "resolved": ("api", "sinks", "records", "orchestrator", "validate", "progress", "history", "cli", "emulator",
                 "schedule"),
    "validate": ("api", "orchestrator", "resolved", "progress", "history", "cli", "emulator", "schedule"),
    "progress": ("api", "config", "sinks", "records", "orchestrator", "validate", "resolved", "cli", "emulator",
                 "schedule"),
    "orchestrator": ("cli", "emulator", "schedule"),
    "history": ("schedule", "cli"),
    "schedule": ("cli", "emulator"),
}
# module → the only parts of the package it may import (besides itself)
ONLY: dict[str, tuple[str, ...]] = {
    "emulator": ("catalogue", "argtypes"),
    "sheets_emulator": ("argtypes",),
    **dict.fromkeys(FOUNDATION, FOUNDATION),
}


def module_name(path: Path, root: Path) -> str:
    """`sheets_sync/config/loader.py` → `sheets_sync.config.loader` (a package's `__init__` is the package)."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path, root: Path) -> set[str]:
    """Every `sheets_sync` module `path` imports, anywhere in the file, relative imports made absolute."""
    module = module_name(path, root)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            # `from sheets_sync import records` imports the module sheets_sync.records
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return {name for name in found if name == PACKAGE or name.startswith(PACKAGE + ".")}


def _part(module: str) -> str:
    """The first part below the package: `sheets_sync.config.loader` → `config`."""
    return module.split(".")[1] if "." in module else ""


def violations(root: Path) -> set[tuple[str, str]]:
    """(importer, imported) pairs of every import under `root`/sheets_sync that breaks a layer rule."""
    broken: set[tuple[str, str]] = set()
    known = {path.stem if path.suffix else path.name for path in (root / PACKAGE).iterdir()}
    for path in sorted((root / PACKAGE).rglob("*.py")):
        importer = module_name(path, root)
        own = _part(importer)
        for imported in imports_of(path, root):
            target = _part(imported)
            if target in ("", own) or target not in known:
                continue  # the package itself, a sibling module, or a name imported from a module
            forbidden = target in FORBIDDEN.get(own, ())
            outside = own in ONLY and target not in ONLY[own]
            only_main = target == "cli" and own != "__main__"
            if forbidden or outside or only_main:
                broken.add((importer, f"{PACKAGE}.{target}"))
    return broken


def test_the_package_keeps_its_layers():
    """No module imports a layer its rules forbid."""
    assert violations(ROOT) == set()


def test_every_rule_names_a_real_part_of_the_package():
    """A rule about a module that does not exist would guard nothing: each name in the rules exists."""
    parts = {path.stem for path in (ROOT / PACKAGE).glob("*.py")} | {
        path.name for path in (ROOT / PACKAGE).iterdir() if (path / "__init__.py").is_file()}
    named = set(FORBIDDEN) | set(ONLY) | {n for names in [*FORBIDDEN.values(), *ONLY.values()] for n in names}
    assert named <= parts, named - parts


@pytest.mark.parametrize(("where", "source", "expected"), [
    ("config/bad.py", "from sheets_sync.api.client import ApiClient\n", "sheets_sync.api"),
    ("config/bad.py", "def f():\n    from sheets_sync import records\n", "sheets_sync.records"),
    ("config/bad.py", "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ..sinks import excel\n",
     "sheets_sync.sinks"),
    ("api/bad.py", "import sheets_sync.config.loader\n", "sheets_sync.config"),
    ("sinks/bad.py", "from sheets_sync.validate import check_templates\n", "sheets_sync.validate"),
    ("progress.py", "from sheets_sync.sinks.csv_sink import csv_value\n", "sheets_sync.sinks"),
    ("report.py", "from sheets_sync.config import Config\n", "sheets_sync.config"),
    ("emulator/bad.py", "from sheets_sync.api import ApiClient\n", "sheets_sync.api"),
    ("history.py", "from sheets_sync.cli import main\n", "sheets_sync.cli"),
])
def test_a_forbidden_import_is_found(tmp_path: Path, where: str, source: str, expected: str):
    """The checker finds a bad import written in any form (plain, from, relative, in a function, type-only)."""
    package = tmp_path / PACKAGE
    for name in ("api", "config", "sinks", "emulator"):
        (package / name).mkdir(parents=True)
        (package / name / "__init__.py").write_text("", encoding="utf-8")
    for name in ("records", "validate", "report", "progress", "history", "cli"):
        (package / f"{name}.py").write_text("", encoding="utf-8")
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / where).write_text(textwrap.dedent(source), encoding="utf-8")
    importer = module_name(package / where, tmp_path)
    assert violations(tmp_path) == {(importer, expected)}


def test_allowed_imports_are_not_flagged(tmp_path: Path):
    """Imports the rules allow (config → catalogue, sinks → report and config) are not reported."""
    package = tmp_path / PACKAGE
    for name in ("config", "sinks"):
        (package / name).mkdir(parents=True)
        (package / name / "__init__.py").write_text("", encoding="utf-8")
    for name in ("catalogue", "report"):
        (package / f"{name}.py").write_text("", encoding="utf-8")
    (package / "config" / "ok.py").write_text("from sheets_sync.catalogue import Endpoint\n", encoding="utf-8")
    (package / "sinks" / "ok.py").write_text(
        "from sheets_sync.report import Table\nfrom sheets_sync.config import Config\n", encoding="utf-8")
    assert violations(tmp_path) == set()
