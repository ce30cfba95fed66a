"""Tests of `python -m sheets_sync demo`: the real entry point, the bundled emulator, the demo template."""

from __future__ import annotations

import csv
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from python_calamine import CalamineWorkbook

ROOT = Path(__file__).resolve().parent.parent
DEMO_BUDGET_SECONDS = 15

# The headers sheets_sync/demo/demo.xlsx expects (docs/excel-templates.md); the demo config must produce them.
EXPECTED_HEADERS = {
    "Campaigns": ["Campaign ID", "Campaign", "Status", "Posts", "Impressions", "Engagements", "Engagement Rate",
                  "Est. Value", "Est. ROI"],
    "Creators": ["Creator", "Profiles", "Posts", "Impressions", "Engagements", "Engagement Rate", "Est. Value"],
    "Platforms": ["Content Type", "Posts", "Impressions", "Engagements", "Engagement Rate"],
    "Trend": ["Week Start", "Week End", "Impressions", "Engagements"],
}


def run_demo(output_dir: Path, cwd: Path) -> tuple[subprocess.CompletedProcess[str], float]:
    """Run the demo as a user would, from `cwd`, with no credentials in the environment."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LATER_")}
    env["PYTHONPATH"] = str(ROOT)
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "sheets_sync", "demo", "--output-dir", str(output_dir)],
                            cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False)
    return result, time.monotonic() - started


def test_demo_writes_the_workbook_and_csv_and_prints_the_summary(tmp_path: Path) -> None:
    """From any folder and without credentials, the demo exits 0 within budget, fills all four tabs and the CSV."""
    out = tmp_path / "out"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result, seconds = run_demo(out, elsewhere)
    assert result.returncode == 0, result.stderr
    assert seconds < DEMO_BUDGET_SECONDS

    for name in ("Campaigns", "Creators", "Platforms", "Weekly trend"):
        assert name in result.stdout
    assert "Traceback" not in result.stderr and "demo-secret" not in result.stderr + result.stdout
    assert "Next: open the workbook above;" in result.stdout  # the demo wrote a workbook (and a CSV)

    book = CalamineWorkbook.from_path(str(out / "demo-report.xlsx"))
    rows_per_tab = {}
    for sheet, headers in EXPECTED_HEADERS.items():
        rows = book.get_sheet_by_name(sheet).to_python()
        assert rows[0][:len(headers)] == headers, sheet
        rows_per_tab[sheet] = len(rows) - 1
        assert rows_per_tab[sheet] > 0, f"{sheet} has no data rows"
    assert rows_per_tab["Creators"] <= 100
    assert rows_per_tab["Trend"] == 26

    assert (out / "demo-campaigns.csv").read_bytes().startswith(b"\xef\xbb\xbf")  # for Excel: see README "CSV files"
    with (out / "demo-campaigns.csv").open(encoding="utf-8-sig", newline="") as handle:
        csv_rows = list(csv.reader(handle))
    assert csv_rows[0] == EXPECTED_HEADERS["Campaigns"]
    assert not [r[1] for r in csv_rows[1:] if r[1].startswith(("=", "+", "-", "@"))]  # formula-like names escaped
    assert len(csv_rows) - 1 == rows_per_tab["Campaigns"]
    impressions = [int(r[4]) for r in csv_rows[1:]]
    assert impressions == sorted(impressions, reverse=True)  # sorted by impressions, descending

    with sqlite3.connect(out / ".sheets-sync" / "history.sqlite") as conn:
        statuses = conn.execute("select status, count(*) from runs group by status").fetchall()
    assert statuses == [("ok", 4)]
    assert list(elsewhere.iterdir()) == []  # nothing lands in the current folder


def test_demo_without_output_dir_writes_reports_and_history_in_the_current_folder(tmp_path: Path) -> None:
    """`sheets-sync demo` run in any folder writes reports/ and .sheets-sync/ there, and `history` there lists it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LATER_")}
    env["PYTHONPATH"] = str(ROOT)
    result = subprocess.run([sys.executable, "-m", "sheets_sync", "demo"], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (tmp_path / "reports").iterdir()) == ["demo-campaigns.csv", "demo-report.xlsx"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [".sheets-sync", "reports"]
    assert f"run in {tmp_path}" in " ".join(result.stdout.split())
    history = subprocess.run([sys.executable, "-m", "sheets_sync", "history"], cwd=tmp_path, env=env,
                             capture_output=True, text=True, timeout=60, check=False)
    assert history.returncode == 0 and "Weekly" in history.stdout, history.stdout + history.stderr
    assert not list((ROOT / "sheets_sync" / "demo").glob("reports"))  # nothing written into the package


def test_demo_config_is_package_data_with_its_template_beside_it() -> None:
    """The packaged demo config loads through importlib.resources and fills the packaged template's four tables."""
    from sheets_sync.config import load_config
    from sheets_sync.demo import demo_files

    env = {"LATER_API_URL": "http://127.0.0.1:9", "LATER_CLIENT_ID": "demo-client",
           "LATER_CLIENT_SECRET": "demo-secret"}
    with demo_files() as files:
        cfg = load_config(files.config, env)
        workbook = next(d for d in cfg.destinations.values() if d.type == "excel")
        assert Path(workbook.template).resolve() == files.template.resolve()
    assert files.template.resolve() == ROOT / "sheets_sync" / "demo" / "demo.xlsx"
    assert [(r.tab, r.table) for r in cfg.reports if "demo_workbook" in r.destinations] == [
        ("Campaigns", "tblCampaigns"), ("Creators", "tblCreators"), ("Platforms", "tblPlatforms"),
        ("Trend", "tblTrend")]
    assert cfg.destinations["campaigns_csv"].escape_formulas and cfg.destinations["campaigns_csv"].writes_bom


def test_only_one_copy_of_the_demo_files_exists() -> None:
    """The demo config and template live only in the package: no second copy to drift in config/ or templates/."""
    assert not (ROOT / "config" / "demo.yaml").exists() and not (ROOT / "templates" / "demo.xlsx").exists()
