"""Where a sink's files go: output paths rendered from the config, their folders, and paths as the user sees them."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from sheets_sync.config.state import can_create_files_in
from sheets_sync.errors import SinkError
from sheets_sync.output_names import naming_report
from sheets_sync.paths import resolve_output_path
from sheets_sync.sinks.base import SinkContext

if TYPE_CHECKING:
    from sheets_sync.sinks.base import NamedReport


def config_path(context: SinkContext, path: Any) -> Path:
    """A path written in the config, relative to the config file's folder."""
    given = Path(path)
    return given if given.is_absolute() else context.base_dir / given


def output_path(context: SinkContext, destination_name: str, output: str, report: NamedReport) -> Path:
    """The file `report` writes through `output` this run (its slug and period fill the placeholders).

    Raises:
        SinkError: a placeholder has no value (e.g. {start_date} for an endpoint that takes no dates).
    """
    start, end = context.period(report)
    try:
        return resolve_output_path(output, context.base_dir, report=report.slug, destination=destination_name,
                                   start_date=start, end_date=end, run_date=context.now.date())
    except ValueError as exc:
        raise SinkError(f"destination {destination_name!r}: {exc}") from None


def shared_output_path(context: SinkContext, destination_name: str, output: str) -> Path:
    """The one file of a destination all of whose reports write together (a workbook): one name per run.

    Named after the destination's first report in config order with a period, whatever this run selects.
    """
    members = context.config.reports_for(destination_name)
    return output_path(context, destination_name, output, naming_report(members, context.periods))


def make_folder(destination_name: str, path: Path) -> None:
    """Create the folder of `path` (the config author chose it; on a fresh clone it does not exist yet)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SinkError(f"destination {destination_name!r}: cannot create folder {path.parent}: "
                        f"{exc.strerror or exc}") from None


def folder_problem(destination_name: str, path: Path) -> str | None:
    """Why the folder of `path` cannot be written or created, or `path` is itself a folder (checked without leaving
    anything behind), or None."""
    if path.is_dir():
        return f"destination {destination_name!r}: the output {path} is a folder, not a file"
    folder = path.parent
    existing = folder
    while not existing.exists():
        if existing.parent == existing:
            break
        existing = existing.parent
    if not existing.is_dir():
        return f"destination {destination_name!r}: cannot create folder {folder}: {existing} is not a folder"
    if not can_create_files_in(existing):
        verb = "write in" if existing == folder else "create folder"
        return f"destination {destination_name!r}: cannot {verb} {folder}: permission denied"
    return None


def shown(path: Path) -> str:
    """A path as the user thinks of it: relative to the current folder when it is inside it."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
