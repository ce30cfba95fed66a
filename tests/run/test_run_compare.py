"""`compare:` on the whole path: config → Later emulator → CSV and Excel, checked against separate runs."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from python_calamine import CalamineWorkbook

from sheets_sync.config import load_config
from sheets_sync.orchestrator import RunSummary, run_config
from tests.run.run_helpers import NOW, env_for, write_config

HEAD = """\
timezone: UTC
api: {base_url: "${LATER_API_URL}", client_id: "${LATER_CLIENT_ID}", client_secret: "${LATER_CLIENT_SECRET}",
      pagination: page, page_size: 100}
destinations:
  flat: {type: csv, output: "out/{report}.csv"}
  plain: {type: excel, output: out/plain.xlsx}
reports:
"""


def report_yaml(name: str, endpoint: str, date_range: str, *, compare: str | None = None,
                extra: str = "") -> str:
    lines = [f"  - name: {name}", f"    endpoint: {endpoint}", "    metrics: [impressions, engagementRate]",
             f"    date_range: {date_range}", "    destination: [flat, plain]"]
    if compare:
        lines.append(f"    compare: {compare}")
    return "\n".join(lines) + "\n" + extra


def run_reports(folder: Path, emu: Any, reports: str) -> RunSummary:
    """Load and run a config of `reports` in `folder`; the run must succeed."""
    folder.mkdir(parents=True, exist_ok=True)
    cfg = load_config(write_config(folder, HEAD + reports), env_for(emu))
    summary = run_config(cfg, now=NOW, history=None)
    assert summary.exit_code == 0, [o.error for o in summary.outcomes]
    return summary


def csv_table(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def sheet_rows(path: Path, sheet: str) -> list[list[Any]]:
    return [list(row) for row in CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()]


def number(text: str) -> float | None:
    return None if text == "" else float(text)


def test_campaign_comparison_equals_a_separate_run_over_the_previous_period(tmp_path: Path, emulator: Any) -> None:
    """previous_period on campaigns: each campaign's previous value is what a run over May returns for it."""
    run_reports(tmp_path / "june", emulator, report_yaml("Campaigns", "campaigns/performance",
                                                         "{start: 2026-06-01, end: 2026-06-30}",
                                                         compare="previous_period"))
    run_reports(tmp_path / "may", emulator, report_yaml("Campaigns", "campaigns/performance",
                                                        "{start: 2026-05-01, end: 2026-05-31}"))
    june = csv_table(tmp_path / "june" / "out" / "campaigns.csv")
    may = {row["campaignId"]: row for row in csv_table(tmp_path / "may" / "out" / "campaigns.csv")}
    previous, change = "impressions (2026-05-01 – 2026-05-31)", "impressions Δ% vs 2026-05-01 – 2026-05-31"
    assert list(june[0])[-6:] == ["impressions", previous, change, "engagementRate",
                                  "engagementRate (2026-05-01 – 2026-05-31)",
                                  "engagementRate Δ% vs 2026-05-01 – 2026-05-31"]
    compared = 0
    for row in june:
        before = may.get(row["campaignId"])
        assert row[previous] == (before["impressions"] if before else "")
        now, then = number(row["impressions"]), number(row[previous])
        if now is None or not then:
            assert row[change] == ""
            assert now is None or then in (None, 0.0)
        else:
            assert abs(float(row[change]) - (now - then) / abs(then) * 100) < 1e-6
            compared += 1
    assert compared  # campaigns with a May counterpart exist in the emulator's data
    book = sheet_rows(tmp_path / "june" / "out" / "plain.xlsx", "Campaigns")
    assert book[0][9:12] == ["Impressions", "Impressions (2026-05-01 – 2026-05-31)",
                             "Impressions Δ% vs 2026-05-01 – 2026-05-31"]
    assert [[number(row[previous]), number(row[change])] for row in june] == \
        [[None if cell == "" else cell for cell in line[10:12]] for line in book[1:]]
