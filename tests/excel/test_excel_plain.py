"""Without a template: a clean styled workbook, one sheet per tab plus an About sheet."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import openpyxl

from sheets_sync.report import ColumnKind
from sheets_sync.sinks.excel import ExcelTab, write_workbook

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
    assert [ws.cell(2, c).number_format for c in range(1, 5)] == ["General", "#,##0", '0.00"%"', "yyyy-mm-dd"]


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


def _creators_tab(records: list[dict]) -> ExcelTab:
    """A creators/performance tab with the default columns, built by records as a run builds it."""
    from sheets_sync.catalogue import get_endpoint
    from sheets_sync.records import build_table
    from sheets_sync.report import TableMeta

    metrics = ["impressions", "engagementRate", "estimatedValueGenerated", "estimatedRoi", "cpm"]
    table = build_table(get_endpoint("creators/performance"), records, metrics=metrics, columns=None,
                        meta=TableMeta(report="Creators", endpoint="creators/performance"))
    return ExcelTab(table, "Creators")


CREATOR = {"creator": {"creatorId": 49761, "fullName": "Ann", "profilePictureUrl": None, "profiles": []},
           "metrics": {"impressions": 12345, "engagementRate": 4.25, "estimatedValueGenerated": 1234,
                       "estimatedRoi": 2.5, "cpm": 3}}


def test_clean_workbook_headers_are_the_catalogue_labels(tmp_path: Path) -> None:
    """Default columns are headed "Creator ID", "Est. ROI" ... in a clean workbook, read back by both readers."""
    result = write_workbook(tmp_path / "c.xlsx", [_creators_tab([CREATOR])], now=NOW)
    expected = ["Creator ID", "Creator Name", "Profile Picture URL", "Profiles", "Impressions", "Engagement Rate",
                "Est. Value Generated", "Est. ROI", "CPM"]
    assert calamine_rows(result.path, "Creators")[0] == expected
    assert next(openpyxl.load_workbook(result.path, read_only=True)["Creators"].values)[:9] == tuple(expected)


def test_clean_workbook_number_formats_follow_the_metric_kinds(tmp_path: Path) -> None:
    """id "0", count #,##0, percent 0.00"%", money #,##0.00 (even sent as an int), ROI 0.00% (not money)."""
    path = write_workbook(tmp_path / "c.xlsx", [_creators_tab([CREATOR])], now=NOW).path
    ws = openpyxl.load_workbook(path)["Creators"]
    formats = {ws.cell(1, c).value: ws.cell(2, c).number_format for c in range(1, 10)}
    assert formats["Creator ID"] == "0" and formats["Impressions"] == "#,##0"
    assert formats["Engagement Rate"] == '0.00"%"' and formats["Est. Value Generated"] == "#,##0.00"
    assert formats["Est. ROI"] == "0.00%" and formats["CPM"] == "#,##0.00"
    assert ws.cell(2, 8).value == 2.5 and ws.cell(2, 6).value == 4.25   # values exactly as the API sent them


def test_csv_keeps_field_paths_as_headers(tmp_path: Path) -> None:
    """The same table written as CSV is headed by field paths (creator.creatorId), for machines and imports."""
    import csv

    from sheets_sync.sinks.csv_sink import write_csv

    path = write_csv(tmp_path / "c.csv", _creators_tab([CREATOR]).table).path
    with path.open(encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    assert header[:2] == ["creator.creatorId", "creator.fullName"] and header[-1] == "cpm"


def test_a_label_that_would_repeat_another_header_gives_way() -> None:
    """Two columns never read the same: a clashing label falls back to the column's own header."""
    from sheets_sync.report import Column
    from sheets_sync.sinks.excel.plain import shown_headers

    columns = [Column("campaignName", "Impressions"),
               Column("metrics.impressions", "impressions", label="Impressions"),
               Column("creatorId", "creatorId", label="Creator ID"),
               Column("creator.creatorId", "x", label="Creator ID"),
               Column("status", "status", label="Status")]
    assert shown_headers(columns) == ["Impressions", "impressions", "creatorId", "x", "Status"]


def test_a_template_still_matches_the_field_path_headers(tmp_path: Path) -> None:
    """Labels are for clean workbooks only: a template headed creator.creatorId ... is filled and keeps its headers."""
    import xlsxwriter

    tab = _creators_tab([CREATOR])
    template = tmp_path / "t.xlsx"
    book = xlsxwriter.Workbook(str(template))
    book.add_worksheet("Creators").add_table(0, 0, 1, len(tab.table.columns) - 1, {
        "name": "tblCreators", "columns": [{"header": h} for h in tab.table.headers]})
    book.close()
    result = write_workbook(tmp_path / "out.xlsx", [tab], template=template, now=NOW)
    rows = calamine_rows(result.path, "Creators")
    assert rows[0] == tab.table.headers and rows[1][0] == 49761
