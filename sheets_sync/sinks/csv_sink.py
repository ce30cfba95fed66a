"""CSV sink: one UTF-8 file per report, header row first, written atomically; each report on its own."""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sheets_sync.errors import SheetsSyncError, SinkError
from sheets_sync.report import Table, cell_text
from sheets_sync.sinks.atomic import atomic_output
from sheets_sync.sinks.base import ReportTable, SinkContext, SinkResult
from sheets_sync.sinks.outputs import folder_problem, make_folder, output_path, shown

if TYPE_CHECKING:
    from sheets_sync.resolved import ResolvedReport

logger = logging.getLogger(__name__)

# A spreadsheet treats text starting with these as a formula (docs/reliability.md#formula-injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class CsvResult:
    """What a CSV write produced."""

    path: Path
    rows: int
    bytes_written: int


def csv_value(value: Any, *, escape_formulas: bool = False) -> str:
    """One cell as CSV text: null is an empty field, numbers and dates as the API gave them."""
    if escape_formulas and isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return cell_text(value)


def write_csv(path: Path, table: Table, *, escape_formulas: bool = False, bom: bool = False,
              lock_dir: Path | None = None) -> CsvResult:
    """Write `table` to `path`; the file appears complete or not at all (the sinks' shared atomic replace:
    temp file beside it, fsync, rename, under the output's lock in `lock_dir`).

    `bom` starts the file with a UTF-8 byte-order mark: without it Excel reads the file in the
    system's legacy code page and shows emoji and right-to-left names as mojibake.
    """
    path = Path(path)
    rows = 0
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_output(path, lock_dir=lock_dir) as handle:
            # utf-8-sig writes the mark once, before the first character
            text = io.TextIOWrapper(handle, encoding="utf-8-sig" if bom else "utf-8", newline="")
            try:
                writer = csv.writer(text)
                writer.writerow(table.headers)
                for row in table.rows:
                    writer.writerow([csv_value(v, escape_formulas=escape_formulas) for v in row])
                    rows += 1
            finally:
                text.detach()  # flushes; the binary file stays open for atomic_output to fsync and rename
    except OSError as exc:
        raise SinkError(f"cannot write CSV {path}: {exc.strerror or exc}") from None
    return CsvResult(path=path, rows=rows, bytes_written=path.stat().st_size)


class CsvSink:
    """Writes `type: csv` destinations: one file per report, so one report's failure never holds back another."""

    def check(self, destination_name: str, destination_config: Any, reports: Sequence[ResolvedReport],
              context: SinkContext) -> None:
        """Raise SinkError when the folder of a report's file cannot be written or created."""
        for report in reports:
            try:
                path = output_path(context, destination_name, destination_config.output, report)
            except SinkError:
                continue  # a placeholder without a value: the write reports it, as for any other run
            problem = folder_problem(destination_name, path)
            if problem:
                raise SinkError(problem)

    def write(self, destination_name: str, destination_config: Any, tables: Sequence[ReportTable],
              context: SinkContext) -> SinkResult:
        """Write each fetched report's file; a report whose fetch failed keeps its previous file."""
        result = SinkResult()
        for item in tables:
            report, table = item.report, item.table
            if table is None:
                continue  # its fetch failed; the previous file stays
            try:
                path = output_path(context, destination_name, destination_config.output, report)
                make_folder(destination_name, path)
                written = write_csv(path, table, escape_formulas=destination_config.escape_formulas,
                                    bom=destination_config.writes_bom, lock_dir=context.lock_dir)
            except SheetsSyncError as exc:
                result.failures[report.name] = f"CSV {destination_name!r}: {exc.message}"
                logger.error("report %r: CSV %r failed: %s", report.name, destination_name, exc.message)
                continue
            result.wrote(report.name, shown(written.path), written.rows)
            logger.info("wrote %s (%d rows)", written.path, written.rows)
        return result
