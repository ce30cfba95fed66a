"""Comparison periods (`compare:`): the period compared with, row matching, and the previous-value/change columns.

Pure: no I/O. `comparison_period` picks the dates; `compared_columns` says which columns a comparison adds
(known before any fetch, so `validate` checks templates against them); `join` adds the values: for each metric
column, right after it, the value of the comparison period and the change in percent, (current - previous) /
|previous| * 100, a PERCENT column (12.5 means 12.5 %), empty where there is no counterpart row, or the
previous value is null or 0, or the current value is null (docs/comparison.md).

Rows are matched by the endpoint's row identity (`sheets_sync.config.compare.ROW_IDENTITY`): a campaign by its
id, a creator by its id, a platform row by its content type, the one summary row with the other;
a time series bucket by position
(previous_period: bucket i with bucket i of the comparison window) or by date (previous_year: the comparison
bucket holding the same date one year earlier).
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sheets_sync.catalogue import field_info
from sheets_sync.config.compare import COMPARE_KINDS, ROW_IDENTITY, TIME_SERIES
from sheets_sync.dates import add_years, month_end, month_start
from sheets_sync.records import field_value
from sheets_sync.report import Column, ColumnKind, Table
from sheets_sync.timeseries import as_date, bucket_bounds

PREVIOUS_PREFIX = "previous."
CHANGE_PREFIX = "change."
_CHANGE_DIGITS = 6  # float noise off the percent (12.5 not 12.500000000000002); far below any shown precision

Period = tuple[dt.date, dt.date]
Key = Hashable


def comparison_period(kind: str, start: dt.date, end: dt.date, *, rolling_days: bool = False) -> Period:
    """The period `start`..`end` is compared with.

    previous_year: the same dates one year earlier (29 February becomes 28 February).
    previous_period: whole calendar months (so quarters and years too) → the same number of months just
    before; anything else (days, ISO weeks, month to date), and any `rolling_days` range (see
    `counts_days`) → the same number of days just before.
    """
    if kind == "previous_year":
        return add_years(start, -1), add_years(end, -1)
    if kind != "previous_period":
        raise ValueError(f"unknown comparison {kind!r}; expected one of {', '.join(COMPARE_KINDS)}")
    if not rolling_days and start.day == 1 and end == month_end(end):
        months = (end.year - start.year) * 12 + end.month - start.month + 1
        return month_start(start, months), start - dt.timedelta(days=1)
    days = (end - start).days + 1
    return start - dt.timedelta(days=days), start - dt.timedelta(days=1)


def planned_period(kind: str | None, date_range: Any, start: dt.date | None, end: dt.date | None) -> Period | None:
    """The comparison period of a report asking for `start`..`end` by `date_range`; None without `compare`."""
    if kind is None or start is None or end is None:
        return None
    return comparison_period(kind, start, end, rolling_days=counts_days(date_range))


def counts_days(date_range: Any) -> bool:
    """Whether a `date_range` spec counts days (last_30_days, `{last: 30}`): its previous period is as many days.

    Such a range covers a whole calendar month now and then (last_30_days run on 1 July is June), and comparing
    it with May's 31 days on that one day of a daily schedule would break the series; so it never switches.
    """
    if isinstance(date_range, str):
        return date_range.startswith("last_") and date_range.endswith("_days")
    def value(key: str) -> Any:
        return date_range.get(key) if isinstance(date_range, Mapping) else getattr(date_range, key, None)
    return value("last") is not None and (value("unit") or "days") == "days"


def period_text(period: Period) -> str:
    """How a header names a period: `2026-10-01 – 2026-10-31`, or one date for a one-day period."""
    first, last = period
    return first.isoformat() if first == last else f"{first.isoformat()} – {last.isoformat()}"


def is_metric_field(path: str) -> bool:
    """Whether a column's field is a metric (a count, money, rate, ...) per the catalogue: what gets compared."""
    info = field_info(path)
    return info is not None and info.kind.is_metric


def previous_header(header: str, period: Period) -> str:
    return f"{header} ({period_text(period)})"


def change_header(header: str, period: Period) -> str:
    return f"{header} Δ% vs {period_text(period)}"


def compared_columns(columns: Sequence[tuple[str, str]], period: Period) -> list[tuple[str, str]]:
    """(field, header) pairs with, after each metric column, its previous-value and change columns."""
    out: list[tuple[str, str]] = []
    for path, header in columns:
        out.append((path, header))
        if is_metric_field(path):
            out += [(PREVIOUS_PREFIX + path, previous_header(header, period)),
                    (CHANGE_PREFIX + path, change_header(header, period))]
    return out


def change_percent(current: Any, previous: Any) -> float | None:
    """(current - previous) / |previous| in percent; None where either is missing or not a number, or previous is 0."""
    if not _is_number(current) or not _is_number(previous) or previous == 0:
        return None
    change: float = (current - previous) / abs(previous) * 100
    return round(change, _CHANGE_DIGITS)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


@dataclass(frozen=True)
class Side:
    """One period's table and the key of each of its rows (from the records it was built of, in row order)."""

    table: Table
    keys: Sequence[Key]


def record_keys(endpoint: str, records: Sequence[Mapping[str, Any]], *, kind: str, period: Period,
                granularity: str | None) -> list[Key]:
    """The match key of each record: its identity fields, or for a time series its bucket (see module doc)."""
    if endpoint == TIME_SERIES:
        return _bucket_keys(records, kind=kind, period=period, granularity=granularity or "month")
    fields = ROW_IDENTITY[endpoint]
    return [tuple(field_value(record, path) for path in fields) for record in records]


def _bucket_keys(records: Sequence[Mapping[str, Any]], *, kind: str, period: Period, granularity: str) -> list[Key]:
    """A bucket's position in its window (previous_period), or its first day (previous_year, matched by date)."""
    firsts = [first for first, _ in bucket_bounds(period[0], period[1], granularity)]
    keys: list[Key] = []
    for record in records:
        day = as_date(record.get("startDate"))
        position = None if day is None or day > period[1] else bisect_right(firsts, max(day, period[0])) - 1
        if kind == "previous_period":
            keys.append(("bucket", position))
        else:
            keys.append(("date", None if position is None else firsts[position]))
    return keys


def join(current: Side, previous: Side, *, kind: str, period: Period, granularity: str | None = None) -> Table:
    """`current.table` with, after each metric column, the comparison period's value and the change in percent.

    `period` is the comparison period. previous_year on a time series: a bucket's counterpart is the comparison
    bucket holding the date one year before its first day (29 February → 28 February); otherwise rows with
    equal keys are counterparts.
    """
    lookup = _counterparts(previous, kind=kind, period=period, granularity=granularity)
    positions = {column.field: index for index, column in enumerate(previous.table.columns)}
    columns: list[Column] = []
    plan: list[tuple[int, int | None]] = []  # (current column, its column in the previous table or -1: itself)
    for index, column in enumerate(current.table.columns):
        columns.append(column)
        plan.append((index, -1))
        if is_metric_field(column.field):
            columns += [_previous_column(column, period), _change_column(column, period)]
            plan.append((index, positions.get(column.field)))
    rows = []
    for row, key in zip(current.table.rows, current.keys, strict=True):
        old = lookup(key)
        cells: list[Any] = []
        for index, at in plan:
            if at == -1:
                cells.append(row[index])
                continue
            previous_value = None if old is None or at is None else old[at]
            cells += [previous_value, change_percent(row[index], previous_value)]
        rows.append(tuple(cells))
    meta = replace(current.table.meta, extra={**current.table.meta.extra, "compare": kind, "compare_period": period})
    return Table(columns=columns, rows=rows, meta=meta)


def _counterparts(previous: Side, *, kind: str, period: Period,
                  granularity: str | None) -> Callable[[Key], Sequence[Any] | None]:
    """The previous row of a current row's key, or None."""
    by_key: dict[Key, Sequence[Any]] = {}
    for row, key in zip(previous.table.rows, previous.keys, strict=True):
        by_key.setdefault(key, row)  # a duplicate key (never seen from the API) keeps its first row
    if kind != "previous_year" or granularity is None:
        return lambda key: None if _unplaced(key) else by_key.get(key)
    # previous_year on a time series: the comparison bucket holding the date one year earlier
    firsts = [first for first, _ in bucket_bounds(period[0], period[1], granularity)]

    def find(key: Key) -> Sequence[Any] | None:
        day = key[1] if isinstance(key, tuple) and len(key) == 2 else None
        if not isinstance(day, dt.date):
            return None
        earlier = add_years(day, -1)
        if not period[0] <= earlier <= period[1]:
            return None
        return by_key.get(("date", firsts[bisect_right(firsts, earlier) - 1]))
    return find


def _unplaced(key: Key) -> bool:
    """A bucket whose start could not be read matches nothing (rather than every other unreadable one)."""
    return isinstance(key, tuple) and len(key) == 2 and key[0] in ("bucket", "date") and key[1] is None


def _previous_column(column: Column, period: Period) -> Column:
    label = previous_header(column.label, period) if column.label else None
    return replace(column, field=PREVIOUS_PREFIX + column.field, header=previous_header(column.header, period),
                   label=label)


def _change_column(column: Column, period: Period) -> Column:
    label = change_header(column.label, period) if column.label else None
    return Column(CHANGE_PREFIX + column.field, change_header(column.header, period), ColumnKind.PERCENT,
                  label=label)


