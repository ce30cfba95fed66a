"""`schedule --list` and `status` as text (pure: they take the config, the times and the rows to show)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sheets_sync.schedule.plan import fire_times, plan_jobs, unscheduled_reports
from sheets_sync.schedule.state import SchedulerState
from sheets_sync.schedule.timing import duration_text

if TYPE_CHECKING:
    from sheets_sync.config import Config
    from sheets_sync.history import RunRecord

NEXT_RUNS = 3


def _when(value: dt.datetime, timezone: str) -> str:
    return value.astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%d %H:%M %Z")


def job_list(cfg: Config, now: dt.datetime) -> list[str]:
    """Every job with its reports, where its schedule comes from and its next three runs; then unscheduled reports."""
    timezone = str(cfg.timezone)
    jobs = plan_jobs(cfg)
    lines = [f"{len(jobs)} job{'s' * (len(jobs) != 1)} (time zone {timezone}):"] if jobs else [
        "no report has a schedule: set schedule: on a report, a destination or defaults"]
    for job in jobs:
        lines.append(f"  {job.schedule}  (from {', '.join(job.sources)})")
        lines.append(f"    reports: {', '.join(job.reports)}")
        times = fire_times(job.id, timezone, now, NEXT_RUNS)
        lines.append(f"    next: {', '.join(_when(t, timezone) for t in times) or 'never'}")
    left = unscheduled_reports(cfg, jobs)
    if jobs and left:
        lines.append(f"not scheduled (only `run` runs them): {', '.join(left)}")
    return lines


def status_lines(cfg: Config, state: SchedulerState | None, last: Sequence[RunRecord], now: dt.datetime) -> list[str]:
    """The scheduler's heartbeat (last tick, running job, next runs) and the last result of every report."""
    timezone = str(cfg.timezone)
    if state is None:
        lines = ["scheduler: has never run with this store"]
    elif not state.alive(now):
        since = state.stopped_at or state.heartbeat_at
        how = "stopped" if state.stopped_at else "not running (no heartbeat)"
        lines = [f"scheduler: {how}, last seen {_when(since, timezone)} ({duration_text(now - since)} ago)"]
    else:
        lines = [f"scheduler: running (pid {state.pid} on {state.host}), "
                 f"last tick {_when(state.heartbeat_at, timezone)} ({duration_text(now - state.heartbeat_at)} ago)"]
        if state.running_job:
            started = f" since {_when(state.running_since, timezone)}" if state.running_since else ""
            lines.append(f"  running: {state.running_job}{started}")
        else:
            lines.append("  running: nothing")
        for job_id, when in state.next_runs:
            lines.append(f"  next: {_when(dt.datetime.fromisoformat(when), timezone)}  {job_id}")
    by_report = {record.report: record for record in last}  # one row per report (RunHistory.latest_per_report)
    lines.append("last result per report:")
    for report in cfg.reports:
        record = by_report.get(report.name)
        if record is None:
            lines.append(f"  {report.name}: never run")
            continue
        detail = f": {record.error}" if record.error else ""
        lines.append(f"  {report.name}: {record.status} at {_when(record.started_at, timezone)}"
                     f" ({record.rows} rows){detail}")
    return lines
