"""Runs a config's reports: fetch each once (concurrently), build its table, write each destination, record history.

The one module that knows the order of steps (docs/architecture.md). Before the first request
every Excel template the run fills is checked by the validate service (a broken template is a
config problem, found before any data is fetched) and every destination by its sink. The reports
are then fetched concurrently through one API client (one token, one connection pool, one rate
budget, at most `api.max_concurrency` requests in flight in all); the token is exchanged first, in
the first report's name, so a refusal is met once. Summary, history and outputs keep config order.
A report that fails is recorded and the others carry on; when a failure is one every later report
would repeat (the API refused the credentials, or the origin cannot be reached at all) the reports
not started yet are marked failed with the same reason and not fetched. Each destination is then
written by the sink registered for its type (`sheets_sync.sinks.registry`); this module has no
branch on a destination's type. Every failure is logged as one ERROR line naming the report or
destination and the reason.

After the writes, each destination with `email:` whose workbook was written whole is emailed
(`sheets_sync.delivery`); a send that fails leaves the workbook written, makes its reports `partial`
and the run exit non-zero.

A dry run fetches and returns the tables but writes nothing at all: no output, no email, no history row.
An interrupted run (Ctrl-C, SIGTERM) sends no new request, abandons the write in progress (its
temporary file is removed), records `interrupted` for every report that had not finished, and
re-raises the interruption to the caller.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import logging
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sheets_sync.api.transport import (
    RequestTally,
    TransportClosedError,
    current_tally,
    tallied,
)
from sheets_sync.errors import (
    ApiAuthError,
    ApiUnavailableError,
    ConfigError,
    SheetsSyncError,
)
from sheets_sync.history import RunHistory, RunRecord, sqlite_url
from sheets_sync.kept import KEEPING_MODES
from sheets_sync.logging_setup import current_report, report_context, run_context
from sheets_sync.progress import RunProgress
from sheets_sync.redaction import redact
from sheets_sync.report import Table, TableMeta
from sheets_sync.report_match import match_report_names
from sheets_sync.resolved import ResolvedReport, resolve_reports
from sheets_sync.row_store import RowStore
from sheets_sync.sinks.base import ReportTable, SinkContext, SinkResult
from sheets_sync.sinks.registry import sink_for

if TYPE_CHECKING:
    from sheets_sync.config import Config, ReportConfig

logger = logging.getLogger(__name__)
STATUS_OK, STATUS_FAILED, STATUS_PARTIAL, STATUS_DRY_RUN = "ok", "failed", "partial", "dry_run"
STATUS_INTERRUPTED = "interrupted"
# `partial`: the report was fetched and some of its destinations were written, others failed.
# `interrupted`: the run was stopped (Ctrl-C, SIGTERM) before this report had finished.
FAILED_STATUSES = (STATUS_FAILED, STATUS_PARTIAL, STATUS_INTERRUPTED)
DEFAULT_STATE_DIR = ".sheets-sync"


@dataclass
class ReportOutcome:
    """What happened to one report in one run."""

    report: str
    destinations: list[str]
    status: str = STATUS_OK
    rows: int = 0
    data_rows: int = 0  # rows with data from the API: not gap-filled buckets, not an all-zero summary row
    pages: int = 0
    requests: int = 0
    retries: int = 0
    seconds: float = 0.0
    outputs: list[str] = field(default_factory=list)
    failed_destinations: list[str] = field(default_factory=list)  # destinations that were not written
    error: str | None = None
    started_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
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
    notes: list[str] = field(default_factory=list)  # shown under the summary table (e.g. why no email)

    @property
    def failed(self) -> bool:
        return self.history_error is not None or any(o.status in FAILED_STATUSES for o in self.outcomes)

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0


def row_store_for(cfg: Config, reports: Sequence[ResolvedReport], *, read_only: bool) -> RowStore | None:
    """The kept rows of append/upsert reports, in the run history's database; None when no report keeps rows."""
    if not any(report.mode in KEEPING_MODES for report in reports):
        return None
    return RowStore(str(cfg.state_url) if cfg.state_url else sqlite_url(_state_dir(cfg)), read_only=read_only)


def history_for(cfg: Config) -> RunHistory:
    """The run history a config points at: `state_url`, else `state_dir/history.sqlite`."""
    if cfg.state_url:
        return RunHistory(str(cfg.state_url))
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
               sleep: Callable[[float], None] = time.sleep, report_workers: int | None = None) -> RunSummary:
    """Run the selected reports of `cfg`; `dry_run` fetches only; `now` and `sleep` stand in for the clock.

    `report_workers` bounds how many reports are fetched at once (default `api.max_concurrency`; 1 fetches
    report after report). Requests in flight are bounded by `api.max_concurrency` whatever it is.
    """
    reports = select_reports(cfg, report_names)
    tz = str(cfg.timezone)
    now = (now or dt.datetime.now(dt.UTC)).astimezone(ZoneInfo(tz))
    summary = RunSummary(run_id=uuid.uuid4().hex, started_at=dt.datetime.now(dt.UTC), outcomes=[],
                         tables={}, dry_run=dry_run)
    with run_context(summary.run_id):
        # Every report of the config is resolved once per run, the unselected ones too: a shared output is
        # named after the first report of its destination in config order (`output_names`).
        everything = resolve_reports(cfg, cfg.reports, now)
        selected = {report.name for report in reports}
        resolved = [report for report in everything if report.name in selected]
        context = SinkContext(config=cfg, now=now, periods={r.name: (r.start, r.end) for r in everything})
        if not dry_run:
            # found before any request is sent; template warnings go under the summary
            summary.notes += check_destinations(cfg, resolved, context)
        workers = report_workers or cfg.api.max_concurrency
        run = _Run(cfg, resolved, summary, context, dry_run=dry_run)
        run.store = row_store_for(cfg, resolved, read_only=dry_run)
        try:
            run.fetch(progress or RunProgress(bar=False), max_rows, sleep, workers)
            if not dry_run:
                run.write()
                run.deliver(sleep)
        except KeyboardInterrupt:
            if not dry_run:
                run.interrupted()
                _record(history, summary)
            raise
        if dry_run:
            for outcome in summary.outcomes:
                if outcome.status == STATUS_OK:
                    outcome.status = STATUS_DRY_RUN
        summary.notes += _zero_rows_notes(summary)
        if not dry_run:
            _record(history, summary)
    return summary


class _Run:
    """The mutable state of one run: outcomes in config order, which reports have finished."""

    def __init__(self, cfg: Config, reports: list[ResolvedReport], summary: RunSummary, context: SinkContext, *,
                 dry_run: bool) -> None:
        self.cfg, self.reports, self.summary, self.context, self.dry_run = cfg, reports, summary, context, dry_run
        self.outcomes: dict[str, ReportOutcome] = {}
        self.finished: set[str] = set()          # reports whose fetch failed or whose every destination was handled
        self.written: dict[str, tuple[list[ResolvedReport], SinkResult]] = {}  # destinations written whole
        self._stop: tuple[str, str] | None = None  # (report, reason) of a failure every later report would repeat
        self.store: RowStore | None = None          # the kept rows of append/upsert reports (sheets_sync.kept)
        self._lock = threading.Lock()

    # --- fetch --------------------------------------------------------------------------------

    def fetch(self, progress: RunProgress, max_rows: int | None, sleep: Callable[[float], None],
              workers: int) -> None:
        """Fetch every report, at most `workers` at once; outcomes and tables land in config order."""
        from sheets_sync.api import ApiClient

        def on_page(event: Any) -> None:
            progress.pages_fetched(current_report() or "", event.pages_done, event.rows_done, event.pages_total)

        tallies = {report.name: RequestTally() for report in self.reports}
        with ApiClient(_api_settings(self.cfg), progress=on_page, sleep=sleep) as client, progress:
            # The token first, in the first report's name: with reports started at once, a refused or
            # unreachable token exchange would otherwise be met (and retried) by every one of them.
            first = self.reports[0]
            warm_up_error = _exchange_token(client, tallies[first.name], first.name)
            pool = ThreadPoolExecutor(max_workers=max(1, min(workers, len(self.reports))),
                                      thread_name_prefix="sheets-sync-report")
            try:
                futures: dict[Future[None], str] = {}
                for report in self.reports:
                    target = _FailedClient(warm_up_error) if report is first and warm_up_error else client
                    if report is first and warm_up_error is not None:
                        # Report 1 meets the failed exchange alone, so a run-wide one skips the others.
                        contextvars.copy_context().run(self._fetch_one, target, report, tallies[report.name],
                                                       progress, max_rows)
                        continue
                    task = pool.submit(contextvars.copy_context().run, self._fetch_one, target, report,
                                       tallies[report.name], progress, max_rows)
                    futures[task] = report.name
                pending = set(futures)
                while pending:
                    done, pending = wait(pending, return_when=FIRST_COMPLETED)
                    for task in done:
                        task.result()  # _fetch_one catches what it expects; anything else is a bug: raise it
            except BaseException:
                client.transport.cancel()  # no new request; those on the wire finish within their timeout
                raise
            finally:
                pool.shutdown(wait=True, cancel_futures=True)
        self.summary.outcomes[:] = [self.outcomes[r.name] for r in self.reports if r.name in self.outcomes]

    def _fetch_one(self, client: Any, report: ResolvedReport, tally: RequestTally, progress: RunProgress,
                   max_rows: int | None) -> None:
        with report_context(report.name), tallied(tally):
            with self._lock:
                stop = self._stop
            if stop is not None:
                outcome, table, error = _skipped(report, *stop), None, None
            else:
                outcome, table, error = _fetch_report(client, report, max_rows, progress, self.store, self.context.now)
            with self._lock:
                self.outcomes[report.name] = outcome
                if table is not None:
                    self.summary.tables[report.name] = table
                elif not isinstance(error, TransportClosedError):
                    self.finished.add(report.name)  # failed for a reason of its own: nothing left to do
                if error is not None and run_wide_failure(error) and self._stop is None:
                    self._stop = (report.name, outcome.error or error.message)
        # Tables in config order, whatever order the fetches ended in (dry runs print them in this order).
        with self._lock:
            order = [r.name for r in self.reports if r.name in self.summary.tables]
            self.summary.tables = {name: self.summary.tables[name] for name in order}

    # --- write --------------------------------------------------------------------------------

    def write(self) -> None:
        """Write each destination (config order of first use) through its registered sink, then settle statuses."""
        outcomes = self.outcomes
        targets: dict[str, list[ResolvedReport]] = {}
        for report in self.reports:
            for name in report.destinations:
                targets.setdefault(name, []).append(report)
        handled: dict[str, int] = {}
        if targets:
            # Once per run: one mkdir, at most one warning.
            self.context = replace(self.context, lock_dir=_lock_dir(self.cfg))
        for name, members in targets.items():
            destination = self.cfg.destinations[name]
            started = time.monotonic()
            sink = sink_for(destination.type)
            if sink is None:
                message = (f"destination {name!r}: {destination.type} destinations are not available yet "
                           "in this version")
                logger.error("%s (reports %s not written there)", message,
                             ", ".join(repr(r.name) for r in members))
                for report in members:
                    outcomes[report.name].fail(message, destination=name)
            else:
                tables = [ReportTable(r, self.summary.tables.get(r.name)) for r in members]
                result = sink.write(name, destination, tables, self.context)
                if not result.failures and all(t.table is not None for t in tables):
                    self.written[name] = (members, result)
                for report in members:
                    outcomes[report.name].outputs += result.outputs.get(report.name, [])
                    if report.name in result.failures:
                        outcomes[report.name].fail(result.failures[report.name], destination=name)
            spent = time.monotonic() - started
            for report in members:
                outcomes[report.name].seconds += spent / len(members)
                handled[report.name] = handled.get(report.name, 0) + 1
                if handled[report.name] == len(report.destinations):
                    self.finished.add(report.name)
        for outcome in self.summary.outcomes:
            outcome.settle()

    def deliver(self, sleep: Callable[[float], None]) -> None:
        """Email each destination that asks for it, once its workbook was written whole (config order).

        A send that fails marks the destination's reports failed there (`partial`: the workbook is written)
        and the run exits non-zero; a message the server may already have accepted is never sent again.
        """
        from sheets_sync.delivery.workbook_email import WorkbookEmail, deliver_workbook

        for name, (members, result) in self.written.items():
            email = getattr(self.cfg.destinations[name], "email", None)
            outputs = [output for report in members for output in result.outputs.get(report.name, [])]
            if email is None or not outputs:
                continue
            tabs = [(report.tab or report.name, self.summary.tables[report.name]) for report in members]
            job = WorkbookEmail(destination=name, email=email, workbook=Path(outputs[0]).resolve(), tabs=tabs,
                                run_id=self.summary.run_id, now=self.context.now, state_dir=_state_dir(self.cfg),
                                base_dir=Path(self.cfg.base_dir), report_slug=self.cfg.reports_for(name)[0].slug)
            try:
                delivered = deliver_workbook(job, sleep=sleep)
            except SheetsSyncError as exc:
                logger.error("%s (the workbook is written)", exc.message)
                self.summary.notes.append(f"{exc.message} (the workbook is written)")
                for report in members:
                    self.outcomes[report.name].fail(exc.message, destination=name)
                continue
            if delivered.note:
                logger.info("%s", delivered.note)
                self.summary.notes.append(delivered.note)
        for outcome in self.summary.outcomes:
            outcome.settle()

    def interrupted(self) -> None:
        """Mark every report that had not finished `interrupted`, in config order."""
        outcomes = []
        for report in self.reports:
            outcome = self.outcomes.get(report.name) or ReportOutcome(report=report.name,
                                                                        destinations=list(report.destinations))
            if report.name not in self.finished:
                outcome.status = STATUS_INTERRUPTED
                outcome.error = "interrupted before this report had finished"
                if outcome.start_date is None:
                    outcome.start_date, outcome.end_date = self.context.period(report)
            outcomes.append(outcome)
        self.summary.outcomes[:] = outcomes
        logger.debug("run interrupted: %d report(s) had not finished",
                       sum(o.status == STATUS_INTERRUPTED for o in outcomes))


class _FailedClient:
    """Stands in for the client of the first report when the token exchange already failed: fails the same way."""

    def __init__(self, error: SheetsSyncError) -> None:
        self._error = error

    def fetch(self, *args: Any, **kwargs: Any) -> Any:
        raise self._error


def _exchange_token(client: Any, tally: RequestTally, report: str) -> SheetsSyncError | None:
    """Get the run's token in `report`'s name (its requests and log lines); the error, if that failed."""
    with report_context(report), tallied(tally):
        try:
            client.tokens.get()
        except SheetsSyncError as exc:
            return exc
    return None


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


def check_destinations(cfg: Config, reports: Sequence[ResolvedReport], context: SinkContext) -> list[str]:
    """Let each destination's sink check it before any request: all config problems at once, else the first other.

    Returns the template warnings (logged here), such as template sample data that no report replaces.

    Raises:
        ConfigError: a template the run fills breaks the template contract (every such problem).
        SinkError: a destination cannot be written (e.g. its folder cannot be created).
    """
    from sheets_sync.validate import run_key_problems, run_template_problems

    # Templates and upsert keys are checked by the validate service (it knows each report's columns), the rest
    # by each sink.
    names = {report.name for report in reports}
    chosen = [report for report in cfg.reports if report.name in names]
    found = run_key_problems(cfg, chosen) + run_template_problems(cfg, chosen, context.now)
    problems = [p for p in found if p.severity == "error"]
    notes = [f"destination {p.path.split('.')[1]!r}: {p.message}" for p in found if p.severity == "warning"]
    other: SheetsSyncError | None = None
    targets: dict[str, list[ResolvedReport]] = {}
    for report in reports:
        for name in report.destinations:
            targets.setdefault(name, []).append(report)
    for name, members in targets.items():
        destination = cfg.destinations[name]
        sink = sink_for(destination.type)
        if sink is None:
            continue  # reported after the fetch, as "not available yet"
        try:
            sink.check(name, destination, members, context)
        except ConfigError as exc:
            problems += [p for p in exc.problems if p not in problems]
        except SheetsSyncError as exc:
            other = other or exc
    if problems:
        raise ConfigError(problems)  # the problems alone: warnings matter once the run can go ahead
    if other is not None:
        raise other
    for note in notes:
        logger.warning("%s", note)
    return notes


def _zero_rows_notes(summary: RunSummary) -> list[str]:
    """A note when every report fetched returned no rows: a green run with empty outputs usually means a bad period."""
    fetched = [o for o in summary.outcomes if o.report in summary.tables]
    if not fetched or any(o.data_rows for o in fetched):
        return []
    periods = list(dict.fromkeys(f"{o.start_date} to {o.end_date}" for o in fetched if o.start_date))
    where = f"the date range ({'; '.join(periods)}) and the filters" if periods else "the filters"
    note = f"every report returned 0 rows: check {where}; the API has no data for them"
    logger.warning("%s", note)
    return [note]


def _data_rows(data_shape: str, rows: Sequence[dict[str, Any]]) -> int:
    """How many of the API's rows carry data: a summary endpoint answers one row of zeros for a period without any."""
    if data_shape != "summary":
        return len(rows)
    return sum(1 for row in rows if any(value for value in (row.get("metrics") or {}).values()))


def _fetch_report(client: Any, report: ResolvedReport, max_rows: int | None, progress: RunProgress,
                  store: RowStore | None = None, now: dt.datetime | None = None,
                  ) -> tuple[ReportOutcome, Table | None, SheetsSyncError | None]:
    from sheets_sync import compare_fetch, kept, records

    outcome = ReportOutcome(report=report.name, destinations=list(report.destinations))
    started = time.monotonic()
    progress.report_started(report.name)
    table = None
    error: SheetsSyncError | None = None
    # Counted per report in this context (several reports share the client), including the report's part of
    # the token exchange; taken even from a failed fetch, so it still shows its retries.
    tally = current_tally() or RequestTally()
    start, end, tz = report.start, report.end, report.timezone
    outcome.start_date, outcome.end_date = start, end
    try:
        plan = kept.plan_fetch(report, store)  # append/upsert: the dates after what the report kept
        start, end = outcome.start_date, outcome.end_date = plan.start, plan.end
        if start and end:
            logger.info("report %r: %s from %s to %s (%s)", report.name, report.endpoint.name, start, end, tz)
        limit = report.row_limit(max_rows)
        result = client.fetch(report.endpoint, plan.params, max_rows=limit)
        outcome.pages = result.pages
        rows = result.records
        outcome.data_rows = _data_rows(report.endpoint.data_shape, rows)
        # Under a row cap the fetched buckets are only a prefix: filling would invent zeros for the rest.
        if report.fill_gaps and report.granularity and limit is None and start and end:
            from sheets_sync import timeseries

            rows = timeseries.fill_gaps(rows, start, end, report.granularity, list(report.metrics))
        meta = TableMeta(report=report.name, endpoint=report.endpoint.name, start_date=start, end_date=end,
                         refreshed_at=(now or dt.datetime.now(dt.UTC)).astimezone(ZoneInfo(tz)), timezone=tz)
        version = getattr(getattr(client, "settings", None), "version", "v2")  # v1 lacks some default columns
        table = records.build_table(report.endpoint, rows, metrics=report.metrics, columns=report.columns,
                                    meta=meta, timezone=tz, version=version)
        # compare: the comparison period through the same client (its requests count in this report's tally)
        table, compare_pages = compare_fetch.compared(client, report, (start, end), rows, table, max_rows=limit,
                                                      version=version)
        outcome.pages += compare_pages
        table = kept.keep(plan, table, store, now or dt.datetime.now(dt.UTC))  # saved before any write
        table.rows = list(table.rows)  # one fetch, several sinks: every destination reads the same rows
        outcome.rows = len(table.rows)
    except SheetsSyncError as exc:
        error, table = exc, None  # a failure after the table was built (comparison, kept rows) writes none of it
        outcome.fail(exc.message)
        logger.error("report %r failed: %s", report.name, exc.message)
    outcome.requests = tally.requests
    outcome.retries = tally.retries
    outcome.seconds = time.monotonic() - started
    progress.report_finished(report.name, outcome.status, outcome.rows, outcome.pages)
    return outcome, table, error


def _resolve(cfg: Config, path: Any) -> Path:
    given = Path(path)
    return given if given.is_absolute() else Path(cfg.base_dir) / given


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
