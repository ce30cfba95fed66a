"""Filled templates read right without recalculation: cached formula results and chart points equal LibreOffice's."""

from __future__ import annotations

import datetime as dt
import math
import re
import zipfile
from pathlib import Path
from typing import Any

import kpi_template
import openpyxl
import pytest

from sheets_sync.sinks.excel import write_workbook

from excel_helpers import DEMO_TEMPLATE, NOW, K, calamine_rows, demo_tabs, make_tab
from libreoffice import convert, require_soffice

pytestmark = [pytest.mark.filterwarnings("ignore:.*extension is not supported:UserWarning"),
              # LibreOffice's own output caches date categories as ISO text, which openpyxl cannot read.
              pytest.mark.filterwarnings("ignore:Unable to read chart:UserWarning")]
DATA_COLUMNS = [("Region", K.TEXT), ("Qty", K.INTEGER), ("Price", K.DECIMAL), ("Returns", K.INTEGER),
                ("Note", K.TEXT)]
ROWS = [["North", 3, 2.5, 0, "ok"], ["South", 0, 4.0, 0, None], ["North", 5, 1.25, 0, "=not a formula"],
        ["Sea", 2, None, 0, "x"], ["", 7, 3.0, 0, "y"], ["South", 1, 0.1, 0, "z"], ["West", 4, 0.2, 0, "w"]]


def _fill(tmp_path: Path, extra: list[tuple[str, str]] = (), rows: list[list[Any]] = ROWS, **kw: Any):
    template = kpi_template.build(tmp_path / "kpi.xlsx", extra, **kw)
    return write_workbook(tmp_path / "out.xlsx", [make_tab("Data", DATA_COLUMNS, rows)], template=template, now=NOW)


def _summary(path: Path) -> dict[str, Any]:
    return {row[0]: row[1] for row in calamine_rows(path, "Summary") if row and row[0]}


def _cell_xml(path: Path, part: str, ref: str) -> str:
    with zipfile.ZipFile(path) as zf:
        xml = zf.read(part).decode()
    return re.search(rf'<c r="{ref}"[^>]*?(?:/>|>.*?</c>)', xml).group(0)


def _chart_points(path: Path) -> dict[str, list[tuple[int, str]]]:
    """Each chart series range → its cached points (index, text), from every chart part."""
    out = {}
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            if "/charts/chart" not in name or not name.endswith(".xml"):
                continue
            xml = zf.read(name).decode()
            for ref in re.finditer(r"<(\w+:|)(numRef|strRef)><\1f>(.*?)</\1f>(.*?)</\1\2>", xml, re.S):
                points = re.findall(r'<(?:\w+:)?pt idx="(\d+)"[^>]*>\s*<(?:\w+:)?v>(.*?)</(?:\w+:)?v>', ref.group(4),
                                    re.S)
                if "Cache" in ref.group(4):
                    out[ref.group(3).replace("$", "").replace("'", "")] = [(int(i), v) for i, v in points]
    return out


def _without_caches(source: Path, target: Path) -> Path:
    """Copy a workbook with every formula's cached value and every chart cache removed."""
    target.parent.mkdir()
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                text = data.decode()
                text = re.sub(r'(<c\b[^>]*?)\s+t="(?:str|e|b|n)"([^>]*>\s*<f)', r"\1\2", text)
                data = re.sub(r"(</f>|<f\b[^>]*/>)<v>[^<]*</v>", r"\1", text).encode()
            elif "/charts/chart" in item.filename:
                data = re.sub(r"<(\w+:|)(numCache|strCache)>.*?</\1\2>", "", data.decode(), flags=re.S).encode()
            zout.writestr(item, data)
    return target


def _point(text: str) -> Any:
    """A cached chart point as a number when it is one (LibreOffice writes dates as ISO text)."""
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return float((dt.date.fromisoformat(text) - dt.date(1899, 12, 30)).days)
    try:
        return float(text)
    except ValueError:
        return text


def _same(ours: Any, theirs: Any) -> bool:
    if isinstance(ours, float) and isinstance(theirs, float):
        return math.isclose(ours, theirs, rel_tol=1e-9, abs_tol=1e-12)
    return ours == theirs or (ours in ("", None) and theirs in ("", None))


def assert_same_as_libreoffice(ours: Path, tmp_path: Path, charts: bool = True) -> None:
    """Every cell of every sheet and every chart point as cached by us equals LibreOffice's recalculation."""
    outdir = tmp_path / "lo"
    outdir.mkdir()
    # LibreOffice gets a copy without any cached result, so what it shows is its own computation.
    theirs = convert(_without_caches(ours, tmp_path / "uncached" / ours.name), "xlsx", outdir)
    for sheet in openpyxl.load_workbook(ours, read_only=True).sheetnames:
        a, b = calamine_rows(ours, sheet), calamine_rows(theirs, sheet)
        width = max([len(r) for r in a + b] or [0])
        for index in range(max(len(a), len(b))):
            row_a = (a[index] if index < len(a) else []) + [""] * width
            row_b = (b[index] if index < len(b) else []) + [""] * width
            for col in range(width):
                assert _same(row_a[col], row_b[col]), f"{sheet} row {index + 1} col {col + 1}: {row_a[col]!r} " \
                                                      f"(cached) != {row_b[col]!r} (LibreOffice)"
    # Error values: calamine shows none, openpyxl's cached-value mode does.
    ours_wb, theirs_wb = openpyxl.load_workbook(ours, data_only=True), openpyxl.load_workbook(theirs, data_only=True)
    for ws in ours_wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith("#") and cell.value.endswith(("!", "?", "A")):
                    assert theirs_wb[ws.title][cell.coordinate].value == cell.value, cell.coordinate
    ours_points, theirs_points = _chart_points(ours), _chart_points(theirs)
    assert bool(ours_points) == charts, "chart caches written" if ours_points else "no chart cache written"
    for ref, points in ours_points.items():
        expected = theirs_points[ref]
        assert [i for i, _ in points] == [i for i, _ in expected], ref
        for (_, mine), (_, lo) in zip(points, expected, strict=True):
            assert _same(_point(mine), _point(lo)), (ref, mine, lo)


def test_kpi_formulas_get_cached_results_without_recalculation(tmp_path: Path) -> None:
    """A reader that does not recalculate (calamine) sees the Summary computed over all seven new rows."""
    result = _fill(tmp_path)
    kpi = _summary(result.path)
    qty = sum(r[1] for r in ROWS)
    prices = [r[2] for r in ROWS if r[2] is not None]
    assert kpi["Qty"] == qty and kpi["Avg price"] == pytest.approx(sum(prices) / len(prices))
    assert kpi["Revenue"] == pytest.approx(sum(r[1] * (r[2] or 0) for r in ROWS))
    assert kpi["Label"] == f"Qty: {qty} units" and kpi["Size"] == "big" and kpi["Comparison"] is True
    assert kpi["Rate"] == -1 and kpi["Named range"] == qty
    assert calamine_rows(result.path, "Other")[0][1] == pytest.approx(qty + 2 * qty + kpi["Revenue"])
    assert [r[5] for r in calamine_rows(result.path, "Data")[1:]] == pytest.approx([r[1] * (r[2] or 0) for r in ROWS])
    assert result.warnings == []


def test_division_by_zero_is_cached_as_an_error_value(tmp_path: Path) -> None:
    """=x/0 over the data is cached as Excel's error #DIV/0! (t="e"), not as a number or text."""
    result = _fill(tmp_path)
    row = next(i for i, (label, _) in enumerate(kpi_template.SUMMARY, 1) if label == "Division by zero")
    assert f'<c r="B{row}" t="e"><f>' in _cell_xml(result.path, "xl/worksheets/sheet1.xml", f"B{row}")
    assert "<v>#DIV/0!</v>" in _cell_xml(result.path, "xl/worksheets/sheet1.xml", f"B{row}")
    assert openpyxl.load_workbook(result.path, data_only=True)["Summary"][f"B{row}"].value == "#DIV/0!"


def test_an_unsupported_function_gets_no_cached_value_and_a_warning(tmp_path: Path) -> None:
    """MEDIAN and TODAY over the data are left to Excel's recalculation: no <v>, a warning naming cell and function."""
    extra = [("Median", "=MEDIAN(tblSales[Qty])"), ("Reads median", "=B23+1"), ("Today", "=TODAY()-SUM(tblSales[Qty])")]
    result = _fill(tmp_path, extra)
    row = len(kpi_template.SUMMARY) + 1
    for ref in (f"B{row}", f"B{row + 1}", f"B{row + 2}"):
        assert "<v" not in _cell_xml(result.path, "xl/worksheets/sheet1.xml", ref), ref
        assert _summary(result.path)[dict(zip([f"B{row}", f"B{row + 1}", f"B{row + 2}"],
                                              ["Median", "Reads median", "Today"], strict=True))[ref]] == ""
    median = [w for w in result.warnings if "MEDIAN" in w]
    assert len(median) == 1 and f"Summary!B{row}" in median[0] and f"Summary!B{row + 1}" in median[0]
    assert "recalculate on open" in median[0]
    assert any("TODAY" in w and f"Summary!B{row + 2}" in w for w in result.warnings)
    assert _summary(result.path)["Qty"] == sum(r[1] for r in ROWS)   # the rest is still cached


def test_a_formula_beside_the_data_that_reads_other_rows_is_left_uncached(tmp_path: Path) -> None:
    """A running total beside the data (=SUM($B$2:B2)) reads other data rows: no cached value, one warning."""
    template = tmp_path / "running.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Data"
    ws.append(["Name", "Qty"])
    ws.append(["sample", 1])
    ws["C2"] = "=SUM($B$2:B2)"
    ws["D2"] = "=B2*2"
    wb.save(template)
    tab = make_tab("Data", [("Name", K.TEXT), ("Qty", K.INTEGER)], [["a", 1], ["b", 2], ["c", 3]])
    result = write_workbook(tmp_path / "out.xlsx", [tab], template=template)
    rows = calamine_rows(result.path, "Data")
    # Row 2's total reads only its own row, so it is exact; the rows below read earlier rows.
    assert [r[2] for r in rows[1:]] == [1, "", ""] and [r[3] for r in rows[1:]] == [2, 4, 6]
    assert len(result.warnings) == 1 and "Data!C2:C4" in result.warnings[0]


def test_a_formula_that_does_not_read_the_data_keeps_its_template_result(tmp_path: Path) -> None:
    """Cached results that the fill cannot change stay byte for byte as in the template."""
    template = tmp_path / "kept.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Data"
    ws.append(["Name", "Qty"])
    ws.append(["sample", 1])
    other = wb.create_sheet("Notes")
    other["A1"] = "=1+1"
    wb.save(template)
    with zipfile.ZipFile(template) as zf:
        xml = zf.read("xl/worksheets/sheet2.xml").decode()
    patched = tmp_path / "patched.xlsx"
    with zipfile.ZipFile(template) as zin, zipfile.ZipFile(patched, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet2.xml":
                data = xml.replace("<v></v>", "<v>2</v>").replace("<v />", "<v>2</v>").encode()
            zout.writestr(item, data)
    tab = make_tab("Data", [("Name", K.TEXT), ("Qty", K.INTEGER)], [["a", 1]])
    result = write_workbook(tmp_path / "out.xlsx", [tab], template=patched)
    with zipfile.ZipFile(result.path) as zout, zipfile.ZipFile(patched) as zin:
        assert zout.read("xl/worksheets/sheet2.xml") == zin.read("xl/worksheets/sheet2.xml")


def test_demo_engagement_rate_is_total_engagements_over_total_impressions(tmp_path: Path) -> None:
    """The demo's engagement-rate KPI weighs campaigns by impressions: 100 × Σ engagements / Σ impressions."""
    tabs = demo_tabs()
    campaigns = make_tab("Campaigns", [("Campaign ID", K.INTEGER), ("Campaign", K.TEXT),
                                       ("Status", K.TEXT), ("Posts", K.INTEGER),
                                       ("Impressions", K.INTEGER), ("Engagements", K.INTEGER),
                                       ("Engagement Rate", K.PERCENT), ("Est. Value", K.DECIMAL),
                                       ("Est. ROI", K.DECIMAL)],
                         [[1, "Big", "Active", 1, 1_000_000, 10_000, 1.0, 0, 0],
                          [2, "Small", "Active", 1, 1_000, 100, 10.0, 0, 0]])
    result = write_workbook(tmp_path / "demo.xlsx", [campaigns] + tabs[1:], template=DEMO_TEMPLATE, now=NOW)
    rows = calamine_rows(result.path, "Summary")
    labels = next(r for r in rows if "Engagement rate" in r)
    value = rows[rows.index(labels) + 1][labels.index("Engagement rate")]
    assert value == pytest.approx(100 * 10_100 / 1_001_000)   # not (1.0 + 10.0) / 2


@pytest.mark.libreoffice
@pytest.mark.slow
def test_kpi_template_cached_values_equal_libreoffice_recalculation(tmp_path: Path) -> None:
    """Every cell and chart point we cache in the KPI template equals LibreOffice's own recalculation."""
    require_soffice()
    result = _fill(tmp_path)
    assert_same_as_libreoffice(result.path, tmp_path)


@pytest.mark.libreoffice
@pytest.mark.slow
def test_demo_cached_values_equal_libreoffice_recalculation(tmp_path: Path) -> None:
    """The filled demo's KPI tiles, calculated column and both charts' points equal LibreOffice's recalculation."""
    require_soffice()
    result = write_workbook(tmp_path / "demo.xlsx", demo_tabs(), template=DEMO_TEMPLATE, now=NOW)
    assert result.warnings == []
    assert_same_as_libreoffice(result.path, tmp_path)


@pytest.mark.libreoffice
@pytest.mark.slow
def test_an_empty_report_caches_what_libreoffice_computes(tmp_path: Path) -> None:
    """With no rows: AVERAGE gives #DIV/0!, SUM 0, the calculated column's blank row 0, as LibreOffice says."""
    require_soffice()
    result = _fill(tmp_path, rows=[])
    # The one blank row gives the chart nothing to show: no cache, so readers rebuild it from the range.
    assert_same_as_libreoffice(result.path, tmp_path, charts=False)


def test_dates_in_the_data_are_serial_numbers_to_formulas(tmp_path: Path) -> None:
    """A formula over a date column sees Excel's serial numbers (MAX of dates is the latest date's serial)."""
    template = tmp_path / "dates.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Data"
    ws.append(["Day", "Next"])
    ws.append([dt.date(2026, 1, 1)])
    ws["B2"] = "=A2+1"
    summary = wb.create_sheet("Summary")
    summary["A1"] = "=MAX(Data!A:A)"
    wb.save(template)
    tab = make_tab("Data", [("Day", K.DATE)], [[dt.date(2026, 3, 1)], [dt.date(2026, 3, 5)]])
    result = write_workbook(tmp_path / "out.xlsx", [tab], template=template)
    serial = (dt.date(2026, 3, 5) - dt.date(1899, 12, 30)).days
    assert f"<v>{serial}</v>" in _cell_xml(result.path, "xl/worksheets/sheet2.xml", "A1")
    assert f"<v>{serial + 1}</v>" in _cell_xml(result.path, "xl/worksheets/sheet1.xml", "B3")
