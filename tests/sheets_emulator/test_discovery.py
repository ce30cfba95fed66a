"""The discovery-document validator: Google's 400s for bodies and queries the real Sheets API refuses."""

from __future__ import annotations

from typing import Any

import pytest

from sheets_sync.sheets_emulator.discovery import (
    DiscoveryValidator,
    load_sheets_validator,
    parse_field_mask,
)

BATCH = "sheets.spreadsheets.batchUpdate"
UPDATE = "sheets.spreadsheets.values.update"
APPEND = "sheets.spreadsheets.values.append"
VALUES_BATCH = "sheets.spreadsheets.values.batchUpdate"


@pytest.fixture(scope="module")
def validator() -> DiscoveryValidator:
    """The validator over the installed google-api-python-client's sheets.v4.json (a test dependency)."""
    loaded = load_sheets_validator()
    assert loaded is not None, "google-api-python-client is not installed (pip install -r requirements-dev.txt)"
    return loaded


def batch(*requests: Any) -> dict[str, Any]:
    return {"requests": list(requests)}


SWAP = batch(
    {"updateSheetProperties": {"properties": {"sheetId": 7, "title": "Data", "hidden": False,
                                              "gridProperties": {"rowCount": 3, "columnCount": 2}},
                               "fields": "title,hidden,gridProperties/rowCount,gridProperties.columnCount"}},
    {"copyPaste": {"source": {"sheetId": 8}, "destination": {"sheetId": 7}, "pasteType": "PASTE_NORMAL"}},
    {"deleteSheet": {"sheetId": 8}},
    {"repeatCell": {"range": {"sheetId": 7, "endRowIndex": 1},
                    "cell": {"userEnteredFormat": {"textFormat": {"bold": True}}},
                    "fields": "userEnteredFormat(textFormat,horizontalAlignment)"}},
    {"updateCells": {"start": {"sheetId": 7}, "fields": "userEnteredValue,note",
                     "rows": [{"values": [{"userEnteredValue": {"stringValue": "=1+1"}, "note": "refreshed"},
                                          {"userEnteredValue": {"numberValue": 45000.5}}]}]}},
    {"addNamedRange": {"namedRange": {"name": "Data_range", "range": {"sheetId": 7, "endRowIndex": 3}}}},
)


def test_a_swap_batch_and_typed_cells_are_valid(validator: DiscoveryValidator) -> None:
    """A realistic refresh batch (rename, copyPaste, delete, format, typed cells, named range) passes."""
    assert validator(BATCH, {}, SWAP) is None


def test_nulls_mean_not_set(validator: DiscoveryValidator) -> None:
    """JSON nulls are dropped before checking, as gspread sends `majorDimension: null` and Google accepts it."""
    body = {"values": [["a", 1, None]], "majorDimension": None}
    assert validator(UPDATE, {"valueInputOption": ["RAW"]}, body) is None
    assert validator(BATCH, {}, batch({"duplicateSheet": {"sourceSheetId": 0, "insertSheetIndex": None,
                                                          "newSheetName": "copy"}})) is None


@pytest.mark.parametrize(("body", "message"), [
    (batch({"addSheet": {"properties": {"title": "a"}}, "deleteSheet": {"sheetId": 1}}),
     "Invalid value at 'requests[0]' (oneof), oneof field 'kind' is already set. Cannot set 'deleteSheet'"),
    (batch({"updateSheetProperties": {"properties": {"sheetID": 1, "title": "x"}, "fields": "title"}}),
     "Invalid JSON payload received. Unknown name \"sheetID\" at 'requests[0].update_sheet_properties.properties': "
     "Cannot find field."),
    (batch({"addSheet": {"properties": {"sheetType": "TABLE"}}}),
     "Invalid value at 'requests[0].add_sheet.properties.sheet_type' "
     "(type.googleapis.com/google.apps.sheets.v4.SheetType), \"TABLE\""),
    (batch({"deleteSheet": {"sheetId": 2**31}}),
     "Invalid value at 'requests[0].delete_sheet.sheet_id' (TYPE_INT32), 2147483648"),
    (batch({}), "Invalid requests[0]: no kind of Request is set (exactly one must be)."),
    (batch({"updateCells": {"start": {"sheetId": 0}, "fields": "userEnteredValue", "rows": [
        {"values": [{"userEnteredValue": {"stringValue": "1", "numberValue": 1}}]}]}}),
     "Invalid value at 'requests[0].update_cells.rows[0].values[0].user_entered_value' (oneof), "
     "oneof field 'value' is already set. Cannot set 'numberValue'"),
    (batch({"deleteSheet": {"sheetId": "seven"}}),
     "Invalid value at 'requests[0].delete_sheet.sheet_id' (TYPE_INT32), \"seven\""),
    (batch({"updateSheetProperties": {"properties": {"sheetId": 0, "hidden": "yes"}, "fields": "hidden"}}),
     "Invalid value at 'requests[0].update_sheet_properties.properties.hidden' (TYPE_BOOL), \"yes\""),
    ({"requests": "x"}, "Invalid value at 'requests' (type.googleapis.com/google.apps.sheets.v4.Request), \"x\""),
])
def test_schema_violations_are_refused_with_googles_message(validator: DiscoveryValidator, body: Any,
                                                           message: str) -> None:
    """Union with two kinds, a typo'd field, a closed enum, int32 overflow, an empty union, wrong scalar types."""
    assert validator(BATCH, {}, body) == message


def test_every_violation_is_reported_with_its_field(validator: DiscoveryValidator) -> None:
    """Two problems give two lines and two field violations naming the proto paths."""
    body = batch({"deleteSheet": {"sheetID": 1}}, {"addSheet": {"properties": {"sheetType": "TABLE"}}})
    found = validator.violations(BATCH, {}, body)
    assert [v.field for v in found] == ["requests[0].delete_sheet", "requests[1].add_sheet.properties.sheet_type"]
    assert validator(BATCH, {}, body) == "\n".join(v.description for v in found)


def test_values_that_are_not_a_list_are_refused_as_google_did(validator: DiscoveryValidator) -> None:
    """values.update with `values: "X"` gets the message Google recorded, under the body field `data`."""
    found = validator.violations(UPDATE, {"valueInputOption": ["RAW"]}, {"values": "X"})
    assert [(v.field, v.description) for v in found] == [
        ("data.values", "Invalid value at 'data.values' (type.googleapis.com/google.protobuf.ListValue), \"X\"")]


@pytest.mark.parametrize("method", [UPDATE, APPEND])
@pytest.mark.parametrize("query", [{}, {"valueInputOption": ["INPUT_VALUE_OPTION_UNSPECIFIED"]}])
def test_value_writes_require_a_value_input_option(validator: DiscoveryValidator, method: str,
                                                   query: dict[str, list[str]]) -> None:
    """update and append without valueInputOption (or with the UNSPECIFIED value) are refused."""
    assert validator(method, query, {"values": [["a"]]}) == "Invalid valueInputOption: INPUT_VALUE_OPTION_UNSPECIFIED"


def test_values_batch_update_requires_a_value_input_option_in_its_body(validator: DiscoveryValidator) -> None:
    """values.batchUpdate carries valueInputOption in the body; missing or null there is refused."""
    data = [{"range": "A1", "values": [[1]]}]
    assert validator(VALUES_BATCH, {}, {"data": data, "valueInputOption": None}) is not None
    assert validator(VALUES_BATCH, {}, {"data": data, "valueInputOption": "RAW"}) is None


def test_query_parameters_come_from_the_method(validator: DiscoveryValidator) -> None:
    """Booleans case-insensitive; enums closed; an unknown parameter cannot be bound."""
    assert validator(APPEND, {"valueInputOption": ["RAW"], "includeValuesInResponse": ["False"],
                              "insertDataOption": ["INSERT_ROWS"]}, {"values": [[1]]}) is None
    assert validator(UPDATE, {"valueInputOption": ["raw"]}, {"values": [[1]]}) == (
        "Invalid value at 'value_input_option' (type.googleapis.com/google.apps.sheets.v4.ValueInputOption), \"raw\"")
    assert validator(UPDATE, {"valueInputOption": ["RAW"], "includeValuesInResponse": ["maybe"]}, {}) == (
        "Invalid value at 'include_values_in_response' (TYPE_BOOL), \"maybe\"")
    assert validator("sheets.spreadsheets.get", {"includeGridData": ["false"], "ranges": ["A1", "B2"]}, None) is None
    assert validator("sheets.spreadsheets.get", {"sheetId": ["0"]}, None) == (
        "Invalid JSON payload received. Unknown name \"sheetId\": Cannot bind query parameter. "
        "Field 'sheetId' could not be found in request message.")


@pytest.mark.parametrize(("mask", "paths"), [
    ("gridProperties/rowCount,gridProperties/columnCount", [["gridProperties", "rowCount"],
                                                            ["gridProperties", "columnCount"]]),
    ("gridProperties.hideGridlines", [["gridProperties", "hideGridlines"]]),
    ("userEnteredFormat(backgroundColor,textFormat/bold)", [["userEnteredFormat", "backgroundColor"],
                                                            ["userEnteredFormat", "textFormat", "bold"]]),
    ("*", [["*"]]),
])
def test_field_masks_parse_in_all_three_syntaxes(mask: str, paths: list[list[str]]) -> None:
    """Slash, dot and parenthesised sub-selections all parse to the same kind of field paths."""
    assert parse_field_mask(mask) == paths


@pytest.mark.parametrize(("request_", "message"), [
    ({"updateSheetProperties": {"properties": {"sheetId": 0}, "fields": ""}},
     "Invalid requests[0].updateSheetProperties: At least one field must be specified."),
    ({"updateSheetProperties": {"properties": {"sheetId": 0}}},
     "Invalid requests[0].updateSheetProperties: At least one field must be specified."),
    ({"updateSheetProperties": {"properties": {"sheetId": 0}, "fields": "gridProperties/rowCounts"}},
     "Invalid requests[0].updateSheetProperties: Invalid field mask path 'gridProperties.rowCounts': "
     "GridProperties has no field 'rowCounts'."),
    ({"repeatCell": {"range": {"sheetId": 0}, "cell": {}, "fields": "userEnteredFormat(bold)"}},
     "Invalid requests[0].repeatCell: Invalid field mask path 'userEnteredFormat.bold': "
     "CellFormat has no field 'bold'."),
    ({"updateSheetProperties": {"properties": {"sheetId": 0}, "fields": "title/x"}},
     "Invalid requests[0].updateSheetProperties: Invalid field mask path 'title.x': 'title' has no sub-fields."),
    ({"updateSheetProperties": {"properties": {"sheetId": 0}, "fields": "gridProperties(rowCount"}},
     "Invalid requests[0].updateSheetProperties: Invalid field mask 'gridProperties(rowCount' (unclosed '(')."),
])
def test_field_masks_name_fields_of_the_updated_schema(validator: DiscoveryValidator, request_: Any,
                                                       message: str) -> None:
    """An empty mask, a path through a missing or scalar field, and a broken mask are refused."""
    assert validator(BATCH, {}, batch(request_)) == message


def test_star_mask_and_cell_masks_are_accepted(validator: DiscoveryValidator) -> None:
    """`*` stands for every field; updateCells masks are relative to CellData."""
    body = batch({"updateSheetProperties": {"properties": {"sheetId": 0}, "fields": "*"}},
                 {"updateCells": {"range": {"sheetId": 0}, "fields": "userEnteredValue,note"}})
    assert validator(BATCH, {}, body) is None


def test_methods_are_found_from_the_raw_path(validator: DiscoveryValidator) -> None:
    """Raw request paths map to discovery method ids, the percent-encoded range and the verb suffix included."""
    assert validator.method_id_for("POST", "/v4/spreadsheets/k:batchUpdate") == BATCH
    assert validator.method_id_for("PUT", "/v4/spreadsheets/k/values/%27S%20x%27%21A1") == UPDATE
    assert validator.method_id_for("POST", "/v4/spreadsheets/k/values/%27S%27%21A1:append?x=1") == APPEND
    assert validator.method_id_for("GET", "/v4/spreadsheets/k/values:batchGet") == "sheets.spreadsheets.values.batchGet"
    assert validator.method_id_for("GET", "/v4/spreadsheets/k") == "sheets.spreadsheets.get"
    assert validator.method_id_for("DELETE", "/drive/v3/files/k") is None


def test_responses_are_checked_against_the_response_schema(validator: DiscoveryValidator) -> None:
    """An unknown key or a mistyped value in a response is a problem; Google's recorded shape is not."""
    good = {"spreadsheetId": "k", "updatedRange": "Sheet1!A1", "updatedRows": 1, "updatedColumns": 1, "updatedCells": 1}
    assert validator.response_problems(UPDATE, good) == []
    assert validator.response_problems(UPDATE, {**good, "updatedRows": "1x"}) != []
    assert validator.response_problems(UPDATE, {**good, "tableRange": "A1"}) != []
    assert validator.response_problems(BATCH, {"spreadsheetId": "k", "replies": [{}, {"addSheet": {
        "properties": {"sheetId": 5, "title": "t", "index": 1, "sheetType": "GRID"}}}]}) == []
