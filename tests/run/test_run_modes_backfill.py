"""append / upsert on a time series when the date range is moved earlier (a backfill): nothing lost, days in order."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from sheets_sync.config import load_config
from tests.run.run_helpers import env_for
from tests.run.test_run_modes import FIRST_RUN, Clock, csv_rows, make_config, run_at, runs_on_days, sheet_rows

BACKFILL = "{start: 2026-06-01, end: 2026-06-05}"
DAYS_KEPT = ["2026-06-09", "2026-06-10", "2026-06-11", "2026-06-12"]
DAYS_BACKFILLED = ["2026-06-01", "2026-06-02", "2026-06-03", "2026-06-04", "2026-06-05"]


def backfill(folder: Path, emu: object, clock: Clock) -> None:
    """Move the Daily report's range to 1-5 June (before the kept days) and run once."""
    path = folder / "sync.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("date_range: yesterday", f"date_range: {BACKFILL}"),
                    encoding="utf-8")
    run_at(load_config(path, env_for(emu)), clock, clock.now)


@pytest.mark.parametrize("mode", ["append", "upsert"])
def test_a_backfill_of_earlier_days_keeps_the_history_in_date_order(tmp_path: Path, make_emulator, mode: str) -> None:
    """Four daily runs, then a range of earlier days: the history holds all nine days once each, oldest first."""
    clock = Clock(FIRST_RUN)
    emu = make_emulator(clock=clock.timestamp)
    cfg = make_config(tmp_path, emu, mode=mode)
    runs_on_days(cfg, clock, 4)
    assert [row[0] for row in csv_rows(tmp_path / "out" / "daily.csv")[1:]] == DAYS_KEPT
    backfill(tmp_path, emu, clock)
    assert [row[0] for row in csv_rows(tmp_path / "out" / "daily.csv")[1:]] == DAYS_BACKFILLED + DAYS_KEPT
    book_days = [row[0] for row in sheet_rows(tmp_path / "out" / "book.xlsx", "Daily")[1:]]
    assert book_days == [dt.date.fromisoformat(day) for day in DAYS_BACKFILLED + DAYS_KEPT]


def test_back_to_the_rolling_range_after_a_backfill_fills_the_gap_in_order(tmp_path: Path, make_emulator) -> None:
    """After a backfill of 1-5 June the next daily run fetches from there on: 1-13 June, each day once, in order."""
    clock = Clock(FIRST_RUN)
    emu = make_emulator(clock=clock.timestamp)
    cfg = make_config(tmp_path, emu, mode="upsert")
    runs_on_days(cfg, clock, 4)
    backfill(tmp_path, emu, clock)
    run_at(cfg, clock, FIRST_RUN + dt.timedelta(days=4))
    days = [row[0] for row in csv_rows(tmp_path / "out" / "daily.csv")[1:]]
    assert days == [(dt.date(2026, 6, 1) + dt.timedelta(days=n)).isoformat() for n in range(13)]
