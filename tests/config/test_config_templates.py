"""validate's deep check: Excel templates exist and offer the sheet, table and columns their reports fill."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.config.samples import CREDENTIALS

openpyxl = pytest.importorskip("openpyxl")

CONFIG = """\
destinations:
  book:
    type: excel
    template: templates/trend.xlsx
    output: out/trend.xlsx
reports:
  - name: Trend
    endpoint: instances/performance-over-time
    granularity: week
    date_range: last_90_days
    metrics: [impressions, engagements]
    destination: book
    tab: Trend
"""


def make_template(folder: Path, columns: list[str]) -> None:
    """A template with sheet Trend holding table tblTrend with `columns`, and a Notes sheet."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.table import Table

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Trend"
    sheet.append(columns)
    sheet.append([None] * len(columns))
    sheet.add_table(Table(displayName="tblTrend", ref=f"A1:{get_column_letter(len(columns))}2"))
    book.create_sheet("Notes")
    (folder / "templates").mkdir(exist_ok=True)
    book.save(folder / "templates" / "trend.xlsx")


def test_matching_template_has_no_problems(problems, tmp_path):
    """Default columns (startDate, endDate, then metrics) match the table's headers."""
    make_template(tmp_path, ["startDate", "endDate", "impressions", "engagements"])
    assert problems(CONFIG) == []


def test_column_mismatch_lists_both_sets(problems, tmp_path):
    """A table column no report column fills is reported at the report's tab, with both lists."""
    make_template(tmp_path, ["startDate", "endDate", "impressions", "reach"])
    found = problems(CONFIG)
    assert len(found) == 1
    assert found[0].startswith("config.yaml:13:5: reports[0].tab: table 'tblTrend': columns do not match")
    assert "Template columns: startDate, endDate, impressions, reach" in found[0]
    assert "Report columns: startDate, endDate, impressions, engagements" in found[0]


def test_renamed_columns_fill_the_table(problems, tmp_path):
    """`columns:` renames decide which table columns are filled."""
    make_template(tmp_path, ["Week start", "Week end", "Impressions"])
    text = CONFIG.replace("    tab: Trend\n", "    tab: Trend\n    columns:\n"
                          "      - {field: startDate, header: Week start}\n"
                          "      - {field: endDate, header: Week end}\n"
                          "      - {field: metrics.impressions, header: Impressions}\n")
    assert problems(text) == []


def test_tab_must_be_a_sheet_of_the_template(problems, tmp_path):
    """A tab the template lacks is reported at `tab`."""
    make_template(tmp_path, ["startDate", "endDate", "impressions", "engagements"])
    found = problems(CONFIG.replace("tab: Trend", "tab: Weekly"))
    assert found == ["config.yaml:13:5: reports[0].tab: the template has no sheet 'Weekly' (it has: Trend, Notes)"]


def test_named_table_must_exist(problems, tmp_path):
    """`table:` naming a table the sheet lacks is reported at `table`."""
    make_template(tmp_path, ["startDate", "endDate", "impressions", "engagements"])
    found = problems(CONFIG + "    table: tblWeekly\n")
    assert found == ["config.yaml:14:5: reports[0].table: sheet 'Trend' has no table 'tblWeekly'"]


def test_missing_template_file_is_reported(problems):
    """A template path that does not exist is reported at `template`, as written relative to the config."""
    assert problems(CONFIG) == ["config.yaml:4:5: destinations.book.template: template file not found: "
                                "templates/trend.xlsx"]


def test_load_config_does_not_open_templates(write_config):
    """Only validate opens templates; load_config stays fast and offline-safe."""
    from sheets_sync.config import load_config

    assert load_config(write_config(CONFIG), CREDENTIALS).reports[0].tab == "Trend"


def test_deep_check_is_skipped_without_the_excel_sink(problems, tmp_path, monkeypatch):
    """If the Excel sink cannot be imported, validate still answers, without the template check."""
    import sys

    monkeypatch.setitem(sys.modules, "sheets_sync.sinks.excel", None)
    assert problems(CONFIG) == []


def test_contract_breaks_beyond_columns_are_reported(problems, tmp_path):
    """Content below the table breaks the template contract; validate reports it at `template`."""
    make_template(tmp_path, ["startDate", "endDate", "impressions", "engagements"])
    path = tmp_path / "templates" / "trend.xlsx"
    book = openpyxl.load_workbook(path)
    book["Trend"]["A6"] = "Notes below the data"
    book.save(path)
    found = problems(CONFIG)
    assert len(found) == 1
    assert found[0].startswith("config.yaml:4:5: destinations.book.template: ")
    assert "below" in found[0]
