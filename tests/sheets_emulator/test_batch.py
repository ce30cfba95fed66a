"""spreadsheets.batchUpdate: ordered, all-or-nothing, and the rules of each request kind."""

from __future__ import annotations

import gspread
import pytest
import requests
from conftest import KEY, SHEETS

from sheets_sync.sheets_emulator.model import OWNER_EMAIL
from sheets_sync.sheets_emulator.server import RunningSheetsEmulator


def _batch(session: requests.Session, *requests_: dict) -> requests.Response:
    return session.post(f"{SHEETS}/{KEY}:batchUpdate", json={"requests": list(requests_)})


def _error(reply: requests.Response) -> str:
    assert reply.status_code == 400, reply.text
    assert reply.json()["error"]["status"] == "INVALID_ARGUMENT"
    return str(reply.json()["error"]["message"])


def _titles(emu: RunningSheetsEmulator) -> list[str]:
    return [s.title for s in emu.service.spreadsheet(KEY).sheets]


def test_add_sheet_reply_has_properties_and_a_random_id(book: gspread.Spreadsheet):
    """gspread's add_worksheet reads replies[0].addSheet.properties: a fresh id, the title, index and grid."""
    ws = book.add_worksheet("Data", rows=5, cols=3)
    assert ws.id != 0 and ws.title == "Data" and ws.index == 1
    assert (ws.row_count, ws.col_count) == (5, 3)


def test_add_sheet_with_an_existing_id_or_title_fails(book: gspread.Spreadsheet, session: requests.Session):
    """A taken sheetId or (case-insensitive) title is a 400 naming the request."""
    assert _error(_batch(session, {"addSheet": {"properties": {"sheetId": 0}}})).startswith(
        "Invalid requests[0].addSheet: A sheet with the ID 0 already exists")
    assert _error(_batch(session, {"addSheet": {"properties": {"title": "sheet1"}}})) == (
        'Invalid requests[0].addSheet: A sheet with the name "sheet1" already exists. Please enter another name.')


def test_title_uniqueness_is_checked_at_each_step_of_a_batch(book: gspread.Spreadsheet, session: requests.Session,
                                                             sheets_emulator: RunningSheetsEmulator):
    """Renaming a tab frees its title for a later request of the same batch; reusing it first fails the batch."""
    rename = {"updateSheetProperties": {"properties": {"sheetId": 0, "title": "Old"}, "fields": "title"}}
    freed = _batch(session, rename,
                   {"addSheet": {"properties": {"title": "Sheet1"}}})
    assert freed.status_code == 200
    assert _titles(sheets_emulator) == ["Old", "Sheet1"]
    clash = _batch(session, {"addSheet": {"properties": {"title": "New"}}},
                   {"updateSheetProperties": {"properties": {"sheetId": 0, "title": "New"}, "fields": "title"}})
    assert _error(clash).startswith("Invalid requests[1].updateSheetProperties: A sheet with the name \"New\"")


def test_a_failed_batch_applies_nothing(book: gspread.Spreadsheet, session: requests.Session,
                                        sheets_emulator: RunningSheetsEmulator):
    """When a later request fails, the earlier ones of the batch are rolled back (all or nothing)."""
    reply = _batch(session, {"addSheet": {"properties": {"title": "Temp"}}},
                   {"updateCells": {"range": {"sheetId": 0, "startRowIndex": 0, "endRowIndex": 1},
                                    "rows": [{"values": [{"userEnteredValue": {"stringValue": "x"}}]}],
                                    "fields": "userEnteredValue"}},
                   {"deleteSheet": {"sheetId": 999}})
    assert _error(reply).startswith("Invalid requests[2].deleteSheet:")
    assert _titles(sheets_emulator) == ["Sheet1"]
    assert book.sheet1.get_all_values() == [[]]


def test_the_last_sheet_cannot_be_removed(book: gspread.Spreadsheet, session: requests.Session):
    """Deleting the only tab is refused with Google's text."""
    assert _error(_batch(session, {"deleteSheet": {"sheetId": 0}})) == (
        "Invalid requests[0].deleteSheet: You can't remove all the sheets in a document.")


def test_every_sheet_cannot_be_hidden(book: gspread.Spreadsheet):
    """Hiding the only visible tab is refused; with another visible tab it works."""
    with pytest.raises(gspread.exceptions.APIError) as caught:
        book.sheet1.hide()
    assert caught.value.args[0]["message"] == (
        "Invalid requests[0].updateSheetProperties: You can't hide all the sheets in a document.")
    book.add_worksheet("Other", 1, 1)
    book.sheet1.hide()
    assert book.fetch_sheet_metadata()["sheets"][0]["properties"]["hidden"] is True


def test_index_moves_count_positions_before_the_move(book: gspread.Spreadsheet, session: requests.Session,
                                                     sheets_emulator: RunningSheetsEmulator):
    """Moving S1 after S2 takes index 2; asking for the current index or the next one changes nothing."""
    book.add_worksheet("S2", 1, 1)
    book.add_worksheet("S3", 1, 1)
    _batch(session, {"updateSheetProperties": {"properties": {"sheetId": 0, "index": 1}, "fields": "index"}})
    assert _titles(sheets_emulator) == ["Sheet1", "S2", "S3"]
    _batch(session, {"updateSheetProperties": {"properties": {"sheetId": 0, "index": 2}, "fields": "index"}})
    assert _titles(sheets_emulator) == ["S2", "Sheet1", "S3"]
    _batch(session, {"updateSheetProperties": {"properties": {"sheetId": 0, "index": 0}, "fields": "index"}})
    assert _titles(sheets_emulator) == ["Sheet1", "S2", "S3"]


def test_update_sheet_properties_accepts_slash_dot_and_paren_masks(book: gspread.Spreadsheet,
                                                                   session: requests.Session):
    """`gridProperties/rowCount`, `gridProperties.frozenRowCount` and `gridProperties(columnCount)` all apply."""
    reply = _batch(session, {"updateSheetProperties": {
        "properties": {"sheetId": 0, "gridProperties": {"rowCount": 10, "columnCount": 4, "frozenRowCount": 1}},
        "fields": "gridProperties/rowCount,gridProperties.frozenRowCount,gridProperties(columnCount)"}})
    assert reply.json() == {"spreadsheetId": KEY, "replies": [{}]}
    grid = book.fetch_sheet_metadata()["sheets"][0]["properties"]["gridProperties"]
    assert grid == {"rowCount": 10, "columnCount": 4, "frozenRowCount": 1}


def test_a_mask_is_required(book: gspread.Spreadsheet, session: requests.Session):
    """updateSheetProperties without `fields` is refused."""
    assert "At least one field" in _error(
        _batch(session, {"updateSheetProperties": {"properties": {"sheetId": 0, "title": "x"}}}))


def test_shrinking_the_grid_drops_cells_outside_it(book: gspread.Spreadsheet):
    """resize(1, 1) leaves only A1; growing back shows nothing of the old data."""
    book.sheet1.update([["a", "b"], ["c", "d"]], "A1")
    book.sheet1.resize(1, 1)
    book.sheet1.resize(5, 5)
    assert book.sheet1.get_all_values() == [["a"]]


def test_update_cells_clears_the_uncovered_part_of_its_range(book: gspread.Spreadsheet, session: requests.Session,
                                                             sheets_emulator: RunningSheetsEmulator):
    """updateCells{range:{sheetId}, fields:"*"} wipes values and formats; listed rows overwrite from the corner."""
    book.sheet1.update([["a", "b"], ["c", "d"]], "A1")
    book.sheet1.format("B2", {"textFormat": {"bold": True}})
    reply = _batch(session, {"updateCells": {"range": {"sheetId": 0}, "fields": "*", "rows": [
        {"values": [{"userEnteredValue": {"numberValue": 7}, "note": "n"}]}]}})
    assert reply.status_code == 200
    sheet = sheets_emulator.service.spreadsheet(KEY).sheets[0]
    assert sheet.cells == {(0, 0): {"userEnteredValue": {"numberValue": 7}, "note": "n"}}


def test_update_cells_never_grows_the_grid(book: gspread.Spreadsheet, session: requests.Session):
    """Cells written past the grid are refused with Google's grid-limits text."""
    book.add_worksheet("Tiny", 2, 3)
    tiny = book.worksheet("Tiny").id
    reply = _batch(session, {"updateCells": {"range": {"sheetId": tiny, "startRowIndex": 2, "endRowIndex": 3,
                                                       "startColumnIndex": 0, "endColumnIndex": 3},
                                             "rows": [], "fields": "userEnteredValue"}})
    assert _error(reply) == ("Invalid requests[0].updateCells: Range (Tiny!A3:C3) exceeds grid limits. "
                             "Max rows: 2, max columns: 3")


def test_repeat_cell_merges_listed_format_fields(book: gspread.Spreadsheet, sheets_emulator: RunningSheetsEmulator):
    """repeatCell with `userEnteredFormat(textFormat)` keeps the cell's other format fields and its value."""
    book.sheet1.update([["v"]], "A1")
    book.sheet1.format("A1", {"backgroundColor": {"red": 1}})
    book.sheet1.format("A1:B1", {"textFormat": {"bold": True}})
    sheet = sheets_emulator.service.spreadsheet(KEY).sheets[0]
    assert sheet.cell(0, 0) == {"userEnteredValue": {"stringValue": "v"}, "userEnteredFormat": {
        "backgroundColor": {"red": 1}, "backgroundColorStyle": {"rgbColor": {"red": 1}}, "textFormat": {"bold": True}}}
    assert sheet.cell(0, 1) == {"userEnteredFormat": {"textFormat": {"bold": True}}}


def test_copy_paste_copies_the_whole_source_into_a_smaller_destination(book: gspread.Spreadsheet,
                                                                       session: requests.Session,
                                                                       sheets_emulator: RunningSheetsEmulator):
    """A 2×2 source pasted at a 1×1 destination still copies all four cells, values and formats."""
    book.sheet1.update([["a", "b"], ["c", "d"]], "A1")
    book.sheet1.format("A1", {"textFormat": {"italic": True}})
    reply = _batch(session, {"copyPaste": {
        "source": {"sheetId": 0, "startRowIndex": 0, "endRowIndex": 2, "startColumnIndex": 0, "endColumnIndex": 2},
        "destination": {"sheetId": 0, "startRowIndex": 4, "endRowIndex": 5, "startColumnIndex": 4,
                        "endColumnIndex": 5}, "pasteType": "PASTE_NORMAL"}})
    assert reply.status_code == 200
    assert book.sheet1.get("E5:F6") == [["a", "b"], ["c", "d"]]
    assert sheets_emulator.service.spreadsheet(KEY).sheets[0].cell(4, 4)["userEnteredFormat"] == {
        "textFormat": {"italic": True}}


def test_copy_paste_values_and_format_only(book: gspread.Spreadsheet, session: requests.Session,
                                           sheets_emulator: RunningSheetsEmulator):
    """PASTE_VALUES brings values without formats; PASTE_FORMAT brings formats without values."""
    book.sheet1.update([["a"]], "A1")
    book.sheet1.format("A1", {"textFormat": {"bold": True}})
    src = {"sheetId": 0, "startRowIndex": 0, "endRowIndex": 1, "startColumnIndex": 0, "endColumnIndex": 1}
    _batch(session, {"copyPaste": {"source": src, "destination": {"sheetId": 0, "startRowIndex": 0,
                                                                  "startColumnIndex": 1}, "pasteType": "PASTE_VALUES"}},
           {"copyPaste": {"source": src, "destination": {"sheetId": 0, "startRowIndex": 0, "startColumnIndex": 2},
                          "pasteType": "PASTE_FORMAT"}})
    sheet = sheets_emulator.service.spreadsheet(KEY).sheets[0]
    assert sheet.cell(0, 1) == {"userEnteredValue": {"stringValue": "a"}}
    assert sheet.cell(0, 2) == {"userEnteredFormat": {"textFormat": {"bold": True}}}


def test_staging_swap_keeps_the_live_sheet_id_and_leaves_no_staging_tab(
        book: gspread.Spreadsheet, session: requests.Session, sheets_emulator: RunningSheetsEmulator):
    """Resize, wipe, copyPaste from a hidden staging tab and delete it, in one batch: the live id survives."""
    book.sheet1.update([["old"], ["old"], ["old"]], "A1")
    book.sheet1.define_named_range("A1:A3", "Data")
    reply = _batch(session, {"addSheet": {"properties": {"sheetId": 77, "title": "stage", "hidden": True,
                                                         "gridProperties": {"rowCount": 2, "columnCount": 2}}}})
    assert reply.status_code == 200
    book.values_update("'stage'!A1", params={"valueInputOption": "RAW"}, body={"values": [["n1", 1], ["n2", 2]]})
    swap = _batch(session,
                  {"updateSheetProperties": {"properties": {"sheetId": 0, "gridProperties": {
                      "rowCount": 2, "columnCount": 2}}, "fields": "gridProperties(rowCount,columnCount)"}},
                  {"updateCells": {"range": {"sheetId": 0}, "fields": "*"}},
                  {"copyPaste": {"source": {"sheetId": 77}, "destination": {"sheetId": 0, "startRowIndex": 0,
                                                                            "startColumnIndex": 0},
                                 "pasteType": "PASTE_NORMAL"}},
                  {"deleteSheet": {"sheetId": 77}})
    assert swap.status_code == 200, swap.text
    sheet = sheets_emulator.service.spreadsheet(KEY)
    assert [(s.sheet_id, s.title) for s in sheet.sheets] == [(0, "Sheet1")]
    assert book.sheet1.get_all_values() == [["n1", "1"], ["n2", "2"]]
    assert sheet.named_ranges[0]["name"] == "Data"


def test_duplicate_sheet_copies_cells_under_a_new_name(book: gspread.Spreadsheet):
    """duplicateSheet copies the tab's cells, places it after the source and answers its properties."""
    book.sheet1.update([["x"]], "A1")
    copy = book.duplicate_sheet(0)
    assert copy.title == "Copy of Sheet1" and copy.index == 1
    assert copy.get_all_values() == [["x"]]


def test_named_ranges_add_update_delete(book: gspread.Spreadsheet, session: requests.Session):
    """addNamedRange replies a string id and omits sheetId 0; update renames; delete removes; names are unique."""
    reply = _batch(session, {"addNamedRange": {"namedRange": {"name": "Data", "range": {
        "sheetId": 0, "startRowIndex": 0, "endRowIndex": 2, "startColumnIndex": 0, "endColumnIndex": 2}}}}).json()
    named = reply["replies"][0]["addNamedRange"]["namedRange"]
    assert isinstance(named["namedRangeId"], str)
    assert named["range"] == {"startRowIndex": 0, "endRowIndex": 2, "startColumnIndex": 0, "endColumnIndex": 2}
    assert "already exists" in _error(_batch(session, {"addNamedRange": {"namedRange": {
        "name": "data", "range": {"sheetId": 0}}}}))
    _batch(session, {"updateNamedRange": {"namedRange": {"namedRangeId": named["namedRangeId"], "name": "Renamed"},
                                          "fields": "name"}})
    assert [n["name"] for n in book.list_named_ranges()] == ["Renamed"]
    _batch(session, {"deleteNamedRange": {"namedRangeId": named["namedRangeId"]}})
    assert book.list_named_ranges() == []


def test_basic_filter_set_and_clear(book: gspread.Spreadsheet):
    """setBasicFilter with only a sheetId covers the whole grid; clearBasicFilter removes it."""
    book.sheet1.set_basic_filter("A1:C5")
    meta = book.fetch_sheet_metadata()["sheets"][0]
    assert meta["basicFilter"]["range"] == {"startRowIndex": 0, "endRowIndex": 5, "startColumnIndex": 0,
                                            "endColumnIndex": 3}
    book.sheet1.clear_basic_filter()
    assert "basicFilter" not in book.fetch_sheet_metadata()["sheets"][0]


def test_insert_and_delete_rows_shift_cells_and_named_ranges(book: gspread.Spreadsheet):
    """Inserting rows moves data and named ranges down; deleting rows moves them back up; the grid follows."""
    book.sheet1.update([["a"], ["b"]], "A1")
    book.sheet1.define_named_range("A2:A2", "B")
    book.sheet1.insert_rows([["new"]], 2)
    assert book.sheet1.get_all_values() == [["a"], ["new"], ["b"]]
    assert book.sheet1.get("B") == [["b"]]
    book.sheet1.delete_rows(1)
    assert book.sheet1.get_all_values() == [["new"], ["b"]]
    assert book.sheet1.get("B") == [["b"]]
    assert book.sheet1.row_count == 1000


def test_append_dimension_and_append_cells_grow_the_grid(book: gspread.Spreadsheet, session: requests.Session):
    """appendDimension adds rows; appendCells writes after the last data row, adding rows as needed."""
    ws = book.add_worksheet("G", 1, 2)
    ws.update([["h"]], "A1")
    _batch(session, {"appendDimension": {"sheetId": ws.id, "dimension": "COLUMNS", "length": 3}},
           {"appendCells": {"sheetId": ws.id, "fields": "userEnteredValue",
                            "rows": [{"values": [{"userEnteredValue": {"stringValue": "r"}}]}]}})
    props = book.worksheet("G")
    assert (props.row_count, props.col_count) == (2, 5)
    assert ws.get_all_values() == [["h"], ["r"]]


def test_sort_range_orders_rows_with_empties_last(book: gspread.Spreadsheet):
    """sortRange sorts rows by a column, numbers before text, empty cells last."""
    book.sheet1.update([["b", 2], ["a", None], ["c", 1]], "A1")
    book.sheet1.sort((2, "asc"), range="A1:B3")
    assert book.sheet1.get_all_values() == [["c", "1"], ["b", "2"], ["a", ""]]


def test_merge_unmerge_keep_the_top_left_value(book: gspread.Spreadsheet):
    """mergeCells keeps only the top-left value; the merge is listed on the sheet until unmerged."""
    book.sheet1.update([["a", "b"]], "A1")
    book.sheet1.merge_cells("A1:B1")
    assert book.sheet1.get_all_values() == [["a"]]
    assert book.fetch_sheet_metadata()["sheets"][0]["merges"] == [
        {"startRowIndex": 0, "endRowIndex": 1, "startColumnIndex": 0, "endColumnIndex": 2}]
    book.sheet1.unmerge_cells("A1:B1")
    assert "merges" not in book.fetch_sheet_metadata()["sheets"][0]


def test_protected_ranges_and_dimension_groups_reply_like_google(book: gspread.Spreadsheet,
                                                                 session: requests.Session):
    """addProtectedRange replies an int id and omits sheetId 0; groups reply their depth; deletes empty them."""
    reply = _batch(session, {"addProtectedRange": {"protectedRange": {
        "range": {"sheetId": 0, "startRowIndex": 0, "endRowIndex": 2}, "description": None, "warningOnly": False,
        "editors": {"users": [], "groups": []}}}}).json()["replies"][0]["addProtectedRange"]["protectedRange"]
    assert isinstance(reply["protectedRangeId"], int)
    assert reply["range"] == {"startRowIndex": 0, "endRowIndex": 2}
    assert reply["requestingUserCanEdit"] is True and reply["editors"] == {}
    group = {"sheetId": 0, "dimension": "COLUMNS", "startIndex": 0, "endIndex": 2}
    added = _batch(session, {"addDimensionGroup": {"range": group}}).json()["replies"][0]
    assert added == {"addDimensionGroup": {"dimensionGroups": [
        {"range": {"dimension": "COLUMNS", "startIndex": 0, "endIndex": 2}, "depth": 1}]}}
    removed = _batch(session, {"deleteDimensionGroup": {"range": group}},
                     {"deleteProtectedRange": {"protectedRangeId": reply["protectedRangeId"]}}).json()
    assert removed["replies"] == [{"deleteDimensionGroup": {}}, {}]


def test_an_unemulated_request_kind_is_refused(book: gspread.Spreadsheet, session: requests.Session):
    """A request kind the emulator does not implement is a 400, never a silent success."""
    assert "not emulated" in _error(_batch(session, {"addChart": {"chart": {}}}))


def test_update_spreadsheet_properties_renames_the_file(book: gspread.Spreadsheet, gc: gspread.Client):
    """updateSpreadsheetProperties with fields=title renames the spreadsheet."""
    book.update_title("Renamed 🎉")
    assert gc.open_by_key(KEY).title == "Renamed 🎉"


def test_merging_over_existing_merges_replaces_them(book: gspread.Spreadsheet):
    """MERGE_ALL over two MERGE_ROWS merges leaves one merge covering the range."""
    book.sheet1.merge_cells("A1:B2", merge_type="MERGE_ROWS")
    book.sheet1.merge_cells("A1:B2")
    assert book.fetch_sheet_metadata()["sheets"][0]["merges"] == [
        {"startRowIndex": 0, "endRowIndex": 2, "startColumnIndex": 0, "endColumnIndex": 2}]


def test_tab_colour_is_stored_like_google(book: gspread.Spreadsheet, session: requests.Session):
    """tabColorStyle sets tabColor too, in single precision without zero components; clearing removes both."""
    book.sheet1.update_tab_color("#FF007F")
    props = session.get(f"{SHEETS}/{KEY}", params={"fields": "sheets.properties(tabColor,tabColorStyle)"}).json()
    assert props["sheets"][0]["properties"] == {"tabColor": {"red": 1, "blue": 0.49803922},
                                                "tabColorStyle": {"rgbColor": {"red": 1, "blue": 0.49803922}}}
    book.sheet1.clear_tab_color()
    cleared = session.get(f"{SHEETS}/{KEY}", params={"fields": "sheets.properties.tabColorStyle"}).json()
    assert cleared == {"sheets": [{"properties": {}}]}


def test_nulls_in_a_body_mean_not_set(book: gspread.Spreadsheet, session: requests.Session):
    """`"index": null`, `"sheetId": null` and a null gridProperties are ignored, as proto3 ignores them."""
    reply = _batch(session, {"addSheet": {"properties": {"title": "N", "index": None, "sheetId": None,
                                                          "gridProperties": None}}})
    props = reply.json()["replies"][0]["addSheet"]["properties"]
    assert (props["index"], props["gridProperties"]) == (1, {"rowCount": 1000, "columnCount": 26})
    assert isinstance(props["sheetId"], int) and props["sheetId"] > 0


def test_generated_sheet_ids_follow_the_seed():
    """Two services with the same seed give a new tab the same id; another seed gives another id."""
    from sheets_sync.sheets_emulator.service import ApiRequest, SheetsService

    def new_id(seed: int) -> int:
        service = SheetsService(seed=seed)
        service.create_spreadsheet(KEY)
        reply = service.handle(ApiRequest("POST", f"/v4/spreadsheets/{KEY}:batchUpdate",
                                          body=b'{"requests": [{"addSheet": {}}]}'))
        return int(reply.json()["replies"][0]["addSheet"]["properties"]["sheetId"])

    assert new_id(7) == new_id(7)
    assert new_id(7) != new_id(8)


def test_protected_ranges_list_the_owner_as_an_editor_after_the_reply(book: gspread.Spreadsheet,
                                                                       session: requests.Session):
    """The addProtectedRange reply echoes the editors asked for; the stored range lists the owner first."""
    protected = {"range": {"sheetId": 0, "endRowIndex": 1}, "warningOnly": True,
                 "editors": {"users": ["ann@example.com"]}}
    reply = _batch(session, {"addProtectedRange": {"protectedRange": protected}}).json()["replies"][0]
    assert reply["addProtectedRange"]["protectedRange"]["editors"] == {"users": ["ann@example.com"]}
    listed = session.get(f"{SHEETS}/{KEY}", params={"fields": "sheets.protectedRanges.editors"}).json()
    assert listed["sheets"][0]["protectedRanges"] == [{"editors": {"users": [OWNER_EMAIL, "ann@example.com"]}}]


@pytest.mark.parametrize(("dimension", "key"),
                         [("ROWS", "rowGroupControlAfter"), ("COLUMNS", "columnGroupControlAfter")])
def test_group_control_after_is_shown_once_a_group_was_added_and_stays(book: gspread.Spreadsheet,
                                                                        session: requests.Session,
                                                                        dimension: str, key: str):
    """A tab's first dimension group makes gridProperties show `<dim>GroupControlAfter: true`, even once removed."""
    def grid() -> dict:
        answer = session.get(f"{SHEETS}/{KEY}", params={"fields": "sheets.properties.gridProperties"}).json()
        return dict(answer["sheets"][0]["properties"]["gridProperties"])

    assert key not in grid()
    group = {"sheetId": 0, "dimension": dimension, "startIndex": 0, "endIndex": 2}
    _batch(session, {"addDimensionGroup": {"range": group}})
    assert grid()[key] is True
    _batch(session, {"deleteDimensionGroup": {"range": group}})
    assert grid()[key] is True


def test_format_colours_are_kept_in_eight_bits_and_mirrored_in_their_styles(book: gspread.Spreadsheet,
                                                                           session: requests.Session):
    """A written backgroundColor also sets backgroundColorStyle (and a foregroundColorStyle the foregroundColor),
    each component cut to 8 bits (0.5 reads back 0.49803922), as Google answers them."""
    book.sheet1.format("A1", {"backgroundColor": {"green": 1, "blue": 0.5},
                              "textFormat": {"foregroundColorStyle": {"rgbColor": {"red": 0.2}}}})
    shown = session.get(f"{SHEETS}/{KEY}", params={"ranges": "A1",
                                                    "fields": "sheets.data.rowData.values.userEnteredFormat"}).json()
    fmt = shown["sheets"][0]["data"][0]["rowData"][0]["values"][0]["userEnteredFormat"]
    assert fmt == {"backgroundColor": {"green": 1, "blue": 0.49803922},
                   "backgroundColorStyle": {"rgbColor": {"green": 1, "blue": 0.49803922}},
                   "textFormat": {"foregroundColor": {"red": 0.2}, "foregroundColorStyle": {"rgbColor": {"red": 0.2}}}}
    _batch(session, {"repeatCell": {"range": {"sheetId": 0, "endRowIndex": 1, "endColumnIndex": 1},
                                    "cell": {"userEnteredFormat": {"backgroundColor": {"red": 1}}},
                                    "fields": "userEnteredFormat.backgroundColor"}})
    again = session.get(f"{SHEETS}/{KEY}", params={"ranges": "A1",
                                                    "fields": "sheets.data.rowData.values.userEnteredFormat"}).json()
    assert again["sheets"][0]["data"][0]["rowData"][0]["values"][0]["userEnteredFormat"]["backgroundColorStyle"] == {
        "rgbColor": {"red": 1}}
