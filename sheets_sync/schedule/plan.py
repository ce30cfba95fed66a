"""Config → scheduled jobs, and the pure time arithmetic of their triggers (next runs, DST, ticks shared by jobs).

The rule (README "Scheduling"): a report runs on its own schedule (its `schedule:`, else
`defaults.schedule`) and on the schedule of every destination it writes to, a destination's
schedule running all of that destination's reports so the workbook is refreshed as a whole.
Reports that end up on the same schedule form ONE job (one run, one fetch per report, each
workbook written once). When two different schedules fire at the same instant, a report in both
runs only in the first of those jobs (jobs ordered by id), so no report runs twice for one tick.

A cron expression whose hour field is fixed (not `*`) runs once on a DST change day: a wall time
that repeats (autumn) runs at its first occurrence only; one that does not exist (spring) runs at
the same offset from midnight after the change, as APScheduler computes it. An `*`-hour cron and
`{every: ...}` follow real time, so they also run in the repeated hour; `{every: ...}` counts real time from
midnight of 1 January 2000 in the config's zone (`every: 1d` is midnight in winter time: use cron for a
fixed wall time).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from apscheduler.triggers.base import BaseTrigger

    from sheets_sync.config import Config

CRON_PREFIX, EVERY_PREFIX = "cron ", "every "
# `{every: N}` intervals count from this wall time in the config's zone, so `every: 1h` fires on the hour and
# `every: 1d` at midnight, and a restart does not shift them.
INTERVAL_ANCHOR = dt.datetime(2000, 1, 1)


@dataclass(frozen=True)
class JobPlan:
    """One scheduled job: its id (the schedule, canonical), the reports it runs and where the schedule came from."""

    id: str
    reports: tuple[str, ...]
    sources: tuple[str, ...]

    @property
    def schedule(self) -> str:
        """The schedule as the config writes it: `0 6 * * *` or `{every: 15m}`."""
        if self.id.startswith(EVERY_PREFIX):
            return "{every: " + self.id.removeprefix(EVERY_PREFIX) + "}"
        return self.id.removeprefix(CRON_PREFIX)


def schedule_id(spec: Any) -> str:
    """The job id of a `schedule:` value: `cron 0 6 * * *` or `every 15m` (whitespace of cron normalised)."""
    every = getattr(spec, "every", None)
    if every is not None:
        return EVERY_PREFIX + str(every)
    return CRON_PREFIX + " ".join(str(spec).split())


def plan_jobs(cfg: Config) -> list[JobPlan]:
    """Every job of `cfg` (see the module's rule), ordered by id; reports in config order within a job."""
    members: dict[str, list[str]] = {}
    sources: dict[str, list[str]] = {}

    def add(spec: Any, report: str, source: str) -> None:
        key = schedule_id(spec)
        if report not in members.setdefault(key, []):
            members[key].append(report)
        if source not in sources.setdefault(key, []):
            sources[key].append(source)

    for report in cfg.reports:
        if report.schedule is not None:
            written = report.schedule is not cfg.defaults.schedule
            add(report.schedule, report.name, f"report {report.name}" if written else "defaults")
        for name in report.destinations:
            destination = cfg.destinations.get(name)
            spec = getattr(destination, "schedule", None)
            if spec is not None:
                add(spec, report.name, f"destination {name}")
    order = {report.name: index for index, report in enumerate(cfg.reports)}
    return [JobPlan(key, tuple(sorted(members[key], key=order.__getitem__)), tuple(sources[key]))
            for key in sorted(members)]


def unscheduled_reports(cfg: Config, jobs: Sequence[JobPlan]) -> list[str]:
    """Reports no job runs (only `run` runs them), in config order."""
    scheduled = {name for job in jobs for name in job.reports}
    return [report.name for report in cfg.reports if report.name not in scheduled]


def make_trigger(job_id: str, timezone: str) -> BaseTrigger:
    """The APScheduler trigger of a job id, in the config's time zone."""
    from apscheduler.triggers.cron import CronTrigger  # lazily: APScheduler is slow to import
    from apscheduler.triggers.interval import IntervalTrigger

    zone = ZoneInfo(timezone)
    if job_id.startswith(EVERY_PREFIX):
        seconds = interval_seconds(job_id.removeprefix(EVERY_PREFIX))
        return IntervalTrigger(seconds=seconds, start_date=INTERVAL_ANCHOR.replace(tzinfo=zone), timezone=zone)
    minute, hour, day, month, weekday = job_id.removeprefix(CRON_PREFIX).split()
    # Not CronTrigger.from_crontab: it passes the weekday numbers through, and APScheduler counts 0 = Monday
    # where cron counts 0 = Sunday, so "1-5" would run Tuesday to Saturday.
    if day != "*" and weekday != "*":
        # cron runs when EITHER the day of the month or the weekday matches ("0 6 1 * 1": the 1st and every
        # Monday); APScheduler's fields must all match, so the two halves are separate triggers.
        from apscheduler.triggers.combining import OrTrigger

        return OrTrigger([
            CronTrigger(minute=minute, hour=hour, day=day, month=month, timezone=zone),
            CronTrigger(minute=minute, hour=hour, month=month, day_of_week=cron_weekdays(weekday), timezone=zone),
        ])
    return CronTrigger(minute=minute, hour=hour, day=day, month=month, day_of_week=cron_weekdays(weekday),
                       timezone=zone)


WEEKDAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun")  # cron: 0 and 7 are Sunday


def cron_weekdays(field: str) -> str:
    """A cron weekday field with its numbers as day names (`1-5` → `mon,tue,wed,thu,fri`); names and `*` kept."""
    if field == "*":
        return field
    parts = []
    for part in field.split(","):
        span, _, step_text = part.partition("/")
        step = int(step_text) if step_text.isdigit() else 1
        if span == "*":
            first, last = 0, 6
        elif span.replace("-", "").isdigit():
            low, _, high = span.partition("-")
            first, last = int(low), int(high or low) if not step_text else int(high or 7)
        else:
            parts.append(part)  # names (mon-fri) mean the same to APScheduler
            continue
        parts.extend(WEEKDAY_NAMES[number] for number in range(first, last + 1, step))
    return ",".join(dict.fromkeys(parts))


def interval_seconds(every: str) -> int:
    """`15m` → 900, `2h` → 7200, `1d` → 86400 (the config has validated the form)."""
    units = {"m": 60, "h": 3600, "d": 86400}
    return int(every[:-1]) * units[every[-1]]


def repeated_wall_time(job_id: str, tick: dt.datetime, timezone: str) -> bool:
    """Whether `tick` is the second occurrence of a wall time (autumn DST) for a cron with a fixed hour."""
    if not job_id.startswith(CRON_PREFIX):
        return False
    hour_field = job_id.removeprefix(CRON_PREFIX).split()[1]
    if hour_field == "*":
        return False
    return tick.astimezone(ZoneInfo(timezone)).fold == 1


def fire_times(job_id: str, timezone: str, after: dt.datetime, count: int, *,
               repeats: bool = False) -> list[dt.datetime]:
    """The next `count` times the job runs strictly after `after`, in the config's zone.

    The second occurrence of a repeated wall time is left out (it does not run) unless `repeats` is set: the
    runner asks with `repeats` to recognise that APScheduler woke it for such a time.
    """
    trigger = make_trigger(job_id, timezone)
    zone = ZoneInfo(timezone)
    found: list[dt.datetime] = []
    # Always asked as "the first fire time from this UTC instant": APScheduler's own `previous` arithmetic is on
    # wall time and loses the fold, so after the second 02:30 of an autumn night it would return that 02:30 again.
    start = after.astimezone(dt.UTC) + dt.timedelta(microseconds=1)
    while len(found) < count:
        nxt = trigger.get_next_fire_time(None, start)
        if nxt is None:
            break
        if repeats or not repeated_wall_time(job_id, nxt, timezone):
            found.append(nxt.astimezone(dt.UTC).astimezone(zone))  # a spring-gap wall time, normalised
        start = nxt.astimezone(dt.UTC) + dt.timedelta(seconds=1)  # cron and intervals have whole seconds
    return found


def latest_tick(job_id: str, timezone: str, now: dt.datetime, lookback: dt.timedelta) -> dt.datetime | None:
    """The trigger's most recent fire time at or before `now` (repeats included), within `lookback`; else None."""
    times = fire_times(job_id, timezone, now - lookback - dt.timedelta(microseconds=1), 1, repeats=True)
    last: dt.datetime | None = None
    while times and times[0] <= now:
        last = times[0]
        times = fire_times(job_id, timezone, last, 1, repeats=True)
    return last


def reports_at_tick(jobs: Sequence[JobPlan], job_id: str, tick: dt.datetime, timezone: str) -> tuple[str, ...]:
    """The reports job `job_id` runs at `tick`: its own minus those an earlier job (by id) runs at the same instant."""
    job = next((j for j in jobs if j.id == job_id), None)
    if job is None:
        return ()
    taken: set[str] = set()
    for other in jobs:
        if other.id >= job_id or not set(other.reports) & set(job.reports):
            continue
        before = fire_times(other.id, timezone, tick - dt.timedelta(microseconds=1), 1)
        if before and before[0] == tick:
            taken |= set(other.reports)
    return tuple(name for name in job.reports if name not in taken)
