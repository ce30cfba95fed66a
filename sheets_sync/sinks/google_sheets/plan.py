"""The refresh of one spreadsheet as a list of batchUpdate bodies, planned without I/O.

A refresh whose requests fit in MAX_BATCH_BYTES of JSON is one batchUpdate, which Google applies
whole or not at all: readers see the old tabs or the new ones, never a mix. A larger one fills a
hidden staging tab per report in batches of at most MAX_BATCH_BYTES, then swaps every tab in one
batchUpdate that resizes, clears and pastes into the live tab, so the live tab keeps its sheetId and
the formulas, charts, pivots and named ranges that point at it keep working. Staging tabs left by a
failed or killed run are deleted by the next plan (only titles matching STAGING_TITLE).
"""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sheets_sync.errors import SinkError

Json = dict[str, Any]

MAX_BATCH_BYTES = 2_000_000    # Google's recommended payload ceiling for one request
MAX_CELLS = 10_000_000         # cells in a spreadsheet, counting every tab's whole grid
STAGING_TITLE = re.compile(r"__staging_[0-9a-f]{12}$")
_MAX_SHEET_ID = 2**31 - 1
_NAMED_RANGE_UNSAFE = re.compile(r"[^A-Za-z0-9]+")


class CellLimitError(SinkError):
    """The spreadsheet would hold more cells than Google allows; nothing was written."""


@dataclass(frozen=True)
class ExistingSheet:
    """A tab as the spreadsheet's metadata describes it."""

    sheet_id: int
    title: str
    rows: int
    columns: int
    frozen_columns: int = 0

    @property
    def cells(self) -> int:
        return self.rows * self.columns


@dataclass(frozen=True)
class Existing:
    """What a refresh needs to know of the spreadsheet before it: its tabs and named ranges (name → id)."""

    sheets: tuple[ExistingSheet, ...]
    named_ranges: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_metadata(cls, metadata: Mapping[str, Any]) -> Existing:
        """Read `spreadsheets.get` (fields `sheets.properties,namedRanges`)."""
        sheets = []
        for sheet in metadata.get("sheets", []):
            props = sheet.get("properties", {})
            grid = props.get("gridProperties", {})
            sheets.append(ExistingSheet(int(props.get("sheetId", 0)), str(props.get("title", "")),
                                        int(grid.get("rowCount", 0)), int(grid.get("columnCount", 0)),
                                        int(grid.get("frozenColumnCount", 0))))
        named = {str(r["name"]): str(r["namedRangeId"]) for r in metadata.get("namedRanges", [])
                 if "name" in r and "namedRangeId" in r}
        return cls(tuple(sheets), named)

    def find(self, title: str) -> ExistingSheet | None:
        """The tab called `title` (Sheets titles are unique ignoring case)."""
        exact = [s for s in self.sheets if s.title == title]
        if exact:
            return exact[0]
        folded = [s for s in self.sheets if s.title.casefold() == title.casefold()]
        return folded[0] if folded else None


@dataclass(frozen=True)
class TabContent:
    """One report's refreshed tab: header texts, data rows as CellData, each column's NumberFormat, the note."""

    title: str
    headers: Sequence[str]
    rows: Sequence[Sequence[Json]]
    formats: Sequence[Json | None]
    note: str

    @property
    def columns(self) -> int:
        return max(1, len(self.headers))

    @property
    def grid_rows(self) -> int:
        # header + data; an empty report keeps one blank row so the frozen header and the filter stay valid
        return max(len(self.rows) + 1, 2)

    @property
    def cells(self) -> int:
        return self.grid_rows * self.columns


@dataclass
class RefreshPlan:
    """The batchUpdate bodies of a refresh, in order, and what they lead to."""

    batches: list[list[Json]]
    staged: bool
    cells_after: int
    sheet_ids: dict[str, int]            # tab title → its sheetId after the refresh
    named_ranges: dict[str, str]         # tab title → the named range publishing its data

    @property
    def bodies(self) -> list[Json]:
        return [{"requests": batch} for batch in self.batches]

    def sizes(self) -> list[int]:
        """Bytes of each batchUpdate body as requests sends it (json.dumps defaults)."""
        return [len(json.dumps(body).encode("utf-8")) for body in self.bodies]


def named_range_name(title: str) -> str:
    """A Sheets-valid named-range name for a tab's data: `data_` + the title's letters and digits, lower case.

    Valid names start with a letter or underscore, hold only letters, digits and underscores, and look like
    no cell reference; the `data_` prefix guarantees all three whatever the title.
    """
    slug = _NAMED_RANGE_UNSAFE.sub("_", title).strip("_").lower()[:200]
    return f"data_{slug}" if slug else "data"


def staging_title(title: str, run_id: str) -> str:
    """The hidden tab a large refresh of `title` fills first (`run_id`: 12 hex digits)."""
    return f"{title[:60]}__staging_{run_id}"


def plan_refresh(existing: Existing, tabs: Sequence[TabContent], run_id: str, *,
                 max_bytes: int = MAX_BATCH_BYTES, max_cells: int = MAX_CELLS) -> RefreshPlan:
    """Plan the refresh of `tabs` in the spreadsheet described by `existing` (its other tabs are left alone).

    Raises:
        CellLimitError: the spreadsheet would exceed `max_cells` after the refresh (or while staging).
    """
    if not re.fullmatch(r"[0-9a-f]{12}", run_id):
        raise ValueError(f"run id must be 12 hex digits, not {run_id!r}")
    leftovers = [s for s in existing.sheets if STAGING_TITLE.search(s.title)]
    live = {tab.title: existing.find(tab.title) for tab in tabs}
    taken = {s.sheet_id for s in existing.sheets}
    sheet_ids = {}
    for tab in tabs:
        found = live[tab.title]
        sheet_ids[tab.title] = found.sheet_id if found else _fresh_id(tab.title, taken)
    names = _range_names(tabs)
    ours = {s.sheet_id for s in leftovers} | {s.sheet_id for s in live.values() if s}
    others = sum(s.cells for s in existing.sheets if s.sheet_id not in ours)
    after = others + sum(tab.cells for tab in tabs)
    if after > max_cells:
        raise CellLimitError(f"the refresh would make the spreadsheet {after:,} cells (all tabs' grids), above "
                             f"Google Sheets' limit of {max_cells:,}; nothing was written")
    single = _single_batch(existing, tabs, leftovers, live, sheet_ids, names)
    if _size(single) <= max_bytes:
        return RefreshPlan([single], False, after, sheet_ids, names)
    peak = others + sum(max(tab.cells, (live[tab.title] or _NONE).cells) + tab.cells for tab in tabs)
    if peak > max_cells:
        raise CellLimitError(f"the refresh is too large for one request and staging it would need {peak:,} cells "
                             f"at once, above Google Sheets' limit of {max_cells:,}; nothing was written")
    return _staged(existing, tabs, leftovers, live, sheet_ids, names, run_id, taken, max_bytes, after)


_NONE = ExistingSheet(-1, "", 0, 0)


def _fresh_id(title: str, taken: set[int]) -> int:
    """A sheetId no tab uses, stable for a title (so a plan is reproducible)."""
    candidate = zlib.crc32(title.encode("utf-8")) % _MAX_SHEET_ID or 1
    while candidate in taken:
        candidate = candidate % _MAX_SHEET_ID + 1
    taken.add(candidate)
    return candidate


def _range_names(tabs: Sequence[TabContent]) -> dict[str, str]:
    names: dict[str, str] = {}
    used: set[str] = set()
    for tab in tabs:
        base = name = named_range_name(tab.title)
        number = 2
        while name.casefold() in used:
            name, number = f"{base}_{number}", number + 1
        used.add(name.casefold())
        names[tab.title] = name
    return names


def _size(requests: Sequence[Json]) -> int:
    return len(json.dumps({"requests": list(requests)}).encode("utf-8"))


def _grid(sheet_id: int, rows: int, columns: int) -> Json:
    return {"sheetId": sheet_id, "startRowIndex": 0, "endRowIndex": rows, "startColumnIndex": 0,
            "endColumnIndex": columns}


def _add_sheet(sheet_id: int, title: str, rows: int, columns: int, *, hidden: bool = False) -> Json:
    props: Json = {"sheetId": sheet_id, "title": title, "gridProperties": {"rowCount": rows, "columnCount": columns}}
    if hidden:
        props["hidden"] = True
    else:
        props["gridProperties"]["frozenRowCount"] = 1
    return {"addSheet": {"properties": props}}


def _resize(old: ExistingSheet, tab: TabContent) -> tuple[list[Json], list[Json]]:
    """(shrinking, growing) updateSheetProperties of a live tab: shrinks go first in a batch so that the cell
    count never peaks above its final figure (Google checks the limit after each request)."""
    columns: Json = {"columnCount": tab.columns}
    column_fields = ["gridProperties.columnCount"]
    if old.frozen_columns >= tab.columns:
        columns["frozenColumnCount"] = 0  # frozen columns must leave one column unfrozen
        column_fields.append("gridProperties.frozenColumnCount")
    column_request = {"updateSheetProperties": {"properties": {"sheetId": old.sheet_id, "gridProperties": columns},
                                                "fields": ",".join(column_fields)}}
    row_request = {"updateSheetProperties": {
        "properties": {"sheetId": old.sheet_id, "gridProperties": {"rowCount": tab.grid_rows, "frozenRowCount": 1}},
        "fields": "gridProperties.rowCount,gridProperties.frozenRowCount"}}
    shrink: list[Json] = []
    grow: list[Json] = []
    (shrink if tab.columns <= old.columns else grow).append(column_request)
    (shrink if tab.grid_rows <= old.rows else grow).append(row_request)
    return shrink, grow


def _structure(tabs: Sequence[TabContent], leftovers: Sequence[ExistingSheet],
               live: Mapping[str, ExistingSheet | None], sheet_ids: Mapping[str, int]) -> list[Json]:
    """Leftover staging tabs deleted, live tabs resized (shrinks first) and missing ones added at their size."""
    requests: list[Json] = [{"deleteSheet": {"sheetId": s.sheet_id}} for s in leftovers]
    shrinks: list[Json] = []
    grows: list[Json] = []
    adds: list[Json] = []
    for tab in tabs:
        old = live[tab.title]
        if old is None:
            adds.append(_add_sheet(sheet_ids[tab.title], tab.title, tab.grid_rows, tab.columns))
            continue
        shrink, grow = _resize(old, tab)
        shrinks += shrink
        grows += grow
    return requests + shrinks + adds + grows


def _clear(sheet_id: int) -> Json:
    # fields "*" over the whole tab: values, formats, notes and validation of the previous refresh all go
    return {"updateCells": {"range": {"sheetId": sheet_id}, "fields": "*"}}


def _header_cells(tab: TabContent, *, values: bool) -> list[Json]:
    cells: list[Json] = []
    for index, header in enumerate(tab.headers):
        cell: Json = {"userEnteredFormat": {"textFormat": {"bold": True}}}
        if values:
            cell["userEnteredValue"] = {"stringValue": header}
        if index == 0:
            cell["note"] = tab.note
        cells.append(cell)
    return cells


def _decoration(tab: TabContent, sheet_id: int, name: str, existing: Existing, *, header_values: bool) -> list[Json]:
    """Column number formats, the bold header with its note, the filter and the named range of a tab."""
    requests: list[Json] = []
    for index, fmt in enumerate(tab.formats):
        if fmt is not None:
            cells = {"sheetId": sheet_id, "startRowIndex": 1, "endRowIndex": tab.grid_rows,
                     "startColumnIndex": index, "endColumnIndex": index + 1}
            requests.append({"repeatCell": {"range": cells, "cell": {"userEnteredFormat": {"numberFormat": fmt}},
                                            "fields": "userEnteredFormat.numberFormat"}})
    fields = "userEnteredValue,userEnteredFormat.textFormat.bold,note" if header_values else \
        "userEnteredFormat.textFormat.bold,note"
    requests.append({"updateCells": {"start": {"sheetId": sheet_id, "rowIndex": 0, "columnIndex": 0},
                                     "rows": [{"values": _header_cells(tab, values=header_values)}],
                                     "fields": fields}})
    data = _grid(sheet_id, len(tab.rows) + 1, tab.columns)
    requests.append({"setBasicFilter": {"filter": {"range": data}}})
    known = existing.named_ranges.get(name)
    if known is None:
        requests.append({"addNamedRange": {"namedRange": {"name": name, "range": data}}})
    else:
        requests.append({"updateNamedRange": {"namedRange": {"namedRangeId": known, "name": name, "range": data},
                                              "fields": "range"}})
    return requests


def _data_rows(sheet_id: int, start_row: int, rows: Sequence[Sequence[Json]]) -> Json:
    return {"updateCells": {"start": {"sheetId": sheet_id, "rowIndex": start_row, "columnIndex": 0},
                            "rows": [{"values": list(row)} for row in rows], "fields": "userEnteredValue"}}


def _single_batch(existing: Existing, tabs: Sequence[TabContent], leftovers: Sequence[ExistingSheet],
                  live: Mapping[str, ExistingSheet | None], sheet_ids: Mapping[str, int],
                  names: Mapping[str, str]) -> list[Json]:
    requests = _structure(tabs, leftovers, live, sheet_ids)
    for tab in tabs:
        sheet_id = sheet_ids[tab.title]
        requests.append(_clear(sheet_id))
        requests += _decoration(tab, sheet_id, names[tab.title], existing, header_values=True)
        if tab.rows:
            requests.append(_data_rows(sheet_id, 1, tab.rows))
    return requests


def _staged(existing: Existing, tabs: Sequence[TabContent], leftovers: Sequence[ExistingSheet],
            live: Mapping[str, ExistingSheet | None], sheet_ids: dict[str, int], names: dict[str, str], run_id: str,
            taken: set[int], max_bytes: int, after: int) -> RefreshPlan:
    staging = {tab.title: _fresh_id(staging_title(tab.title, run_id), taken) for tab in tabs}
    setup: list[Json] = [{"deleteSheet": {"sheetId": s.sheet_id}} for s in leftovers]
    setup += [_add_sheet(staging[t.title], staging_title(t.title, run_id), t.grid_rows, t.columns, hidden=True)
              for t in tabs]
    batches = [setup, *_fill_batches(tabs, staging, max_bytes)]
    swap = _structure(tabs, [], live, sheet_ids)
    for tab in tabs:
        sheet_id, source = sheet_ids[tab.title], staging[tab.title]
        swap.append(_clear(sheet_id))
        swap.append({"copyPaste": {"source": _grid(source, tab.grid_rows, tab.columns),
                                   "destination": _grid(sheet_id, tab.grid_rows, tab.columns),
                                   "pasteType": "PASTE_VALUES"}})
        swap.append({"deleteSheet": {"sheetId": source}})
        swap += _decoration(tab, sheet_id, names[tab.title], existing, header_values=False)
    batches.append(swap)
    return RefreshPlan(batches, True, after, sheet_ids, names)


def _fill_batches(tabs: Sequence[TabContent], staging: Mapping[str, int], max_bytes: int) -> list[list[Json]]:
    """The staging tabs' values (header row first) in batchUpdates of at most `max_bytes` each.

    A single row larger than `max_bytes` still goes, alone: a row is never split across requests.
    """
    overhead = _size([_data_rows(0, 0, [])]) + 64
    batches: list[list[Json]] = []
    current: list[Json] = []
    used = _size([])
    for tab in tabs:
        header = [{"userEnteredValue": {"stringValue": h}} for h in tab.headers]
        rows: list[Sequence[Json]] = [header, *tab.rows]
        start, chunk, chunk_bytes = 0, 0, 0
        for index, row in enumerate(rows):
            row_bytes = len(json.dumps({"values": list(row)}).encode("utf-8")) + 2
            if (chunk or current) and used + overhead + chunk_bytes + row_bytes > max_bytes:
                if chunk:
                    current.append(_data_rows(staging[tab.title], start, rows[start:index]))
                batches.append(current)
                current, used = [], _size([])
                start, chunk, chunk_bytes = index, 0, 0
            chunk, chunk_bytes = chunk + 1, chunk_bytes + row_bytes
        if chunk:
            current.append(_data_rows(staging[tab.title], start, rows[start:]))
            used += overhead + chunk_bytes
    if current:
        batches.append(current)
    return batches
