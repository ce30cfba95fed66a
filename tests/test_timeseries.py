"""Time-series buckets (clipped, ISO weeks) and gap filling for a continuous chart axis."""

from __future__ import annotations

import datetime as dt

import pytest

from sheets_sync.timeseries import bucket_bounds, fill_gaps, is_ratio_metric

D = dt.date


class TestBuckets:
    def test_weeks_are_iso_and_clipped_to_the_range(self):
        """A week series from Wednesday 1 Jan 2025 starts with a short bucket, then Monday-Sunday weeks."""
        assert bucket_bounds(D(2025, 1, 1), D(2025, 1, 15), "week") == [
            (D(2025, 1, 1), D(2025, 1, 5)), (D(2025, 1, 6), D(2025, 1, 12)), (D(2025, 1, 13), D(2025, 1, 15))]

    @pytest.mark.parametrize("granularity", ["day", "week", "month", "quarter", "year"])
    def test_buckets_at_the_end_of_the_calendar_do_not_overflow(self, granularity):
        """A range ending 9999-12-31 (a Friday) ends its last bucket there instead of raising OverflowError."""
        assert bucket_bounds(D(9999, 12, 27), D.max, granularity)[-1][1] == D.max

    def test_months_follow_calendar_month_ends_including_leap_february(self):
        """Month buckets end on the 31st, the 29th of a leap February and the 30th."""
        assert bucket_bounds(D(2024, 1, 15), D(2024, 4, 10), "month") == [
            (D(2024, 1, 15), D(2024, 1, 31)), (D(2024, 2, 1), D(2024, 2, 29)),
            (D(2024, 3, 1), D(2024, 3, 31)), (D(2024, 4, 1), D(2024, 4, 10))]

    def test_quarter_and_year_buckets_follow_the_calendar(self):
        """Quarter and year buckets follow the calendar."""
        assert bucket_bounds(D(2024, 11, 1), D(2025, 4, 2), "quarter") == [
            (D(2024, 11, 1), D(2024, 12, 31)), (D(2025, 1, 1), D(2025, 3, 31)), (D(2025, 4, 1), D(2025, 4, 2))]
        assert bucket_bounds(D(2024, 6, 1), D(2025, 1, 1), "year") == [
            (D(2024, 6, 1), D(2024, 12, 31)), (D(2025, 1, 1), D(2025, 1, 1))]

    def test_day_buckets_cross_month_ends(self):
        """Day buckets are single days, across a month end."""
        assert bucket_bounds(D(2025, 1, 31), D(2025, 2, 1), "day") == [
            (D(2025, 1, 31), D(2025, 1, 31)), (D(2025, 2, 1), D(2025, 2, 1))]

    def test_unknown_granularity_is_an_error(self):
        """A granularity outside the API's list is refused."""
        with pytest.raises(ValueError, match="unknown granularity 'fortnight'"):
            bucket_bounds(D(2025, 1, 1), D(2025, 1, 2), "fortnight")

    def test_buckets_match_the_emulator(self):
        """The emulator clips buckets the same way, so filled series line up with served ones."""
        from sheets_sync.emulator.engine import buckets

        start, end = D(2024, 12, 18), D(2025, 3, 3)
        for granularity in ("day", "week", "month", "quarter", "year"):
            served = [(D.fromordinal(a), D.fromordinal(b))
                      for a, b in buckets(start.toordinal(), end.toordinal(), granularity)]
            assert bucket_bounds(start, end, granularity) == served


class TestFillGaps:
    def test_missing_weeks_are_inserted_with_zero_counts(self):
        """The week the API omitted appears, with 0 for counts and None for ratios, in order."""
        records = [
            {"startDate": "2025-01-06", "endDate": "2025-01-12", "metrics": {"impressions": 10, "engagementRate": 2.5}},
            {"startDate": "2025-01-20", "endDate": "2025-01-26", "metrics": {"impressions": 7, "engagementRate": 1.0}},
        ]
        filled = fill_gaps(records, D(2025, 1, 6), D(2025, 1, 26), "week", ["impressions", "engagementRate"])
        assert filled == [
            records[0],
            {"startDate": "2025-01-13", "endDate": "2025-01-19", "metrics": {"impressions": 0, "engagementRate": None}},
            records[1],
        ]

    def test_empty_response_becomes_a_full_axis(self):
        """No records at all still gives one row per bucket."""
        filled = fill_gaps([], D(2025, 1, 1), D(2025, 3, 31), "month", ["engagements"])
        assert [(r["startDate"], r["endDate"], r["metrics"]) for r in filled] == [
            ("2025-01-01", "2025-01-31", {"engagements": 0}), ("2025-02-01", "2025-02-28", {"engagements": 0}),
            ("2025-03-01", "2025-03-31", {"engagements": 0})]

    def test_complete_series_is_unchanged(self):
        """Nothing is added when every bucket is present."""
        records = [{"startDate": f"2025-01-0{d}", "endDate": f"2025-01-0{d}", "metrics": {"views": d}} for d in (1, 2)]
        assert fill_gaps(records, D(2025, 1, 1), D(2025, 1, 2), "day", ["views"]) == records

    def test_unclipped_first_bucket_is_recognised(self):
        """A server that starts the first week on its Monday (before the range) is not given a duplicate."""
        records = [{"startDate": "2024-12-30", "endDate": "2025-01-05", "metrics": {"views": 1}}]
        filled = fill_gaps(records, D(2025, 1, 1), D(2025, 1, 12), "week", ["views"])
        assert [r["startDate"] for r in filled] == ["2024-12-30", "2025-01-06"]

    def test_records_with_unreadable_dates_are_kept_at_the_end(self):
        """A record the filler cannot place is not dropped."""
        odd = {"startDate": None, "metrics": {"views": 3}}
        filled = fill_gaps([odd], D(2025, 1, 1), D(2025, 1, 1), "day", ["views"])
        assert filled[-1] is odd and len(filled) == 2

    @pytest.mark.parametrize(("metric", "ratio"), [
        ("engagementRate", True), ("paidEngagementRate", True), ("cpe", True), ("cpm", True), ("paidCpm", True),
        ("impressionsPerPost", True), ("estimatedRoi", True), ("avgWatchTime", True),
        ("impressions", False), ("engagements", False), ("estimatedValueGenerated", False), ("postsCount", False),
    ])
    def test_ratio_metrics_are_recognised(self, metric, ratio):
        """Quotients get None in an empty bucket (their denominator is zero); counts get 0."""
        assert is_ratio_metric(metric) is ratio
