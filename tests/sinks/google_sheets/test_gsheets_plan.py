"""Tests of the Sheets refresh planner and the cell conversion, without HTTP: requests, order, sizes, limits."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest

from sheets_sync.report import Column, ColumnKind
from sheets_sync.sinks.google_sheets.cells import CellStats, cell, number_format, serial, text_warnings
from sheets_sync.sinks.google_sheets.plan import (
    CellLimitError,
    Existing,
    ExistingSheet,
    TabContent,
    named_range_name,
    plan_refresh,
)

RUN = "0123456789ab"
TEXT = Column("name", "Name")


def tab(title: str, rows: int, columns: int = 3, *, width: int = 5) -> TabContent:
    """A tab of `rows` rows of `columns` text cells, each `width` characters long."""
    data = [[{"userEnteredValue": {"stringValue": "x" * width}} for _ in range(columns)] for _ in range(rows)]
    return TabContent(title, [f"h{i}" for i in range(columns)], data, [None] * columns, "note")


def kinds(batch: list[dict[str, Any]]) -> list[str]:
    return [next(iter(request)) for request in batch]


def existing(*sheets: ExistingSheet, named: dict[str, str] | None = None) -> Existing:
    return Existing(tuple(sheets), named or {})


def test_a_small_refresh_is_one_batch_resizing_clearing_writing_and_decorating_each_tab() -> None:
    """Two tabs that fit 2 MB: one batchUpdate that resizes, clears, formats, writes, filters and names each."""
    book = existing(ExistingSheet(0, "Sheet1", 1000, 26), ExistingSheet(7, "Campaigns", 50, 10))
    plan = plan_refresh(book, [tab("Campaigns", 3), tab("Platforms", 2)], RUN)
    assert not plan.staged and len(plan.batches) == 1
    batch = plan.batches[0]
    assert kinds(batch) == ["updateSheetProperties", "updateSheetProperties", "addSheet",
                            "updateCells", "updateCells", "setBasicFilter", "addNamedRange", "updateCells",
                            "updateCells", "updateCells", "setBasicFilter", "addNamedRange", "updateCells"]
    assert plan.sheet_ids["Campaigns"] == 7 and plan.sheet_ids["Platforms"] not in (0, 7)
    resized = [r["updateSheetProperties"]["properties"]["gridProperties"] for r in batch[:2]]
    assert resized == [{"columnCount": 3}, {"rowCount": 4, "frozenRowCount": 1}]
    assert batch[3] == {"updateCells": {"range": {"sheetId": 7}, "fields": "*"}}
    assert 0 not in {r.get("updateCells", {}).get("range", {}).get("sheetId") for r in batch}  # Sheet1 untouched


def test_growing_tabs_resize_after_shrinking_ones_so_the_cell_count_never_peaks() -> None:
    """Shrinks (columns here) come before any addSheet or growth, so Google never sees more cells than at the end."""
    book = existing(ExistingSheet(1, "Wide", 10, 100), ExistingSheet(2, "Tall", 5, 3))
    batch = plan_refresh(book, [tab("Tall", 40), tab("Wide", 2)], RUN).batches[0]
    grids = [r["updateSheetProperties"]["properties"] for r in batch if "updateSheetProperties" in r]
    assert [(g["sheetId"], sorted(g["gridProperties"])) for g in grids] == [
        (2, ["columnCount"]), (1, ["columnCount"]), (1, ["frozenRowCount", "rowCount"]),
        (2, ["frozenRowCount", "rowCount"])]


def test_a_refresh_over_the_payload_limit_is_staged_in_small_batches_then_swapped_keeping_the_sheet_id() -> None:
    """Past max_bytes: a hidden staging tab, fills of at most max_bytes each, one swap that keeps sheetId 7."""
    book = existing(ExistingSheet(7, "Campaigns", 10, 3))
    plan = plan_refresh(book, [tab("Campaigns", 400, width=50)], RUN, max_bytes=20_000)
    assert plan.staged and len(plan.batches) > 3
    setup, *fills, swap = plan.batches
    added = setup[0]["addSheet"]["properties"]
    assert added["title"] == f"Campaigns__staging_{RUN}" and added["hidden"] is True
    assert all(size <= 20_000 for size in plan.sizes()[1:-1])
    staged_rows = sum(len(r["updateCells"]["rows"]) for batch in fills for r in batch)
    assert staged_rows == 401  # header + 400 rows, none twice
    assert kinds(swap)[:5] == ["updateSheetProperties", "updateSheetProperties", "updateCells", "copyPaste",
                               "deleteSheet"]
    assert swap[3]["copyPaste"]["destination"]["sheetId"] == 7 and plan.sheet_ids["Campaigns"] == 7
    assert swap[4] == {"deleteSheet": {"sheetId": added["sheetId"]}}


def test_leftover_staging_tabs_are_deleted_and_other_tabs_never_touched() -> None:
    """A staging tab of a killed run is deleted first; a tab the config does not name appears in no request."""
    book = existing(ExistingSheet(3, "Campaigns", 5, 3), ExistingSheet(9, f"Campaigns__staging_{'f' * 12}", 5, 3),
                    ExistingSheet(4, "My pivot", 20, 5), ExistingSheet(5, "notes__staging_old", 5, 5))
    batch = plan_refresh(book, [tab("Campaigns", 2)], RUN).batches[0]
    assert batch[0] == {"deleteSheet": {"sheetId": 9}}
    text = json.dumps(batch)
    assert '"sheetId": 4' not in text and '"sheetId": 5' not in text


def test_a_named_range_is_added_the_first_time_and_updated_to_the_new_row_count_after() -> None:
    """`data_<slug>` is added when missing; when it exists its id is kept and only its range moves."""
    first = plan_refresh(existing(ExistingSheet(3, "Top Creators", 5, 3)), [tab("Top Creators", 2)], RUN)
    added = next(r for r in first.batches[0] if "addNamedRange" in r)["addNamedRange"]["namedRange"]
    assert added["name"] == "data_top_creators" and added["range"]["endRowIndex"] == 3
    book = existing(ExistingSheet(3, "Top Creators", 5, 3), named={"data_top_creators": "42"})
    again = plan_refresh(book, [tab("Top Creators", 9)], RUN).batches[0]
    updated = next(r for r in again if "updateNamedRange" in r)["updateNamedRange"]
    assert updated["namedRange"]["namedRangeId"] == "42" and updated["namedRange"]["range"]["endRowIndex"] == 10
    assert updated["fields"] == "range"


@pytest.mark.parametrize("title", ["Campaigns", "1 2 3", "A1", "R1C1", "Über 🌵 créateurs", "", "___"])
def test_named_range_names_are_valid_for_sheets_whatever_the_tab_title(title: str) -> None:
    """Letters, digits and underscores, starting with a letter, never a cell reference like A1 or R1C1."""
    name = named_range_name(title)
    assert re.fullmatch(r"[a-z][a-z0-9_]*", name) and not re.fullmatch(r"[A-Za-z]{1,3}[0-9]+|R[0-9]+C[0-9]+", name)


def test_a_refresh_past_ten_million_cells_fails_before_writing_with_the_figure() -> None:
    """Other tabs' grids count too: 9,999,000 cells elsewhere plus a 1,001-cell tab is refused, naming the total."""
    book = existing(ExistingSheet(1, "Big", 9_999, 1_000))
    with pytest.raises(CellLimitError, match=r"10,000,001 cells .* limit of 10,000,000; nothing was written"):
        plan_refresh(book, [TabContent("New", ["h"], [[{}]] * 1_000, [None], "n")], RUN)
    assert plan_refresh(book, [TabContent("New", ["h"], [[{}]] * 999, [None], "n")], RUN).cells_after == 10_000_000


def test_text_is_always_a_string_value_even_when_it_looks_like_a_formula() -> None:
    """=…, +…, -…, @… and numeric-looking text stay stringValue; nothing is ever USER_ENTERED."""
    stats = CellStats()
    for text in ("=HYPERLINK(\"http://x\",\"y\")", "+1", "-2", "@me", "0012", "TRUE"):
        assert cell(text, TEXT, stats, 2) == {"userEnteredValue": {"stringValue": text}}


def test_typed_values_become_numbers_booleans_date_serials_or_empty_cells() -> None:
    """0 is 0, None is an empty cell, bools are boolValue, dates and date-times are serials from 1899-12-30."""
    stats = CellStats()
    number = Column("m", "M", ColumnKind.INTEGER)
    assert cell(0, number, stats, 2) == {"userEnteredValue": {"numberValue": 0}}
    assert cell(None, number, stats, 2) == {}
    assert cell(True, TEXT, stats, 2) == {"userEnteredValue": {"boolValue": True}}
    assert cell(dt.date(1900, 1, 1), TEXT, stats, 2) == {"userEnteredValue": {"numberValue": 2}}
    assert serial(dt.datetime(1900, 2, 1, 15, 0)) == 33.625  # Google's own example
    assert cell(2**60, Column("id", "ID", ColumnKind.INTEGER, identifier=True), stats, 2) == {
        "userEnteredValue": {"stringValue": str(2**60)}}  # a double would lose its last digits


def test_text_over_fifty_thousand_characters_is_cut_with_a_warning_naming_report_row_and_column() -> None:
    """The cell keeps the first 50,000 characters; the warning names the report, tab, row and column."""
    stats = CellStats()
    out = cell("y" * 50_001, Column("bio", "Bio"), stats, 7)
    assert len(out["userEnteredValue"]["stringValue"]) == 50_000
    assert text_warnings("Creators", "People", stats) == [
        "report 'Creators' (tab 'People'): text longer than 50,000 characters cut to fit a Google Sheets cell "
        "at row 7, column 'Bio'"]


@pytest.mark.parametrize(("kind", "fmt", "expected"), [
    (ColumnKind.INTEGER, None, {"type": "NUMBER", "pattern": "#,##0"}),
    (ColumnKind.DECIMAL, None, {"type": "NUMBER", "pattern": "#,##0.00"}),
    (ColumnKind.PERCENT, None, {"type": "NUMBER", "pattern": '0.00"%"'}),
    (ColumnKind.RATIO, None, {"type": "PERCENT", "pattern": "0.00%"}),
    (ColumnKind.DECIMAL, "$#,##0.00", {"type": "CURRENCY", "pattern": "$#,##0.00"}),
    (ColumnKind.DATE, None, {"type": "DATE", "pattern": "yyyy-mm-dd"}),
    (ColumnKind.DATETIME, None, {"type": "DATE_TIME", "pattern": "yyyy-mm-dd hh:mm"}),
    (ColumnKind.TEXT, None, None),
])
def test_column_number_formats_follow_the_column_kind(kind: ColumnKind, fmt: str | None,
                                                      expected: dict[str, str] | None) -> None:
    """A quoted % is only shown (NUMBER), a bare % multiplies (PERCENT), a currency sign is CURRENCY, dates DATE."""
    assert number_format(Column("f", "F", kind, number_format=fmt)) == expected
