"""`validate` as a service: the config's own checks plus those that need the column model and the Excel sink.

It sits above `config` (which knows nothing of records or sinks) and below the CLI and the
orchestrator: `sheets-sync validate` calls `validate_config`, a run calls `run_template_problems` and
`run_key_problems` before its first request. The config file is read and parsed once per call.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sheets_sync.comparison import compared_columns, planned_period
from sheets_sync.config import Config, ReportConfig, check_config_file
from sheets_sync.config.loader import overlaps, problem_at_config, sorted_problems
from sheets_sync.config.modes import bucket_start_missing, period_fields
from sheets_sync.config.problems import Finding, warning
from sheets_sync.config.yamlread import format_path
from sheets_sync.errors import ConfigProblem, SheetsSyncError
from sheets_sync.output_names import report_period
from sheets_sync.records import default_columns
from sheets_sync.report import Column, Table, TableMeta

# (key path, message) is an error; a `Finding` carries its severity (`warning(...)` makes one).
Found = tuple[tuple[str | int, ...], str] | Finding


@dataclass
class Validation:
    """What `validate` found: errors in file order, then warnings; the config when it is usable."""

    config: Config | None
    problems: list[ConfigProblem] = field(default_factory=list)

    @property
    def errors(self) -> list[ConfigProblem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[ConfigProblem]:
        return [p for p in self.problems if p.severity == "warning"]


def validate_config(path: str | os.PathLike[str], env: Mapping[str, str] | None = None,
                    now: dt.datetime | None = None) -> Validation:
    """Everything `load_config` checks plus the offline deep checks (templates, upsert keys); one parse."""
    result = check_config_file(path, env, now)
    problems = list(result.problems)
    cfg = result.partial  # the parts that validated (all of it when `result.config` is set)
    if cfg is not None:
        reported = [p.path for p in problems]
        found = list(_check_keys(cfg, result.report_indexes))
        if result.config is None:
            # the reports are not valid, so their tabs cannot be matched yet; a missing file can be reported
            found += check_template_files(cfg)
        # a key already reported as invalid gets no second message
        found = [item for item in found if not overlaps(format_path(item[0]), reported)]
        if result.config is not None:
            found += check_templates(result.config, now)
        problems += [problem_at_config(cfg, path_, message, str(path), severity)
                     for path_, message, severity in (Finding(*item) for item in found)]
    usable = result.config if not any(p.severity == "error" for p in problems) else None
    return Validation(usable, sorted_problems(problems) + result.warnings)


def run_template_problems(cfg: Config, reports: Sequence[ReportConfig],
                          now: dt.datetime | None = None) -> list[ConfigProblem]:
    """Template problems of the Excel destinations these reports fill (the pre-fetch check of a run at `now`)."""
    used = {name for report in reports for name in report.destinations
            if getattr(cfg.destinations.get(name), "type", None) == "excel"}
    if not any(getattr(cfg.destinations[name], "template", None) for name in used):
        return []
    problems: list[ConfigProblem] = []
    for key_path, message, severity in (Finding(*item) for item in check_templates(cfg, now)):
        if key_path[0] == "destinations" and key_path[1] not in used:
            continue
        if key_path[0] == "reports" and not used & set(cfg.reports[int(key_path[1])].destinations):
            continue
        problems.append(problem_at_config(cfg, key_path, message, severity=severity))
    return problems


def run_key_problems(cfg: Config, reports: Sequence[ReportConfig]) -> list[ConfigProblem]:
    """Upsert keys and time-series bucket columns of these reports (the pre-fetch check of a run, as in validate).

    Checked before the first run too: it would save rows a later run cannot merge by key.
    """
    chosen = {report.name for report in reports}
    return [problem_at_config(cfg, key_path, message)
            for key_path, message, _ in (Finding(*item) for item in _check_keys(cfg, range(len(cfg.reports))))
            if cfg.reports[int(key_path[1])].name in chosen]


def report_headers(report: ReportConfig, version: str = "v2", timezone: str = "UTC",
                   now: dt.datetime | None = None) -> list[str]:
    """The column headers a report will write, known before fetching (explicit columns, or the defaults)."""
    return [header for _, header in report_columns(report, version, timezone, now) or ()]


def report_columns(report: ReportConfig, version: str = "v2", timezone: str = "UTC",
                   now: dt.datetime | None = None) -> list[tuple[str, str]] | None:
    """(field path, header) of each column a report will write, or None when they cannot be known offline.

    With `compare:` the comparison columns name the comparison dates of a run at `now` (default: the clock).
    """
    try:
        endpoint = report.endpoint_info
    except LookupError:  # an unknown endpoint: reported by the config checks
        return None
    added = [(name, name) for name in period_fields(report.mode, endpoint)]  # mode: append's snapshot period
    if report.columns is not None:
        own = [(column.field, column.effective_header) for column in report.columns]
    else:
        own = [(column.field, column.header)
               for column in default_columns(endpoint, list(report.metrics or ()), [], version)]
    return added + _with_comparison(report, own, timezone, now)


def _with_comparison(report: ReportConfig, columns: list[tuple[str, str]], timezone: str,
                     now: dt.datetime | None) -> list[tuple[str, str]]:
    """`columns` with the comparison columns `compare:` adds (none when the period cannot be resolved)."""
    if report.compare is None:
        return columns
    try:
        start, end = report_period(report, timezone, now or dt.datetime.now(dt.UTC))
    except (ValueError, OverflowError):  # a range that cannot be resolved is reported by the config checks
        return columns
    earlier = planned_period(report.compare, report.date_range, start, end)
    return columns if earlier is None else compared_columns(columns, earlier)


def _check_keys(cfg: Config, indexes: Sequence[int]) -> Iterator[Found]:
    """Each upsert key names one of its report's columns (by header or field path); a time series has its bucket."""
    for index, report in zip(indexes, cfg.reports, strict=True):
        columns = report_columns(report, cfg.api.version) if report.mode in ("append", "upsert") else None
        if columns is None:
            continue
        missing = bucket_start_missing(report, columns)
        if missing:
            yield ("reports", index, "columns"), missing
        if report.mode != "upsert" or report.key is None:
            continue
        known = {name.lower() for path, header in columns for name in (path, header)}
        for number, name in enumerate(report.key):
            if name.lower() not in known:
                headers = ", ".join(header for _, header in columns)
                yield ("reports", index, "key", number), f'key "{name}" is not one of this report\'s columns: {headers}'


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
    for path, written in cfg.written_paths().items():
        # a destination left out of the partial config (another key of it is invalid): its template as written
        if path[-1] == "template" and path[1] not in cfg.destinations:
            problem = template_file_problem(cfg.base_dir / written, cfg, written)
            if problem:
                yield path, problem


def check_templates(cfg: Config, now: dt.datetime | None = None) -> Iterator[Found]:
    """Problems between every Excel template and the reports that fill it, as (key path, message).

    Template data that no report replaces is a warning (a `Finding` with severity "warning").
    """
    try:
        from sheets_sync.sinks.excel import (
            ExcelTab,
            check_template,
            inspect_template,
            template_problems,
            unfilled_template_parts,
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
            headers = report_headers(report, cfg.api.version, str(cfg.timezone), now)
            for problem in template_problems(info, report.tab, headers, report.table):
                found_column_problem = True
                yield ("reports", index, key), problem
            tabs.append(ExcelTab(_empty_table(report, headers), report.tab, report.table))
        if tabs:
            # Template data no report replaces would pass for real data: a warning, by name.
            for text in unfilled_template_parts(info, [(tab.sheet, tab.excel_table) for tab in tabs]):
                yield warning(where, text)
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
