"""spreadsheets.batchUpdate: each request kind applied in order to a copy, which the caller commits if all succeed."""

from __future__ import annotations

import copy
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sheets_sync.sheets_emulator import a1, colours
from sheets_sync.sheets_emulator.errors import (
    CELL_CHARACTERS,
    CELL_LIMIT,
    RequestError,
    cell_limit_text,
    characters_text,
    grid_limits_text,
    invalid,
    invalid_request,
)
from sheets_sync.sheets_emulator.fieldmask import FieldMaskError, Path, apply_mask, parse_mask
from sheets_sync.sheets_emulator.model import (
    OWNER_EMAIL,
    Sheet,
    Spreadsheet,
    grid_range_json,
    new_sheet_properties,
)
from sheets_sync.sheets_emulator.ranges import grid_bounds, grid_rect, within_grid

Json = dict[str, Any]
# CellData fields a cell keeps; the rest (effectiveValue, formattedValue, …) are computed, never stored
STORED_CELL_FIELDS = ("userEnteredValue", "userEnteredFormat", "note", "dataValidation", "hyperlink",
                      "textFormatRuns", "pivotTable")
_PASTE_FIELDS = {"PASTE_VALUES": ("userEnteredValue",), "PASTE_FORMULA": ("userEnteredValue",),
                 "PASTE_FORMAT": ("userEnteredFormat",), "PASTE_DATA_VALIDATION": ("dataValidation",),
                 "PASTE_CONDITIONAL_FORMATTING": ()}


@dataclass
class BatchContext:
    """What a request may need beyond the spreadsheet: a seedable source of ids."""

    rng: random.Random


Handler = Callable[[Spreadsheet, Json, BatchContext], Json]


def apply_requests(book: Spreadsheet, requests: list[Any], ctx: BatchContext) -> list[Json]:
    """Apply every request to `book` (a copy) in order; the first failure raises `Invalid requests[i].kind: …`."""
    replies: list[Json] = []
    for index, request in enumerate(requests):
        if not isinstance(request, dict) or len(request) != 1:
            raise invalid(f"Invalid requests[{index}]: exactly one kind of request must be set.")
        kind, body = next(iter(request.items()))
        handler = HANDLERS.get(kind)
        if handler is None:
            raise invalid(f"Invalid requests[{index}]: the request kind '{kind}' is not emulated.")
        try:
            reply = handler(book, body if isinstance(body, dict) else {}, ctx)
            if book.cell_count() > CELL_LIMIT:
                raise RequestError(cell_limit_text())
        except RequestError as error:
            raise invalid_request(index, kind, str(error)) from None
        except FieldMaskError as error:
            raise invalid_request(index, kind, f"Invalid field mask: {error}") from None
        replies.append(reply)
    return replies


# ---- helpers -----------------------------------------------------------------------------------------------


def _mask(body: Json, key: str = "fields") -> list[Path]:
    fields = body.get(key)
    if not fields:
        raise RequestError("At least one field must be specified.")
    return parse_mask(str(fields))


def _sheet(book: Spreadsheet, sheet_id: Any) -> Sheet:
    sheet = book.sheet_by_id(int(sheet_id or 0))
    if sheet is None:
        raise RequestError(f"No grid with id: {int(sheet_id or 0)}")
    return sheet


def _title_taken(book: Spreadsheet, title: str, other_than: Sheet | None = None) -> bool:
    return any(s.title.lower() == title.lower() and s is not other_than for s in book.sheets)


def _taken_message(title: str) -> str:
    return f'A sheet with the name "{title}" already exists. Please enter another name.'


def _new_id(ctx: BatchContext, used: set[int]) -> int:
    while True:
        candidate = ctx.rng.randrange(1, 2**31 - 1)
        if candidate not in used:
            return candidate


def _clean_cell(cell: Json) -> Json:
    """Drop emptied parts (an empty value or format left by a mask) so an empty cell is `{}`."""
    return {k: v for k, v in cell.items() if k in STORED_CELL_FIELDS and v not in ({}, None, "", [])}


def _check_text(cell: Json) -> None:
    value = cell.get("userEnteredValue") or {}
    for key in ("stringValue", "formulaValue"):
        if len(str(value.get(key, ""))) > CELL_CHARACTERS:
            raise RequestError(characters_text())


def _set_grid(book: Spreadsheet, sheet: Sheet, rows: int, cols: int) -> None:
    if rows < 1 or cols < 1:
        raise RequestError("A sheet must have at least one row and one column.")
    grid = sheet.properties["gridProperties"]
    grid["rowCount"], grid["columnCount"] = rows, cols
    sheet.truncate_to_grid()
    if book.cell_count() > CELL_LIMIT:
        raise RequestError(cell_limit_text())


def _check_visible(book: Spreadsheet) -> None:
    if book.sheets and all(s.hidden for s in book.sheets):
        raise RequestError("You can't hide all the sheets in a document.")


def _sync_tab_colour(props: Json, paths: list[Path]) -> None:
    """tabColor and tabColorStyle.rgbColor are one setting: writing either sets (or clears) both."""
    named = {p[0] for p in paths}
    if "tabColorStyle" in named or ("tabColor" not in named and "tabColorStyle" in props):
        style = props.get("tabColorStyle") or {}
        rgb = style.get("rgbColor")
        props.pop("tabColor", None)
        if rgb is not None:
            props["tabColorStyle"] = {"rgbColor": colours.rgb(rgb)}
            props["tabColor"] = colours.rgb(rgb)
        elif not style:
            props.pop("tabColorStyle", None)
    elif "tabColor" in named:
        if props.get("tabColor") is None:
            props.pop("tabColorStyle", None)
        else:
            props["tabColor"] = colours.rgb(props["tabColor"])
            props["tabColorStyle"] = {"rgbColor": props["tabColor"]}


def _move(book: Spreadsheet, sheet: Sheet, requested: int) -> None:
    """Google's move: indexes count before the move; the same index or the next one leaves the tab in place."""
    current = book.sheets.index(sheet)
    requested = max(0, min(requested, len(book.sheets)))
    if requested in (current, current + 1):
        return
    book.sheets.remove(sheet)
    book.sheets.insert(requested if requested < current else requested - 1, sheet)


# ---- sheets ------------------------------------------------------------------------------------------------


def add_sheet(book: Spreadsheet, body: Json, ctx: BatchContext) -> Json:
    props = copy.deepcopy(body.get("properties") or {})
    title = props.get("title")
    if title is None:
        n = len(book.sheets) + 1
        while _title_taken(book, f"Sheet{n}"):
            n += 1
        title = f"Sheet{n}"
    if not str(title).strip():
        raise RequestError("The sheet name cannot be empty.")
    if _title_taken(book, title):
        raise RequestError(_taken_message(title))
    used = {s.sheet_id for s in book.sheets}
    if "sheetId" in props:
        if int(props["sheetId"]) in used:
            raise RequestError(f"A sheet with the ID {props['sheetId']} already exists. Please enter another ID.")
        if int(props["sheetId"]) < 0:
            raise RequestError("The sheet ID must be non-negative.")
    sheet_id = int(props["sheetId"]) if "sheetId" in props else _new_id(ctx, used)
    grid = props.get("gridProperties") or {}
    index = max(0, min(int(props.get("index", len(book.sheets))), len(book.sheets)))
    properties = new_sheet_properties(sheet_id, title, index, int(grid.get("rowCount", 1000)),
                                      int(grid.get("columnCount", 26)))
    properties["gridProperties"].update({k: v for k, v in grid.items() if k not in ("rowCount", "columnCount")})
    properties.update({k: v for k, v in props.items() if k not in ("sheetId", "title", "index", "gridProperties")})
    sheet = Sheet(properties)
    if sheet.rows < 1 or sheet.cols < 1:
        raise RequestError("A sheet must have at least one row and one column.")
    book.sheets.insert(index, sheet)
    book.reindex()
    _check_visible(book)
    return {"addSheet": {"properties": sheet.properties_json()}}


def delete_sheet(book: Spreadsheet, body: Json, ctx: BatchContext) -> Json:
    sheet = book.sheet_by_id(int(body.get("sheetId") or 0))
    if sheet is None:
        raise RequestError(f"No sheet with id: {int(body.get('sheetId') or 0)}")
    if len(book.sheets) == 1:
        raise RequestError("You can't remove all the sheets in a document.")
    book.sheets.remove(sheet)
    # Named ranges on the tab go with it (Google leaves them as #REF!; none of our callers reads those)
    book.named_ranges = [n for n in book.named_ranges if int(n["range"].get("sheetId") or 0) != sheet.sheet_id]
    book.reindex()
    _check_visible(book)
    return {}


def update_sheet_properties(book: Spreadsheet, body: Json, ctx: BatchContext) -> Json:
    props = body.get("properties") or {}
    sheet = _sheet(book, props.get("sheetId"))
    paths = _mask(body)
    if any(p == ("*",) for p in paths):
        paths = [(key,) for key in props if key != "sheetId"]
    paths = [p for p in paths if p[0] != "sheetId"]
    moves = [p for p in paths if p[0] == "index"]
    changed = apply_mask(sheet.properties, props, [p for p in paths if p[0] != "index"])
    changed["sheetId"] = sheet.sheet_id
    _sync_tab_colour(changed, paths)
    if any(p[0] == "title" for p in paths):
        title = str(changed.get("title") or "")
        if not title.strip():
            raise RequestError("The sheet name cannot be empty.")
        if _title_taken(book, title, other_than=sheet):
            raise RequestError(_taken_message(title))
    grid = changed.setdefault("gridProperties", {})
    rows, cols = int(grid.get("rowCount", sheet.rows)), int(grid.get("columnCount", sheet.cols))
    grid["rowCount"], grid["columnCount"] = rows, cols
    if int(grid.get("frozenRowCount", 0)) > rows or int(grid.get("frozenColumnCount", 0)) > cols:
        raise RequestError("The frozen rows or columns exceed the grid.")
    resized = (rows, cols) != (sheet.rows, sheet.cols)
    # Google applies the new row count before the column count and checks the limit in between
    rows_first = book.cell_count() + (rows - sheet.rows) * sheet.cols
    if rows > sheet.rows and cols < sheet.cols and rows_first > CELL_LIMIT:
        raise RequestError(cell_limit_text())
    sheet.properties = changed
    if resized:
        # Google applies the new size, then checks the limit (so growing rows before shrinking columns can fail)
        _set_grid(book, sheet, rows, cols)
    if moves:
        _move(book, sheet, int(props.get("index", 0)))
    book.reindex()
    _check_visible(book)
    return {}


def update_spreadsheet_properties(book: Spreadsheet, body: Json, ctx: BatchContext) -> Json:
    props = body.get("properties") or {}
    paths = _mask(body)
    if any(p == ("*",) for p in paths):
        paths = [(key,) for key in props]
    changed = apply_mask(book.properties, props, paths)
    if not str(changed.get("title") or "").strip():
        raise RequestError("The spreadsheet title cannot be empty.")
    book.properties = changed
    return {}


def duplicate_sheet(book: Spreadsheet, body: Json, ctx: BatchContext) -> Json:
    source = book.sheet_by_id(int(body.get("sourceSheetId") or 0))
    if source is None:
        raise RequestError(f"No sheet with id: {int(body.get('sourceSheetId') or 0)}")
    used = {s.sheet_id for s in book.sheets}
    if "newSheetId" in body:
        if int(body["newSheetId"]) < 0:
            raise RequestError("newSheetId must be non-negative.")
        if int(body["newSheetId"]) in used:
            raise RequestError(f"A sheet with the ID {body['newSheetId']} already exists. Please enter another ID.")
    name = body.get("newSheetName")
    if not name:
        name, n = f"Copy of {source.title}", 2
        while _title_taken(book, name):
            name, n = f"Copy of {source.title} {n}", n + 1
    if _title_taken(book, name):
        raise RequestError(_taken_message(name))
    copy_ = source.clone()
    copy_.properties["sheetId"] = int(body["newSheetId"]) if "newSheetId" in body else _new_id(ctx, used)
    copy_.properties["title"] = name
    copy_.properties.pop("hidden", None)
    copy_.protected_ranges = []
    if copy_.basic_filter:
        copy_.basic_filter["range"]["sheetId"] = copy_.sheet_id
    index = body.get("insertSheetIndex")
    position = book.sheets.index(source) + 1 if index is None else max(0, min(int(index), len(book.sheets)))
    book.sheets.insert(position, copy_)
    book.reindex()
    return {"duplicateSheet": {"properties": copy_.properties_json()}}


# ---- cells -------------------------------------------------------------------------------------------------


def _write_cells(sheet: Sheet, rect: a1.Rect, rows: list[Json], paths: list[Path], clear_rest: bool) -> None:
    """CellData rows written from rect's corner; uncovered cells of `rect` lose the masked fields."""
    paths = colours.mask_with_twins(paths)
    covered: set[tuple[int, int]] = set()
    for i, row in enumerate(rows):
        r = rect.start_row + i
        if r >= rect.end_row:
            break
        for j, given in enumerate((row or {}).get("values") or []):
            c = rect.start_col + j
            if c >= rect.end_col:
                break
            written = colours.cell_with_styles(given or {})
            _check_text(written)
            sheet.put(r, c, _clean_cell(apply_mask(sheet.cell(r, c), written, paths)))
            covered.add((r, c))
    if clear_rest:
        for r, c, cell in sheet.cells_in(rect):
            if (r, c) not in covered:
                sheet.put(r, c, _clean_cell(apply_mask(cell, {}, paths)))


def update_cells(book: Spreadsheet, body: Json, ctx: BatchContext) -> Json:
    rows = body.get("rows") or []
    paths = _mask(body)
    if "range" in body:
        sheet, rect = grid_rect(book, body["range"])
        _write_cells(sheet, rect, rows, paths, clear_rest=True)
        return {}
    start = body.get("start") or {}
    sheet = _sheet(book, start.get("sheetId"))
    top, left = int(start.get("rowIndex", 0)), int(start.get("columnIndex", 0))
    width = max((len((row or {}).get("values") or []) for row in rows), default=0)
    rect = within_grid(sheet, a1.Rect(top, top + max(len(rows), 1), left, left + max(width, 1)))
    _write_cells(sheet, rect, rows, paths, clear_rest=False)
    return {}


def repeat_cell(book: Spreadsheet, body: Json, ctx: BatchContext) -> Json:
    sheet, rect = grid_rect(book, body.get("range") or {})
    given = colours.cell_with_styles(body.get("cell") or {})
    paths = colours.mask_with_twins(_mask(body))
    _check_text(given)
    empty_result = _clean_cell(apply_mask({}, given, paths))
    for r in range(rect.start_row, rect.end_row):
        for c in range(rect.start_col, rect.end_col):
            cell = sheet.cells.get((r, c))
            sheet.put(r, c, dict(empty_result) if not cell else _clean_cell(apply_mask(cell, given, paths)))
    return {}


def append_cells(book: Spreadsheet, body: Json, ctx: BatchContext) -> Json:
    sheet = _sheet(book, body.get("sheetId"))
    rows = body.get("rows") or []
    paths = _mask(body)
    top = max((r for (r, _c), cell in sheet.cells.items() if "userEnteredValue" in cell), default=-1) + 1
    width = max((len((row or {}).get("values") or []) for row in rows), default=0)
    if top + len(rows) > sheet.rows or width > sheet.cols:
        _set_grid(book, sheet, max(sheet.rows, top + len(rows)), max(sheet.cols, width))
    _write_cells(sheet, a1.Rect(top, top + max(len(rows), 1), 0, max(width, 1)), rows, paths, clear_rest=False)
    return {}


def _paste(sheet: Sheet, r: int, c: int, source: Json, paste_type: str) -> None:
    if paste_type in ("PASTE_NORMAL", "PASTE_NO_BORDERS"):
        cell = dict(source)
        if paste_type == "PASTE_NO_BORDERS" and "userEnteredFormat" in cell:
            cell["userEnteredFormat"] = {k: v for k, v in cell["userEnteredFormat"].items() if k != "borders"}
        sheet.put(r, c, _clean_cell(cell))
        return
    fields = _PASTE_FIELDS.get(paste_type, ())
    sheet.put(r, c, _clean_cell(apply_mask(sheet.cell(r, c), source, [(f,) for f in fields])))


def copy_paste(book: Spreadsheet, body: Json, ctx: BatchContext) -> Json:
    src_sheet, src = grid_rect(book, body.get("source") or {})
    dst_sheet, dst_bounds = grid_bounds(book, body.get("destination") or {})
    paste_type = str(body.get("pasteType") or "PASTE_NORMAL")
    transpose = body.get("pasteOrientation") == "TRANSPOSE"
    snapshot = {(r - src.start_row, c - src.start_col): cell for r, c, cell in src_sheet.cells_in(src)}
    height, width = (src.cols, src.rows) if transpose else (src.rows, src.cols)
    dst = a1.clamp(dst_bounds, dst_sheet.rows, dst_sheet.cols)
    # A destination that is a multiple of the source is tiled; a smaller one still gets the whole source
    tiles_down = dst.rows // height if dst_bounds.end_row is not None and dst.rows % height == 0 else 1
    tiles_across = dst.cols // width if dst_bounds.end_col is not None and dst.cols % width == 0 else 1
    area = a1.Rect(dst.start_row, dst.start_row + height * max(tiles_down, 1),
                   dst.start_col, dst.start_col + width * max(tiles_across, 1))
    within_grid(dst_sheet, area)
    for r in range(area.start_row, area.end_row):
        for c in range(area.start_col, area.end_col):
            i, j = (r - area.start_row) % height, (c - area.start_col) % width
            _paste(dst_sheet, r, c, snapshot.get((j, i) if transpose else (i, j), {}), paste_type)
    return {}


def cut_paste(book: Spreadsheet, body: Json, ctx: BatchContext) -> Json:
    src_sheet, src = grid_rect(book, body.get("source") or {})
    target = body.get("destination") or {}
    dst_sheet = _sheet(book, target.get("sheetId"))
    top, left = int(target.get("rowIndex", 0)), int(target.get("columnIndex", 0))
    within_grid(dst_sheet, a1.Rect(top, top + src.rows, left, left + src.cols))
    paste_type = str(body.get("pasteType") or "PASTE_NORMAL")
    snapshot = {(r - src.start_row, c - src.start_col): cell for r, c, cell in src_sheet.cells_in(src)}
    for r, c, _cell in src_sheet.cells_in(src):
        src_sheet.put(r, c, {})
    for i in range(src.rows):
        for j in range(src.cols):
            _paste(dst_sheet, top + i, left + j, snapshot.get((i, j), {}), paste_type)
    return {}


def set_data_validation(book: Spreadsheet, body: Json, ctx: BatchContext) -> Json:
    sheet, rect = grid_rect(book, body.get("range") or {})
    rule = body.get("rule")
    for r in range(rect.start_row, rect.end_row):
        for c in range(rect.start_col, rect.end_col):
            cell = {k: v for k, v in sheet.cell(r, c).items() if k != "dataValidation"}
            if rule:
                cell["dataValidation"] = rule
            sheet.put(r, c, cell)
    return {}


def _sort_key(cell: Json, descending: bool) -> tuple[int, int, Any]:
    value = cell.get("userEnteredValue") or {}
    if not value:
        return (1, 0, 0)  # empty cells go last in both orders
    if "numberValue" in value:
        kind, key = 0, float(value["numberValue"])
    elif "boolValue" in value:
        kind, key = 2, int(bool(value["boolValue"]))
    else:
        kind, key = 1, str(value.get("stringValue", value.get("formulaValue", ""))).lower()  # type: ignore[assignment]  # one key type per kind
    return (0, -kind if descending else kind, key)


def sort_range(book: Spreadsheet, body: Json, ctx: BatchContext) -> Json:
    sheet, rect = grid_rect(book, body.get("range") or {})
    rows = [[sheet.cell(r, c) for c in range(rect.start_col, rect.end_col)]
            for r in range(rect.start_row, rect.end_row)]
    for spec in reversed(body.get("sortSpecs") or []):
        column = int(spec.get("dimensionIndex", 0)) - rect.start_col
        if not 0 <= column < rect.cols:
            raise RequestError("The sort column is outside the range.")
        descending = spec.get("sortOrder") == "DESCENDING"
        with_data = [row for row in rows if row[column].get("userEnteredValue")]
        without = [row for row in rows if not row[column].get("userEnteredValue")]
        with_data.sort(key=lambda row: _sort_key(row[column], descending)[1:], reverse=descending)
        rows = with_data + without
    for i, row in enumerate(rows):
        for j, cell in enumerate(row):
            sheet.put(rect.start_row + i, rect.start_col + j, cell)
    return {}


# ---- structure ---------------------------------------------------------------------------------------------


def _dimension_span(book: Spreadsheet, dim_range: Json) -> tuple[Sheet, bool, int, int]:
    sheet = _sheet(book, dim_range.get("sheetId"))
    rows = dim_range.get("dimension") == "ROWS"
    size = sheet.rows if rows else sheet.cols
    start = int(dim_range.get("startIndex", 0))
    end = int(dim_range.get("endIndex", size))
    if start < 0 or end < start:
        raise RequestError("Invalid dimension range.")
    return sheet, rows, start, end


def _shift(sheet: Sheet, rows: bool, at: int, delta: int) -> None:
    """Move cells at or after `at` by `delta` along the dimension (negative: the span before is dropped)."""
    moved: dict[tuple[int, int], Json] = {}
    for (r, c), cell in sheet.cells.items():
        pos = r if rows else c
        if delta < 0 and at + delta <= pos < at:
            continue
        if pos >= at:
            pos += delta
        moved[(pos, c) if rows else (r, pos)] = cell
    sheet.cells = moved
    meta = sheet.row_meta if rows else sheet.column_meta
    shifted = {(i + delta if i >= at else i): m for i, m in meta.items() if not (delta < 0 and at + delta <= i < at)}
    meta.clear()
    meta.update(shifted)


def _shift_ranges(book: Spreadsheet, sheet: Sheet, rows: bool, at: int, delta: int) -> None:
    """Named ranges, the filter and merges follow inserted or deleted rows/columns, as in Google Sheets."""
    start_key, end_key = ("startRowIndex", "endRowIndex") if rows else ("startColumnIndex", "endColumnIndex")
    ranges = [n["range"] for n in book.named_ranges if int(n["range"].get("sheetId") or 0) == sheet.sheet_id]
    if sheet.basic_filter:
        ranges.append(sheet.basic_filter["range"])
    for rng in ranges:
        for key in (start_key, end_key):
            if key in rng and rng[key] >= at:
                rng[key] = max(at + min(delta, 0), rng[key] + delta)
    merges = []
    for m in sheet.merges:
        s, e = (m.start_row, m.end_row) if rows else (m.start_col, m.end_col)
        s2 = max(at + min(delta, 0), s + delta) if s >= at else s
        e2 = max(at + min(delta, 0), e + delta) if e >= at else e
        if e2 > s2:
            merges.append(a1.Rect(s2, e2, m.start_col, m.end_col) if rows else a1.Rect(m.start_row, m.end_row, s2, e2))
    sheet.merges = merges


def insert_dimension(book: Spreadsheet, body: Json, ctx: BatchContext) -> Json:
    sheet, rows, start, end = _dimension_span(book, body.get("range") or {})
    size = sheet.rows if rows else sheet.cols
    if start > size:
        raise RequestError(grid_limits_text(f"{sheet.title}", sheet.rows, sheet.cols))
    count = end - start
    _shift(sheet, rows, start, count)
    _shift_ranges(book, sheet, rows, start, count)
    _set_grid(book, sheet, sheet.rows + (count if rows else 0), sheet.cols + (0 if rows else count))
    return {}


def delete_dimension(book: Spreadsheet, body: Json, ctx: BatchContext) -> Json:
    sheet, rows, start, end = _dimension_span(book, body.get("range") or {})
    size = sheet.rows if rows else sheet.cols
    if end > size:
        raise RequestError(grid_limits_text(sheet.title, sheet.rows, sheet.cols))
    if end - start >= size:
        raise RequestError(f"You can't delete all the {'rows' if rows else 'columns'} on the sheet.")
    _shift(sheet, rows, end, start - end)
    _shift_ranges(book, sheet, rows, end, start - end)
    _set_grid(book, sheet, sheet.rows - (end - start if rows else 0), sheet.cols - (0 if rows else end - start))
    return {}


def append_dimension(book: Spreadsheet, body: Json, ctx: BatchContext) -> Json:
    sheet = _sheet(book, body.get("sheetId"))
    length = int(body.get("length", 0))
    if length < 1:
        raise RequestError("length must be at least 1.")
    rows = body.get("dimension") == "ROWS"
    _set_grid(book, sheet, sheet.rows + (length if rows else 0), sheet.cols + (0 if rows else length))
    return {}


def update_dimension_properties(book: Spreadsheet, body: Json, ctx: BatchContext) -> Json:
    sheet, rows, start, end = _dimension_span(book, body.get("range") or {})
    if end > (sheet.rows if rows else sheet.cols):
        raise RequestError(grid_limits_text(sheet.title, sheet.rows, sheet.cols))
    paths = _mask(body)
    props = body.get("properties") or {}
    meta = sheet.row_meta if rows else sheet.column_meta
    for i in range(start, end):
        meta[i] = apply_mask(meta.get(i, {}), props, paths)
    return {}


def auto_resize_dimensions(book: Spreadsheet, body: Json, ctx: BatchContext) -> Json:
    _dimension_span(book, body.get("dimensions") or {})  # checks the tab; widths are not emulated
    return {}


def merge_cells(book: Spreadsheet, body: Json, ctx: BatchContext) -> Json:
    sheet, rect = grid_rect(book, body.get("range") or {})
    kind = body.get("mergeType") or "MERGE_ALL"
    if kind == "MERGE_ROWS":
        pieces = [a1.Rect(r, r + 1, rect.start_col, rect.end_col) for r in range(rect.start_row, rect.end_row)]
    elif kind == "MERGE_COLUMNS":
        pieces = [a1.Rect(rect.start_row, rect.end_row, c, c + 1) for c in range(rect.start_col, rect.end_col)]
    else:
        pieces = [rect]
    # A merge over existing merges replaces them, as the Sheets UI does
    sheet.merges = [m for m in sheet.merges if not _overlaps(m, rect)]
    for piece in pieces:
        if piece.rows * piece.cols > 1:
            sheet.merges.append(piece)
            for r, c, cell in sheet.cells_in(piece):
                if (r, c) != (piece.start_row, piece.start_col):
                    sheet.put(r, c, {k: v for k, v in cell.items() if k != "userEnteredValue"})
    return {}


def _overlaps(a: a1.Rect, b: a1.Rect) -> bool:
    return a.start_row < b.end_row and b.start_row < a.end_row and a.start_col < b.end_col and b.start_col < a.end_col


def unmerge_cells(book: Spreadsheet, body: Json, ctx: BatchContext) -> Json:
    sheet, rect = grid_rect(book, body.get("range") or {})
    sheet.merges = [m for m in sheet.merges if not _overlaps(m, rect)]
    return {}


# ---- filters, named and protected ranges, groups -----------------------------------------------------------


def set_basic_filter(book: Spreadsheet, body: Json, ctx: BatchContext) -> Json:
    given = copy.deepcopy(body.get("filter") or {})
    sheet, rect = grid_rect(book, given.get("range") or {})
    given["range"] = {"sheetId": sheet.sheet_id, "startRowIndex": rect.start_row, "endRowIndex": rect.end_row,
                      "startColumnIndex": rect.start_col, "endColumnIndex": rect.end_col}
    sheet.basic_filter = given
    return {}


def clear_basic_filter(book: Spreadsheet, body: Json, ctx: BatchContext) -> Json:
    _sheet(book, body.get("sheetId")).basic_filter = None
    return {}


def _checked_range(book: Spreadsheet, given: Json) -> Json:
    sheet, bounds = grid_bounds(book, given)
    within_grid(sheet, a1.clamp(bounds, sheet.rows, sheet.cols))
    return {"sheetId": sheet.sheet_id, **{k: v for k, v in given.items() if k != "sheetId"}}


def _check_name(book: Spreadsheet, name: str, other_than: Json | None = None) -> None:
    if not a1.is_name(name):
        raise RequestError(f"The name {name!r} is not a valid range name.")
    existing = book.named_range(name)
    if existing is not None and existing is not other_than:
        raise RequestError(f'A named range with the name "{name}" already exists.')


def named_range_json(named: Json) -> Json:
    rng = named["range"]
    return {"namedRangeId": named["namedRangeId"], "name": named["name"],
            "range": grid_range_json(int(rng.get("sheetId") or 0),
                                     **{k: v for k, v in rng.items() if k != "sheetId"})}


def add_named_range(book: Spreadsheet, body: Json, ctx: BatchContext) -> Json:
    given = body.get("namedRange") or {}
    name = str(given.get("name") or "")
    _check_name(book, name)
    named_id = str(given.get("namedRangeId") or ctx.rng.randrange(10**8, 2**31 - 1))
    if any(n["namedRangeId"] == named_id for n in book.named_ranges):
        raise RequestError(f"A named range with the ID {named_id} already exists.")
    named = {"namedRangeId": named_id, "name": name, "range": _checked_range(book, given.get("range") or {})}
    book.named_ranges.append(named)
    return {"addNamedRange": {"namedRange": named_range_json(named)}}


def _named_by_id(book: Spreadsheet, named_id: Any) -> Json:
    found = next((n for n in book.named_ranges if n["namedRangeId"] == str(named_id)), None)
    if found is None:
        raise RequestError(f"No named range with id {named_id}.")
    return found


def delete_named_range(book: Spreadsheet, body: Json, ctx: BatchContext) -> Json:
    book.named_ranges.remove(_named_by_id(book, body.get("namedRangeId")))
    return {}


def update_named_range(book: Spreadsheet, body: Json, ctx: BatchContext) -> Json:
    given = body.get("namedRange") or {}
    named = _named_by_id(book, given.get("namedRangeId"))
    paths = [p for p in _mask(body) if p[0] != "namedRangeId"]
    if any(p == ("*",) for p in paths):
        paths = [("name",), ("range",)]
    changed = apply_mask(named, given, paths)
    _check_name(book, str(changed.get("name") or ""), other_than=named)
    changed["range"] = _checked_range(book, changed.get("range") or {})
    named.clear()
    named.update(changed)
    return {}


def add_protected_range(book: Spreadsheet, body: Json, ctx: BatchContext) -> Json:
    given = copy.deepcopy(body.get("protectedRange") or {})
    rng = _checked_range(book, given.get("range") or {})
    sheet = _sheet(book, rng["sheetId"])
    used = {int(p["protectedRangeId"]) for s in book.sheets for p in s.protected_ranges}
    given["protectedRangeId"] = int(given.get("protectedRangeId") or _new_id(ctx, used))
    given["range"] = rng
    given["requestingUserCanEdit"] = True
    given["editors"] = {k: v for k, v in (given.get("editors") or {}).items() if v}
    given = {k: v for k, v in given.items() if v is not False and v != ""}
    # The reply echoes the editors asked for; the stored range also lists the owner, who can always edit it
    stored = copy.deepcopy(given)
    users = stored["editors"].get("users") or []
    stored["editors"]["users"] = [OWNER_EMAIL, *(u for u in users if u != OWNER_EMAIL)]
    sheet.protected_ranges.append(stored)
    return {"addProtectedRange": {"protectedRange": protected_range_json(given)}}


def protected_range_json(protected: Json) -> Json:
    rng = protected["range"]
    out = dict(protected)
    out["range"] = grid_range_json(int(rng.get("sheetId") or 0), **{k: v for k, v in rng.items() if k != "sheetId"})
    return out


def delete_protected_range(book: Spreadsheet, body: Json, ctx: BatchContext) -> Json:
    wanted = int(body.get("protectedRangeId") or 0)
    for sheet in book.sheets:
        for protected in sheet.protected_ranges:
            if int(protected["protectedRangeId"]) == wanted:
                sheet.protected_ranges.remove(protected)
                return {}
    raise RequestError(f"No protected range with id: {wanted}")


def _groups(sheet: Sheet, rows: bool) -> list[Json]:
    return sheet.row_groups if rows else sheet.column_groups


def groups_json(sheet: Sheet, rows: bool) -> list[Json]:
    return [{"range": grid_range_json(sheet.sheet_id, dimension=g["range"]["dimension"],
                                      startIndex=g["range"]["startIndex"], endIndex=g["range"]["endIndex"]),
             "depth": g["depth"]} for g in sorted(_groups(sheet, rows), key=lambda g: (g["depth"],
                                                                                        g["range"]["startIndex"]))]


def add_dimension_group(book: Spreadsheet, body: Json, ctx: BatchContext) -> Json:
    sheet, rows, start, end = _dimension_span(book, body.get("range") or {})
    groups = _groups(sheet, rows)
    containing = [g for g in groups if g["range"]["startIndex"] <= start and end <= g["range"]["endIndex"]]
    groups.append({"range": {"dimension": "ROWS" if rows else "COLUMNS", "startIndex": start, "endIndex": end},
                   "depth": len(containing) + 1})
    # The first group sets where the +/- control sits (after the group); it stays after the groups are gone
    sheet.properties["gridProperties"].setdefault("rowGroupControlAfter" if rows else "columnGroupControlAfter", True)
    return {"addDimensionGroup": {"dimensionGroups": groups_json(sheet, rows)}}


def delete_dimension_group(book: Spreadsheet, body: Json, ctx: BatchContext) -> Json:
    sheet, rows, start, end = _dimension_span(book, body.get("range") or {})
    groups = _groups(sheet, rows)
    matching = [g for g in groups if (g["range"]["startIndex"], g["range"]["endIndex"]) == (start, end)]
    if not matching:
        raise RequestError("No group exists for that range.")
    groups.remove(max(matching, key=lambda g: g["depth"]))
    remaining = groups_json(sheet, rows)
    return {"deleteDimensionGroup": {"dimensionGroups": remaining} if remaining else {}}


HANDLERS: dict[str, Handler] = {
    "addSheet": add_sheet, "deleteSheet": delete_sheet, "updateSheetProperties": update_sheet_properties,
    "updateSpreadsheetProperties": update_spreadsheet_properties, "duplicateSheet": duplicate_sheet,
    "updateCells": update_cells, "repeatCell": repeat_cell, "appendCells": append_cells,
    "copyPaste": copy_paste, "cutPaste": cut_paste, "setDataValidation": set_data_validation,
    "sortRange": sort_range, "insertDimension": insert_dimension, "deleteDimension": delete_dimension,
    "appendDimension": append_dimension, "updateDimensionProperties": update_dimension_properties,
    "autoResizeDimensions": auto_resize_dimensions, "mergeCells": merge_cells, "unmergeCells": unmerge_cells,
    "setBasicFilter": set_basic_filter, "clearBasicFilter": clear_basic_filter,
    "addNamedRange": add_named_range, "deleteNamedRange": delete_named_range,
    "updateNamedRange": update_named_range, "addProtectedRange": add_protected_range,
    "deleteProtectedRange": delete_protected_range, "addDimensionGroup": add_dimension_group,
    "deleteDimensionGroup": delete_dimension_group,
}

