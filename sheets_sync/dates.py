"""Resolves config date ranges (presets, "last N units", fixed dates) to inclusive dates in a time zone.

Rules (also in the generated config reference):

* "today" is the calendar date of `now` in the config's time zone, so a run at 00:30 on a DST change
  day in Europe/London already belongs to that local day, whatever the UTC date is.
* Weeks are ISO weeks, Monday to Sunday. Months and quarters are calendar months and quarters.
* `last_7_days`, `last_30_days`, `last_90_days` and `{last: N, unit: days}` end yesterday: today is
  still incomplete (the API reports through the previous day). `include_today: true` moves the
  window to end today.
* `{last: N, unit: weeks|months}` means the N complete weeks/months before the current one;
  with `include_today: true` the current, partial week/month counts as the last of the N.
* The API accepts at most two years: `end` may be at most `start` + 2 calendar years, inclusive,
  the rule the API (and the bundled emulator) applies (docs/decisions.md#date-ranges): start 2025-01-01 allows end
  2027-01-01; start 2024-02-29 allows end 2026-02-28.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from sheets_sync.catalogue import MAX_RANGE_YEARS

PRESETS: tuple[str, ...] = (
    "today", "yesterday", "last_7_days", "last_30_days", "last_90_days", "this_week", "last_week",
    "month_to_date", "last_month", "quarter_to_date", "last_quarter", "year_to_date", "last_year",
)
UNITS: tuple[str, ...] = ("days", "weeks", "months")

DateRange = tuple[dt.date, dt.date]
_ISO_SHAPE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")


def parse_iso_date(text: str) -> dt.date:
    """The date written `YYYY-MM-DD`; ValueError says why not, naming a date that does not exist as such."""
    match = _ISO_SHAPE.fullmatch(text.strip())
    if not match:
        raise ValueError(f'expected a date written YYYY-MM-DD, not "{text}"')
    year, month, day = (int(part) for part in match.groups())
    if not 1 <= month <= 12:
        raise ValueError(f"{match.group(0)} does not exist: there is no month {month:02d} (months are 01 to 12)")
    if year < dt.MINYEAR:
        raise ValueError(f"{match.group(0)} does not exist: years start at 0001")
    last = calendar.monthrange(year, month)[1]
    if not 1 <= day <= last:
        raise ValueError(f"{match.group(0)} does not exist: {calendar.month_name[month]} {year} has {last} days")
    return dt.date(year, month, day)


def local_today(tz: str, now: dt.datetime) -> dt.date:
    """The calendar date of the aware datetime `now` in time zone `tz`."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be an aware datetime")
    return now.astimezone(ZoneInfo(tz)).date()


def month_start(day: dt.date, months_back: int = 0) -> dt.date:
    """The first day of the month `months_back` months before `day`'s month."""
    index = day.year * 12 + day.month - 1 - months_back
    return dt.date(index // 12, index % 12 + 1, 1)


def month_end(day: dt.date) -> dt.date:
    """The last day of `day`'s month."""
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def week_start(day: dt.date) -> dt.date:
    """The Monday of `day`'s ISO week."""
    return day - dt.timedelta(days=day.weekday())


def quarter_start(day: dt.date) -> dt.date:
    """The first day of `day`'s calendar quarter."""
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _preset(name: str, today: dt.date) -> DateRange:
    one = dt.timedelta(days=1)
    if name == "today":
        return today, today
    if name == "yesterday":
        return today - one, today - one
    if name in ("last_7_days", "last_30_days", "last_90_days"):
        days = int(name.split("_")[1])
        return today - dt.timedelta(days=days), today - one
    if name == "this_week":
        return week_start(today), today
    if name == "last_week":
        monday = week_start(today) - dt.timedelta(days=7)
        return monday, monday + dt.timedelta(days=6)
    if name == "month_to_date":
        return month_start(today), today
    if name == "last_month":
        start = month_start(today, 1)
        return start, month_end(start)
    if name == "quarter_to_date":
        return quarter_start(today), today
    if name == "last_quarter":
        start = month_start(quarter_start(today), 3)
        return start, quarter_start(today) - one
    if name == "year_to_date":
        return dt.date(today.year, 1, 1), today
    if name == "last_year":
        return dt.date(today.year - 1, 1, 1), dt.date(today.year - 1, 12, 31)
    raise ValueError(f"unknown date range preset {name!r}")


def _last(count: int, unit: str, include_today: bool, today: dt.date) -> DateRange:
    one = dt.timedelta(days=1)
    if unit == "days":
        end = today if include_today else today - one
        return end - dt.timedelta(days=count - 1), end
    if unit == "weeks":
        current = week_start(today)
        if include_today:
            return current - dt.timedelta(weeks=count - 1), today
        return current - dt.timedelta(weeks=count), current - one
    if unit == "months":
        if include_today:
            return month_start(today, count - 1), today
        return month_start(today, count), month_start(today) - one
    raise ValueError(f"unknown unit {unit!r}")


def _get(spec: Any, key: str, default: Any = None) -> Any:
    if isinstance(spec, Mapping):
        return spec.get(key, default)
    return getattr(spec, key, default)


def resolve_date_range(spec: Any, tz: str, now: dt.datetime) -> DateRange:
    """Resolve a preset name, a `{last, unit, include_today}` or a `{start, end}` spec to (start, end).

    `spec` may be a plain string / mapping (as in YAML) or a config model with the same attributes.
    """
    if isinstance(spec, str):
        return _preset(spec, local_today(tz, now))
    if _get(spec, "last") is not None:
        return _last(int(_get(spec, "last")), str(_get(spec, "unit", "days")),
                     bool(_get(spec, "include_today", False)), local_today(tz, now))
    start, end = _get(spec, "start"), _get(spec, "end")
    if isinstance(start, dt.date) and isinstance(end, dt.date):
        return start, end
    raise ValueError(f"not a date range: {spec!r}")


def add_years(day: dt.date, years: int) -> dt.date:
    """`day` moved by whole calendar years; 29 February becomes 28 February in a year without it.

    Past the calendar's last year (9999) the result is `dt.date.max`, so callers never overflow.
    """
    if not dt.MINYEAR <= day.year + years <= dt.MAXYEAR:
        return dt.date.max if years > 0 else dt.date.min
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def latest_end(start: dt.date) -> dt.date:
    """The last `end` the API accepts: `start` + 2 calendar years, inclusive (docs/decisions.md#date-ranges)."""
    return add_years(start, MAX_RANGE_YEARS)


def range_problem(start: dt.date, end: dt.date) -> str | None:
    """Why the API would refuse this range, or None when it is acceptable."""
    if end < start:
        return f"end {end.isoformat()} is before start {start.isoformat()}"
    if end > latest_end(start):
        return (f"the range {start.isoformat()} to {end.isoformat()} is longer than the API's "
                f"{MAX_RANGE_YEARS}-year limit (the latest end for this start is {latest_end(start).isoformat()})")
    return None


def range_error(spec: Any, tz: str, now: dt.datetime) -> tuple[DateRange | None, str | None]:
    """(resolved range, None), or (None, why it cannot be resolved or the API would refuse it)."""
    try:
        start, end = resolve_date_range(spec, tz, now)
    except (ValueError, OverflowError):
        return None, f"the range cannot be computed: it falls outside the calendar (years {dt.MINYEAR} to {dt.MAXYEAR})"
    problem = range_problem(start, end)
    return (None, problem) if problem else ((start, end), None)
