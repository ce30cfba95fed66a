"""Without a template: a clean styled workbook, one sheet per tab plus an About sheet."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import openpyxl

from sheets_sync.report import ColumnKind
from sheets_sync.sinks.excel import write_workbook

from excel_helpers import NOW, assert_data, calamine_rows, make_tab
from xlsx_checker import assert_sound

K = ColumnKind
COLUMNS = [("Campaign", K.TEXT), ("Posts", K.INTEGER), ("Engagement Rate", K.PERCENT), ("Start", K.DATE)]
ROWS = [["Spring", 12, 4.25, dt.date(2026, 2, 1)], ["Summer", 0, None, dt.date(2026, 2, 7)]]


def _two_tabs(tmp_path: Path):
    tabs = [make_tab("Campaigns", COLUMNS, ROWS), make_tab("Trend", [("Week", K.DATE), ("Posts", K.INTEGER)],
                                                           [[dt.date(2026, 2, 2), 3]])]
    return write_workbook(tmp_path / "report.xlsx", tabs, now=NOW)


def test_one_sheet_per_tab_with_header_in_row_1(tmp_path: Path) -> None:
    """Each tab becomes a sheet with its header in row 1 and its rows below, read back by both readers."""
    result = _two_tabs(tmp_path)
    assert_sound(result.path)
    assert result.rows == {"Campaigns": 2, "Trend": 1}
    assert openpyxl.load_workbook(result.path, read_only=True).sheetnames == ["Campaigns", "Trend", "About"]
    assert calamine_rows(result.path, "Campaigns")[0] == ["Campaign", "Posts", "Engagement Rate", "Start"]
    assert_data(result.path, "Campaigns", ROWS)
    assert result.bytes_written == result.path.stat().st_size


def test_header_is_bold_frozen_and_filtered(tmp_path: Path) -> None:
    """The header row is bold, frozen below row 1 and carries an auto-filter over the data."""
    ws = openpyxl.load_workbook(_two_tabs(tmp_path).path)["Campaigns"]
    assert all(ws.cell(1, c).font.b for c in range(1, 5))
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:D3"


def test_number_formats_follow_the_column_kind(tmp_path: Path) -> None:
    """Integer, percent and date columns get the report model's default number formats."""
    ws = openpyxl.load_workbook(_two_tabs(tmp_path).path)["Campaigns"]
    assert [ws.cell(2, c).number_format for c in range(1, 5)] == ["General", "#,##0", "0.00", "yyyy-mm-dd"]


def test_column_widths_fit_headers_and_values(tmp_path: Path) -> None:
    """Columns are wide enough for their header and sampled values, within sane bounds."""
    ws = openpyxl.load_workbook(_two_tabs(tmp_path).path)["Campaigns"]
    widths = [ws.column_dimensions[c].width for c in "ABCD"]
    assert widths[2] >= len("Engagement Rate") and all(8 <= w <= 60 for w in widths)


def test_about_sheet_records_the_refresh(tmp_path: Path) -> None:
    """The About sheet names the refresh time and, per tab, report, endpoint, period and row count."""
    about = calamine_rows(_two_tabs(tmp_path).path, "About")
    assert about[0][:3] == ["Last refreshed", dt.datetime(2026, 3, 2, 6, 30), "UTC"]
    assert about[3][:6] == ["Campaigns", "Campaigns report", "campaigns", dt.date(2026, 2, 1),
                            dt.date(2026, 2, 28), 2]


def test_about_sheet_times_and_periods_are_real_excel_dates(tmp_path: Path) -> None:
    """openpyxl (read-only) reads Last refreshed and Refreshed at as datetimes and the period as dated cells."""
    wb = openpyxl.load_workbook(_two_tabs(tmp_path).path, read_only=True)
    try:
        rows = list(wb["About"].iter_rows(min_row=1, max_row=4))
        refreshed, tab_row = rows[0][1], rows[3]
        assert refreshed.value == dt.datetime(2026, 3, 2, 6, 30) and refreshed.is_date
        assert refreshed.number_format == "yyyy-mm-dd hh:mm:ss"
        assert [c.value for c in rows[2]][6] == "Refreshed at"          # the human label stays
        assert tab_row[6].value == dt.datetime(2026, 3, 2, 6, 30) and tab_row[6].is_date
        assert tab_row[6].number_format == "yyyy-mm-dd hh:mm:ss"
        assert [tab_row[3].value, tab_row[4].value] == [dt.datetime(2026, 2, 1), dt.datetime(2026, 2, 28)]
        assert tab_row[3].number_format == tab_row[4].number_format == "yyyy-mm-dd"
    finally:
        wb.close()


def test_about_refreshed_at_is_the_wall_time_of_the_tabs_time_zone(tmp_path: Path) -> None:
    """An aware refresh time is written as the wall time in the tab's Time zone (Excel has no zones)."""
    tab = make_tab("Data", COLUMNS, ROWS)
    tab.table.meta = dataclasses.replace(tab.table.meta, timezone="America/New_York")
    result = write_workbook(tmp_path / "tz.xlsx", [tab], now=NOW)
    row = calamine_rows(result.path, "About")[3]
    assert row[6:8] == [dt.datetime(2026, 3, 2, 1, 30), "America/New_York"]


def test_empty_report_still_has_its_header(tmp_path: Path) -> None:
    """A report with no rows gives a sheet with just the header and a zero row count."""
    result = write_workbook(tmp_path / "empty.xlsx", [make_tab("Data", COLUMNS, [])], now=NOW)
    assert_sound(result.path)
    assert result.rows == {"Data": 0}
    assert calamine_rows(result.path, "Data") == [["Campaign", "Posts", "Engagement Rate", "Start"]]


def test_a_tab_named_about_keeps_its_name(tmp_path: Path) -> None:
    """A report tab called About keeps the name; the refresh notes move to another sheet name."""
    result = write_workbook(tmp_path / "a.xlsx", [make_tab("About", COLUMNS, ROWS)], now=NOW)
    assert openpyxl.load_workbook(result.path, read_only=True).sheetnames == ["About", "About (sheets-sync)"]


def test_rows_stream_from_a_one_shot_iterator(tmp_path: Path) -> None:
    """A generator of rows is consumed once and every row arrives (more rows than the width sample)."""
    rows = ([f"c{i}", i, i / 10, None] for i in range(1500))
    tab = make_tab("Data", COLUMNS, [])
    tab.table.rows = rows
    result = write_workbook(tmp_path / "big.xlsx", [tab], now=NOW)
    assert result.rows == {"Data": 1500}
    assert calamine_rows(result.path, "Data")[-1][:2] == ["c1499", 1499]
