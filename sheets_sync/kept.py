"""The append/upsert step of a run: which dates to fetch, then the fetched table merged into the kept rows.

`plan_fetch` reads what the report kept (sheets_sync.row_store) and decides the fetch window
(sheets_sync.fetch_window); `keep` merges the fetched rows into the kept ones (sheets_sync.merge), saves
the result (one transaction) and returns it as the table every sink writes: a full table, exactly like
a replace, so no sink knows the mode. The store is saved after the fetch and before any write: every
write rewrites the whole merged table, so a destination whose write fails catches up on the next run,
and a fetch that fails saves nothing (docs/modes.md).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Any

from sheets_sync.config.modes import BUCKET_START, PERIOD_FIELDS, PERIOD_LABELS, is_time_series, period_fields
from sheets_sync.errors import SheetsSyncError
from sheets_sync.fetch_window import fetch_window
from sheets_sync.merge import Row, append, in_bucket_order, upsert
from sheets_sync.report import Column, ColumnKind, Table
from sheets_sync.resolved import ResolvedReport
from sheets_sync.row_store import KeptRows, RowStore

logger = logging.getLogger(__name__)
KEEPING_MODES = ("append", "upsert")


class KeyColumnError(SheetsSyncError):
    """An upsert key names no column of the fetched table."""


@dataclass(frozen=True)
class FetchPlan:
    """What one run fetches of a report, and the rows it kept from earlier runs (None: first run or reset)."""

    report: ResolvedReport
    start: dt.date | None
    end: dt.date | None
    params: Mapping[str, Any]
    kept: KeptRows | None = None


def plan_fetch(report: ResolvedReport, store: RowStore | None) -> FetchPlan:
    """The fetch of `report`: the whole period (replace, first run), else the tail after what it kept."""
    if report.mode not in KEEPING_MODES or store is None:
        return FetchPlan(report, report.start, report.end, report.params)
    kept = store.load(report.name)
    if kept is not None and kept.fingerprint != report.fingerprint:
        logger.warning("report %r: its endpoint, filters, metrics, columns, granularity, key or mode changed since "
                       "its %d kept rows were fetched; they are dropped and the whole date_range is fetched again",
                       report.name, len(kept.rows))
        kept = None
    start, end, params = report.start, report.end, report.params
    if start is not None and end is not None:
        start, end = fetch_window(start, end, first_start=kept.first_start if kept else None,
                                  last_end=kept.last_end if kept else None, lookback_days=report.lookback_days,
                                  granularity=report.granularity)
        if "startDate" in params:
            params = MappingProxyType({**params, "startDate": start.isoformat(), "endDate": end.isoformat()})
    return FetchPlan(report, start, end, params, kept)


def keep(plan: FetchPlan, table: Table, store: RowStore | None, now: dt.datetime) -> Table:
    """`table` merged into the kept rows and saved; the merged table, for the configured period (replace: `table`)."""
    report = plan.report
    if report.mode not in KEEPING_MODES or store is None:
        return table
    table = _with_period(table, report)
    headers = tuple(table.headers)
    kept = plan.kept
    if kept is not None and kept.headers != headers:
        logger.warning("report %r: the columns changed since its %d kept rows were fetched (%s, now %s); they are "
                       "dropped and this run's rows start the table again", report.name, len(kept.rows),
                       ", ".join(kept.headers), ", ".join(headers))
        kept = None
    fetched: list[Row] = [tuple(row) for row in table.rows]
    if kept is None:
        merged = fetched
    elif report.mode == "upsert":
        merged = upsert(kept.rows, fetched, _key_indexes(table, report))
    else:
        merged = append(kept.rows, fetched, _covered(table, plan))
    bucket = _column_index(table, BUCKET_START) if is_time_series(report.endpoint) else None
    if bucket is not None:
        merged = in_bucket_order(merged, bucket)
    first = plan.start if kept is None or kept.first_start is None or plan.start is None \
        else min(kept.first_start, plan.start)
    store.save(report.name, KeptRows(report.fingerprint, headers, merged, first, plan.start, plan.end), now)
    if kept is not None:
        logger.info("report %r: %d rows fetched, %d kept, %d in all (%s)", report.name, len(fetched),
                    len(kept.rows), len(merged), report.mode)
    meta = replace(table.meta, start_date=report.start, end_date=report.end)
    return Table(columns=table.columns, rows=merged, meta=meta)  # rows a list: several sinks read them


def _with_period(table: Table, report: ResolvedReport) -> Table:
    """Under `mode: append` an aggregate's rows carry the period they total (periodStart, periodEnd) in front."""
    added = period_fields(report.mode, report.endpoint)
    if not added:
        return table
    columns = [Column(name, name, ColumnKind.DATE, label=PERIOD_LABELS[name]) for name in added]
    rows = [(report.start, report.end, *row) for row in table.rows]
    return Table(columns=columns + list(table.columns), rows=rows, meta=table.meta)


def _column_index(table: Table, name: str) -> int | None:
    """The index of the column whose header or field is `name` (any case), or None."""
    wanted = name.lower()
    for index, column in enumerate(table.columns):
        if wanted in (column.header.lower(), column.field.lower()):
            return index
    return None


def _key_indexes(table: Table, report: ResolvedReport) -> list[int]:
    indexes = []
    for name in report.key:
        index = _column_index(table, name)
        if index is None:
            raise KeyColumnError(f"report {report.name!r}: key {name!r} is not one of its columns "
                                 f"({', '.join(table.headers)})")
        indexes.append(index)
    return indexes


def _covered(table: Table, plan: FetchPlan) -> Callable[[Row], bool]:
    """Which kept rows this fetch covers again: a time series' buckets in the window, or the same period's snapshot."""
    if period_fields(plan.report.mode, plan.report.endpoint):
        first, second = (_column_index(table, name) for name in PERIOD_FIELDS)
        assert first is not None and second is not None
        period = (plan.start, plan.end)
        return lambda row: (row[first], row[second]) == period
    bucket = _column_index(table, BUCKET_START)
    if bucket is None or plan.start is None or plan.end is None:
        raise KeyColumnError(f"report {plan.report.name!r}: mode append on a time series needs its startDate column")
    start, end = plan.start, plan.end
    # Only the buckets of the fetched window: kept days after a backfill's end are not covered again.
    return lambda row: isinstance(row[bucket], dt.date) and start <= row[bucket] <= end
