"""The demo's config and template, shipped as package data so `sheets-sync demo` works wherever it is installed."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

CONFIG_NAME = "demo.yaml"
TEMPLATE_NAME = "demo.xlsx"
OUTPUT_FOLDER = "reports"      # under the current folder, unless `demo --output-dir` names another
STATE_FOLDER = ".sheets-sync"  # where `sheets-sync history` run in the same folder looks


@dataclass(frozen=True)
class DemoFiles:
    """The packaged demo files as paths on disk."""

    config: Path
    template: Path


@contextmanager
def demo_files() -> Iterator[DemoFiles]:
    """The demo config and template as real files for the duration of the block.

    Installed as a plain folder (the usual case) these are the package's own files; from a zipped
    package importlib.resources extracts each to a temporary file, which is why the template is
    handed over on its own instead of being found beside the config.
    """
    package = resources.files(__name__)
    with ExitStack() as stack:
        config = stack.enter_context(resources.as_file(package / CONFIG_NAME))
        template = stack.enter_context(resources.as_file(package / TEMPLATE_NAME))
        yield DemoFiles(config=Path(config), template=Path(template))


def demo_folders(output_dir: Path | None, cwd: Path) -> tuple[Path, Path]:
    """(folder for the reports, folder for the run history): `reports/` and `.sheets-sync/` in `cwd`, or both
    under `output_dir` (the reports directly in it)."""
    base = output_dir.resolve() if output_dir is not None else cwd.resolve()
    reports = output_dir.resolve() if output_dir is not None else base / OUTPUT_FOLDER
    return reports, base / STATE_FOLDER
