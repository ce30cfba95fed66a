"""Template data that no report replaces is reported by name (validate and run), unless kept on purpose."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import openpyxl
from openpyxl.worksheet.table import Table

from sheets_sync.cli import main
from sheets_sync.config import load_config
from sheets_sync.orchestrator import run_config
from sheets_sync.sinks.excel import inspect_template, unfilled_template_parts
from sheets_sync.validate import validate_config

from excel_helpers import DEMO_TEMPLATE, calamine_rows

CONFIG = """\
timezone: UTC
api:
  base_url: ${LATER_API_URL}
  client_id: ${LATER_CLIENT_ID}
  client_secret: ${LATER_CLIENT_SECRET}
defaults:
  date_range: {start: 2026-04-01, end: 2026-06-30}
destinations:
  book: {type: excel, template: demo.xlsx, output: out/book.xlsx}
reports:
  - name: Campaigns
    endpoint: campaigns/performance
    metrics: [postsCount, impressions, engagements, engagementRate, estimatedValueGenerated, estimatedRoi]
    columns:
      - {field: campaignId, header: Campaign ID}
      - {field: campaignName, header: Campaign}
      - {field: status, header: Status}
      - {field: metrics.postsCount, header: Posts}
      - {field: metrics.impressions, header: Impressions}
      - {field: metrics.engagements, header: Engagements}
      - {field: metrics.engagementRate, header: Engagement Rate}
      - {field: metrics.estimatedValueGenerated, header: Est. Value}
      - {field: metrics.estimatedRoi, header: Est. ROI}
    destination: book
    tab: Campaigns
"""
NOW = dt.datetime(2026, 7, 1, 9, 0, tzinfo=dt.UTC)


def _template(path: Path) -> Path:
    """Sheets: Data (filled table), Extra (unfilled table), Targets (staticTargets), Lookup (data, no table),
    Notes (one column of text), Summary (formulas)."""
    wb = openpyxl.Workbook()
    data = wb.active
    data.title = "Data"
    data.append(["Name", "Posts"])
    data.append(["sample", 1])
    data.add_table(Table(displayName="tblData", ref="A1:B2"))
    extra = wb.create_sheet("Extra")
    extra.append(["Name", "Reach"])
    extra.append(["sample a", 10])
    extra.append(["sample b", 20])
    extra.add_table(Table(displayName="tblExtra", ref="A1:B3"))
    targets = wb.create_sheet("Targets")
    targets.append(["Month", "Target"])
    targets.append(["Jan", 100])
    targets.add_table(Table(displayName="staticTargets", ref="A1:B2"))
    lookup = wb.create_sheet("Lookup")
    lookup.append(["Code", "Label"])
    lookup.append(["ig", "Instagram"])
    notes = wb.create_sheet("Notes")
    notes.append(["How to read this workbook"])
    notes.append(["The data tabs refresh every Monday."])
    summary = wb.create_sheet("Summary")
    summary.append(["Total", "=SUM(tblData[Posts])"])
    wb.save(path)
    return path


def test_unfilled_tables_and_data_tabs_are_named(tmp_path: Path) -> None:
    """Only tblExtra and the Lookup sheet are reported; the filled, static, notes and formula parts are not."""
    info = inspect_template(_template(tmp_path / "t.xlsx"))
    warnings = unfilled_template_parts(info, [("Data", None)])
    assert len(warnings) == 2
    assert "table 'tblExtra' on sheet 'Extra' keeps the template's 2 data row(s)" in warnings[0]
    assert "static" in warnings[0]
    assert "sheet 'Lookup' keeps the template's 1 data row(s)" in warnings[1]
    assert unfilled_template_parts(info, [("data", None), ("Extra", "TBLEXTRA"), ("Lookup", None)]) == []


def test_a_table_without_sample_data_is_not_reported(tmp_path: Path) -> None:
    """An unfilled table whose data rows are empty holds nothing that could pass for data."""
    path = tmp_path / "t.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Name", "Posts"])
    ws.append([None, None])
    ws.add_table(Table(displayName="tblEmpty", ref="A1:B2"))
    wb.save(path)
    assert unfilled_template_parts(inspect_template(path), []) == []


def test_validate_warns_about_demo_tables_no_report_fills(tmp_path: Path) -> None:
    """validate on a config filling only the demo's campaigns names the other three tables, as warnings."""
    shutil.copy(DEMO_TEMPLATE, tmp_path / "demo.xlsx")
    (tmp_path / "sync.yaml").write_text(CONFIG, encoding="utf-8")
    found = validate_config(tmp_path / "sync.yaml", {"LATER_API_URL": "http://127.0.0.1:9", "LATER_CLIENT_ID": "a",
                                                     "LATER_CLIENT_SECRET": "b"}).problems
    assert [p.severity for p in found] == ["warning"] * 3, [str(p) for p in found]
    text = "\n".join(str(p) for p in found)
    for table, sheet in (("tblCreators", "Creators"), ("tblPlatforms", "Platforms"), ("tblTrend", "Trend")):
        assert f"table {table!r} on sheet {sheet!r} keeps the template's 5 data row(s)" in text
    assert all(p.path == "destinations.book.template" for p in found)


def test_run_warns_under_the_summary_and_still_writes(tmp_path: Path, emulator) -> None:
    """A run filling only the demo's campaigns writes the workbook and notes each unfilled table by name."""
    shutil.copy(DEMO_TEMPLATE, tmp_path / "demo.xlsx")
    (tmp_path / "sync.yaml").write_text(CONFIG, encoding="utf-8")
    env = {"LATER_API_URL": emulator.url, "LATER_CLIENT_ID": "demo-client", "LATER_CLIENT_SECRET": "demo-secret"}
    summary = run_config(load_config(tmp_path / "sync.yaml", env), now=NOW)
    assert [o.error for o in summary.outcomes] == [None]
    notes = [n for n in summary.notes if "keeps the template's" in n]
    assert len(notes) == 3 and all(n.startswith("destination 'book': table 'tbl") for n in notes)
    assert calamine_rows(tmp_path / "out" / "book.xlsx", "Creators")[1][0] == "Creator 1"   # the sample stays



def test_validate_with_only_sample_data_warnings_says_ok_and_exits_0(tmp_path: Path, capsys, monkeypatch) -> None:
    """Warnings about unfilled template tables keep the config usable: `validate` prints OK and exits 0."""
    shutil.copy(DEMO_TEMPLATE, tmp_path / "demo.xlsx")
    (tmp_path / "sync.yaml").write_text(CONFIG, encoding="utf-8")
    env = {"LATER_API_URL": "http://127.0.0.1:9", "LATER_CLIENT_ID": "a", "LATER_CLIENT_SECRET": "b"}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert validate_config(tmp_path / "sync.yaml", dict(os.environ)).config is not None
    assert main(["validate", str(tmp_path / "sync.yaml")]) == 0
    assert f"OK: {tmp_path / 'sync.yaml'}: 1 report, 1 destination, 3 warnings" in capsys.readouterr().out
