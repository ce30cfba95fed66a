"""Whether a scheduled run is on time, late or skipped (pure: the scheduled time, now and the grace decide)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

ON_TIME = "on_time"
LATE = "late"
SKIPPED = "skipped"
# A run that starts within this of its scheduled time is on time (the scheduler's own wake-up and a job
# queued behind another one take seconds); later than that it is recorded as late.
ON_TIME_SLACK = dt.timedelta(minutes=1)
DEFAULT_GRACE = dt.timedelta(hours=12)  # a run missed overnight still runs when the scheduler comes back


@dataclass(frozen=True)
class Timing:
    """The decision for one scheduled run, with the reason shown in logs and history."""

    kind: str
    late_by: dt.timedelta
    reason: str


def decide(scheduled: dt.datetime, now: dt.datetime, grace: dt.timedelta) -> Timing:
    """On time (within a minute), late (within `grace`, it runs) or skipped (past `grace`, it does not)."""
    late_by = max(now - scheduled, dt.timedelta(0))
    shown = scheduled.isoformat(sep=" ", timespec="minutes")
    if late_by <= ON_TIME_SLACK:
        return Timing(ON_TIME, late_by, "")
    if late_by <= grace:
        return Timing(LATE, late_by, f"scheduled for {shown}, started {duration_text(late_by)} late "
                                     "(the scheduler was not running or a run before it was still going)")
    return Timing(SKIPPED, late_by, f"scheduled for {shown}, missed by {duration_text(late_by)}, more than the "
                                    f"misfire grace of {duration_text(grace)}; the next run is on schedule")


def duration_text(value: dt.timedelta) -> str:
    """`1h 5m`, `2d 3h`, `40s`: a duration as a person reads it."""
    seconds = int(value.total_seconds())
    parts = [(seconds // 86400, "d"), (seconds % 86400 // 3600, "h"), (seconds % 3600 // 60, "m")]
    text = " ".join(f"{n}{unit}" for n, unit in parts if n)
    return text or f"{seconds}s"


def parse_duration(text: str) -> dt.timedelta:
    """`90s`, `15m`, `12h`, `2d` → timedelta; ValueError otherwise."""
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    number, unit = text[:-1], text[-1:]
    if unit not in units or not number.isdigit() or int(number) < 1:
        raise ValueError(f"expected a duration such as 90s, 15m, 12h or 2d, not {text!r}")
    return dt.timedelta(seconds=int(number) * units[unit])
