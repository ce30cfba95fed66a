"""Schedules driven by explicit datetimes: DST changes in the config's zone, and on time / late / skipped."""

from __future__ import annotations

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

import pytest

from sheets_sync.schedule.plan import fire_times, latest_tick, make_trigger, repeated_wall_time
from sheets_sync.schedule.timing import LATE, ON_TIME, SKIPPED, decide, parse_duration

BERLIN = "Europe/Berlin"
ZONE = ZoneInfo(BERLIN)
UTC = dt.UTC


def day_of(times: list[dt.datetime], day: dt.date) -> list[str]:
    return [t.astimezone(UTC).strftime("%H:%M UTC") for t in times if t.astimezone(ZONE).date() == day]


def test_autumn_repeated_hour_runs_a_fixed_time_cron_once() -> None:
    """25 Oct 2026, Berlin: 02:30 happens twice; "30 2 * * *" runs at the first one only."""
    times = fire_times("cron 30 2 * * *", BERLIN, dt.datetime(2026, 10, 24, 12, tzinfo=UTC), 3)
    assert day_of(times, dt.date(2026, 10, 25)) == ["00:30 UTC"]
    assert [t.date() for t in times] == [dt.date(2026, 10, d) for d in (25, 26, 27)]


def test_apscheduler_itself_fires_twice_in_the_repeated_hour() -> None:
    """The reason for the rule above: APScheduler's CronTrigger gives both 02:30s; the second is recognised."""
    trigger = make_trigger("cron 30 2 * * *", BERLIN)
    first = trigger.get_next_fire_time(None, dt.datetime(2026, 10, 24, 23, 0, tzinfo=UTC))
    second = trigger.get_next_fire_time(None, first.astimezone(UTC) + dt.timedelta(seconds=1))
    assert (first.astimezone(UTC).hour, second.astimezone(UTC).hour) == (0, 1)
    assert not repeated_wall_time("cron 30 2 * * *", first, BERLIN)
    assert repeated_wall_time("cron 30 2 * * *", second, BERLIN)


def test_autumn_hourly_cron_runs_in_both_repeated_hours() -> None:
    """"0 * * * *" follows real time: 02:00 CEST and 02:00 CET both run (25 runs that day)."""
    times = fire_times("cron 0 * * * *", BERLIN, dt.datetime(2026, 10, 24, 21, 59, tzinfo=UTC), 30)
    assert len(day_of(times, dt.date(2026, 10, 25))) == 25


def test_spring_skipped_hour_still_runs_a_fixed_time_cron() -> None:
    """29 Mar 2026, Berlin: 02:30 does not exist; "30 2 * * *" still runs once that day (at 03:30 CEST)."""
    times = fire_times("cron 30 2 * * *", BERLIN, dt.datetime(2026, 3, 28, 12, tzinfo=UTC), 3)
    assert day_of(times, dt.date(2026, 3, 29)) == ["01:30 UTC"]
    assert times[0].strftime("%H:%M %Z") == "03:30 CEST"
    assert [t.strftime("%H:%M %Z") for t in times[1:]] == ["02:30 CEST", "02:30 CEST"]


def test_spring_hourly_cron_has_23_runs() -> None:
    """The day has 23 hours: an hourly cron runs 23 times, none lost and none doubled."""
    times = fire_times("cron 0 * * * *", BERLIN, dt.datetime(2026, 3, 28, 22, 59, tzinfo=UTC), 30)
    assert len(day_of(times, dt.date(2026, 3, 29))) == 23


def test_interval_counts_real_time_across_the_change() -> None:
    """{every: 1h} across the autumn change: runs exactly one hour apart, 25 of them that day."""
    times = fire_times("every 1h", BERLIN, dt.datetime(2026, 10, 24, 21, 59, tzinfo=UTC), 30)
    utc = [t.astimezone(UTC) for t in times]  # same-zone subtraction would be on wall time
    gaps = {b - a for a, b in itertools.pairwise(utc)}
    assert gaps == {dt.timedelta(hours=1)}
    assert len(day_of(times, dt.date(2026, 10, 25))) == 25


def test_cron_uses_the_config_zone_not_utc() -> None:
    """"0 6 * * *" in Berlin is 05:00 UTC in winter and 04:00 UTC in summer."""
    winter = fire_times("cron 0 6 * * *", BERLIN, dt.datetime(2026, 1, 10, tzinfo=UTC), 1)[0]
    summer = fire_times("cron 0 6 * * *", BERLIN, dt.datetime(2026, 7, 10, tzinfo=UTC), 1)[0]
    assert (winter.astimezone(UTC).hour, summer.astimezone(UTC).hour) == (5, 4)


def test_latest_tick_is_the_last_fire_time_before_now() -> None:
    """The tick a job woke for: 06:00 when asked at 07:10, None when none is within the look-back."""
    now = dt.datetime(2026, 12, 4, 7, 10, tzinfo=ZONE)
    assert latest_tick("cron 0 6 * * *", BERLIN, now, dt.timedelta(hours=12)) == now.replace(hour=6, minute=0)
    assert latest_tick("cron 0 6 * * *", BERLIN, now, dt.timedelta(minutes=30)) is None


@pytest.mark.parametrize(("late_by", "kind"), [
    (dt.timedelta(0), ON_TIME), (dt.timedelta(seconds=59), ON_TIME), (dt.timedelta(minutes=5), LATE),
    (dt.timedelta(hours=12), LATE), (dt.timedelta(hours=12, seconds=1), SKIPPED),
])
def test_a_run_is_on_time_late_or_skipped(late_by: dt.timedelta, kind: str) -> None:
    """Within a minute on time; within the grace (12 h here) late, and it runs; past the grace skipped."""
    scheduled = dt.datetime(2026, 12, 7, 6, 0, tzinfo=ZONE)
    assert decide(scheduled, scheduled + late_by, dt.timedelta(hours=12)).kind == kind


def test_late_and_skipped_say_why() -> None:
    """The reasons name the scheduled time, how late, and (skipped) the grace that was exceeded."""
    scheduled = dt.datetime(2026, 12, 7, 6, 0, tzinfo=UTC)
    late = decide(scheduled, scheduled + dt.timedelta(hours=1, minutes=5), dt.timedelta(hours=12))
    assert late.reason.startswith("scheduled for 2026-12-07 06:00+00:00, started 1h 5m late")
    skipped = decide(scheduled, scheduled + dt.timedelta(days=1), dt.timedelta(hours=12))
    assert "missed by 1d, more than the misfire grace of 12h" in skipped.reason


@pytest.mark.parametrize(("text", "seconds"), [("90s", 90), ("15m", 900), ("12h", 43200), ("2d", 172800)])
def test_durations_parse(text: str, seconds: int) -> None:
    """--misfire-grace and --stop-timeout take 90s, 15m, 12h, 2d."""
    assert parse_duration(text).total_seconds() == seconds


@pytest.mark.parametrize("text", ["", "0m", "15", "m", "1.5h", "-1h", "3w"])
def test_bad_durations_are_refused(text: str) -> None:
    """Anything else is a usage error, not a silent default."""
    with pytest.raises(ValueError, match="expected a duration"):
        parse_duration(text)
