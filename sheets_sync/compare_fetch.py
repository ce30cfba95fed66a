"""The comparison step of a run: fetch the comparison period through the run's client, then join it.

Called by the orchestrator right after a report's table is built and before append/upsert would merge it.
The comparison period is fetched with the report's own parameters (filters, metrics, granularity, sort) and
only its dates changed, through the same `ApiClient`, so it shares the run's token, rate budget and
concurrency limit, and its requests count in the report's tally. A failed comparison fetch raises like any
fetch: the report fails and nothing of it is written (docs/comparison.md).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping, Sequence
from typing import Any

from sheets_sync import records as record_table
from sheets_sync import timeseries
from sheets_sync.comparison import Period, Side, comparison_period, join, period_text, record_keys
from sheets_sync.report import Table
from sheets_sync.resolved import ResolvedReport

logger = logging.getLogger(__name__)


def compared(client: Any, report: ResolvedReport, period: tuple[dt.date | None, dt.date | None],
             rows: Sequence[Mapping[str, Any]], table: Table, *, max_rows: int | None,
             version: str) -> tuple[Table, int]:
    """(`table` with the comparison columns, pages fetched for them); `table` itself when the report compares nothing.

    `rows` are the records `table` was built of, in row order; `period` the dates they cover.
    """
    start, end = period
    if report.compare is None or report.compare_period is None or start is None or end is None:
        return table, 0
    earlier = report.compare_period
    if (start, end) != (report.start, report.end):  # not the planned dates (append/upsert, refused with compare)
        earlier = comparison_period(report.compare, start, end)
    logger.info("report %r: compared with %s (%s)", report.name, period_text(earlier), report.compare)
    params = {**report.params, "startDate": earlier[0].isoformat(), "endDate": earlier[1].isoformat()}
    result = client.fetch(report.endpoint, params, max_rows=max_rows)
    previous = _filled(report, result.records, earlier, max_rows)
    previous_table = record_table.build_table(report.endpoint, previous, metrics=report.metrics,
                                              columns=report.columns, meta=table.meta, timezone=report.timezone,
                                              version=version)
    kind, granularity, name = report.compare, report.granularity, report.endpoint.name
    current_side = Side(table, record_keys(name, rows, kind=kind, period=(start, end), granularity=granularity))
    previous_side = Side(previous_table, record_keys(name, previous, kind=kind, period=earlier,
                                                     granularity=granularity))
    return join(current_side, previous_side, kind=report.compare, period=earlier,
                granularity=report.granularity), result.pages


def _filled(report: ResolvedReport, rows: list[dict[str, Any]], period: Period,
            max_rows: int | None) -> list[dict[str, Any]]:
    """The comparison records with empty buckets filled, as the report's own (so bucket i lines up)."""
    if report.fill_gaps and report.granularity and max_rows is None:
        return timeseries.fill_gaps(rows, period[0], period[1], report.granularity, list(report.metrics))
    return rows
