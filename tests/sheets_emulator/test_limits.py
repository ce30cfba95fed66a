"""Grid and size limits: 10 million cells, 50,000 characters a cell, writes outside the grid."""

from __future__ import annotations

import gspread
import pytest
import requests
from conftest import KEY, SHEETS

from sheets_sync.sheets_emulator.client_session import loopback_session
from sheets_sync.sheets_emulator.server import start_sheets_emulator

LIMIT_TEXT = "This action would increase the number of cells in the workbook above the limit of 10000000 cells."


def _batch(session: requests.Session, *requests_: dict) -> requests.Response:
    return session.post(f"{SHEETS}/{KEY}:batchUpdate", json={"requests": list(requests_)})


def test_a_sheet_that_passes_ten_million_cells_is_refused(book: gspread.Spreadsheet, session: requests.Session):
    """The limit counts every tab's whole grid: 26,000 cells + a 9,974,001-cell tab is one cell too many."""
    fits = _batch(session, {"addSheet": {"properties": {"title": "Big", "gridProperties": {
        "rowCount": 9_974_000, "columnCount": 1}}}})
    assert fits.status_code == 200
    reply = _batch(session, {"appendDimension": {"sheetId": fits.json()["replies"][0]["addSheet"]["properties"][
        "sheetId"], "dimension": "ROWS", "length": 1}})
    assert reply.status_code == 400
    assert reply.json()["error"]["message"] == f"Invalid requests[0].appendDimension: {LIMIT_TEXT}"


def test_growing_rows_before_shrinking_columns_can_pass_the_limit(book: gspread.Spreadsheet,
                                                                  session: requests.Session):
    """One updateSheetProperties that adds rows and drops columns fails when the new rows alone pass the limit."""
    grow_rows_shrink_cols = {"updateSheetProperties": {"properties": {"sheetId": 0, "gridProperties": {
        "rowCount": 500_000, "columnCount": 2}}, "fields": "gridProperties(rowCount,columnCount)"}}
    reply = _batch(session, grow_rows_shrink_cols)
    assert reply.json()["error"]["message"] == f"Invalid requests[0].updateSheetProperties: {LIMIT_TEXT}"
    shrink_first = {"updateSheetProperties": {"properties": {"sheetId": 0, "gridProperties": {"columnCount": 2}},
                                              "fields": "gridProperties.columnCount"}}
    assert _batch(session, shrink_first, grow_rows_shrink_cols).status_code == 200


def test_text_over_fifty_thousand_characters_is_refused(book: gspread.Spreadsheet, session: requests.Session):
    """50,000 characters fit in a cell; 50,001 are a 400 from values writes and from updateCells."""
    message = "Your input contains more than the maximum of 50000 characters in a single cell."
    ok = session.put(f"{SHEETS}/{KEY}/values/A1", params={"valueInputOption": "RAW"},
                     json={"values": [["x" * 50_000]]})
    assert ok.status_code == 200
    too_long = session.put(f"{SHEETS}/{KEY}/values/A2", params={"valueInputOption": "RAW"},
                           json={"values": [["x" * 50_001]]})
    assert (too_long.status_code, too_long.json()["error"]["message"]) == (400, message)
    cells = _batch(session, {"updateCells": {"start": {"sheetId": 0}, "fields": "userEnteredValue", "rows": [
        {"values": [{"userEnteredValue": {"stringValue": "y" * 50_001}}]}]}})
    assert cells.json()["error"]["message"] == f"Invalid requests[0].updateCells: {message}"


def test_values_write_outside_the_grid_is_400_by_default(book: gspread.Spreadsheet):
    """Strict by default: a write reaching past row 1000 answers Google's grid-limits text."""
    with pytest.raises(gspread.exceptions.APIError) as caught:
        book.sheet1.update([["a"], ["b"]], "A1000")
    assert caught.value.args[0]["message"] == (
        "Range ('Sheet1'!A1000) exceeds grid limits. Max rows: 1000, max columns: 26")
    assert book.sheet1.get_all_values() == [[]]


def test_anchor_expansion_option_grows_the_grid_for_anchor_only_writes():
    """With expand_anchor=True, a write at an anchor cell grows rows and columns to fit; a bounded range does not."""
    with start_sheets_emulator(expand_anchor=True) as emu:
        emu.service.create_spreadsheet(KEY)
        ws = gspread.Client(None, session=loopback_session(emu.url)).open_by_key(KEY).sheet1  # type: ignore[arg-type]  # no auth object
        ws.update([["a", "b"], ["c", "d"]], "Z1000")
        sheet = emu.service.spreadsheet(KEY).sheets[0]
        assert (sheet.rows, sheet.cols) == (1001, 27)
        with pytest.raises(gspread.exceptions.APIError):
            ws.update([["a"], ["b"]], "A1001:A1002")
