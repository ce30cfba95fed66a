"""LibreOffice (headless, always recalculating) opens the filled demo workbook, computes it and renders it."""

from __future__ import annotations

import csv
import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest

from sheets_sync.sinks.excel import write_workbook

from excel_helpers import CAMPAIGNS, DEMO_TEMPLATE, NOW, K, calamine_rows, demo_tabs, make_tab, read_everything
from libreoffice import convert, require_soffice
from xlsx_checker import assert_sound

pytestmark = [pytest.mark.libreoffice, pytest.mark.slow]
@pytest.fixture(scope="module")
def filled_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo template filled with the known tabs."""
    require_soffice()
    out = tmp_path_factory.mktemp("lo") / "demo.xlsx"
    write_workbook(out, demo_tabs(), template=DEMO_TEMPLATE, now=NOW)
    assert_sound(out)
    read_everything(out)
    return out


def _number(text: str) -> float:
    return float(text.replace("$", "").replace(",", "").replace("%", ""))


def test_csv_export_holds_kpis_computed_over_every_new_row(filled_demo: Path, tmp_path: Path) -> None:
    """The Summary sheet's KPI formulas, recalculated by LibreOffice, sum all eight new campaign rows."""
    out = convert(filled_demo, "csv", tmp_path)
    rows = list(csv.reader(out.read_text(encoding="utf-8").splitlines()))
    labels = next(r for r in rows if "Impressions" in r)
    values = rows[rows.index(labels) + 1]
    kpi = {label: _number(values[i]) for i, label in enumerate(labels) if label}
    assert kpi["Campaigns"] == 8
    assert kpi["Posts"] == sum(r[3] for r in CAMPAIGNS)
    assert kpi["Impressions"] == sum(r[4] for r in CAMPAIGNS)
    assert kpi["Est. value"] == sum(r[7] for r in CAMPAIGNS)


def test_calculated_column_evaluates_on_every_row(filled_demo: Path, tmp_path: Path) -> None:
    """After a LibreOffice round trip the Engagements per Post column holds its computed value on all rows."""
    (tmp_path / "rt").mkdir()
    out = convert(filled_demo, "xlsx", tmp_path / "rt")
    rows = calamine_rows(out, "Campaigns")[1:]
    assert [r[1] for r in rows] == [c[1] for c in CAMPAIGNS]
    assert [r[9] for r in rows] == [10.0] * len(CAMPAIGNS)


def test_pdf_render_succeeds(filled_demo: Path, tmp_path: Path) -> None:
    """The filled demo renders to a non-trivial PDF (and to PNG when poppler is installed)."""
    pdf = convert(filled_demo, "pdf", tmp_path)
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 10_000
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],
                       check=True, timeout=120)
        assert list(tmp_path.glob("page*.png"))


def test_filled_fidelity_workbook_opens_and_recalculates(fidelity_xlsm: Path, tmp_path: Path) -> None:
    """The filled feature-complete template opens in LibreOffice and its Summary total covers the new rows."""
    require_soffice()
    tab = make_tab("Data", [("Region", K.TEXT), ("Qty", K.INTEGER), ("Price", K.DECIMAL), ("Day", K.DATE),
                            ("Updated", K.DATETIME)],
                   [[f"R{i}", i, 2.0, dt.date(2026, 1, 1), None] for i in range(1, 21)])
    out = write_workbook(tmp_path / "filled.xlsm", [tab], template=fidelity_xlsm, now=NOW).path
    rows = list(csv.reader(convert(out, "csv", tmp_path).read_text(encoding="utf-8").splitlines()))
    assert rows[0][0] == "Total" and _number(rows[0][1]) == sum(2.0 * i for i in range(1, 21))
    assert rows[1][0] == "Rows" and _number(rows[1][1]) == 20
