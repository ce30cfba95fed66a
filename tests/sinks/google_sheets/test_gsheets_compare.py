"""`compare:` into Google Sheets: the comparison columns arrive as the CSV of the same run has them, typed and
formatted (the change in percent as a percentage), with no Sheets-specific code behind them."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

from sheets_sync.config import load_config
from sheets_sync.orchestrator import run_config
from sheets_sync.sheets_emulator.server import RunningSheetsEmulator
from tests.run.run_helpers import NOW, env_for, write_config

KEY = "compare-sheet"
CONFIG = """\
timezone: UTC
api: {base_url: "${LATER_API_URL}", client_id: "${LATER_CLIENT_ID}", client_secret: "${LATER_CLIENT_SECRET}",
      pagination: page, page_size: 100}
destinations:
  flat: {type: csv, output: "out/{report}.csv"}
  sheet: {type: google_sheets, spreadsheet: KEY_HERE}
reports:
  - name: Campaigns
    endpoint: campaigns/performance
    metrics: [impressions, engagementRate]
    date_range: {start: 2026-06-01, end: 2026-06-30}
    compare: previous_period
    destination: [flat, sheet]
    tab: Campaigns
""".replace("KEY_HERE", KEY)


@pytest.fixture
def sheets(sheets_emulator: RunningSheetsEmulator, monkeypatch: pytest.MonkeyPatch) -> RunningSheetsEmulator:
    """The Sheets emulator, named by SHEETS_EMULATOR_HOST, with the spreadsheet created."""
    monkeypatch.setenv("SHEETS_EMULATOR_HOST", sheets_emulator.host)
    sheets_emulator.service.create_spreadsheet(KEY, "Compare")
    return sheets_emulator


def test_comparison_columns_reach_the_sheet_as_in_the_csv_with_the_change_as_a_percentage(
        tmp_path: Path, sheets: RunningSheetsEmulator, emulator: Any) -> None:
    """Headers name the previous period; each previous value and change equals the CSV's; Δ% cells are PERCENT-kind."""
    cfg = load_config(write_config(tmp_path, CONFIG), {**env_for(emulator), "SHEETS_EMULATOR_HOST": sheets.host})
    summary = run_config(cfg, now=NOW, history=None)
    assert summary.exit_code == 0, [o.error for o in summary.outcomes]
    with (tmp_path / "out" / "campaigns.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    headers, body = rows[0], rows[1:]
    grid = sheets.service.spreadsheet(KEY).sheet_by_title("Campaigns")
    assert grid is not None
    shown = [grid.cell(0, c).get("userEnteredValue", {}).get("stringValue") for c in range(len(headers))]
    previous = "impressions (2026-05-01 – 2026-05-31)"
    change = "impressions Δ% vs 2026-05-01 – 2026-05-31"
    assert previous in headers and change in headers
    assert shown == headers  # same columns, same order (the CSV keeps field paths, and so does this table)
    assert grid.rows == len(body) + 1
    empty_changes = 0
    for column in (headers.index(previous), headers.index(change)):
        for number, row in enumerate(body, start=1):
            value = grid.cell(number, column).get("userEnteredValue")
            if row[column] == "":
                assert value is None, (number, headers[column])  # empty, not 0 and not an error
                empty_changes += column == headers.index(change)
            else:
                assert value == {"numberValue": pytest.approx(float(row[column]))}, (number, headers[column])
    change_format = grid.cell(1, headers.index(change)).get("userEnteredFormat", {}).get("numberFormat")
    metric_format = grid.cell(1, headers.index("engagementRate")).get("userEnteredFormat", {}).get(
        "numberFormat")
    assert change_format == metric_format  # the change is a percentage like engagementRate (12.5 means 12.5 %)
    assert change_format is not None and "%" in change_format["pattern"]
    assert empty_changes < len(body)  # the check above compared real numbers, not only empty cells
