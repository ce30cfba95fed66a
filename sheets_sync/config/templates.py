"""validate's deep check: each Excel template exists and has the sheets, tables and columns its reports fill."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from sheets_sync.config.models import Config, ReportConfig
from sheets_sync.errors import SheetsSyncError
from sheets_sync.report import Column, Table, TableMeta

Found = tuple[tuple[str | int, ...], str]


def report_headers(report: ReportConfig) -> list[str]:
    """The column headers a report will write, known before fetching (explicit columns, or the defaults)."""
    if report.columns is not None:
        return [column.effective_header for column in report.columns]
    from sheets_sync.records import default_columns

    return [column.header for column in default_columns(report.endpoint, list(report.metrics or ()), [])]


def report_columns(report: ReportConfig) -> list[tuple[str, str]] | None:
    """(field path, header) of each column a report will write, or None when they cannot be known offline."""
    if report.columns is not None:
        return [(column.field, column.effective_header) for column in report.columns]
    try:
        from sheets_sync.records import default_columns

        return [(column.field, column.header)
                for column in default_columns(report.endpoint, list(report.metrics or ()), [])]
    except (ImportError, LookupError, ValueError):
        return None


def template_file_problem(template: Path, cfg: Config, written: str | None = None) -> str | None:
    """Why the template file cannot be read (missing, not a file, unreadable name), or None.

    The path is shown as written in the config (relative to the config file) when known.
    """
    shown = written if written is not None else _as_written(template, cfg)
    try:
        if template.is_file():
            return None
        exists = template.exists()
    except OSError as exc:
        return f"template file cannot be read: {shown} ({exc.strerror or exc})"
    if exists:
        return f"template is not a file: {shown}"
    return f"template file not found: {shown}"


def _as_written(template: Path, cfg: Config) -> str:
    try:
        return os.path.relpath(template, cfg.base_dir)
    except ValueError:  # another drive (Windows)
        return str(template)


def check_template_files(cfg: Config) -> Iterator[Found]:
    """Only the existence check of each Excel template, which needs no valid report (see `check_templates`)."""
    for name, destination in cfg.destinations.items():
        if destination.type == "excel" and destination.template is not None:
            where = ("destinations", name, "template")
            problem = template_file_problem(destination.template, cfg, cfg.as_written(where))
            if problem:
                yield where, problem
    for where, written in cfg.written_paths().items():
        # a destination left out of the partial config (another key of it is invalid): its template as written
        if where[-1] == "template" and where[1] not in cfg.destinations:
            problem = template_file_problem(cfg.base_dir / written, cfg, written)
            if problem:
                yield where, problem


def check_templates(cfg: Config) -> Iterator[Found]:
    """Problems between every Excel template and the reports that fill it, as (key path, message).

    Messages starting with "warning: " are warnings (template data that no report replaces).
    """
    try:
        from sheets_sync.sinks.excel import (
            ExcelTab, check_template, inspect_template, template_problems, unfilled_template_parts,
        )
    except ImportError:  # the Excel sink is optional for validation: without it the deep check is skipped
        return
    for name, destination in cfg.destinations.items():
        if destination.type != "excel" or destination.template is None:
            continue
        where = ("destinations", name, "template")
        problem = template_file_problem(destination.template, cfg, cfg.as_written(where))
        if problem:
            yield where, problem
            continue
        try:
            info = inspect_template(destination.template)
        except SheetsSyncError as exc:
            yield where, exc.message
            continue
        tabs: list[ExcelTab] = []
        found_column_problem = False
        for index, report in enumerate(cfg.reports):
            if name not in report.destinations or report.tab is None:
                continue
            key = "table" if report.table is not None else "tab"
            headers = report_headers(report)
            for problem in template_problems(info, report.tab, headers, report.table):
                found_column_problem = True
                yield ("reports", index, key), problem
            tabs.append(ExcelTab(_empty_table(report, headers), report.tab, report.table))
        if tabs:
            # Template data no report replaces would pass for real data: a warning, by name.
            for warning in unfilled_template_parts(info, [(tab.sheet, tab.excel_table) for tab in tabs]):
                yield where, "warning: " + warning
        if tabs and not found_column_problem:
            # The whole-contract check (totals rows, content below the data, ...) beyond column matching.
            try:
                check_template(destination.template, tabs)
            except SheetsSyncError as exc:
                yield where, exc.message


def _empty_table(report: ReportConfig, headers: list[str]) -> Table:
    """A row-less table with the report's headers: enough for the template contract check."""
    columns = [Column(field=header, header=header) for header in headers]
    return Table(columns=columns, rows=[], meta=TableMeta(report=report.name, endpoint=report.endpoint))
