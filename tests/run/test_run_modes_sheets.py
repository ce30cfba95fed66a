"""append / upsert / lookback on the whole path to Google Sheets: config → Later emulator (restating late data, moving
fake clock) → Google Sheets sink → Sheets emulator, read back as cell values."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from sheets_sync.config import load_config
from sheets_sync.orchestrator import RunSummary, history_for, run_config
from sheets_sync.sheets_emulator.server import RunningSheetsEmulator
from sheets_sync.sinks.google_sheets.connection import connect
from tests.run.run_helpers import env_for, write_config
from tests.run.test_run_modes import FIRST_RUN, RESTATE_DAYS, Clock

BATCH = "sheets.spreadsheets.batchUpdate"
HISTORY_KEY, FRESH_KEY = "history-book-0001", "fresh-book-00001"
CONFIG = """\
timezone: UTC
api: {{base_url: "${{LATER_API_URL}}", client_id: "${{LATER_CLIENT_ID}}", client_secret: "${{LATER_CLIENT_SECRET}}",
      pagination: page, page_size: 100}}
destinations:
  sheet: {{type: google_sheets, spreadsheet: {key}}}
reports:
  - name: Daily
    endpoint: instances/performance-over-time
    metrics: [impressions, engagements]
    granularity: day
    date_range: {date_range}
    destination: sheet
    tab: Daily
    mode: {mode}
{extra}"""


@pytest.fixture
def sheets(sheets_emulator: RunningSheetsEmulator, monkeypatch: pytest.MonkeyPatch) -> RunningSheetsEmulator:
    """The Sheets emulator named by SHEETS_EMULATOR_HOST, holding the history and the fresh spreadsheets."""
    monkeypatch.setenv("SHEETS_EMULATOR_HOST", sheets_emulator.host)
    for key in (HISTORY_KEY, FRESH_KEY):
        sheets_emulator.service.create_spreadsheet(key)
    return sheets_emulator


def make_config(folder: Path, emu: Any, *, key: str = HISTORY_KEY, mode: str = "upsert",
                date_range: str = "yesterday", lookback: str | None = "7d") -> Any:
    folder.mkdir(parents=True, exist_ok=True)
    text = CONFIG.format(key=key, mode=mode, date_range=date_range,
                         extra=f"    lookback: {lookback}\n" if lookback else "")
    return load_config(write_config(folder, text), env_for(emu))


def run_at(cfg: Any, clock: Clock, when: dt.datetime, *, ok: bool = True) -> RunSummary:
    clock.now = when
    summary = run_config(cfg, now=when, history=history_for(cfg))
    if ok:
        assert summary.exit_code == 0, [o.error for o in summary.outcomes]
    return summary


def values(sheets: RunningSheetsEmulator, key: str, tab: str = "Daily") -> list[list[Any]]:
    """The tab's cells as Google answers UNFORMATTED_VALUE (numbers as numbers, dates as serials)."""
    client = connect("reader", None, {"SHEETS_EMULATOR_HOST": sheets.host}).client
    return client.open_by_key(key).worksheet(tab).get_all_values(value_render_option="UNFORMATTED_VALUE")


def batches(sheets: RunningSheetsEmulator) -> int:
    return sum(1 for r in sheets.service.requests_log if r.method_id == BATCH)


def test_sheets_daily_upserts_with_lookback_equal_one_fresh_fetch_into_another_spreadsheet(
        tmp_path: Path, make_emulator: Any, sheets: RunningSheetsEmulator) -> None:
    """Ten daily upsert runs with lookback 7d against restating data build the tab one full fetch gives at the end."""
    clock = Clock(FIRST_RUN)
    emu = make_emulator(restate_days=RESTATE_DAYS, clock=clock.timestamp)
    cfg = make_config(tmp_path / "daily", emu)
    for day in range(10):
        run_at(cfg, clock, FIRST_RUN + dt.timedelta(days=day))
    fresh = make_config(tmp_path / "fresh", emu, key=FRESH_KEY, mode="replace",
                        date_range="{start: 2026-06-09, end: 2026-06-18}", lookback=None)
    summary = run_config(fresh, now=clock.now, history=None)
    assert summary.exit_code == 0
    built, expected = values(sheets, HISTORY_KEY), values(sheets, FRESH_KEY)
    assert built == expected
    assert len(built) == 11 and built[1][0] == 46182 and built[-1][0] == 46191  # 2026-06-09 … 2026-06-18 serials


def test_sheets_without_lookback_the_restated_numbers_stay_stale(
        tmp_path: Path, make_emulator: Any, sheets: RunningSheetsEmulator) -> None:
    """The same runs without lookback differ from the fresh fetch: the check above can fail."""
    clock = Clock(FIRST_RUN)
    emu = make_emulator(restate_days=RESTATE_DAYS, clock=clock.timestamp)
    cfg = make_config(tmp_path / "daily", emu, lookback=None)
    for day in range(6):
        run_at(cfg, clock, FIRST_RUN + dt.timedelta(days=day))
    fresh = make_config(tmp_path / "fresh", emu, key=FRESH_KEY, mode="replace",
                        date_range="{start: 2026-06-09, end: 2026-06-14}", lookback=None)
    assert run_config(fresh, now=clock.now, history=None).exit_code == 0
    built, expected = values(sheets, HISTORY_KEY), values(sheets, FRESH_KEY)
    assert [r[0] for r in built] == [r[0] for r in expected] and built != expected


def test_sheets_the_same_run_twice_gives_identical_cell_values_in_one_refresh_batch(
        tmp_path: Path, make_emulator: Any, sheets: RunningSheetsEmulator) -> None:
    """Rerunning with the same clock leaves every cell value as it was; the rerun writes one refresh batch."""
    clock = Clock(FIRST_RUN)
    emu = make_emulator(restate_days=RESTATE_DAYS, clock=clock.timestamp)
    cfg = make_config(tmp_path, emu)
    run_at(cfg, clock, FIRST_RUN)
    run_at(cfg, clock, FIRST_RUN + dt.timedelta(days=1))
    before, sent = values(sheets, HISTORY_KEY), batches(sheets)
    run_at(cfg, clock, clock.now)
    assert values(sheets, HISTORY_KEY) == before
    assert batches(sheets) - sent == 2  # the check's no-change probe, then the one refresh batch


def test_sheets_a_failed_write_leaves_the_previous_tab_and_the_rerun_neither_loses_nor_doubles_rows(
        tmp_path: Path, make_emulator: Any, sheets: RunningSheetsEmulator) -> None:
    """The refresh batch refused (HTTP 400): the tab keeps yesterday's rows; the next run holds every day once."""
    clock = Clock(FIRST_RUN)
    emu = make_emulator(clock=clock.timestamp)
    cfg = make_config(tmp_path, emu)
    run_at(cfg, clock, FIRST_RUN)
    before = values(sheets, HISTORY_KEY)
    real_handle = sheets.service.handle

    def refuse_the_refresh(request: Any) -> Any:
        if request.path.endswith(":batchUpdate") and b"setBasicFilter" in request.body:
            sheets.service.faults.fail_next(1, 400)
        return real_handle(request)

    sheets.service.handle = refuse_the_refresh  # type: ignore[method-assign]  # a fault on the refresh only
    failed = run_at(cfg, clock, FIRST_RUN + dt.timedelta(days=1), ok=False)
    sheets.service.handle = real_handle  # type: ignore[method-assign]  # the fault is over
    assert failed.exit_code == 1 and "Injected fault" in str(failed.outcomes[0].error)
    assert values(sheets, HISTORY_KEY) == before
    run_at(cfg, clock, FIRST_RUN + dt.timedelta(days=2))
    days = [row[0] for row in values(sheets, HISTORY_KEY)[1:]]
    assert days == [46182, 46183, 46184]  # 2026-06-09, -10, -11: nothing lost, nothing doubled


def test_sheets_a_hand_edit_inside_the_managed_range_is_overwritten_by_the_next_run(
        tmp_path: Path, make_emulator: Any, sheets: RunningSheetsEmulator) -> None:
    """A number typed into the data tab is replaced by the stored value on the next run (docs/modes.md)."""
    clock = Clock(FIRST_RUN)
    emu = make_emulator(clock=clock.timestamp)
    cfg = make_config(tmp_path, emu)
    run_at(cfg, clock, FIRST_RUN)
    written = values(sheets, HISTORY_KEY)
    client = connect("editor", None, {"SHEETS_EMULATOR_HOST": sheets.host}).client
    client.open_by_key(HISTORY_KEY).worksheet("Daily").update([[424242]], "C2")
    assert values(sheets, HISTORY_KEY)[1][2] == 424242
    run_at(cfg, clock, FIRST_RUN)
    assert values(sheets, HISTORY_KEY) == written


def test_sheets_the_named_range_and_the_filter_follow_the_row_count_of_an_append_history(
        tmp_path: Path, make_emulator: Any, sheets: RunningSheetsEmulator) -> None:
    """Three appending daily runs: the tab, its basic filter and the data_daily named range span header + 3 rows."""
    clock = Clock(FIRST_RUN)
    emu = make_emulator(clock=clock.timestamp)
    cfg = make_config(tmp_path, emu, mode="append", lookback=None)
    for day in range(3):
        run_at(cfg, clock, FIRST_RUN + dt.timedelta(days=day))
        book = sheets.service.spreadsheet(HISTORY_KEY)
        grid = book.sheet_by_title("Daily")
        assert grid is not None and grid.rows == day + 2
        span = {"sheetId": grid.sheet_id, "startRowIndex": 0, "endRowIndex": day + 2, "startColumnIndex": 0,
                "endColumnIndex": grid.cols}
        named = book.named_range("data_daily")
        assert named is not None and named["range"] == span
        assert grid.basic_filter is not None and grid.basic_filter["range"] == span
    assert [row[0] for row in values(sheets, HISTORY_KEY)[1:]] == [46182, 46183, 46184]
