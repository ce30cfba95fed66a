"""values.get/update/append/clear and their batch forms, through gspread and raw HTTP."""

from __future__ import annotations

import gspread
import requests
from conftest import KEY, SHEETS


def _put(session: requests.Session, rng: str, values: object, option: str = "RAW", **params: str) -> dict:
    reply = session.put(f"{SHEETS}/{KEY}/values/{requests.utils.quote(rng, safe='')}",
                        params={"valueInputOption": option, **params}, json={"values": values})
    assert reply.status_code == 200, reply.text
    return reply.json()


def test_raw_keeps_text_as_text_and_user_entered_parses(book: gspread.Spreadsheet, session: requests.Session):
    """RAW stores `=1+1`, `'x`, `12` as text; USER_ENTERED makes a formula, drops the quote, parses numbers/bools."""
    _put(session, "Sheet1!A1", [["=1+1", "'x", "12", "true"]], "RAW")
    _put(session, "Sheet1!A2", [["=1+1", "'x", "12", "true"]], "USER_ENTERED")
    raw = session.get(f"{SHEETS}/{KEY}/values/A1:D2", params={"valueRenderOption": "UNFORMATTED_VALUE"}).json()
    assert raw["values"] == [["=1+1", "'x", "12", "true"], [2, "x", 12, True]]
    formula = session.get(f"{SHEETS}/{KEY}/values/A1:A2", params={"valueRenderOption": "FORMULA"}).json()
    assert formula["values"] == [["=1+1"], ["=1+1"]]
    cells = session.get(f"{SHEETS}/{KEY}", params={"includeGridData": "true", "ranges": "A1:A2"}).json()
    row_data = cells["sheets"][0]["data"][0]["rowData"]
    assert row_data[0]["values"][0]["userEnteredValue"] == {"stringValue": "=1+1"}
    assert row_data[1]["values"][0]["userEnteredValue"] == {"formulaValue": "=1+1"}


def test_null_skips_a_cell_and_empty_string_clears_it(book: gspread.Spreadsheet, session: requests.Session):
    """In a written row, JSON null leaves the cell as it was and "" empties it."""
    _put(session, "A1", [["a", "b", "c"]])
    _put(session, "A1", [[None, "", "C"]])
    assert book.sheet1.get_all_values() == [["a", "", "C"]]


def test_trailing_empties_are_trimmed_and_values_absent_when_empty(book: gspread.Spreadsheet,
                                                                   session: requests.Session):
    """values.get drops trailing empty cells and rows, keeps inner ones as "", and omits `values` when empty."""
    _put(session, "A2", [["", "", "x", "", "z"]])
    row = session.get(f"{SHEETS}/{KEY}/values/%27Sheet1%27%21A2%3A2").json()
    assert row == {"range": "Sheet1!A2:Z2", "majorDimension": "ROWS", "values": [["", "", "x", "", "z"]]}
    empty = session.get(f"{SHEETS}/{KEY}/values/Sheet1%21D4").json()
    assert empty == {"range": "Sheet1!D4", "majorDimension": "ROWS"}


def test_updated_range_is_the_range_actually_written(book: gspread.Spreadsheet, session: requests.Session):
    """One row into `'Sheet1'!A1:B2` reports `Sheet1!A1:B1`, with rows, columns and cells counted."""
    reply = _put(session, "'Sheet1'!A1:B2", [["a", "b"]])
    assert reply == {"spreadsheetId": KEY, "updatedRange": "Sheet1!A1:B1", "updatedRows": 1, "updatedColumns": 2,
                     "updatedCells": 2}


def test_writing_more_than_a_bounded_range_holds_is_400(book: gspread.Spreadsheet, session: requests.Session):
    """Data wider than an explicit A1:B1 range is refused, naming the column it reached."""
    reply = session.put(f"{SHEETS}/{KEY}/values/A1%3AB1", params={"valueInputOption": "RAW"},
                        json={"values": [["a", "b", "c"]]})
    assert reply.status_code == 400
    assert reply.json()["error"]["message"] == (
        "Requested writing within range [A1:B1], but tried writing to column [C]")


def test_major_dimension_columns_reads_and_writes_by_column(book: gspread.Spreadsheet, session: requests.Session):
    """majorDimension=COLUMNS transposes both the written body and the read answer."""
    session.put(f"{SHEETS}/{KEY}/values/A1", params={"valueInputOption": "RAW"},
                json={"values": [["a", "b"], ["c"]], "majorDimension": "COLUMNS"})
    assert book.sheet1.get_all_values() == [["a", "c"], ["b", ""]]
    by_column = session.get(f"{SHEETS}/{KEY}/values/A1:B2", params={"majorDimension": "COLUMNS"}).json()
    assert by_column["values"] == [["a", "b"], ["c"]]


def test_render_options_format_numbers_dates_and_booleans(book: gspread.Spreadsheet, session: requests.Session):
    """FORMATTED_VALUE applies number formats; UNFORMATTED gives numbers; FORMATTED_STRING formats date serials."""
    _put(session, "A1", [[1234.5, 45292.5, True, 0.25]])
    book.sheet1.format("A1", {"numberFormat": {"type": "NUMBER", "pattern": "#,##0.00"}})
    book.sheet1.format("B1", {"numberFormat": {"type": "DATE_TIME", "pattern": "yyyy-mm-dd hh:mm"}})
    book.sheet1.format("D1", {"numberFormat": {"type": "PERCENT", "pattern": "0%"}})
    shown = session.get(f"{SHEETS}/{KEY}/values/A1:D1").json()["values"]
    assert shown == [["1,234.50", "2024-01-01 12:00", "TRUE", "25%"]]
    raw = session.get(f"{SHEETS}/{KEY}/values/A1:D1", params={"valueRenderOption": "UNFORMATTED_VALUE"}).json()
    assert raw["values"] == [[1234.5, 45292.5, True, 0.25]]
    dates = session.get(f"{SHEETS}/{KEY}/values/A1:D1", params={
        "valueRenderOption": "UNFORMATTED_VALUE", "dateTimeRenderOption": "FORMATTED_STRING"}).json()
    assert dates["values"] == [[1234.5, "2024-01-01 12:00", True, 0.25]]


def test_append_writes_after_the_table_and_grows_the_grid(book: gspread.Spreadsheet, session: requests.Session):
    """append finds the table, writes below it, reports tableRange and updates, and adds rows past the grid."""
    ws = book.add_worksheet("Small", 2, 2)
    ws.update([["h1", "h2"]], "A1")
    reply = session.post(f"{SHEETS}/{KEY}/values/%27Small%27:append", params={"valueInputOption": "RAW"},
                         json={"values": [["a", 1], ["b", 2]]}).json()
    assert reply["tableRange"] == "Small!A1:B1"
    assert reply["updates"]["updatedRange"] == "Small!A2:B3"
    assert book.worksheet("Small").row_count == 3
    assert ws.get_all_values() == [["h1", "h2"], ["a", "1"], ["b", "2"]]


def test_append_after_a_row_with_a_gap_follows_the_block_of_the_last_value(book: gspread.Spreadsheet,
                                                                            session: requests.Session):
    """Google's logical table: after `x, "", z`, appending into the tab writes below z's block (C2:E2), at A1
    below A1's block (A2:C2)."""
    row = {"values": [["x", "", "z"]]}
    _put(session, "A1", row["values"])
    whole = session.post(f"{SHEETS}/{KEY}/values/%27Sheet1%27:append", params={"valueInputOption": "RAW"},
                         json=row).json()
    assert (whole["tableRange"], whole["updates"]["updatedRange"]) == ("Sheet1!C1", "Sheet1!C2:E2")
    at_a1 = session.post(f"{SHEETS}/{KEY}/values/%27Sheet1%27%21A1:append", params={"valueInputOption": "RAW"},
                         json=row).json()
    assert (at_a1["tableRange"], at_a1["updates"]["updatedRange"]) == ("Sheet1!A1", "Sheet1!A2:C2")


def test_append_table_spreads_past_the_range_through_touching_cells(book: gspread.Spreadsheet,
                                                                    session: requests.Session):
    """A table found from `A1` takes in every value touching it (diagonals too), so the row goes below all."""
    _put(session, "A1", [["h1", "h2"], ["a", None], [None, "b"]])
    reply = session.post(f"{SHEETS}/{KEY}/values/%27Sheet1%27%21A1:append", params={"valueInputOption": "RAW"},
                         json={"values": [["c"]]}).json()
    assert (reply["tableRange"], reply["updates"]["updatedRange"]) == ("Sheet1!A1:B3", "Sheet1!A4")


def test_append_to_an_empty_sheet_has_no_table_range(book: gspread.Spreadsheet, session: requests.Session):
    """With no table found, the answer has no tableRange and the rows go at the range's start."""
    reply = session.post(f"{SHEETS}/{KEY}/values/%27Sheet1%27%21C3:append", params={"valueInputOption": "RAW"},
                         json={"values": [["x"]]}).json()
    assert "tableRange" not in reply
    assert reply["updates"]["updatedRange"] == "Sheet1!C3"


def test_clear_keeps_formats_and_names_the_range_bounded_to_the_grid(book: gspread.Spreadsheet,
                                                                     sheets_emulator, session: requests.Session):
    """values.clear removes values only (formats stay) and answers the whole-sheet range as A1:Z1000."""
    _put(session, "A1", [["x"]])
    book.sheet1.format("A1", {"textFormat": {"bold": True}})
    reply = session.post(f"{SHEETS}/{KEY}/values/%27Sheet1%27:clear").json()
    assert reply == {"spreadsheetId": KEY, "clearedRange": "Sheet1!A1:Z1000"}
    cell = sheets_emulator.service.spreadsheet(KEY).sheets[0].cell(0, 0)
    assert cell == {"userEnteredFormat": {"textFormat": {"bold": True}}}


def test_batch_get_update_and_clear(book: gspread.Spreadsheet, session: requests.Session):
    """values.batchUpdate writes every range with totals; batchGet reads several; batchClear clears several."""
    book.add_worksheet("🌵 two", 10, 5)
    reply = session.post(f"{SHEETS}/{KEY}/values:batchUpdate", json={
        "valueInputOption": "RAW", "includeValuesInResponse": None,
        "data": [{"range": "'Sheet1'!A1:B1", "values": [["a", "b"]]}, {"range": "'🌵 two'!A1", "values": [["c"]]}]})
    body = reply.json()
    assert (body["totalUpdatedCells"], body["totalUpdatedSheets"], len(body["responses"])) == (3, 2, 2)
    got = session.get(f"{SHEETS}/{KEY}/values:batchGet", params={"ranges": ["Sheet1!A1:B1", "'🌵 two'!A1:A10"]})
    assert [v["range"] for v in got.json()["valueRanges"]] == ["Sheet1!A1:B1", "'🌵 two'!A1:A10"]
    cleared = session.post(f"{SHEETS}/{KEY}/values:batchClear", json={"ranges": ["Sheet1!A1"]}).json()
    assert cleared["clearedRanges"] == ["Sheet1!A1"]
    assert book.sheet1.get_all_values() == [["", "b"]]


def test_values_batch_update_is_all_or_nothing(book: gspread.Spreadsheet, session: requests.Session):
    """When one range of values.batchUpdate fails, the ranges before it are not written either."""
    reply = session.post(f"{SHEETS}/{KEY}/values:batchUpdate", json={
        "valueInputOption": "RAW",
        "data": [{"range": "A1", "values": [["kept out"]]}, {"range": "'Missing'!A1", "values": [["x"]]}]})
    assert reply.status_code == 400
    assert book.sheet1.get_all_values() == [[]]


def test_value_input_option_is_required(book: gspread.Spreadsheet, session: requests.Session):
    """A write without valueInputOption is refused, as Google requires it."""
    reply = session.put(f"{SHEETS}/{KEY}/values/A1", json={"values": [["x"]]})
    assert reply.status_code == 400
    assert "valueInputOption" in reply.json()["error"]["message"]


def test_named_range_reads_through_the_tab_prefix(book: gspread.Spreadsheet):
    """`'Sheet1'!Name` resolves the named range, as Google does for gspread's range reads."""
    book.sheet1.update([["a", "b"], ["c", "d"]], "B1")
    book.sheet1.define_named_range("B1:C2", "Data")
    assert book.sheet1.get("Data") == [["a", "b"], ["c", "d"]]
    assert book.values_get("Data")["range"] == "Sheet1!B1:C2"


def test_arithmetic_formulas_are_evaluated_and_others_show_their_text(book: gspread.Spreadsheet,
                                                                     session: requests.Session):
    """`=3/2` and `= 1 / 1024` compute (as Google shows them); a formula the emulator cannot compute shows its text."""
    _put(session, "A1", [["=3/2", "= 1 / 1024", "=(1+2)*-2^2", "=SUM(A1:A2)"]], "USER_ENTERED")
    shown = session.get(f"{SHEETS}/{KEY}/values/A1:D1").json()["values"]
    assert shown == [["1.5", "0.0009765625", "12", "=SUM(A1:A2)"]]  # unary minus binds before ^, as in Sheets
    formulas = session.get(f"{SHEETS}/{KEY}/values/A1:B1", params={"valueRenderOption": "FORMULA"}).json()
    assert formulas["values"] == [["=3/2", "= 1 / 1024"]]


def test_update_counts_only_non_null_cells_but_spans_the_data(book: gspread.Spreadsheet,
                                                              session: requests.Session):
    """With nulls between two values, updatedRange spans the data; rows, columns and cells count the two values."""
    reply = _put(session, "A1:D3", [["a", None, None], [None, None, None], [None, None, "z"]])
    assert reply == {"spreadsheetId": KEY, "updatedRange": "Sheet1!A1:C3", "updatedRows": 2, "updatedColumns": 2,
                     "updatedCells": 2}


def test_user_entered_iso_dates_become_date_serials_shown_as_typed(book: gspread.Spreadsheet,
                                                                  session: requests.Session):
    """USER_ENTERED `2020-01-01` is the serial 43831 with a yyyy-mm-dd date format; RAW and non-dates stay text."""
    _put(session, "A1", [["2020-01-01", "2020-02-30"]], "USER_ENTERED")
    _put(session, "C1", [["2020-01-01"]])
    read = f"{SHEETS}/{KEY}/values/A1:C1"
    assert session.get(read).json()["values"] == [["2020-01-01", "2020-02-30", "2020-01-01"]]
    unformatted = session.get(read, params={"valueRenderOption": "UNFORMATTED_VALUE"}).json()["values"]
    assert unformatted == [[43831, "2020-02-30", "2020-01-01"]]
    as_string = session.get(read, params={"valueRenderOption": "UNFORMATTED_VALUE",
                                          "dateTimeRenderOption": "FORMATTED_STRING"}).json()["values"]
    assert as_string == [["2020-01-01", "2020-02-30", "2020-01-01"]]
    assert session.get(read, params={"valueRenderOption": "FORMULA"}).json()["values"][0][0] == 43831


def test_a_typed_date_keeps_the_cells_own_number_format(book: gspread.Spreadsheet, session: requests.Session):
    """A cell already formatted M/d/yyyy shows a typed ISO date in that format."""
    book.sheet1.format("A1", {"numberFormat": {"type": "DATE", "pattern": "M/d/yyyy"}})
    _put(session, "A1", [["1999-01-02"]], "USER_ENTERED")
    assert session.get(f"{SHEETS}/{KEY}/values/A1").json()["values"] == [["1/2/1999"]]
