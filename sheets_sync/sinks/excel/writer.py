"""`write_workbook`: the Excel sink's entry point — template fill or clean workbook, written atomically."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Sequence
from pathlib import Path

from sheets_sync.errors import SinkError, TemplateError
from sheets_sync.sinks.atomic import atomic_output
from sheets_sync.sinks.excel.fill import fill_template
from sheets_sync.sinks.excel.model import ExcelTab, WorkbookResult
from sheets_sync.sinks.excel.plain import write_plain_workbook
from sheets_sync.sinks.excel.plan import plan_fill

_BAD_SHEET_CHARS = re.compile(r"[\\/?*\[\]:]")
MAX_SHEET_NAME = 31


def check_sheet_names(tabs: Sequence[ExcelTab]) -> None:
    """Raise SinkError unless every tab names a distinct, valid Excel sheet."""
    seen: set[str] = set()
    for tab in tabs:
        name = tab.sheet
        if not name or len(name) > MAX_SHEET_NAME or _BAD_SHEET_CHARS.search(name) or name.startswith("'"):
            raise SinkError(f"{name!r} is not a valid Excel sheet name (1-31 characters, none of \\ / ? * [ ] :)")
        if name.casefold() in seen:
            raise SinkError(f"two tabs write to the same sheet {name!r}")
        seen.add(name.casefold())


def check_template(template: Path, tabs: Sequence[ExcelTab]) -> None:
    """Check that `tabs` can fill `template` (everything `write_workbook` checks before writing).

    Rows are not read, so tables whose rows are one-shot iterators stay unconsumed.

    Raises:
        TemplateError: the template breaks the contract or a tab does not match its table.
    """
    check_sheet_names(tabs)
    plan_fill(Path(template), tabs).pkg.close()


def write_workbook(output: Path, tabs: Sequence[ExcelTab], *, template: Path | None = None,
                   now: dt.datetime | None = None, lock_timeout: float = 60,
                   lock_dir: Path | None = None) -> WorkbookResult:
    """Write `tabs` to the workbook at `output`, filling `template` when given.

    The previous file at `output` is replaced atomically and only on success. The per-output lock
    lives in `lock_dir` (the config's state folder) when given, else beside `output`.

    Raises:
        TemplateError: the template breaks the template contract or does not match the tabs.
        OutputLockedError: another run is writing `output`.
        SinkError: anything else that stopped the write (too many rows, unwritable folder).
    """
    output = Path(output)
    now = now or dt.datetime.now(dt.UTC)
    check_sheet_names(tabs)
    if not tabs:
        raise SinkError(f"{output.name}: nothing to write (no tabs)")
    if template is not None and Path(template).suffix.lower() != output.suffix.lower():
        # Excel refuses a macro-enabled package named .xlsx (and the reverse): the content types differ.
        raise TemplateError(f"{output.name}: a {Path(template).suffix} template must be written to a "
                            f"{Path(template).suffix} file")
    # Planning reads and checks the whole template before anything is written or locked.
    plan = plan_fill(Path(template), tabs) if template is not None else None
    try:
        with atomic_output(output, lock_timeout, lock_dir) as handle:
            with zipfile.ZipFile(handle, "w", allowZip64=True) as zout:
                if plan is not None:
                    rows, warnings = fill_template(zout, plan, output.parent, now)
                else:
                    rows, warnings = write_plain_workbook(zout, tabs, now, output.parent)
            size = handle.tell()
    except OSError as exc:
        raise SinkError(f"{output.name}: writing failed: {exc}") from exc
    finally:
        if plan is not None:
            plan.pkg.close()
    return WorkbookResult(path=output, rows=rows, warnings=warnings, bytes_written=size)
