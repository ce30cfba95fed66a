"""Time-series buckets (day, ISO week, month, quarter, year) and filling the buckets the API omits.

Buckets are clipped to the requested range, the convention the bundled emulator follows
(sheets_sync/emulator/engine.py `buckets`): a `week` series from Wednesday 2025-01-01 starts
with the bucket 2025-01-01..2025-01-05, then full Monday-to-Sunday weeks.

The API leaves out buckets without activity (docs/decisions.md#time-series). `fill_gaps` puts them back so
charts get a continuous axis: additive metrics (the catalogue's count and money kinds) become 0
(nothing happened), every other metric (rates, cost per engagement/mille, per-post averages, ROI)
becomes None, because with no activity its denominator is zero and any number would be invented.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from typing import Any

from sheets_sync.catalogue import METRICS
from sheets_sync.dates import month_end, quarter_start, week_start

GRANULARITIES: tuple[str, ...] = ("day", "week", "month", "quarter", "year")


def is_ratio_metric(name: str) -> bool:
    """True unless the catalogue declares the metric additive (a count or money); an unknown one is not summed."""
    info = METRICS.get(name)
    return info is None or not info.kind.additive


def _bucket_end(day: dt.date, granularity: str) -> dt.date:
    if granularity == "day":
        return day
    if granularity == "week":
        monday = week_start(day)
        # the calendar's last week is cut short by dt.date.max (9999-12-31, a Friday)
        return monday + dt.timedelta(days=6) if monday <= dt.date.max - dt.timedelta(days=6) else dt.date.max
    if granularity == "month":
        return month_end(day)
    if granularity == "quarter":
        start = quarter_start(day)
        return month_end(dt.date(start.year, start.month + 2, 1))
    if granularity == "year":
        return dt.date(day.year, 12, 31)
    raise ValueError(f"unknown granularity {granularity!r}; expected one of {', '.join(GRANULARITIES)}")


def bucket_bounds(start: dt.date, end: dt.date, granularity: str) -> list[tuple[dt.date, dt.date]]:
    """Inclusive (first, last) day of each bucket from `start` to `end`, clipped to that range."""
    out: list[tuple[dt.date, dt.date]] = []
    day = start
    while day <= end:
        last = min(_bucket_end(day, granularity), end)
        out.append((day, last))
        if last >= end:
            break  # (stepping past `end` could leave the calendar at 9999-12-31)
        day = last + dt.timedelta(days=1)
    return out


def as_date(value: Any) -> dt.date | None:
    """A date from a date, a datetime or ISO text (its first ten characters); None for anything else."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def empty_bucket(first: dt.date, last: dt.date, metrics: Iterable[str]) -> dict[str, Any]:
    """The record of a bucket without activity, shaped like the API's."""
    return {"startDate": first.isoformat(), "endDate": last.isoformat(),
            "metrics": {m: None if is_ratio_metric(m) else 0 for m in metrics}}


def fill_gaps(records: Sequence[dict[str, Any]], start: dt.date, end: dt.date, granularity: str,
              metrics: Sequence[str]) -> list[dict[str, Any]]:
    """`records` with an empty record for every bucket of start..end that has none, in bucket order.

    A record belongs to the bucket holding its `startDate` (or the first bucket, if the server did
    not clip it to the range); records whose `startDate` cannot be read are kept, at the end.
    """
    bounds = bucket_bounds(start, end, granularity)
    firsts = [first for first, _ in bounds]
    placed: dict[int, list[dict[str, Any]]] = {}
    unplaced: list[dict[str, Any]] = []
    for record in records:
        day = as_date(record.get("startDate"))
        if day is None or day > end:
            unplaced.append(record)
            continue
        day = max(day, start)
        index = bisect_right(firsts, day) - 1
        placed.setdefault(index, []).append(record)
    out: list[dict[str, Any]] = []
    for index, (first, last) in enumerate(bounds):
        out.extend(placed.get(index) or [empty_bucket(first, last, metrics)])
    return out + unplaced
