"""End-to-end tests of the Google Sheets sink: a config run against the Later API emulator, written over real HTTP
to the Sheets emulator (SHEETS_EMULATOR_HOST), read back through gspread and the emulator's own state."""

from __future__ import annotations

import datetime as dt
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import gspread
import pytest

from sheets_sync.cli import main
from sheets_sync.config import load_config
from sheets_sync.orchestrator import run_config
from sheets_sync.report import Column, ColumnKind, Table, TableMeta
from sheets_sync.resolved import resolve_reports
from sheets_sync.sheets_emulator.server import RunningSheetsEmulator
from sheets_sync.sinks.base import ReportTable, SinkContext
from sheets_sync.sinks.google_sheets import GoogleSheetsSink
from sheets_sync.sinks.google_sheets.connection import connect
from sheets_sync.sinks.registry import registered

NOW = dt.datetime(2026, 7, 1, 9, 0, tzinfo=dt.UTC)
KEY = "sheet-key-0001"
CAMPAIGN_COLUMNS = """    columns:
      - {field: campaignName, header: Campaign}
      - {field: startDate, header: Start}
      - {field: metrics.impressions, header: Impressions}
      - {field: metrics.engagementRate, header: Engagement Rate}
      - {field: metrics.estimatedRoi, header: Est. ROI}
"""


def config_text(later_url: str, reports: list[tuple[str, str, str, str]], keys: dict[str, str],
                date_range: str = "{start: 2026-04-01, end: 2026-06-30}") -> str:
    """A config whose destinations are spreadsheets (name → key) and reports (name, endpoint, destination, tab)."""
    lines = ["timezone: UTC", "api:", f"  base_url: {later_url}", "  client_id: demo-client",
             "  client_secret: ${LATER_CLIENT_SECRET}", "  pagination: page", "  page_size: 100", "defaults:",
             f"  date_range: {date_range}", "destinations:"]
    lines += [f"  {name}: {{type: google_sheets, spreadsheet: {key}}}" for name, key in keys.items()]
    lines.append("reports:")
    for name, endpoint, destination, tab in reports:
        metrics = "[impressions, engagementRate, estimatedRoi]" if endpoint == "campaigns/performance" \
            else "[impressions]"
        columns = CAMPAIGN_COLUMNS if endpoint == "campaigns/performance" else ""
        lines.append(f"  - name: {name}\n    endpoint: {endpoint}\n    metrics: {metrics}\n{columns}"
                     f"    destination: {destination}\n    tab: {tab}")
    return "\n".join(lines) + "\n"


@pytest.fixture
def sheets(sheets_emulator: RunningSheetsEmulator, monkeypatch: pytest.MonkeyPatch) -> RunningSheetsEmulator:
    """The Sheets emulator, named by SHEETS_EMULATOR_HOST, with spreadsheet KEY created."""
    monkeypatch.setenv("SHEETS_EMULATOR_HOST", sheets_emulator.host)
    monkeypatch.setenv("LATER_CLIENT_SECRET", "demo-secret")
    sheets_emulator.service.create_spreadsheet(KEY, "Influence")
    return sheets_emulator


@pytest.fixture
def later(make_emulator: Callable[..., Any]) -> Any:
    """A fresh Later API emulator of the test's own (its request counts belong to the test)."""
    return make_emulator(pagination="page", seed=1)


@pytest.fixture
def gc(sheets: RunningSheetsEmulator) -> gspread.Client:
    """A gspread client reading the emulator as the sink does."""
    return connect("reader", None, {"SHEETS_EMULATOR_HOST": sheets.host}).client


def write_config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sync.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def run(tmp_path: Path, later: Any, reports: list[tuple[str, str, str, str]], keys: dict[str, str] | None = None,
        sink: GoogleSheetsSink | None = None, **kwargs: Any) -> Any:
    cfg = load_config(write_config(tmp_path, config_text(later.url, reports, keys or {"book": KEY})), os.environ)
    if sink is None:
        return run_config(cfg, now=NOW, **kwargs)
    with registered("google_sheets", sink):
        return run_config(cfg, now=NOW, **kwargs)


def writes(sheets: RunningSheetsEmulator, method: str = "sheets.spreadsheets.batchUpdate") -> list[Any]:
    return [r for r in sheets.service.requests_log if r.method_id == method]


CAMPAIGNS = [("Campaigns", "campaigns/performance", "book", "Campaigns")]


def test_a_run_writes_typed_values_and_text_that_looks_like_a_formula_stays_text(
        tmp_path: Path, sheets: RunningSheetsEmulator, later: Any, gc: gspread.Client) -> None:
    """Numbers are numbers, dates serials, null empty; `=HYPERLINK(…)` from the API reads back as a string."""
    summary = run(tmp_path, later, CAMPAIGNS)
    assert summary.exit_code == 0, [o.error for o in summary.outcomes]
    assert summary.outcomes[0].outputs == [f"Google Sheets {KEY} \u203a Campaigns"]
    table = summary.tables["Campaigns"]
    rows = [list(r) for r in table.rows]
    ws = gc.open_by_key(KEY).worksheet("Campaigns")
    unformatted = ws.get_all_values(value_render_option="UNFORMATTED_VALUE")
    formulas = ws.get_all_values(value_render_option="FORMULA")
    assert unformatted[0] == ["Campaign", "Start", "Impressions", "Engagement Rate", "Est. ROI"]
    assert len(unformatted) == len(rows) + 1
    hostile = [r[0] for r in rows if isinstance(r[0], str) and r[0].startswith(("=", "+", "-", "@"))]
    assert hostile, "the Later emulator's first campaigns carry formula-looking names"
    book = sheets.service.spreadsheet(KEY)
    grid = book.sheet_by_title("Campaigns")
    assert grid is not None
    for index, row in enumerate(rows, start=1):
        name, start, impressions = row[0], row[1], row[2]
        assert formulas[index][0] == name and unformatted[index][0] == name
        assert "stringValue" in grid.cell(index, 0)["userEnteredValue"]      # never a formulaValue
        assert unformatted[index][2] == impressions and isinstance(unformatted[index][2], int)
        expected = (start - dt.date(1899, 12, 30)).days if start else ""
        assert unformatted[index][1] == expected
    nulls = [(i, j) for i, row in enumerate(rows, start=1) for j, v in enumerate(row) if v is None]
    assert all(grid.cell(i, j) .get("userEnteredValue") is None for i, j in nulls)


def test_a_tab_gets_formats_a_bold_frozen_header_a_filter_a_note_and_a_named_range(
        tmp_path: Path, sheets: RunningSheetsEmulator, later: Any) -> None:
    """Column formats follow the kinds; header bold and frozen; filter and named range cover header + rows."""
    summary = run(tmp_path, later, CAMPAIGNS)
    rows = len(list(summary.tables["Campaigns"].rows))
    grid = sheets.service.spreadsheet(KEY).sheet_by_title("Campaigns")
    assert grid is not None
    assert (grid.rows, grid.cols) == (rows + 1, 5)
    assert grid.properties["gridProperties"]["frozenRowCount"] == 1
    formats = [grid.cell(1, c).get("userEnteredFormat", {}).get("numberFormat") for c in range(5)]
    assert formats == [None, {"type": "DATE", "pattern": "yyyy-mm-dd"}, {"type": "NUMBER", "pattern": "#,##0"},
                       {"type": "NUMBER", "pattern": '0.00"%"'}, {"type": "PERCENT", "pattern": "0.00%"}]
    assert all(grid.cell(0, c)["userEnteredFormat"]["textFormat"]["bold"] for c in range(5))
    note = grid.cell(0, 0)["note"]
    assert "Refreshed 2026-07-01 09:00 UTC" in note and "Report: Campaigns" in note
    assert "Period: 2026-04-01 to 2026-06-30" in note
    full = {"startRowIndex": 0, "endRowIndex": rows + 1, "startColumnIndex": 0, "endColumnIndex": 5}
    assert grid.basic_filter is not None and grid.basic_filter["range"] == {"sheetId": grid.sheet_id, **full}
    named = sheets.service.spreadsheet(KEY).named_range("data_campaigns")
    assert named is not None and named["range"] == {"sheetId": grid.sheet_id, **full}
    assert sheets.service.spreadsheet(KEY).sheet_by_title("Sheet1") is not None  # not named: never touched


def test_a_shorter_refresh_leaves_no_row_or_column_of_the_longer_one_and_keeps_the_named_range(
        tmp_path: Path, sheets: RunningSheetsEmulator, later: Any) -> None:
    """After a refresh with fewer rows and columns the grid is exactly rows+1 × columns, named range shrunk."""
    first = run(tmp_path, later, CAMPAIGNS)
    long_rows = len(list(first.tables["Campaigns"].rows))
    cfg_text = config_text(later.url, CAMPAIGNS, {"book": KEY}).replace(
        "      - {field: metrics.estimatedRoi, header: Est. ROI}\n", "").replace("tab: Campaigns",
                                                                            "tab: Campaigns\n    max_rows: 5")
    summary = run_config(load_config(write_config(tmp_path, cfg_text), os.environ), now=NOW)
    short_rows = len(list(summary.tables["Campaigns"].rows))
    assert short_rows < long_rows
    book = sheets.service.spreadsheet(KEY)
    grid = book.sheet_by_title("Campaigns")
    assert grid is not None and (grid.rows, grid.cols) == (short_rows + 1, 4)
    assert max(r for r, _ in grid.cells) == short_rows and max(c for _, c in grid.cells) == 3
    named = book.named_range("data_campaigns")
    assert named is not None and named["range"]["endRowIndex"] == short_rows + 1
    assert len(book.named_ranges) == 1


def test_check_fails_a_missing_spreadsheet_before_any_reporting_api_request_with_exit_2(
        tmp_path: Path, sheets: RunningSheetsEmulator, later: Any, capsys: pytest.CaptureFixture[str]) -> None:
    """`run` on a spreadsheet key the emulator does not have: one error line naming destination and key, exit 2."""
    path = write_config(tmp_path, config_text(later.url, CAMPAIGNS, {"book": "no-such-sheet-key"}))
    code = main(["run", str(path)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert err == ["sheets-sync: error: destination 'book': spreadsheet no-such-sheet-key was not found by the "
                   "emulator; check the key or URL (and that the spreadsheet is shared with the emulator)"]
    assert later.stats.total == 0


def test_check_fails_an_unshared_or_read_only_spreadsheet_naming_the_account(
        tmp_path: Path, sheets: RunningSheetsEmulator, later: Any) -> None:
    """403 on open: "not shared with"; 403 on the probe write: "not shared ... as editor"; nothing fetched."""
    from sheets_sync.errors import DestinationAccessError

    sheets.service.set_access(KEY, shared=False)
    with pytest.raises(DestinationAccessError, match=r"spreadsheet sheet-key-0001 is not shared with the emulator;"):
        run(tmp_path, later, CAMPAIGNS)
    sheets.service.set_access(KEY, shared=True, writable=False)
    with pytest.raises(DestinationAccessError, match=r"not shared with the emulator as editor"):
        run(tmp_path, later, CAMPAIGNS)
    assert later.stats.total == 0


def test_injected_429s_and_503s_are_retried_with_jittered_backoff_and_the_run_succeeds(
        tmp_path: Path, sheets: RunningSheetsEmulator, later: Any) -> None:
    """Two 429s then a 503 on the first calls: waited (full jitter under the doubling cap), then written."""
    waits: list[float] = []
    sheets.service.faults.fail_next(2, 429)
    sheets.service.faults.fail_next(1, 503)
    summary = run(tmp_path, later, CAMPAIGNS, sink=GoogleSheetsSink(sleep=waits.append, rand=lambda: 0.5))
    assert summary.exit_code == 0, [o.error for o in summary.outcomes]
    assert waits == [0.5, 1.0, 2.0]
    assert [r.status for r in sheets.service.requests_log[:4]] == [429, 429, 503, 200]


def test_a_refused_request_fails_the_destination_with_googles_message_and_is_not_retried(
        tmp_path: Path, sheets: RunningSheetsEmulator, later: Any) -> None:
    """A 400 is Google's final word: no retry, the reports fail with `Google Sheets said: … (HTTP 400)`."""
    waits: list[float] = []
    real_handle = sheets.service.handle
    refused = {"count": 0}

    def refuse_the_refresh(request: Any) -> Any:
        if request.path.endswith(":batchUpdate") and b"setBasicFilter" in request.body:
            sheets.service.faults.fail_next(1, 400)
            refused["count"] += 1
        return real_handle(request)

    sheets.service.handle = refuse_the_refresh  # type: ignore[method-assign]  # a fault on one kind of request
    summary = run(tmp_path, later, CAMPAIGNS, sink=GoogleSheetsSink(sleep=waits.append))
    assert summary.outcomes[0].status == "failed" and waits == [] and refused["count"] == 1
    assert summary.outcomes[0].error == ("destination 'book': Google Sheets said: Injected fault. (HTTP 400)")
    assert sheets.service.spreadsheet(KEY).sheet_by_title("Campaigns") is None  # all or nothing


def test_ten_tabs_in_three_spreadsheets_get_no_429_under_the_default_quota(
        tmp_path: Path, sheets: RunningSheetsEmulator, later: Any) -> None:
    """Default emulator quota (60 writes/min/user): 3 check probes + 3 refreshes, zero 429s, every tab written."""
    keys = {"one": KEY, "two": "sheet-key-0002", "three": "sheet-key-0003"}
    for key in list(keys.values())[1:]:
        sheets.service.create_spreadsheet(key)
    endpoints = ["campaigns/performance", "platforms/performance", "instances/performance"]
    reports = [(f"R{i}", endpoints[i % 3], list(keys)[i % 3], f"Tab {i}") for i in range(10)]
    summary = run(tmp_path, later, reports, keys)
    assert summary.exit_code == 0, [o.error for o in summary.outcomes]
    assert [r.status for r in sheets.service.requests_log if r.status == 429] == []
    assert len(writes(sheets)) == 6
    for i in range(10):
        assert sheets.service.spreadsheet(keys[list(keys)[i % 3]]).sheet_by_title(f"Tab {i}") is not None


class TestLargeRefresh:
    """A refresh over 2 MB of JSON: staged in hidden tabs, swapped in one batch that keeps the live sheetId."""

    ROWS = 12_000

    @pytest.fixture
    def big(self, tmp_path: Path, sheets: RunningSheetsEmulator, later: Any) -> Callable[..., Any]:
        cfg = load_config(write_config(tmp_path, config_text(later.url, CAMPAIGNS, {"book": KEY})), os.environ)
        report = resolve_reports(cfg, cfg.reports, NOW)[0]
        columns = [Column("campaignName", "Campaign"), Column("metrics.impressions", "Impressions",
                                                                ColumnKind.INTEGER)]
        context = SinkContext(config=cfg, now=NOW, periods={report.name: (report.start, report.end)},
                              lock_dir=tmp_path / "locks")

        def write(rows: int, sink: GoogleSheetsSink | None = None) -> Any:
            data = [[f"campaign {i:05d} " + "x" * 150, i] for i in range(rows)]
            table = Table(columns, data, TableMeta(report="Campaigns", endpoint="campaigns/performance"))
            return (sink or GoogleSheetsSink()).write("book", cfg.destinations["book"], [ReportTable(report, table)],
                                                      context)

        return write

    def test_a_formula_on_another_tab_keeps_its_sheet_after_a_small_and_a_large_refresh(
            self, sheets: RunningSheetsEmulator, gc: gspread.Client, big: Callable[..., Any]) -> None:
        """`=SUM('Campaigns'!B:B)` on a user's tab still points at the same sheetId; the big write was staged."""
        assert big(3).failures == {}
        book = gc.open_by_key(KEY)
        live_id = book.worksheet("Campaigns").id
        book.sheet1.update([["=SUM('Campaigns'!B:B)"]], "A1", value_input_option="USER_ENTERED")
        before = len(writes(sheets))
        result = big(self.ROWS)
        assert result.failures == {}, result.failures
        sent = writes(sheets)[before:]
        assert len(sent) >= 3 and all(r.body_bytes <= 2_000_000 for r in sent)
        assert sum(r.body_bytes for r in sent) > 2_000_000
        after = sheets.service.spreadsheet(KEY)
        live = after.sheet_by_title("Campaigns")
        assert live is not None and live.sheet_id == live_id and live.rows == self.ROWS + 1
        assert [s.title for s in after.sheets] == ["Sheet1", "Campaigns"]  # no staging tab left
        assert book.sheet1.get("A1", value_render_option="FORMULA") == [["=SUM('Campaigns'!B:B)"]]
        assert "#REF" not in str(book.sheet1.get("A1"))
        assert live.cell(self.ROWS, 1)["userEnteredValue"] == {"numberValue": self.ROWS - 1}

    def test_a_failure_mid_staging_leaves_the_old_data_and_the_next_run_removes_the_staging_tab(
            self, sheets: RunningSheetsEmulator, big: Callable[..., Any]) -> None:
        """A 400 on the second staging fill: the live tab keeps yesterday's rows; the next run deletes the leftover."""
        assert big(3).failures == {}
        real_handle = sheets.service.handle
        fills = {"count": 0}

        def fail_second_fill(request: Any) -> Any:
            if request.path.endswith(":batchUpdate") and b"__staging_" not in request.body \
                    and b'"fields": "userEnteredValue"' in request.body and b"copyPaste" not in request.body:
                fills["count"] += 1
                if fills["count"] == 2:
                    sheets.service.faults.fail_next(1, 400)
            return real_handle(request)

        sheets.service.handle = fail_second_fill  # type: ignore[method-assign]  # a fault mid-staging
        failed = big(self.ROWS)
        sheets.service.handle = real_handle  # type: ignore[method-assign]  # the fault is over
        assert failed.failures["Campaigns"].endswith("(HTTP 400)")
        book = sheets.service.spreadsheet(KEY)
        live = book.sheet_by_title("Campaigns")
        assert live is not None and live.rows == 4
        staging = [s.title for s in book.sheets if "__staging_" in s.title]
        assert len(staging) == 1 and book.sheets[-1].hidden
        assert big(5).failures == {}
        after = sheets.service.spreadsheet(KEY)
        assert [s.title for s in after.sheets] == ["Sheet1", "Campaigns"]

    def test_two_concurrent_writes_of_one_spreadsheet_never_interleave_their_batches(
            self, sheets: RunningSheetsEmulator, big: Callable[..., Any]) -> None:
        """Two staged refreshes at once: the request log shows one whole refresh, then the other."""
        sheets.service.faults.delay = 0.01  # each answer takes a moment, so unlocked writers would interleave
        results: list[Any] = []
        threads = [threading.Thread(target=lambda n=n: results.append(big(n))) for n in (self.ROWS, self.ROWS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert [r.failures for r in results] == [{}, {}]
        kinds = ["read" if r.method_id == "sheets.spreadsheets.get" else "write" for r in sheets.service.requests_log]
        batches_per_run = (len(kinds) - 2) // 2
        assert kinds == ["read", *["write"] * batches_per_run, "read", *["write"] * batches_per_run]


def test_the_bundled_demo_sheets_config_fills_three_tabs_of_the_demo_spreadsheet(
        tmp_path: Path, sheets_emulator: RunningSheetsEmulator, monkeypatch: pytest.MonkeyPatch) -> None:
    """README's second command: `demo --config config/demo-sheets.yaml` with SHEETS_EMULATOR_HOST, exit 0."""
    monkeypatch.setenv("SHEETS_EMULATOR_HOST", sheets_emulator.host)
    sheets_emulator.service.create_spreadsheet("demo-sheet")
    config = Path(__file__).resolve().parents[3] / "config" / "demo-sheets.yaml"
    assert main(["demo", "--config", str(config), "--output-dir", str(tmp_path)]) == 0
    book = sheets_emulator.service.spreadsheet("demo-sheet")
    assert [s.title for s in book.sheets] == ["Sheet1", "Campaigns", "Channels", "Trend"]
    assert all(s.rows > 2 for s in book.sheets[1:])


def test_a_fifty_thousand_character_text_is_cut_with_a_warning_and_ten_million_cells_are_refused(
        tmp_path: Path, sheets: RunningSheetsEmulator, later: Any, caplog: pytest.LogCaptureFixture) -> None:
    """Through the sink over HTTP: the long cell is cut and warned about; a refresh past 10M cells sends nothing."""
    cfg = load_config(write_config(tmp_path, config_text(later.url, CAMPAIGNS, {"book": KEY})), os.environ)
    report = resolve_reports(cfg, cfg.reports, NOW)[0]
    context = SinkContext(config=cfg, now=NOW, lock_dir=tmp_path / "locks")
    columns = [Column("campaignName", "Campaign"), Column("description", "Description")]
    table = Table(columns, [["a", "short"], ["b", "z" * 60_000]], TableMeta(report="Campaigns", endpoint="x"))
    result = GoogleSheetsSink().write("book", cfg.destinations["book"], [ReportTable(report, table)], context)
    assert result.failures == {}
    assert result.warnings == ["destination 'book': report 'Campaigns' (tab 'Campaigns'): text longer than 50,000 "
                               "characters cut to fit a Google Sheets cell at row 3, column 'Description'"]
    grid = sheets.service.spreadsheet(KEY).sheet_by_title("Campaigns")
    assert grid is not None and len(grid.cell(2, 1)["userEnteredValue"]["stringValue"]) == 50_000
    connect("t", None, os.environ).client.open_by_key(KEY).add_worksheet("Archive", rows=9_973_990, cols=1)
    before = len(sheets.service.requests_log)  # 26,000 (Sheet1) + 9,973,990 (Archive) + 6 (Campaigns) cells now
    more = Table(columns, [[str(i), "x"] for i in range(5)], TableMeta(report="Campaigns", endpoint="x"))
    refused = GoogleSheetsSink().write("book", cfg.destinations["book"], [ReportTable(report, more)], context)
    assert refused.failures["Campaigns"] == (
        "destination 'book': the refresh would make the spreadsheet 10,000,002 cells (all tabs' grids), above Google "
        "Sheets' limit of 10,000,000; nothing was written")
    assert [r.method_id for r in sheets.service.requests_log[before:]] == ["sheets.spreadsheets.get"]
