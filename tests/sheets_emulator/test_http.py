"""The emulator over HTTP: routes, Google's response and error shapes, Drive create/delete, hooks and the log."""

from __future__ import annotations

import gspread
import pytest
import requests
from conftest import KEY, SHEETS

from sheets_sync.sheets_emulator.server import RunningSheetsEmulator, start_sheets_emulator
from sheets_sync.sheets_emulator.service import SheetsService


def test_a_new_spreadsheet_has_one_1000_by_26_sheet1(sheets_emulator: RunningSheetsEmulator,
                                                     session: requests.Session):
    """GET spreadsheet answers Google's shape: Sheet1 (id 0, 1000×26), en_US, Etc/GMT, theme, edit URL."""
    sheets_emulator.service.create_spreadsheet(KEY, "Book")
    reply = session.get(f"{SHEETS}/{KEY}", params={"includeGridData": "false"})
    assert reply.status_code == 200
    assert reply.headers["Content-Type"] == "application/json; charset=UTF-8"
    body = reply.json()
    assert list(body) == ["spreadsheetId", "properties", "sheets", "spreadsheetUrl"]
    assert body["sheets"] == [{"properties": {"sheetId": 0, "title": "Sheet1", "index": 0, "sheetType": "GRID",
                                              "gridProperties": {"rowCount": 1000, "columnCount": 26}}}]
    props = body["properties"]
    assert (props["title"], props["locale"], props["autoRecalc"], props["timeZone"]) == (
        "Book", "en_US", "ON_CHANGE", "Etc/GMT")
    assert props["spreadsheetTheme"]["primaryFontFamily"] == "Arial"
    assert body["spreadsheetUrl"] == f"https://docs.google.com/spreadsheets/d/{KEY}/edit"


def test_unknown_spreadsheet_is_google_404(session: requests.Session, gc: gspread.Client):
    """An unknown key is 404 NOT_FOUND "Requested entity was not found.", which gspread maps to SpreadsheetNotFound."""
    reply = session.get(f"{SHEETS}/nope")
    assert reply.status_code == 404
    assert reply.json() == {"error": {"code": 404, "message": "Requested entity was not found.",
                                      "status": "NOT_FOUND"}}
    with pytest.raises(gspread.SpreadsheetNotFound):
        gc.open_by_key("nope")


def test_unshared_spreadsheet_is_403_and_read_only_refuses_writes(sheets_emulator: RunningSheetsEmulator,
                                                                  session: requests.Session):
    """Not shared: every call is 403 PERMISSION_DENIED; read-only: reads work, writes are 403."""
    service = sheets_emulator.service
    service.create_spreadsheet(KEY)
    service.set_access(KEY, shared=False)
    reply = session.get(f"{SHEETS}/{KEY}")
    assert reply.status_code == 403
    assert reply.json()["error"] == {"code": 403, "message": "The caller does not have permission",
                                     "status": "PERMISSION_DENIED"}
    service.set_access(KEY, shared=True, writable=False)
    assert session.get(f"{SHEETS}/{KEY}/values/A1").status_code == 200
    assert session.post(f"{SHEETS}/{KEY}/values/A1:clear").status_code == 403


def test_range_path_is_routed_raw_so_encoded_colons_stay_in_the_range(book: gspread.Spreadsheet,
                                                                     session: requests.Session):
    """`%27T%3A1%27%21A1:clear`: the encoded colon belongs to the title, the literal one is the verb."""
    book.add_worksheet("T:1", 5, 5).update([["x"]], "A1")
    reply = session.post(f"{SHEETS}/{KEY}/values/%27T%3A1%27%21A1:clear")
    assert reply.json()["clearedRange"] == "'T:1'!A1"
    assert book.worksheet("T:1").get_all_values() == [[]]


def test_unparsable_or_unknown_tab_range_is_400(book: gspread.Spreadsheet, session: requests.Session):
    """A malformed range or a missing tab answers 400 "Unable to parse range: …"."""
    for text in ("'Nope'!A1", "A1:B2:C3"):
        reply = session.get(f"{SHEETS}/{KEY}/values/{requests.utils.quote(text, safe='')}")
        assert reply.status_code == 400
        assert reply.json()["error"] == {"code": 400, "message": f"Unable to parse range: {text}",
                                         "status": "INVALID_ARGUMENT"}


def test_a_values_body_that_is_not_a_list_is_the_proto_layer_400(book: gspread.Spreadsheet,
                                                                 session: requests.Session):
    """`"values": "X"` is answered as Google's proto layer does, with a BadRequest field violation."""
    reply = session.put(f"{SHEETS}/{KEY}/values/%27Sheet1%27%21A1", params={"valueInputOption": "RAW"},
                        json={"values": "X", "majorDimension": None})
    error = reply.json()["error"]
    assert reply.status_code == 400
    assert error["message"] == "Invalid value at 'data.values' (type.googleapis.com/google.protobuf.ListValue), \"X\""
    assert error["details"][0]["fieldViolations"][0]["field"] == "data.values"


def test_fields_mask_gives_partial_responses(book: gspread.Spreadsheet, session: requests.Session):
    """`fields=` keeps only what it names: namedRanges, sheets.properties, sheets(properties,basicFilter)."""
    book.sheet1.set_basic_filter()
    assert session.get(f"{SHEETS}/{KEY}", params={"fields": "namedRanges"}).json() == {}
    assert session.get(f"{SHEETS}/{KEY}", params={"fields": "spreadsheetId"}).json() == {"spreadsheetId": KEY}
    sheets = session.get(f"{SHEETS}/{KEY}", params={"fields": "sheets(properties/title,basicFilter)"}).json()
    assert sheets == {"sheets": [{"properties": {"title": "Sheet1"}, "basicFilter": {"range": {
        "startRowIndex": 0, "endRowIndex": 1000, "startColumnIndex": 0, "endColumnIndex": 26}}}]}
    dotted = session.get(f"{SHEETS}/{KEY}", params={"fields": "sheets.properties.sheetId"}).json()
    assert dotted == {"sheets": [{"properties": {"sheetId": 0}}]}


def test_include_grid_data_returns_cells_with_effective_and_formatted_values(book: gspread.Spreadsheet,
                                                                            session: requests.Session):
    """includeGridData with `ranges=` returns only that tab and range, with user-entered and computed values."""
    book.sheet1.update([["a", 1.5]], "B2")
    body = session.get(f"{SHEETS}/{KEY}", params={"includeGridData": "true", "ranges": "Sheet1!B2:C2"}).json()
    data = body["sheets"][0]["data"][0]
    assert (data["startRow"], data["startColumn"]) == (1, 1)
    cells = data["rowData"][0]["values"]
    assert cells[0] == {"userEnteredValue": {"stringValue": "a"}, "effectiveValue": {"stringValue": "a"},
                        "formattedValue": "a"}
    assert cells[1]["effectiveValue"] == {"numberValue": 1.5}


def test_drive_creates_gets_and_deletes_spreadsheets(gc: gspread.Client, session: requests.Session):
    """gspread's create (Drive POST) makes a spreadsheet; Drive GET describes it; Drive DELETE removes it (204)."""
    created = gc.create("Made by Drive")
    assert created.title == "Made by Drive"
    assert created.sheet1.title == "Sheet1"
    info = session.get(f"https://www.googleapis.com/drive/v3/files/{created.id}",
                       params={"fields": "id,name,createdTime,modifiedTime"}).json()
    assert set(info) == {"id", "name", "createdTime", "modifiedTime"} and info["name"] == "Made by Drive"
    deleted = session.delete(f"https://www.googleapis.com/drive/v3/files/{created.id}")
    assert deleted.status_code == 204
    assert session.get(f"{SHEETS}/{created.id}").status_code == 404


def test_unknown_route_is_404(session: requests.Session):
    """A path the API does not have is a Google-shaped 404."""
    reply = session.get("https://sheets.googleapis.com/v4/nothing")
    assert reply.status_code == 404 and reply.json()["error"]["status"] == "NOT_FOUND"


def test_validator_hook_gets_method_id_query_and_body_and_can_refuse():
    """`SheetsService(validator=…)` sees each call's discovery method id, query and body; a message means 400."""
    seen: list[tuple[str, dict[str, list[str]], object]] = []

    def validator(method_id: str, query: object, body: object) -> str | None:
        seen.append((method_id, dict(query), body))  # type: ignore[call-overload]  # query is a Mapping
        return "Invalid JSON payload received. Unknown name \"bogus\"" if body == {"bogus": 1} else None

    service = SheetsService(validator=validator)
    service.create_spreadsheet(KEY)
    with start_sheets_emulator(service) as emu:
        from sheets_sync.sheets_emulator.client_session import loopback_session
        s = loopback_session(emu.url)
        ok = s.put(f"{SHEETS}/{KEY}/values/A1", params={"valueInputOption": "RAW"}, json={"values": [[1]]})
        refused = s.post(f"{SHEETS}/{KEY}:batchUpdate", json={"bogus": 1})
    assert ok.status_code == 200
    assert refused.status_code == 400
    assert refused.json()["error"]["message"] == "Invalid JSON payload received. Unknown name \"bogus\""
    assert seen[0] == ("sheets.spreadsheets.values.update", {"valueInputOption": ["RAW"]}, {"values": [[1]]})
    assert seen[1][0] == "sheets.spreadsheets.batchUpdate"


def test_request_log_records_method_path_query_size_and_status(book: gspread.Spreadsheet,
                                                               sheets_emulator: RunningSheetsEmulator):
    """Every request is logged with its method id, raw path, query, body size and status."""
    book.sheet1.update([["x"]], "A1")
    last = sheets_emulator.service.requests_log[-1]
    assert (last.method, last.method_id, last.status) == ("PUT", "sheets.spreadsheets.values.update", 200)
    assert last.path == f"/v4/spreadsheets/{KEY}/values/%27Sheet1%27%21A1"
    assert last.query == {"valueInputOption": ["RAW"]}
    assert last.body_bytes > 0


def test_snapshots_are_copies(book: gspread.Spreadsheet, sheets_emulator: RunningSheetsEmulator):
    """`service.spreadsheet(key)` is a copy: changing it leaves the served spreadsheet alone."""
    snapshot = sheets_emulator.service.spreadsheet(KEY)
    snapshot.sheets[0].put(0, 0, {"userEnteredValue": {"stringValue": "sneaky"}})
    assert book.sheet1.get_all_values() == [[]]
    assert [s.title for s in sheets_emulator.service.spreadsheets()] == ["Book"]


def test_a_fields_mask_naming_grid_data_returns_it(book: gspread.Spreadsheet, session: requests.Session):
    """`fields=sheets.data.columnMetadata` answers grid data without includeGridData, as Google does."""
    body = session.get(f"{SHEETS}/{KEY}", params={"fields": "sheets.data.columnMetadata"}).json()
    assert body["sheets"][0]["data"][0]["columnMetadata"][:2] == [{"pixelSize": 100}, {"pixelSize": 100}]
    assert len(body["sheets"][0]["data"][0]["columnMetadata"]) == 26


def test_a_fields_mask_on_notes_answers_only_the_notes_of_the_range(book: gspread.Spreadsheet,
                                                                    session: requests.Session):
    """`fields=sheets.data.rowData.values.note` answers each row's notes, `{}` for a cell without one, and
    `data: [{}]` for a range with none, as Google does."""
    empty = session.get(f"{SHEETS}/{KEY}", params={"fields": "sheets.data.rowData.values.note",
                                                    "ranges": "Sheet1"}).json()
    assert empty == {"sheets": [{"data": [{}]}]}
    book.sheet1.update([["v", "w"]], "A2")
    book.sheet1.insert_notes({"B2": "second", "A3": "third"})
    notes = session.get(f"{SHEETS}/{KEY}", params={"fields": "sheets.data.rowData.values.note",
                                                    "ranges": "Sheet1!A2:C3"}).json()
    assert notes == {"sheets": [{"data": [{"rowData": [{"values": [{}, {"note": "second"}]},
                                                       {"values": [{"note": "third"}]}]}]}]}
