"""The in-memory spreadsheet: properties, tabs, sparse cells (Google's CellData JSON), named ranges, filters."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from sheets_sync.sheets_emulator.a1 import Rect

Json = dict[str, Any]
# The account that owns every emulated spreadsheet (Google lists the owner as an editor of each protected range).
# A reserved domain (RFC 2606): it can never be a real account.
OWNER_EMAIL = "owner@sheets-emulator.invalid"

DEFAULT_FORMAT: Json = {
    "backgroundColor": {"red": 1, "green": 1, "blue": 1},
    "padding": {"top": 2, "right": 3, "bottom": 2, "left": 3},
    "verticalAlignment": "BOTTOM",
    "wrapStrategy": "OVERFLOW_CELL",
    "textFormat": {"foregroundColor": {}, "fontFamily": "arial,sans,sans-serif", "fontSize": 10, "bold": False,
                   "italic": False, "strikethrough": False, "underline": False,
                   "foregroundColorStyle": {"rgbColor": {}}},
    "backgroundColorStyle": {"rgbColor": {"red": 1, "green": 1, "blue": 1}},
}
_THEME_COLOURS = [
    ("TEXT", {}), ("BACKGROUND", {"red": 1, "green": 1, "blue": 1}),
    ("ACCENT1", {"red": 0.25882354, "green": 0.52156866, "blue": 0.95686275}),
    ("ACCENT2", {"red": 0.91764706, "green": 0.2627451, "blue": 0.20784314}),
    ("ACCENT3", {"red": 0.9843137, "green": 0.7372549, "blue": 0.015686275}),
    ("ACCENT4", {"red": 0.20392157, "green": 0.65882355, "blue": 0.3254902}),
    ("ACCENT5", {"red": 1, "green": 0.42745098, "blue": 0.003921569}),
    ("ACCENT6", {"red": 0.27450982, "green": 0.7411765, "blue": 0.7764706}),
    ("LINK", {"red": 0.06666667, "green": 0.33333334, "blue": 0.8}),
]
DEFAULT_THEME: Json = {"primaryFontFamily": "Arial",
                       "themeColors": [{"colorType": kind, "color": {"rgbColor": rgb}} for kind, rgb in _THEME_COLOURS]}
# SheetProperties fields whose default value Google leaves out of its answers (proto3 JSON)
_OMITTED_WHEN_DEFAULT: dict[str, object] = {"hidden": False, "rightToLeft": False}
_GRID_OMITTED_WHEN_DEFAULT: dict[str, object] = {"frozenRowCount": 0, "frozenColumnCount": 0, "hideGridlines": False,
                              "rowGroupControlAfter": False, "columnGroupControlAfter": False}


def grid_range_json(sheet_id: int, rect: Rect | None = None, **extra: Any) -> Json:
    """A GridRange as Google answers it: `sheetId` 0 left out, as proto3 omits defaults."""
    out: Json = {} if sheet_id == 0 else {"sheetId": sheet_id}
    if rect is not None:
        out.update(startRowIndex=rect.start_row, endRowIndex=rect.end_row,
                   startColumnIndex=rect.start_col, endColumnIndex=rect.end_col)
    out.update(extra)
    return out


def cell_is_empty(cell: Json | None) -> bool:
    """No value, format, note or validation left."""
    return not cell


@dataclass
class Sheet:
    """One tab. `cells` maps (row, col) to CellData dicts that are never mutated in place (copy-on-write)."""

    properties: Json
    cells: dict[tuple[int, int], Json] = field(default_factory=dict)
    merges: list[Rect] = field(default_factory=list)
    basic_filter: Json | None = None  # {"range": Rect-as-json, ...other filter fields}
    protected_ranges: list[Json] = field(default_factory=list)
    row_meta: dict[int, Json] = field(default_factory=dict)
    column_meta: dict[int, Json] = field(default_factory=dict)
    row_groups: list[Json] = field(default_factory=list)
    column_groups: list[Json] = field(default_factory=list)

    @property
    def sheet_id(self) -> int:
        return int(self.properties["sheetId"])

    @property
    def title(self) -> str:
        return str(self.properties["title"])

    @property
    def rows(self) -> int:
        return int(self.properties["gridProperties"]["rowCount"])

    @property
    def cols(self) -> int:
        return int(self.properties["gridProperties"]["columnCount"])

    @property
    def hidden(self) -> bool:
        return bool(self.properties.get("hidden", False))

    def grid(self) -> Rect:
        return Rect(0, self.rows, 0, self.cols)

    def clone(self) -> Sheet:
        """A copy whose cell dict can change without touching this one (cells themselves are shared)."""
        return Sheet(copy.deepcopy(self.properties), dict(self.cells), list(self.merges),
                     copy.deepcopy(self.basic_filter), copy.deepcopy(self.protected_ranges),
                     copy.deepcopy(self.row_meta), copy.deepcopy(self.column_meta),
                     copy.deepcopy(self.row_groups), copy.deepcopy(self.column_groups))

    def cell(self, row: int, col: int) -> Json:
        return self.cells.get((row, col), {})

    def put(self, row: int, col: int, cell: Json) -> None:
        """Store `cell` (a fresh dict), or forget the position when nothing is left in it."""
        if cell:
            self.cells[(row, col)] = cell
        else:
            self.cells.pop((row, col), None)

    def cells_in(self, rect: Rect) -> list[tuple[int, int, Json]]:
        """The stored cells inside `rect`, in no particular order."""
        if rect.rows * rect.cols < len(self.cells):
            return [(r, c, self.cells[(r, c)]) for r in range(rect.start_row, rect.end_row)
                    for c in range(rect.start_col, rect.end_col) if (r, c) in self.cells]
        return [(r, c, cell) for (r, c), cell in self.cells.items() if rect.contains(r, c)]

    def truncate_to_grid(self) -> None:
        """Drop what lies outside the grid after it shrank."""
        rows, cols = self.rows, self.cols
        for key in [k for k in self.cells if k[0] >= rows or k[1] >= cols]:
            del self.cells[key]
        self.merges = [m for m in self.merges if m.end_row <= rows and m.end_col <= cols]
        if self.basic_filter:
            rng = self.basic_filter["range"]
            rng["endRowIndex"] = min(rng.get("endRowIndex", rows), rows)
            rng["endColumnIndex"] = min(rng.get("endColumnIndex", cols), cols)

    def properties_json(self) -> Json:
        props = copy.deepcopy(self.properties)
        for key, default in _OMITTED_WHEN_DEFAULT.items():
            if props.get(key) == default:
                del props[key]
        grid = props.get("gridProperties", {})
        for key, default in _GRID_OMITTED_WHEN_DEFAULT.items():
            if grid.get(key) == default:
                del grid[key]
        return props


@dataclass
class Spreadsheet:
    """A spreadsheet file: properties, ordered tabs, named ranges, Drive-side facts and access knobs."""

    spreadsheet_id: str
    properties: Json
    sheets: list[Sheet]
    named_ranges: list[Json] = field(default_factory=list)  # {"namedRangeId": str, "name", "range": Json}
    created_time: str = ""
    modified_time: str = ""
    shared: bool = True
    writable: bool = True

    @property
    def title(self) -> str:
        return str(self.properties["title"])

    def clone(self) -> Spreadsheet:
        return Spreadsheet(self.spreadsheet_id, copy.deepcopy(self.properties), [s.clone() for s in self.sheets],
                           copy.deepcopy(self.named_ranges), self.created_time, self.modified_time,
                           self.shared, self.writable)

    def sheet_by_id(self, sheet_id: int) -> Sheet | None:
        return next((s for s in self.sheets if s.sheet_id == sheet_id), None)

    def sheet_by_title(self, title: str) -> Sheet | None:
        """Exact title first, then case-insensitive (Google matches tab names either way)."""
        exact = next((s for s in self.sheets if s.title == title), None)
        return exact or next((s for s in self.sheets if s.title.lower() == title.lower()), None)

    def named_range(self, name: str) -> Json | None:
        return next((n for n in self.named_ranges if n["name"].lower() == name.lower()), None)

    def cell_count(self) -> int:
        """Cells in every tab's grid, empty ones included (what Google's 10 million limit counts)."""
        return sum(s.rows * s.cols for s in self.sheets)

    def reindex(self) -> None:
        """Each tab's `index` is its position."""
        for position, sheet in enumerate(self.sheets):
            sheet.properties["index"] = position

    def spreadsheet_url(self) -> str:
        return f"https://docs.google.com/spreadsheets/d/{self.spreadsheet_id}/edit"


def new_sheet_properties(sheet_id: int, title: str, index: int, rows: int = 1000, cols: int = 26) -> Json:
    return {"sheetId": sheet_id, "title": title, "index": index, "sheetType": "GRID",
            "gridProperties": {"rowCount": rows, "columnCount": cols}}


def new_spreadsheet(spreadsheet_id: str, title: str, now: str) -> Spreadsheet:
    """What Drive or spreadsheets.create makes: one 1000×26 `Sheet1` with sheetId 0."""
    properties = {"title": title, "locale": "en_US", "autoRecalc": "ON_CHANGE", "timeZone": "Etc/GMT",
                  "defaultFormat": copy.deepcopy(DEFAULT_FORMAT), "spreadsheetTheme": copy.deepcopy(DEFAULT_THEME)}
    return Spreadsheet(spreadsheet_id, properties, [Sheet(new_sheet_properties(0, "Sheet1", 0))],
                       created_time=now, modified_time=now)
