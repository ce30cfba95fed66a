"""Which dates a run of an append/upsert report fetches: its whole range the first time, then the tail. Pure.

The first run (nothing kept) fetches the configured date range. Later runs of a time series fetch from the
bucket holding (last fetched end - lookback) to the configured end: the last fetched bucket is always fetched
again (it may have been a partial day, week or month), and the look-back re-fetches the days whose numbers
the API may still restate. The window never starts before the history does (the first day its first run
fetched), and a configured start moved earlier than that fetches from the new start (a backfill). With a
rolling range (`yesterday`, `last_7_days`) the look-back reaches back before today's range start, into days
the history already holds: that is what restated numbers need. An aggregate (one total per period) is always
fetched whole: part of its period would be a different number, not a correction.
"""

from __future__ import annotations

import datetime as dt

from sheets_sync.dates import quarter_start, week_start


def bucket_start(day: dt.date, granularity: str) -> dt.date:
    """The first day of the `granularity` bucket holding `day` (weeks are ISO, Monday first)."""
    if granularity == "week":
        return week_start(day)
    if granularity == "month":
        return day.replace(day=1)
    if granularity == "quarter":
        return quarter_start(day)
    if granularity == "year":
        return dt.date(day.year, 1, 1)
    return day


def fetch_window(start: dt.date, end: dt.date, *, first_start: dt.date | None, last_end: dt.date | None,
                 lookback_days: int, granularity: str | None) -> tuple[dt.date, dt.date]:
    """The (first, last) day to fetch for the configured `start`..`end`, given the history kept so far.

    `first_start` is the first day the history holds, `last_end` the last day fetched (both None: first run).
    """
    if last_end is None or first_start is None or granularity is None or start < first_start:
        return start, end
    resume = min(last_end, end) - dt.timedelta(days=lookback_days)
    return max(first_start, bucket_start(resume, granularity)), end
