"""Read-back helpers and sample data for the Excel sink tests (a module name no other test folder uses)."""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import openpyxl
from python_calamine import CalamineWorkbook

from sheets_sync.report import Column, ColumnKind, Table, TableMeta
from sheets_sync.sinks.excel import ExcelTab

REPO = Path(__file__).resolve().parents[2]
DEMO_TEMPLATE = REPO / "sheets_sync" / "demo" / "demo.xlsx"
NOW = dt.datetime(2026, 3, 2, 6, 30, tzinfo=dt.UTC)
K = ColumnKind


def make_tab(sheet: str, columns: Sequence[tuple[str, ColumnKind] | Column], rows: Iterable[Sequence[Any]],
             excel_table: str | None = None) -> ExcelTab:
    """Build an ExcelTab whose rows are a one-shot iterator, as the API path delivers them."""
    cols = [c if isinstance(c, Column) else Column(c[0].lower(), c[0], c[1]) for c in columns]
    meta = TableMeta(report=f"{sheet} report", endpoint="campaigns", start_date=dt.date(2026, 2, 1),
                     end_date=dt.date(2026, 2, 28), refreshed_at=NOW)
    return ExcelTab(Table(cols, iter(list(rows)), meta), sheet, excel_table)


CAMPAIGN_COLUMNS = [("Campaign ID", K.INTEGER), ("Campaign", K.TEXT), ("Status", K.TEXT), ("Posts", K.INTEGER),
                    ("Impressions", K.INTEGER), ("Engagements", K.INTEGER), ("Engagement Rate", K.PERCENT),
                    ("Est. Value", K.DECIMAL), ("Est. ROI", K.DECIMAL)]
CAMPAIGNS = [[100 + i, f"Campaign {i}", "Active", 10 * (i + 1), 1000 * (i + 1), 100 * (i + 1), 10.0, 50.0 * i, 1.5]
             for i in range(8)]


def demo_tabs() -> list[ExcelTab]:
    """The four demo tabs with small, known data."""
    week = dt.date(2026, 1, 5)
    return [
        make_tab("Campaigns", CAMPAIGN_COLUMNS, CAMPAIGNS),
        make_tab("Creators", [("Creator", K.TEXT), ("Profiles", K.TEXT), ("Posts", K.INTEGER),
                              ("Impressions", K.INTEGER), ("Engagements", K.INTEGER), ("Engagement Rate", K.PERCENT),
                              ("Est. Value", K.DECIMAL)], [["Ann", "instagram:@ann", 3, 300, 30, 10.0, 20.0]]),
        make_tab("Platforms", [("Content Type", K.TEXT), ("Posts", K.INTEGER), ("Impressions", K.INTEGER),
                               ("Engagements", K.INTEGER), ("Engagement Rate", K.PERCENT)],
                 [["Reel", 3, 300, 30, 10.0]]),
        make_tab("Trend", [("Week Start", K.DATE), ("Week End", K.DATE), ("Impressions", K.INTEGER),
                           ("Engagements", K.INTEGER)],
                 [[week + dt.timedelta(weeks=i), week + dt.timedelta(weeks=i, days=6), 100 * i, 10 * i]
                  for i in range(9)]),
    ]


def calamine_rows(path: Path, sheet: str) -> list[list[Any]]:
    """Read a sheet with python-calamine (Rust parser, cached values only)."""
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python(skip_empty_area=False)


def openpyxl_rows(path: Path, sheet: str) -> list[list[Any]]:
    """Read a sheet with openpyxl in read-only mode (a second, independent parser)."""
    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        return [[c.value for c in row] for row in wb[sheet].iter_rows()]
    finally:
        wb.close()


def _same(expected: Any, got: Any, reader: str) -> bool:
    if expected is None:
        return got in (None, "")
    if isinstance(expected, bool):
        return got is expected or got == expected
    if isinstance(expected, dt.datetime):
        return got == expected
    if isinstance(expected, dt.date):
        return got == expected or (isinstance(got, dt.datetime) and got == dt.datetime.combine(expected, dt.time()))
    if isinstance(expected, int | float):
        return isinstance(got, int | float) and not isinstance(got, bool) and got == expected
    return got == expected


def assert_data(path: Path, sheet: str, rows: Sequence[Sequence[Any]], first_row: int = 2,
                columns: Sequence[int] | None = None) -> None:
    """Check that both readers see `rows` (in `columns` of the sheet, 0-based) from `first_row` on."""
    for reader, read in (("calamine", calamine_rows), ("openpyxl", openpyxl_rows)):
        got = read(path, sheet)[first_row - 1:]
        assert len([r for r in got if any(v not in (None, "") for v in r)]) >= len(rows), reader
        for i, expected_row in enumerate(rows):
            cells = got[i]
            picked = [cells[c] if c < len(cells) else None for c in (columns or range(len(expected_row)))]
            for expected, value in zip(expected_row, picked, strict=True):
                assert _same(expected, value, reader), f"{reader} row {first_row + i}: {expected!r} != {value!r}"


def read_everything(path: Path) -> None:
    """Read every sheet with both readers (each raises on XML or index damage)."""
    with warnings.catch_warnings():
        # openpyxl announces it would drop x14 extensions on save; we only read.
        warnings.filterwarnings("ignore", ".*extension is not supported", UserWarning)
        for sheet in CalamineWorkbook.from_path(str(path)).sheet_names:
            calamine_rows(path, sheet)
            openpyxl_rows(path, sheet)
