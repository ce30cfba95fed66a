"""The pure rules of append/upsert: merging fetched rows into kept ones, and the window a later run fetches."""

from __future__ import annotations

import datetime as dt

from sheets_sync.fetch_window import fetch_window
from sheets_sync.merge import append, upsert
from sheets_sync.row_store import decode_rows, encode_rows

D = dt.date


def test_upsert_updates_in_place_adds_new_keys_below_and_keeps_rows_not_returned() -> None:
    """A fetched key replaces its kept row where it stands; new keys go below in arrival order; others stay."""
    kept = [("a", 1), ("b", 2), ("c", 3)]
    fetched = [("d", 40), ("b", 20), ("e", 50)]
    assert upsert(kept, fetched, [0]) == [("a", 1), ("b", 20), ("c", 3), ("d", 40), ("e", 50)]


def test_upsert_of_the_same_rows_twice_changes_nothing() -> None:
    """Merging one fetch a second time gives the rows of the first merge (a rerun doubles nothing)."""
    once = upsert([("a", 1)], [("a", 2), ("b", 3)], [0])
    assert upsert(once, [("a", 2), ("b", 3)], [0]) == once == [("a", 2), ("b", 3)]


def test_upsert_keys_on_several_columns() -> None:
    """A key of two columns matches only rows equal in both."""
    kept = [("x", 1, 10), ("x", 2, 20)]
    assert upsert(kept, [("x", 2, 99), ("y", 1, 5)], [0, 1]) == [("x", 1, 10), ("x", 2, 99), ("y", 1, 5)]


def test_append_puts_new_rows_below_and_replaces_what_the_fetch_covers_again() -> None:
    """Rows the fetch covers again give way to the fetched ones at their place; the rest is kept in order."""
    kept = [(D(2026, 6, 1), 1), (D(2026, 6, 2), 2), (D(2026, 6, 3), 3)]
    fetched = [(D(2026, 6, 2), 22), (D(2026, 6, 3), 33), (D(2026, 6, 4), 44)]
    merged = append(kept, fetched, lambda row: row[0] >= D(2026, 6, 2))
    assert merged == [(D(2026, 6, 1), 1), (D(2026, 6, 2), 22), (D(2026, 6, 3), 33), (D(2026, 6, 4), 44)]
    assert append(merged, fetched, lambda row: row[0] >= D(2026, 6, 2)) == merged


def test_append_with_nothing_covered_adds_below() -> None:
    """A new period's rows go below every kept row."""
    assert append([("p1", 1)], [("p2", 2)], lambda row: row[0] == "p2") == [("p1", 1), ("p2", 2)]


def test_first_run_fetches_the_whole_range() -> None:
    """With nothing kept the window is the configured range."""
    assert fetch_window(D(2026, 1, 1), D(2026, 6, 9), first_start=None, last_end=None, lookback_days=7,
                        granularity="day") == (D(2026, 1, 1), D(2026, 6, 9))


def test_later_runs_fetch_from_the_last_end_minus_the_lookback() -> None:
    """The last fetched day and the look-back before it are fetched again, up to the configured end."""
    assert fetch_window(D(2026, 1, 1), D(2026, 6, 12), first_start=D(2026, 1, 1), last_end=D(2026, 6, 11),
                        lookback_days=7, granularity="day") == (D(2026, 6, 4), D(2026, 6, 12))
    assert fetch_window(D(2026, 1, 1), D(2026, 6, 12), first_start=D(2026, 1, 1), last_end=D(2026, 6, 11),
                        lookback_days=0, granularity="day") == (D(2026, 6, 11), D(2026, 6, 12))


def test_the_window_starts_on_a_bucket_and_never_before_the_history() -> None:
    """A month series refetches the whole month in progress; the window never reaches before the first start."""
    assert fetch_window(D(2026, 1, 1), D(2026, 3, 16), first_start=D(2026, 1, 1), last_end=D(2026, 3, 15),
                        lookback_days=0, granularity="month") == (D(2026, 3, 1), D(2026, 3, 16))
    assert fetch_window(D(2026, 1, 1), D(2026, 1, 5), first_start=D(2026, 1, 1), last_end=D(2026, 1, 4),
                        lookback_days=14, granularity="day") == (D(2026, 1, 1), D(2026, 1, 5))


def test_a_rolling_range_looks_back_into_the_days_the_history_holds() -> None:
    """`yesterday` moves its start every day; the look-back still re-fetches the days before it."""
    assert fetch_window(D(2026, 6, 14), D(2026, 6, 14), first_start=D(2026, 6, 1), last_end=D(2026, 6, 13),
                        lookback_days=7, granularity="day") == (D(2026, 6, 6), D(2026, 6, 14))


def test_a_start_moved_earlier_backfills_from_it() -> None:
    """A configured start before the history's first day fetches from that start."""
    assert fetch_window(D(2026, 5, 1), D(2026, 6, 14), first_start=D(2026, 6, 1), last_end=D(2026, 6, 13),
                        lookback_days=0, granularity="day") == (D(2026, 5, 1), D(2026, 6, 14))


def test_an_aggregate_is_always_fetched_whole() -> None:
    """Without buckets (granularity None) every run fetches the configured period."""
    assert fetch_window(D(2026, 6, 1), D(2026, 6, 14), first_start=D(2026, 6, 1), last_end=D(2026, 6, 13),
                        lookback_days=0, granularity=None) == (D(2026, 6, 1), D(2026, 6, 14))


def test_kept_rows_round_trip_exactly() -> None:
    """Dates, date-times, floats, None, booleans and text come back as they were stored."""
    rows = [(D(2026, 6, 1), dt.datetime(2026, 6, 1, 9, 30), 0.1 + 0.2, None, True, "=1+1", 12345678901234567)]
    assert decode_rows(encode_rows(rows)) == rows
