"""Tests of the run history in a real SQLite file."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa

from sheets_sync.history import HistoryError, RunHistory, RunRecord, _database_error, one_line_error, sqlite_url
from sheets_sync.redaction import register_secret

T0 = dt.datetime(2026, 6, 1, 8, 0, tzinfo=dt.UTC)


def _record(report: str, minutes: int, **kw) -> RunRecord:
    start = T0 + dt.timedelta(minutes=minutes)
    return RunRecord(run_id=f"run{minutes}", started_at=start, finished_at=start + dt.timedelta(seconds=3),
                     report=report, status=kw.pop("status", "ok"), **kw)


def test_records_round_trip_newest_first(tmp_path: Path) -> None:
    """Recorded runs come back with every field, newest first, times in UTC."""
    history = RunHistory(sqlite_url(tmp_path / "state"))
    history.record([_record("a", 0, rows=5, pages=1, requests=2, retries=0, output="x.csv")])
    history.record([_record("b", 10, status="failed", error="boom")])
    got = history.recent(10)
    assert [r.report for r in got] == ["b", "a"]
    assert got[1] == _record("a", 0, rows=5, pages=1, requests=2, retries=0, output="x.csv")
    assert got[0].status == "failed" and got[0].error == "boom"
    assert (tmp_path / "state" / "history.sqlite").is_file()


def test_limit_returns_only_the_most_recent(tmp_path: Path) -> None:
    """`recent(limit)` returns at most `limit` records, the newest ones."""
    history = RunHistory(sqlite_url(tmp_path))
    history.record([_record(f"r{i}", i) for i in range(5)])
    assert [r.report for r in history.recent(2)] == ["r4", "r3"]


def test_reading_a_missing_history_creates_nothing(tmp_path: Path) -> None:
    """Listing before any run returns nothing and does not create the database file."""
    assert RunHistory(sqlite_url(tmp_path / "state")).recent() == []
    assert not (tmp_path / "state").exists()


def test_secrets_never_reach_the_database(tmp_path: Path) -> None:
    """A registered secret and a bearer token in an error are masked before the row is written."""
    register_secret("history-test-secret-42")
    history = RunHistory(sqlite_url(tmp_path))
    history.record([_record("a", 0, status="failed",
                            error="login failed for history-test-secret-42\nAuthorization: Bearer abc.def")])
    raw = (tmp_path / "history.sqlite").read_bytes()
    assert b"history-test-secret-42" not in raw and b"abc.def" not in raw
    with sqlite3.connect(tmp_path / "history.sqlite") as conn:
        (error,) = conn.execute("select error from runs").fetchone()
    assert "\n" not in error and "***" in error


def test_long_errors_are_cut_to_one_bounded_line() -> None:
    """An error message is stored as a single line of at most 500 characters."""
    stored = one_line_error("x " * 1000)
    assert stored is not None and len(stored) == 500 and "\n" not in stored


def test_unopenable_database_is_a_history_error(tmp_path: Path) -> None:
    """A database that cannot be opened is a HistoryError, not a raw SQLAlchemy traceback."""
    (tmp_path / "dir.sqlite").mkdir()
    with pytest.raises(HistoryError, match="run history"):
        RunHistory(f"sqlite:///{tmp_path / 'dir.sqlite'}").record([_record("a", 0)])


def test_database_errors_read_the_same_with_or_without_a_driver_error(tmp_path: Path) -> None:
    """A driver's error is shown by its own words; an error SQLAlchemy raises itself (no `orig`) by its text."""
    engine = sa.create_engine(sqlite_url(tmp_path))
    with pytest.raises(sa.exc.OperationalError) as driver, engine.connect() as conn:
        conn.execute(sa.text("SELECT * FROM missing"))
    assert _database_error(driver.value) == "no such table: missing"
    with pytest.raises(sa.exc.CompileError) as own:
        sa.insert(sa.table("runs", sa.column("id"))).values(nope=1).compile()
    assert _database_error(own.value) == "Unconsumed column names: nope"
