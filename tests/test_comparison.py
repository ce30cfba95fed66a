"""The pure comparison rules: comparison periods, headers, the change in percent, row and bucket matching."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from sheets_sync.comparison import (
    Side,
    change_percent,
    compared_columns,
    comparison_period,
    join,
    planned_period,
    record_keys,
)
from sheets_sync.config.ranges import FixedRangeConfig, LastPeriodConfig
from sheets_sync.report import DEFAULT_NUMBER_FORMATS, Column, ColumnKind, Table, TableMeta

D = dt.date


@pytest.mark.parametrize(("start", "end", "expected"), [
    (D(2026, 10, 1), D(2026, 10, 31), (D(2026, 9, 1), D(2026, 9, 30))),       # a month: the month before
    (D(2026, 3, 1), D(2026, 3, 31), (D(2026, 2, 1), D(2026, 2, 28))),         # 31 days → February's 28
    (D(2026, 4, 1), D(2026, 6, 30), (D(2026, 1, 1), D(2026, 3, 31))),         # a quarter: the quarter before
    (D(2025, 1, 1), D(2025, 12, 31), (D(2024, 1, 1), D(2024, 12, 31))),       # a year: the year before
    (D(2026, 6, 8), D(2026, 6, 14), (D(2026, 6, 1), D(2026, 6, 7))),          # an ISO week: the week before
    (D(2026, 6, 1), D(2026, 6, 15), (D(2026, 5, 17), D(2026, 5, 31))),        # month to date: 15 days before
    (D(2026, 6, 30), D(2026, 6, 30), (D(2026, 6, 29), D(2026, 6, 29))),       # one day: the day before
])
def test_previous_period_is_the_calendar_unit_or_the_same_days_just_before(start: dt.date, end: dt.date,
                                                                          expected: tuple[dt.date, dt.date]) -> None:
    """Whole months (quarters, years) compare with as many months before; other ranges with as many days."""
    assert comparison_period("previous_period", start, end) == expected


def test_previous_year_moves_the_dates_a_year_and_29_february_to_28_february() -> None:
    """previous_year keeps the dates one year earlier; a leap day becomes 28 February."""
    assert comparison_period("previous_year", D(2028, 2, 1), D(2028, 2, 29)) == (D(2027, 2, 1), D(2027, 2, 28))
    assert comparison_period("previous_year", D(2026, 6, 1), D(2026, 6, 30)) == (D(2025, 6, 1), D(2025, 6, 30))


JUNE = (D(2026, 6, 1), D(2026, 6, 30))


@pytest.mark.parametrize(("date_range", "expected"), [
    ("last_30_days", (D(2026, 5, 2), D(2026, 5, 31))),                          # run on 1 July: still 30 days
    (LastPeriodConfig(last=30), (D(2026, 5, 2), D(2026, 5, 31))),
    ({"last": 30, "unit": "days"}, (D(2026, 5, 2), D(2026, 5, 31))),
    ("last_month", (D(2026, 5, 1), D(2026, 5, 31))),                            # a calendar unit: May
    (LastPeriodConfig(last=1, unit="months"), (D(2026, 5, 1), D(2026, 5, 31))),
    (FixedRangeConfig(start=JUNE[0], end=JUNE[1]), (D(2026, 5, 1), D(2026, 5, 31))),  # whole month typed in
])
def test_a_day_counting_range_keeps_its_length_when_it_happens_to_cover_a_whole_month(
        date_range: Any, expected: tuple[dt.date, dt.date]) -> None:
    """last_30_days run on 1 July covers June, yet compares with the 30 days before, not May's 31."""
    assert planned_period("previous_period", date_range, *JUNE) == expected


def test_planned_period_is_none_without_compare_or_dates() -> None:
    """A report without compare, or an endpoint without dates, has no comparison period."""
    assert planned_period(None, "last_month", *JUNE) is None
    assert planned_period("previous_year", "last_month", None, None) is None
    assert planned_period("previous_year", "last_30_days", *JUNE) == (D(2025, 6, 1), D(2025, 6, 30))


@pytest.mark.parametrize(("current", "previous", "expected"), [
    (150, 100, 50.0), (50, 100, -50.0), (10, -20, 150.0), (4, 3, 33.333333),
    (5, 0, None), (5, None, None), (None, 5, None), (0, 4, -100.0), (True, 1, None),
])
def test_change_is_percent_of_the_absolute_previous_and_empty_without_one(current: Any, previous: Any,
                                                                          expected: float | None) -> None:
    """(current - previous) / |previous| * 100; None (an empty cell, never 0) where previous is 0 or null."""
    assert change_percent(current, previous) == expected


def test_compared_columns_follow_each_metric_and_name_the_dates() -> None:
    """The previous value and change columns come right after each metric and say which period."""
    period = (D(2026, 10, 1), D(2026, 10, 31))
    assert compared_columns([("campaignId", "campaignId"), ("metrics.impressions", "Impr.")], period) == [
        ("campaignId", "campaignId"), ("metrics.impressions", "Impr."),
        ("previous.metrics.impressions", "Impr. (2026-10-01 – 2026-10-31)"),
        ("change.metrics.impressions", "Impr. Δ% vs 2026-10-01 – 2026-10-31")]


def _table(rows: list[tuple[Any, ...]]) -> Table:
    columns = [Column("campaignId", "campaignId", ColumnKind.INTEGER, identifier=True),
               Column("metrics.impressions", "impressions", ColumnKind.INTEGER, label="Impressions")]
    return Table(columns, rows, TableMeta(report="r", endpoint="campaigns/performance"))


def test_join_matches_rows_by_identity_and_leaves_missing_counterparts_empty() -> None:
    """A campaign is compared with the same campaign; one without a counterpart has empty comparison cells."""
    period = (D(2026, 5, 1), D(2026, 5, 31))
    now = [{"campaignId": 1}, {"campaignId": 2}, {"campaignId": 3}]
    before = [{"campaignId": 3}, {"campaignId": 1}]
    current = Side(_table([(1, 120), (2, 7), (3, 5)]), record_keys("campaigns/performance", now, kind="previous_period",
                                                                      period=period, granularity=None))
    previous = Side(_table([(3, 0), (1, 100)]), record_keys("campaigns/performance", before, kind="previous_period",
                                                                          period=period, granularity=None))
    table = join(current, previous, kind="previous_period", period=period)
    assert list(table.rows) == [(1, 120, 100, 20.0), (2, 7, None, None), (3, 5, 0, None)]
    change = table.columns[3]
    assert change.kind is ColumnKind.PERCENT and change.effective_format == DEFAULT_NUMBER_FORMATS[ColumnKind.PERCENT]
    assert table.columns[2].kind is ColumnKind.INTEGER  # the previous value is formatted like the metric
    assert table.columns[2].label == "Impressions (2026-05-01 – 2026-05-31)"
    assert table.meta.extra["compare_period"] == period


def _series(days: list[dt.date], values: list[Any]) -> tuple[Table, list[dict[str, Any]]]:
    records = [{"startDate": d.isoformat(), "endDate": d.isoformat(), "metrics": {"impressions": v}}
               for d, v in zip(days, values, strict=True)]
    columns = [Column("startDate", "startDate", ColumnKind.DATE), Column("metrics.impressions", "impressions",
                                                                         ColumnKind.INTEGER)]
    table = Table(columns, [(d, v) for d, v in zip(days, values, strict=True)],
                  TableMeta(report="r", endpoint="instances/performance-over-time"))
    return table, records


def test_previous_period_on_a_time_series_pairs_bucket_i_with_bucket_i() -> None:
    """Day 1 of March with day 1 of February...; March's 29th to 31st have no counterpart in February."""
    march = [D(2026, 3, 1) + dt.timedelta(days=n) for n in range(31)]
    february = [D(2026, 2, 1) + dt.timedelta(days=n) for n in range(28)]
    now_table, now_records = _series(march, list(range(1, 32)))
    old_table, old_records = _series(february, [n * 10 for n in range(1, 29)])
    current = Side(now_table, record_keys("instances/performance-over-time", now_records,
                                          kind="previous_period", period=(march[0], march[-1]), granularity="day"))
    previous = Side(old_table, record_keys("instances/performance-over-time", old_records,
                                           kind="previous_period", period=(february[0], february[-1]),
                                           granularity="day"))
    rows = list(join(current, previous, kind="previous_period", period=(february[0], february[-1]),
                     granularity="day").rows)
    assert rows[0][2] == 10 and rows[27][2] == 280
    assert [row[2] for row in rows[28:]] == [None, None, None]


def test_previous_year_on_a_time_series_pairs_the_date_a_year_earlier_and_29_february_with_the_28th() -> None:
    """previous_year: each day compares with the same date a year before; 29 Feb 2028 with 28 Feb 2027."""
    leap = [D(2028, 2, 27), D(2028, 2, 28), D(2028, 2, 29)]
    before = [D(2027, 2, 26), D(2027, 2, 27), D(2027, 2, 28)]
    now_table, now_records = _series(leap, [1, 2, 3])
    old_table, old_records = _series(before, [100, 200, 300])
    period = (D(2027, 2, 26), D(2027, 2, 28))
    current = Side(now_table, record_keys("instances/performance-over-time", now_records, kind="previous_year",
                                          period=(leap[0], leap[-1]), granularity="day"))
    previous = Side(old_table, record_keys("instances/performance-over-time", old_records, kind="previous_year",
                                           period=period, granularity="day"))
    rows = list(join(current, previous, kind="previous_year", period=period, granularity="day").rows)
    assert [row[2] for row in rows] == [200, 300, 300]
