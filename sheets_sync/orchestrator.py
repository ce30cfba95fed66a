"""Runs a config's reports in order: fetch each once, build its table, write each destination, record history.

The one module that knows the order of steps (docs/architecture.md). A report that fails is
recorded and the others carry on. A workbook destination is written once, with all of its tabs,
and only when every one of its reports was fetched: otherwise the previous workbook stays as it
was (a workbook with one tab fresh and another emptied would be worse than yesterday's).
A dry run fetches and returns the tables but writes nothing at all: no output, no history row.

Before the first request, every Excel template the run will fill is checked against its reports
(a broken template is a config problem, found before any data is fetched). When a report fails in
a way that every later report would repeat (the API refused the credentials, or the origin cannot
be reached at all) the remaining reports are marked failed with the same reason and not fetched.
Every failure is logged as one ERROR line naming the report or destination and the reason.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sheets_sync.errors import (
    ApiAuthError,
    ApiUnavailableError,
    ConfigError,
    SheetsSyncError,
    SinkError,
)
from sheets_sync.history import RunHistory, RunRecord, sqlite_url
from sheets_sync.progress import RunProgress
from sheets_sync.redaction import redact
from sheets_sync.report import Table, TableMeta
from sheets_sync.report_match import match_report_names
from sheets_sync.resolved import ResolvedReport, resolve_reports

if TYPE_CHECKING:
    from sheets_sync.config import Config, ReportConfig

logger = logging.getLogger(__name__)
STATUS_OK, STATUS_FAILED, STATUS_PARTIAL, STATUS_DRY_RUN = "ok", "failed", "partial", "dry_run"
# `partial`: the report was fetched and some of its destinations were written, others failed.
FAILED_STATUSES = (STATUS_FAILED, STATUS_PARTIAL)
DEFAULT_STATE_DIR = ".sheets-sync"


@dataclass
class ReportOutcome:
    """What happened to one report in one run."""

    report: str
    destinations: list[str]
    status: str = STATUS_OK
    rows: int = 0
    pages: int = 0
    requests: int = 0
    retries: int = 0
    seconds: float = 0.0
    outputs: list[str] = field(default_factory=list)
    failed_destinations: list[str] = field(default_factory=list)  # destinations that were not written
    error: str | None = None
    started_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.timezone.utc))
    start_date: dt.date | None = None
    end_date: dt.date | None = None

    def fail(self, message: str, *, destination: str | None = None) -> None:
        """Mark the report failed (at `destination`, if given); the first failure's message is the one kept."""
        self.status = STATUS_FAILED
        self.error = self.error or redact(message)
        if destination is not None and destination not in self.failed_destinations:
            self.failed_destinations.append(destination)

    def settle(self) -> None:
        """A failed report that still wrote some of its destinations becomes `partial`."""
        if self.status == STATUS_FAILED and self.outputs and self.failed_destinations:
            self.status = STATUS_PARTIAL


@dataclass
class RunSummary:
    """Every report's outcome, the fetched tables (shown by --dry-run), and the run's exit code."""

    run_id: str
    started_at: dt.datetime
    outcomes: list[ReportOutcome]
    tables: dict[str, Table]
    dry_run: bool = False
    history_error: str | None = None
    notes: list[str] = field(default_factory=list)  # shown under the summary table (e.g. email not sent)

    @property
    def failed(self) -> bool:
        return self.history_error is not None or any(o.status in FAILED_STATUSES for o in self.outcomes)

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0


def history_for(cfg: Config) -> RunHistory:
    """The run history a config points at: `state_url`, else `state_dir/history.sqlite`."""
    if cfg.state_url:
        return RunHistory(_plain(cfg.state_url))
    return RunHistory(sqlite_url(_state_dir(cfg)))


def _lock_dir(cfg: Config) -> Path | None:
    """`state_dir/locks`, or None (a lock beside the output) when the state folder cannot be made."""
    locks = _state_dir(cfg) / "locks"
    try:
        locks.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        # The outputs still deserve a lock; beside the output is the only other place guaranteed writable.
        logger.warning("state folder %s is not writable (%s); locking outputs in their own folder", locks, exc)
        return None
    return locks


def _state_dir(cfg: Config) -> Path:
    """The folder for history and locks: `state_dir`, default .sheets-sync/ beside the config."""
    return _resolve(cfg, cfg.state_dir or DEFAULT_STATE_DIR)


def select_reports(cfg: Config, names: Sequence[str]) -> list[ReportConfig]:
    """The reports to run: all of them, or the named ones in config order (an unknown name is a usage error)."""
    if not names:
        return list(cfg.reports)
    wanted = set(match_report_names(names, [r.name for r in cfg.reports]))  # exact, any case or slug; else suggests
    return [r for r in cfg.reports if r.name in wanted]


def run_config(cfg: Config, *, report_names: Sequence[str] = (), dry_run: bool = False,
               max_rows: int | None = None, now: dt.datetime | None = None,
               progress: RunProgress | None = None, history: RunHistory | None = None,
               sleep: Callable[[float], None] = time.sleep) -> RunSummary:
    """Run the selected reports of `cfg`; `dry_run` fetches only; `now` and `sleep` stand in for the clock."""
    from sheets_sync.api import ApiClient

    reports = select_reports(cfg, report_names)
    if not dry_run:
        check_run_templates(cfg, reports)  # a broken template is found before any request is sent
    tz = str(cfg.timezone)
    now = (now or dt.datetime.now(dt.timezone.utc)).astimezone(ZoneInfo(tz))
    resolved = resolve_reports(cfg, reports, now)  # once per run: every later step reads these
    summary = RunSummary(run_id=uuid.uuid4().hex, started_at=dt.datetime.now(dt.timezone.utc), outcomes=[],
                         tables={}, dry_run=dry_run)
    if not dry_run:
        summary.notes += _email_notes(cfg, reports)
    progress = progress or RunProgress(bar=False)
    current: list[str] = [""]

    def on_page(event: Any) -> None:
        progress.pages_fetched(current[0], event.pages_done, event.rows_done, event.pages_total)

    # One client per run: one token, one connection pool, one rate budget shared by every report.
    stop: tuple[str, str] | None = None  # (report, reason) of a failure every later report would repeat
    with ApiClient(_api_settings(cfg), progress=on_page, sleep=sleep) as client, progress:
        for report in resolved:
            current[0] = report.name
            if stop is not None:
                summary.outcomes.append(_skipped(report, *stop))
                continue
            outcome, table, error = _fetch_report(client, report, max_rows, progress)
            summary.outcomes.append(outcome)
            if table is not None:
                summary.tables[report.name] = table
            if error is not None and run_wide_failure(error):
                stop = (report.name, outcome.error or error.message)
    if dry_run:
        for outcome in summary.outcomes:
            if outcome.status == STATUS_OK:
                outcome.status = STATUS_DRY_RUN
    else:
        _write_destinations(cfg, reports, summary, now)
        for outcome in summary.outcomes:
            outcome.settle()
        _record(history, summary)
    return summary


def run_wide_failure(error: BaseException) -> bool:
    """True when every later report of the run would fail the same way: credentials refused, origin unreachable."""
    if isinstance(error, ApiAuthError):
        return True
    return isinstance(error, ApiUnavailableError) and error.unreachable


def _skipped(report: ResolvedReport, cause: str, reason: str) -> ReportOutcome:
    """A report not fetched because report `cause` failed in a way it would repeat (no progress: nothing ran)."""
    outcome = ReportOutcome(report=report.name, destinations=list(report.destinations))
    outcome.fail(f"skipped: {reason} (see report {cause!r})")
    logger.error("report %r skipped: %s (see report %r)", report.name, reason, cause)
    return outcome


def check_run_templates(cfg: Config, reports: Sequence[ReportConfig]) -> None:
    """Raise ConfigError when an Excel template the run fills breaks the template contract (nothing fetched yet)."""
    from sheets_sync.validate import run_template_problems

    problems = run_template_problems(cfg, reports)
    if problems:
        raise ConfigError(problems)


def _email_notes(cfg: Config, reports: Sequence[ReportConfig]) -> list[str]:
    """One warning per destination of this run that asks for email, which this version cannot send yet."""
    notes = []
    for name in dict.fromkeys(name for report in reports for name in report.destinations):
        if getattr(cfg.destinations.get(name), "email", None) is not None:
            note = (f"destination {name!r} has `email:` but email delivery is not available yet in this "
                    "version: the workbook is written, nothing is sent")
            logger.warning("%s", note)
            notes.append(note)
    return notes


def _fetch_report(client: Any, report: ResolvedReport, max_rows: int | None,
                  progress: RunProgress) -> tuple[ReportOutcome, Table | None, SheetsSyncError | None]:
    from sheets_sync import records

    outcome = ReportOutcome(report=report.name, destinations=list(report.destinations))
    started = time.monotonic()
    progress.report_started(report.name)
    table = None
    error: SheetsSyncError | None = None
    counters = getattr(client, "transport", None)
    before = (getattr(counters, "requests", 0), getattr(counters, "retries", 0))
    start, end, tz = report.start, report.end, report.timezone
    outcome.start_date, outcome.end_date = start, end
    try:
        if start and end:
            logger.info("report %r: %s from %s to %s (%s)", report.name, report.endpoint.name, start, end, tz)
        limit = report.row_limit(max_rows)
        result = client.fetch(report.endpoint, report.params, max_rows=limit)
        outcome.pages = result.pages
        rows = result.records
        # Under a row cap the fetched buckets are only a prefix: filling would invent zeros for the rest.
        if report.fill_gaps and report.granularity and limit is None and start and end:
            from sheets_sync import timeseries

            rows = timeseries.fill_gaps(rows, start, end, report.granularity, list(report.metrics))
        meta = TableMeta(report=report.name, endpoint=report.endpoint.name, start_date=start, end_date=end,
                         refreshed_at=dt.datetime.now(ZoneInfo(tz)), timezone=tz)
        table = records.build_table(report.endpoint, rows, metrics=report.metrics, columns=report.columns,
                                    meta=meta, timezone=tz)
        table.rows = list(table.rows)  # one fetch, several sinks: every destination reads the same rows
        outcome.rows = len(table.rows)
    except SheetsSyncError as exc:
        error = exc
        outcome.fail(exc.message)
        logger.error("report %r failed: %s", report.name, exc.message)
    # Counted on the client, not taken from the FetchResult, so a failed fetch still shows its retries.
    outcome.requests = getattr(counters, "requests", 0) - before[0]
    outcome.retries = getattr(counters, "retries", 0) - before[1]
    outcome.seconds = time.monotonic() - started
    progress.report_finished(report.name, outcome.status, outcome.rows, outcome.pages)
    return outcome, table, error


def _write_destinations(cfg: Config, reports: list[ReportConfig], summary: RunSummary, now: dt.datetime) -> None:
    outcomes = {o.report: o for o in summary.outcomes}
    targets: dict[str, list[ReportConfig]] = {}
    for report in reports:
        for name in report.destinations:
            targets.setdefault(name, []).append(report)
    lock_dir = _lock_dir(cfg) if targets else None  # once per run: one mkdir, at most one warning
    for name, members in targets.items():
        destination = cfg.destinations[name]
        started = time.monotonic()
        if destination.type == "excel":
            _write_excel(cfg, name, destination, members, summary, now, lock_dir)
        elif destination.type == "csv":
            _write_csvs(cfg, name, destination, members, summary, now, lock_dir)
        else:
            message = f"destination {name!r}: {destination.type} destinations are not available yet in this version"
            logger.error("%s (reports %s not written there)", message, ", ".join(repr(r.name) for r in members))
            for report in members:
                outcomes[report.name].fail(message, destination=name)
        spent = time.monotonic() - started
        for report in members:
            outcomes[report.name].seconds += spent / len(members)


def _write_excel(cfg: Config, name: str, destination: Any, members: list[ReportConfig], summary: RunSummary,
                 now: dt.datetime, lock_dir: Path | None) -> None:
    from sheets_sync.sinks.excel import ExcelTab, write_workbook

    outcomes = [next(o for o in summary.outcomes if o.report == r.name) for r in members]
    failed = [r.name for r in members if r.name not in summary.tables]
    if failed:
        message = (f"workbook {name!r} not written because report {failed[0]!r} failed; "
                   "the previous workbook is unchanged")
        logger.error("destination %r: %s", name, message.removeprefix(f"workbook {name!r} "))
        for outcome in outcomes:
            if outcome.report not in failed:
                outcome.fail(message, destination=name)
        return
    try:
        output = _output_path(cfg, name, destination, members[0], outcomes[0], now)
        template = _resolve(cfg, destination.template) if destination.template else None
        if len(members) < len(cfg.reports_for(name)) and output.exists():
            # A partial run (--report) refreshes its tabs in last run's workbook, so the other tabs keep
            # their data instead of falling back to the template's.
            template = output
        tabs = [ExcelTab(summary.tables[r.name], sheet=r.tab or r.name, excel_table=r.table) for r in members]
        if template == output and destination.template is None:
            from sheets_sync.sinks.excel.plain import with_shown_headers

            # last run wrote a clean workbook, headed by catalogue labels ("Creator ID"): match those
            tabs = [ExcelTab(with_shown_headers(t.table), t.sheet, t.excel_table) for t in tabs]
        result = write_workbook(output, tabs, template=template, now=now, lock_dir=lock_dir)
    except SheetsSyncError as exc:
        for outcome in outcomes:
            outcome.fail(f"workbook {name!r}: {exc.message}", destination=name)
        logger.error("destination %r failed: %s", name, exc.message)
        return
    for warning in result.warnings:
        logger.warning("workbook %r: %s", name, warning)
    for outcome in outcomes:
        outcome.outputs.append(_shown(result.path))
    logger.info("wrote %s (%d tab(s), %d bytes)", result.path, len(tabs), result.bytes_written)


def _write_csvs(cfg: Config, name: str, destination: Any, members: list[ReportConfig], summary: RunSummary,
                now: dt.datetime, lock_dir: Path | None) -> None:
    from sheets_sync.sinks.csv_sink import write_csv

    for report in members:
        outcome = next(o for o in summary.outcomes if o.report == report.name)
        if report.name not in summary.tables:
            continue  # its fetch failed; the previous file stays
        try:
            output = _output_path(cfg, name, destination, report, outcome, now)
            result = write_csv(output, summary.tables[report.name], escape_formulas=destination.escape_formulas,
                               bom=destination.writes_bom, lock_dir=lock_dir)
        except SheetsSyncError as exc:
            outcome.fail(f"CSV {name!r}: {exc.message}", destination=name)
            logger.error("report %r: CSV %r failed: %s", report.name, name, exc.message)
            continue
        outcome.outputs.append(_shown(result.path))
        logger.info("wrote %s (%d rows)", result.path, result.rows)


def _output_path(cfg: Config, name: str, destination: Any, report: ReportConfig, outcome: ReportOutcome,
                 now: dt.datetime) -> Path:
    from sheets_sync.paths import resolve_output_path

    try:
        path = resolve_output_path(destination.output, cfg.base_dir, report=report.slug, destination=name,
                                   start_date=outcome.start_date, end_date=outcome.end_date, run_date=now.date())
    except ValueError as exc:  # e.g. {start_date} for an endpoint that takes no dates
        raise SinkError(f"destination {name!r}: {exc}") from None
    try:
        # The config author chose this folder; on a fresh clone (reports/ is not in git) it does not exist yet.
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SinkError(f"destination {name!r}: cannot create folder {path.parent}: {exc.strerror or exc}") from None
    return path


def _resolve(cfg: Config, path: Any) -> Path:
    path = Path(path)
    return path if path.is_absolute() else cfg.base_dir / path


def _shown(path: Path) -> str:
    """A path as the user thinks of it: relative to the current folder when it is inside it."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _record(history: RunHistory | None, summary: RunSummary) -> None:
    if history is None:
        return
    records = [RunRecord(run_id=summary.run_id, started_at=o.started_at,
                         finished_at=o.started_at + dt.timedelta(seconds=o.seconds),
                         report=o.report, status=o.status, destinations=", ".join(o.destinations), rows=o.rows,
                         pages=o.pages, requests=o.requests, retries=o.retries, error=o.error,
                         output=", ".join(o.outputs) or None, start_date=o.start_date, end_date=o.end_date)
               for o in summary.outcomes]
    try:
        history.record(records)
    except SheetsSyncError as exc:
        summary.history_error = exc.message
        logger.error("%s", exc.message)


def _api_settings(cfg: Config) -> Any:
    from sheets_sync.api import ApiSettings

    return ApiSettings.from_values(cfg.api.model_dump())


def _plain(value: Any) -> str:
    if value is None:
        return ""
    return value.get_secret_value() if hasattr(value, "get_secret_value") else str(value)
