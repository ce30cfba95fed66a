"""Which dates a run of an append/upsert report fetches: its whole range the first time, then the tail. Pure.

The first run (nothing kept) fetches the configured date range. Later runs of a time series fetch from the
bucket holding (last fetched end - lookback) to the configured end, never before the configured start: the
last fetched bucket is always fetched again (it may have been a partial day, week or month), and the look-back
re-fetches the days whose numbers the API may still restate. An aggregate (one total per period) is always
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


def fetch_window(start: dt.date, end: dt.date, *, last_end: dt.date | None, lookback_days: int,
                 granularity: str | None) -> tuple[dt.date, dt.date]:
    """The (first, last) day to fetch of the configured `start`..`end`, given the last fetched end, if any."""
    if last_end is None or granularity is None:
        return start, end
    resume = min(last_end, end) - dt.timedelta(days=lookback_days)
    return max(start, bucket_start(resume, granularity)), end
