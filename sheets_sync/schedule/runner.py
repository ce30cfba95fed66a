"""What a scheduled job does when it fires: find its tick, decide on time / late / skipped, run its reports.

APScheduler stores each job as a reference to `run_job` by its `module:function` name plus plain
arguments (config path, job id, report names), so an upgrade or a restart can always load it again.
The scheduler process registers its live config here (`activate`): a job runs the reports of the last
VALID config, so an edit that breaks the file never stops the jobs that were running.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sheets_sync.delivery.alerts import send_run_alerts
from sheets_sync.errors import SheetsSyncError
from sheets_sync.history import STATUS_LATE, STATUS_SKIPPED, RunHistory, RunRecord
from sheets_sync.logging_setup import run_context
from sheets_sync.orchestrator import history_for, run_config
from sheets_sync.schedule.plan import latest_tick, plan_jobs, repeated_wall_time, reports_at_tick
from sheets_sync.schedule.timing import DEFAULT_GRACE, SKIPPED, Timing, decide

if TYPE_CHECKING:
    from sheets_sync.config import Config
    from sheets_sync.orchestrator import RunSummary

RUN_JOB = "sheets_sync.schedule.runner:run_job"  # the job store keeps this text, never a pickled function
logger = logging.getLogger(__name__)


@dataclass
class JobContext:
    """What the scheduler process lends its jobs: the current valid config, the misfire grace, the clock."""

    config: Callable[[], Config]
    grace: dt.timedelta = DEFAULT_GRACE
    clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)


@dataclass
class Running:
    """The job running now (at most one: the scheduler runs jobs one at a time)."""

    job_id: str
    since: dt.datetime
    thread: int


_contexts: dict[str, JobContext] = {}
scheduled_times: dict[str, dt.datetime] = {}  # job id → the scheduled time the executor is about to run
_running: list[Running] = []  # the job running now, or empty
_lock = threading.Lock()
idle = threading.Event()
idle.set()


def activate(config_path: str, context: JobContext) -> None:
    """Let jobs of `config_path` use `context` (called by the scheduler process at start)."""
    _contexts[config_path] = context


def deactivate(config_path: str) -> None:
    """Forget the context of `config_path` (at stop)."""
    _contexts.pop(config_path, None)


def running() -> Running | None:
    """The job running now, if any."""
    with _lock:
        return _running[0] if _running else None


def after_run(cfg: Config, summary: RunSummary, history: RunHistory) -> None:
    """Called after every scheduled run: log its result in one line, then send failure/recovery alerts (`alerts:`).

    `send_run_alerts` never raises for a send problem: a failed alert is logged and the scheduler goes on.
    """
    failed = [o.report for o in summary.outcomes if o.status != "ok"]
    if failed:
        logger.error("scheduled run %s: %d of %d reports did not succeed: %s", summary.run_id[:8], len(failed),
                     len(summary.outcomes), ", ".join(failed))
    else:
        logger.info("scheduled run %s: %d reports ok", summary.run_id[:8], len(summary.outcomes))
    send_run_alerts(cfg, summary, history=history)


def run_job(config_path: str, job_id: str, reports: Sequence[str]) -> None:
    """The function every scheduled job calls (by name): run the job's reports for the tick that woke it."""
    context = _contexts.get(config_path) or _standalone(config_path)
    now = context.clock()
    cfg = context.config()
    timezone = str(cfg.timezone)
    tick = scheduled_times.pop(job_id, None) or latest_tick(job_id, timezone, now,
                                                             context.grace + dt.timedelta(minutes=1)) or now
    if repeated_wall_time(job_id, tick, timezone):
        logger.info("job %r: %s is the repeated hour of a DST change; it already ran at the first one",
                    job_id, tick.isoformat(sep=" ", timespec="minutes"))
        return
    jobs = plan_jobs(cfg)
    known = {report.name for report in cfg.reports}
    if any(job.id == job_id for job in jobs):
        names = reports_at_tick(jobs, job_id, tick, timezone)
    else:  # removed from the config since it was queued: run what it was stored with, if still there
        names = tuple(name for name in reports if name in known)
    if not names:
        logger.info("job %r: every report of this tick runs in another job at the same time", job_id)
        return
    timing = decide(tick, now, context.grace)
    history = history_for(cfg)
    if timing.kind == SKIPPED:
        record_skipped(history, names, tick, timing.reason)
        return
    with _lock:
        _running[:] = [Running(job_id, now, threading.get_ident())]
        idle.clear()
    try:
        summary = run_config(cfg, report_names=names, history=history)
        if timing.kind != "on_time":
            logger.warning("job %r ran late: %s", job_id, timing.reason)
            record_late(history, summary.run_id, names, tick, timing)
        after_run(cfg, summary, history)
    except KeyboardInterrupt:
        logger.error("job %r was cancelled: the scheduler stopped before it finished", job_id)
    except SheetsSyncError as exc:
        logger.error("job %r failed: %s", job_id, exc.message)
    finally:
        with _lock:
            _running.clear()
            idle.set()
        history.close()


def record_late(history: RunHistory, run_id: str, reports: Sequence[str], tick: dt.datetime, timing: Timing) -> None:
    """One `late` row per report, with the run's id, at the scheduled time; the reason says how late it started."""
    # finished_at = started_at: the row takes no time (history's seconds column shows 0, not the lateness)
    history.record([RunRecord(run_id=run_id, started_at=tick, finished_at=tick, report=name,
                              status=STATUS_LATE, error=timing.reason) for name in reports])


def record_skipped(history: RunHistory, reports: Sequence[str], tick: dt.datetime, reason: str) -> None:
    """One `skipped` row per report: the tick that did not run and the reason."""
    run_id = uuid.uuid4().hex
    with run_context(run_id):
        logger.warning("skipped %s: %s", ", ".join(reports), reason)
    history.record([RunRecord(run_id=run_id, started_at=tick, finished_at=tick, report=name,
                              status=STATUS_SKIPPED, error=reason) for name in reports])


def _standalone(config_path: str) -> JobContext:
    """A job run outside the scheduler process (by hand, from a test): load the config as it is now."""
    import os

    from sheets_sync.config import load_config

    cfg = load_config(config_path, dict(os.environ))
    return JobContext(config=lambda: cfg)
