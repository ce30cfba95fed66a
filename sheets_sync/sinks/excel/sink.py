"""The Excel sink: one workbook per destination, all of its tabs at once, or the previous workbook left as it was.

A workbook is written only when every report of this run that fills it was fetched: a workbook with
one tab fresh and another emptied would be worse than yesterday's. A run that selects only some of
the destination's reports (`run --report`) refreshes their tabs in last run's workbook, so the other
tabs keep their data instead of falling back to the template's. The file's name is resolved once per
run for the whole workbook (see `sheets_sync.output_names`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence, Sized
from typing import TYPE_CHECKING, Any

from sheets_sync.errors import SheetsSyncError, SinkError
from sheets_sync.sinks.base import ReportTable, SinkContext, SinkResult
from sheets_sync.sinks.outputs import (
    config_path,
    folder_problem,
    make_folder,
    shared_output_path,
    shown,
)

if TYPE_CHECKING:
    from sheets_sync.resolved import ResolvedReport

logger = logging.getLogger(__name__)


class ExcelSink:
    """Writes `type: excel` destinations with `write_workbook` (template fill or clean workbook)."""

    def check(self, destination_name: str, destination_config: Any, reports: Sequence[ResolvedReport],
              context: SinkContext) -> None:
        """Raise SinkError for a folder that cannot be made (templates are checked by `sheets_sync.validate`)."""
        try:
            path = shared_output_path(context, destination_name, destination_config.output)
        except SinkError:
            return  # a placeholder without a value: the write reports it, as for any other run
        problem = folder_problem(destination_name, path)
        if problem:
            raise SinkError(problem)

    def write(self, destination_name: str, destination_config: Any, tables: Sequence[ReportTable],
              context: SinkContext) -> SinkResult:
        """Write every tab of the workbook, or none of them (failures are in the result)."""
        from sheets_sync.sinks.excel import ExcelTab, write_workbook

        result = SinkResult()
        name = destination_name
        failed = [t.report.name for t in tables if t.table is None]
        if failed:
            message = (f"workbook {name!r} not written because report {failed[0]!r} failed; "
                       "the previous workbook is unchanged")
            logger.error("destination %r: %s", name, message.removeprefix(f"workbook {name!r} "))
            result.failures = {t.report.name: message for t in tables if t.table is not None}
            return result
        try:
            output = shared_output_path(context, name, destination_config.output)
            make_folder(name, output)
            template = config_path(context, destination_config.template) if destination_config.template else None
            if len(tables) < len(context.config.reports_for(name)) and output.exists():
                template = output  # a partial run refreshes its tabs in last run's workbook
            tabs = [ExcelTab(t.table, sheet=t.report.tab or t.report.name, excel_table=t.report.table)
                    for t in tables if t.table is not None]
            if template == output and destination_config.template is None:
                from sheets_sync.sinks.excel.plain import with_shown_headers

                # last run wrote a clean workbook, headed by catalogue labels ("Creator ID"): match those
                tabs = [ExcelTab(with_shown_headers(t.table), t.sheet, t.excel_table) for t in tabs]
            written = write_workbook(output, tabs, template=template, now=context.now, lock_dir=context.lock_dir)
        except SheetsSyncError as exc:
            result.failures = {t.report.name: f"workbook {name!r}: {exc.message}" for t in tables}
            logger.error("destination %r failed: %s", name, exc.message)
            return result
        for warning in written.warnings:
            logger.warning("workbook %r: %s", name, warning)
            result.warnings.append(f"workbook {name!r}: {warning}")
        for t in tables:
            rows = t.table.rows if t.table is not None else []
            result.wrote(t.report.name, shown(written.path), len(rows) if isinstance(rows, Sized) else 0)
        logger.info("wrote %s (%d tab(s), %d bytes)", written.path, len(tabs), written.bytes_written)
        return result
