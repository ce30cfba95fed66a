"""The spreadsheets.values methods: get, update, append, clear and their batch forms, on one spreadsheet."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sheets_sync.sheets_emulator import a1
from sheets_sync.sheets_emulator.errors import (
    CELL_CHARACTERS,
    CELL_LIMIT,
    bad_field,
    cell_limit_text,
    characters_text,
    grid_limits_text,
    invalid,
)
from sheets_sync.sheets_emulator.model import Sheet, Spreadsheet
from sheets_sync.sheets_emulator.ranges import resolve_a1
from sheets_sync.sheets_emulator.render import entered_number_format, rendered, written_value

Json = dict[str, Any]
_LIST = "type.googleapis.com/google.protobuf.ListValue"


@dataclass(frozen=True)
class ValueOptions:
    """Query options of a values call: how to parse input and render output."""

    user_entered: bool = False
    value_render: str = "FORMATTED_VALUE"
    date_render: str = "SERIAL_NUMBER"
    major_dimension: str = "ROWS"
    include_values: bool = False
    insert_rows: bool = False
    expand_anchor: bool = False  # grow the grid for an anchor-only range (off: strict, as observed at Google)


def _first(query: Mapping[str, list[str]], key: str) -> str | None:
    values = query.get(key)
    return values[0] if values else None


def _flag(value: Any) -> bool:
    return str(value).lower() == "true" if value is not None else False


def read_options(query: Mapping[str, list[str]]) -> ValueOptions:
    """Options of values.get / batchGet from the query."""
    return ValueOptions(value_render=_first(query, "valueRenderOption") or "FORMATTED_VALUE",
                        date_render=_first(query, "dateTimeRenderOption") or "SERIAL_NUMBER",
                        major_dimension=_first(query, "majorDimension") or "ROWS")


def write_options(source: Mapping[str, Any], *, expand_anchor: bool, required: bool = True) -> ValueOptions:
    """Options of a write from its query (or a batchUpdate body); `valueInputOption` is required."""
    input_option = source.get("valueInputOption")
    if isinstance(input_option, list):
        input_option = input_option[0] if input_option else None
    if input_option is None and required:
        raise invalid("'valueInputOption' is required but not specified")
    if input_option not in (None, "RAW", "USER_ENTERED"):
        raise invalid(f"Invalid valueInputOption: {input_option}")

    def one(key: str) -> Any:
        value = source.get(key)
        return value[0] if isinstance(value, list) and value else value

    return ValueOptions(user_entered=input_option == "USER_ENTERED",
                        value_render=one("responseValueRenderOption") or "FORMATTED_VALUE",
                        date_render=one("responseDateTimeRenderOption") or "SERIAL_NUMBER",
                        include_values=_flag(one("includeValuesInResponse")),
                        insert_rows=one("insertDataOption") == "INSERT_ROWS", expand_anchor=expand_anchor)


def _rect_for_read(sheet: Sheet, bounds: a1.Bounds, text: str) -> a1.Rect:
    rect = a1.clamp(bounds, sheet.rows, sheet.cols)
    if rect.start_row >= sheet.rows or rect.start_col >= sheet.cols:
        raise invalid(grid_limits_text(text, sheet.rows, sheet.cols))
    return a1.Rect(rect.start_row, min(rect.end_row, sheet.rows), rect.start_col, min(rect.end_col, sheet.cols))


def value_range(sheet: Sheet, rect: a1.Rect, options: ValueOptions) -> Json:
    """A ValueRange: the range bounded to the grid, trailing empties trimmed, `values` absent when empty."""
    grid: dict[tuple[int, int], Any] = {}
    for row, col, cell in sheet.cells_in(rect):
        value = rendered(cell, options.value_render, options.date_render)
        if value is not None and value != "":
            grid[(row - rect.start_row, col - rect.start_col)] = value
    if options.major_dimension == "COLUMNS":
        grid = {(c, r): v for (r, c), v in grid.items()}
    out: Json = {"range": a1.format_range(sheet.title, rect), "majorDimension": options.major_dimension}
    if grid:
        by_row: dict[int, dict[int, Any]] = {}
        for (r, c), value in grid.items():
            by_row.setdefault(r, {})[c] = value
        rows: list[list[Any]] = []
        for r in range(max(by_row) + 1):
            cells = by_row.get(r, {})
            rows.append([cells.get(c, "") for c in range(max(cells) + 1)] if cells else [])
        out["values"] = rows
    return out


def get(book: Spreadsheet, text: str, options: ValueOptions) -> Json:
    """values.get."""
    sheet, bounds = resolve_a1(book, text)
    return value_range(sheet, _rect_for_read(sheet, bounds, text), options)


def batch_get(book: Spreadsheet, texts: list[str], options: ValueOptions) -> Json:
    """values.batchGet."""
    return {"spreadsheetId": book.spreadsheet_id, "valueRanges": [get(book, t, options) for t in texts]}


def _matrix(values: Any, field: str, major: str) -> list[list[Any]]:
    if values is None:
        return []
    if not isinstance(values, list):
        raise bad_field(field, values, _LIST)
    rows: list[list[Any]] = []
    for index, row in enumerate(values):
        if not isinstance(row, list):
            raise bad_field(f"{field}[{index}]", row, _LIST)
        rows.append(row)
    if major == "COLUMNS":
        width = max((len(r) for r in rows), default=0)
        rows = [[col[i] if i < len(col) else None for col in rows] for i in range(width)]
        rows = [_trim_nones(r) for r in rows]
    return rows


def _trim_nones(row: list[Any]) -> list[Any]:
    while row and row[-1] is None:
        row = row[:-1]
    return row


def _put_values(sheet: Sheet, top: int, left: int, rows: list[list[Any]],
                options: ValueOptions) -> set[tuple[int, int]]:
    """Write the matrix at (top, left); nulls skip a cell, "" empties it. Returns the positions written."""
    written: set[tuple[int, int]] = set()
    for i, row in enumerate(rows):
        for j, raw in enumerate(row):
            if raw is None:
                continue
            if isinstance(raw, str) and len(raw) > CELL_CHARACTERS:
                raise invalid(characters_text())
            if isinstance(raw, list | dict):
                raise invalid(f"Invalid values[{i}][{j}]: {raw!r}")
            value = written_value(raw, options.user_entered)
            cell = dict(sheet.cell(top + i, left + j))
            cell.pop("userEnteredValue", None)
            if value:
                cell["userEnteredValue"] = value
            entered_format = entered_number_format(raw, options.user_entered)
            fmt = cell.get("userEnteredFormat") or {}
            if entered_format is not None and "numberFormat" not in fmt:
                # a typed date gets a date format unless the cell already has a number format of its own
                cell["userEnteredFormat"] = {**fmt, "numberFormat": entered_format}
            sheet.put(top + i, left + j, cell)
            written.add((top + i, left + j))
    return written


def _grow(book: Spreadsheet, sheet: Sheet, rows: int, cols: int) -> None:
    grid = sheet.properties["gridProperties"]
    grid["rowCount"], grid["columnCount"] = max(sheet.rows, rows), max(sheet.cols, cols)
    if book.cell_count() > CELL_LIMIT:
        raise invalid(cell_limit_text())


def _update_response(book: Spreadsheet, sheet: Sheet, rect: a1.Rect, written: set[tuple[int, int]],
                     options: ValueOptions, requested: a1.Rect) -> Json:
    """UpdateValuesResponse: the range spans the data; rows, columns and cells count only non-null values."""
    out: Json = {"spreadsheetId": book.spreadsheet_id, "updatedRange": a1.format_range(sheet.title, rect)}
    if written:
        out.update(updatedRows=len({r for r, _ in written}), updatedColumns=len({c for _, c in written}),
                   updatedCells=len(written))
    if options.include_values:
        out["updatedData"] = value_range(sheet, requested, options)
    return out


def update(book: Spreadsheet, text: str, body: Json, options: ValueOptions, field: str = "data.values",
           written: set[tuple[str, int, int]] | None = None) -> Json:
    """values.update (and one entry of values.batchUpdate, which collects the `written` positions)."""
    rows = _matrix(body.get("values"), field, body.get("majorDimension") or "ROWS")  # Google checks the body first
    sheet, bounds = resolve_a1(book, text)
    top, left = bounds.start_row or 0, bounds.start_col or 0
    height, width = len(rows), max((len(r) for r in rows), default=0)
    anchor_only = (bounds.end_row == top + 1 and bounds.end_col == left + 1) or bounds == a1.Bounds()
    bounded = not anchor_only and bounds.end_row is not None and bounds.end_col is not None
    requested = a1.clamp(bounds, sheet.rows, sheet.cols)
    if bounded and bounds.end_row is not None and top + height > bounds.end_row:
        raise invalid(f"Requested writing within range [{text}], but tried writing to row [{top + height}]")
    if bounded and bounds.end_col is not None and left + width > bounds.end_col:
        raise invalid(f"Requested writing within range [{text}], but tried writing to column "
                      f"[{a1.column_letters(left + width - 1)}]")
    need_rows, need_cols = max(top + height, top + 1), max(left + width, left + 1)
    if need_rows > sheet.rows or need_cols > sheet.cols:
        if not (options.expand_anchor and anchor_only):
            raise invalid(grid_limits_text(text, sheet.rows, sheet.cols))
        _grow(book, sheet, need_rows, need_cols)
    cells = _put_values(sheet, top, left, rows, options)
    if written is not None:
        written.update((sheet.title, r, c) for r, c in cells)
    rect = a1.Rect(top, top + max(height, 1), left, left + max(width, 1))
    return _update_response(book, sheet, rect, cells, options,
                            a1.Rect(requested.start_row, min(requested.end_row, sheet.rows),
                                    requested.start_col, min(requested.end_col, sheet.cols)))


def batch_update(book: Spreadsheet, body: Json, expand_anchor: bool) -> Json:
    """values.batchUpdate: every range written, or none (the caller commits the copy)."""
    options = write_options(body, expand_anchor=expand_anchor)
    data = body.get("data") or []
    if not isinstance(data, list):
        raise bad_field("data", data, _LIST)
    responses = []
    written: set[tuple[str, int, int]] = set()
    for index, entry in enumerate(data):
        responses.append(update(book, str(entry.get("range", "")), entry, options, f"data[{index}].values",
                                written))
    out: Json = {"spreadsheetId": book.spreadsheet_id}
    if written:  # distinct rows and columns over all ranges, as Google counts them
        out.update(totalUpdatedRows=len({(t, r) for t, r, _ in written}),
                   totalUpdatedColumns=len({(t, c) for t, _, c in written}),
                   totalUpdatedCells=len(written), totalUpdatedSheets=len({t for t, _, _ in written}))
    out["responses"] = responses
    return out


def find_table(sheet: Sheet, search: a1.Rect) -> a1.Rect | None:
    """The "logical table" values.append writes below: the block of touching values (diagonals too) that holds
    the range's last value, spreading past the range. Google's recorded rule: after a row `x, "", z` in A1:C1,
    appending into the whole tab finds the table `C1` (only z's block) and writes `C2:E2`, while appending at
    `A1` finds `A1` and writes `A2:C2`."""
    in_range = [(r, c) for r, c, cell in sheet.cells_in(search) if "userEnteredValue" in cell]
    if not in_range:
        return None
    data = {position for position, cell in sheet.cells.items() if "userEnteredValue" in cell}
    seen = {max(in_range)}  # the range's last value in row-major order
    queue = list(seen)
    while queue:
        r, c = queue.pop()
        for dr in (-1, 0, 1):
            for dc in (-1, 0, 1):
                neighbour = (r + dr, c + dc)
                if neighbour in data and neighbour not in seen:
                    seen.add(neighbour)
                    queue.append(neighbour)
    rows, cols = [r for r, _c in seen], [c for _r, c in seen]
    return a1.Rect(min(rows), max(rows) + 1, min(cols), max(cols) + 1)


def append(book: Spreadsheet, text: str, body: Json, options: ValueOptions) -> Json:
    """values.append: below the table found in the range, starting at the table's first column."""
    rows = _matrix(body.get("values"), "data.values", body.get("majorDimension") or "ROWS")
    sheet, bounds = resolve_a1(book, text)
    search = a1.clamp(bounds, sheet.rows, sheet.cols)
    out: Json = {"spreadsheetId": book.spreadsheet_id}
    table = find_table(sheet, search)
    if table is not None:
        out["tableRange"] = a1.format_range(sheet.title, table)
        top, left = table.end_row, table.start_col
    else:
        top, left = search.start_row, search.start_col
    height, width = len(rows), max((len(r) for r in rows), default=0)
    if options.insert_rows and height:
        _shift_rows_down(sheet, top, height)
        _grow(book, sheet, sheet.rows + height, left + width)
    else:
        _grow(book, sheet, top + height, left + width)
    cells = _put_values(sheet, top, left, rows, options)
    rect = a1.Rect(top, top + max(height, 1), left, left + max(width, 1))
    out["updates"] = _update_response(book, sheet, rect, cells, options, rect)
    return out


def _shift_rows_down(sheet: Sheet, at: int, count: int) -> None:
    moved = {((r + count) if r >= at else r, c): cell for (r, c), cell in sheet.cells.items()}
    sheet.cells.clear()
    sheet.cells.update(moved)


def clear(book: Spreadsheet, text: str) -> Json:
    """values.clear: values go, formats and notes stay; the answer names the range bounded to the grid."""
    sheet, bounds = resolve_a1(book, text)
    rect = _rect_for_read(sheet, bounds, text)
    for row, col, cell in sheet.cells_in(rect):
        if "userEnteredValue" in cell:
            kept = {k: v for k, v in cell.items() if k != "userEnteredValue"}
            sheet.put(row, col, kept)
    return {"spreadsheetId": book.spreadsheet_id, "clearedRange": a1.format_range(sheet.title, rect)}


def batch_clear(book: Spreadsheet, body: Json) -> Json:
    """values.batchClear."""
    ranges = body.get("ranges") or []
    cleared = [clear(book, str(r))["clearedRange"] for r in ranges]
    return {"spreadsheetId": book.spreadsheet_id, "clearedRanges": cleared}
