"""Fidelity: after a fill every template part is byte-identical or changed only where it must be."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest

from sheets_sync.report import Column, ColumnKind
from sheets_sync.sinks.excel import write_workbook

from excel_helpers import NOW, assert_data, calamine_rows, make_tab, openpyxl_rows
from fidelity_template import VBA_BYTES
from xlsx_checker import assert_sound

pytestmark = pytest.mark.filterwarnings("ignore:.*extension is not supported:UserWarning")
K = ColumnKind
ROWS = 10                 # template had 3 sample rows (2..4); the fill ends at row 11
LAST = ROWS + 1
CHANGED = {"xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml", "xl/tables/table1.xml", "xl/workbook.xml",
           "xl/_rels/workbook.xml.rels", "[Content_Types].xml", "xl/charts/chart1.xml", "xl/styles.xml",
           "xl/pivotCache/pivotCacheDefinition1.xml"}


def _rows():
    return [[f"Region {i}" if i != 4 else "=cmd|' /C calc'!A0", i, 1.5 * i, dt.date(2026, 2, 1 + i),
             dt.datetime(2026, 2, 1, 8, i)] for i in range(ROWS)]


@pytest.fixture(scope="module")
def filled(fidelity_xlsm: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fidelity template filled with ten rows."""
    columns = [("Region", K.TEXT), ("qty", K.INTEGER), Column("price", "Price", K.DECIMAL),
               ("Day", K.DATE), ("Updated", K.DATETIME)]
    out = tmp_path_factory.mktemp("filled") / "filled.xlsm"
    result = write_workbook(out, [make_tab("Data", columns, _rows())], template=fidelity_xlsm, now=NOW)
    assert result.rows == {"Data": ROWS}
    return out


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def test_untouched_parts_are_byte_identical(fidelity_xlsm: Path, filled: Path) -> None:
    """Same set of parts minus calcChain; images, drawings, comments, VBA, theme, props copied byte for byte."""
    before, after = _parts(fidelity_xlsm), _parts(filled)
    assert set(after) == set(before) - {"xl/calcChain.xml"}
    different = {name for name in after if after[name] != before[name]}
    assert different == CHANGED
    assert after["xl/vbaProject.bin"] == VBA_BYTES
    for kept in ("xl/media/image1.png", "xl/drawings/drawing1.xml", "xl/drawings/vmlDrawing1.vml",
                 "xl/comments1.xml", "xl/theme/theme1.xml", "xl/worksheets/sheet3.xml", "docProps/app.xml"):
        assert after[kept] == before[kept], kept


def test_filled_workbook_is_structurally_sound_and_reads_back(filled: Path) -> None:
    """The structural checker passes and both readers see every row in the table's columns."""
    assert_sound(filled)
    assert_data(filled, "Data", _rows())
    assert calamine_rows(filled, "Data")[0][:6] == ["Region", "Qty", "Price", "Day", "Updated", "Total"]


def test_table_and_its_autofilter_grow_together(filled: Path) -> None:
    """The table ref and its own autoFilter ref both end at the new last row."""
    xml = _parts(filled)["xl/tables/table1.xml"].decode()
    assert f'ref="A1:F{LAST}"' in xml and f'<autoFilter ref="A1:F{LAST}"/>' in xml


def test_ranges_that_ended_at_the_last_row_follow_the_data(fidelity_xlsm: Path, filled: Path) -> None:
    """Defined names, print area, CF (incl. x14), DV and chart series now end at the new last row; others stay."""
    wb = _parts(filled)["xl/workbook.xml"].decode()
    assert f"Data!$B$2:$B${LAST}" in wb and f"Data!$A$1:$H${LAST}" in wb
    assert "Data!$A$2<" in wb and "Data!$1:$1" in wb            # single cell and print titles untouched
    sheet = _parts(filled)["xl/worksheets/sheet2.xml"].decode()
    tail_before = _parts(fidelity_xlsm)["xl/worksheets/sheet2.xml"].decode().split("</sheetData>")[1]
    expected_tail = (tail_before.replace('sqref="B2:B4"', f'sqref="B2:B{LAST}"')
                     .replace('sqref="C2:C4"', f'sqref="C2:C{LAST}"').replace('sqref="A2:A4"', f'sqref="A2:A{LAST}"')
                     .replace("<xm:sqref>C2:C4</xm:sqref>", f"<xm:sqref>C2:C{LAST}</xm:sqref>"))
    assert sheet.split("</sheetData>")[1] == expected_tail
    assert f'<dimension ref="A1:H{LAST}"/>' in sheet
    chart = _parts(filled)["xl/charts/chart1.xml"].decode()
    assert f"Data!$A$2:$A${LAST}" in chart and f"Data!$C$2:$C${LAST}" in chart
    # The series' cached points are the new data (what Excel shows before it recalculates anything).
    values = re.search(r"<c:numCache>.*?</c:numCache>", chart).group(0)
    assert f'<c:ptCount val="{ROWS}"/>' in values
    assert re.findall(r"<c:v>([^<]*)</c:v>", values) == [repr(1.5 * i).removesuffix(".0") for i in range(ROWS)]


def test_formula_columns_are_extended_row_by_row(filled: Path) -> None:
    """The calculated table column repeats its structured formula; the A1 formula beside moves with its row."""
    sheet = _parts(filled)["xl/worksheets/sheet2.xml"].decode()
    for row in range(2, LAST + 1):
        i = row - 2
        total = repr(1.5 * i * i).removesuffix(".0")
        assert (f'<c r="F{row}" s="1"><f>Sales[[#This Row],[Qty]]*Sales[[#This Row],[Price]]</f>'
                f'<v>{total}</v></c>') in sheet
        assert f'<c r="H{row}"><f>B{row}*2</f><v>{2 * i}</v></c>' in sheet
    assert f'r="A{LAST + 1}"' not in sheet


def test_calc_chain_dropped_and_recalculation_requested(filled: Path) -> None:
    """calcChain's part, relationship and content type are gone and the workbook asks for a full recalc."""
    parts = _parts(filled)
    assert "calcChain" not in parts["xl/_rels/workbook.xml.rels"].decode()
    assert "calcChain" not in parts["[Content_Types].xml"].decode()
    assert re.search(r'<calcPr[^>]*fullCalcOnLoad="1"', parts["xl/workbook.xml"].decode())


def test_stale_cached_results_are_replaced(fidelity_xlsm: Path, filled: Path) -> None:
    """Summary formulas get the cached values of the new data (and nothing else changes); the sparkline follows."""
    before = _parts(fidelity_xlsm)["xl/worksheets/sheet1.xml"].decode()
    after = _parts(filled)["xl/worksheets/sheet1.xml"].decode()
    total = sum(1.5 * i * i for i in range(ROWS))
    assert "<v>62.5</v>" in before and "<v>62.5</v>" not in after
    expected = (before.replace("<f>SUM(Sales[Total])</f><v>62.5</v>", f"<f>SUM(Sales[Total])</f><v>{total}</v>")
                .replace("<f>ROWS(Sales[Qty])</f><v>3</v>", f"<f>ROWS(Sales[Qty])</f><v>{ROWS}</v>")
                .replace("<xm:f>Data!B2:B4</xm:f>", f"<xm:f>Data!B2:B{LAST}</xm:f>"))
    assert after == expected
    assert openpyxl_rows(filled, "Summary")[0][1] == "=SUM(Sales[Total])"


def test_styles_come_from_the_prototype_row(filled: Path) -> None:
    """Cells reuse the prototype row's styles; an unstyled date column and config formats get derived styles."""
    ws = openpyxl.load_workbook(filled)["Data"]
    assert ws["C7"].number_format == "#,##0.00" and ws["D7"].number_format == "yyyy-mm-dd"
    assert ws["E7"].number_format == "yyyy-mm-dd hh:mm"
    assert ws["A6"].quotePrefix and not ws["A5"].quotePrefix


def test_explicit_number_format_clones_the_prototype_style(fidelity_xlsm: Path, tmp_path: Path) -> None:
    """A column's number_format from config replaces only the number format of the prototype's style."""
    columns = [("Region", K.TEXT), ("Qty", K.INTEGER), Column("price", "Price", K.DECIMAL, number_format="0.000"),
               ("Day", K.DATE), ("Updated", K.DATETIME)]
    out = write_workbook(tmp_path / "f.xlsm", [make_tab("Data", columns, _rows())], template=fidelity_xlsm, now=NOW)
    ws = openpyxl.load_workbook(out.path)["Data"]
    assert ws["C3"].number_format == "0.000"
    assert_sound(out.path)


def test_pivot_cache_refreshes_on_open_over_the_new_rows(fidelity_xlsm: Path, filled: Path) -> None:
    """The pivot cache over the data is marked refreshOnLoad and its source range ends at the new last row."""
    before = _parts(fidelity_xlsm)["xl/pivotCache/pivotCacheDefinition1.xml"].decode()
    after = _parts(filled)["xl/pivotCache/pivotCacheDefinition1.xml"].decode()
    assert after == (before.replace('recordCount="0">', 'recordCount="0" refreshOnLoad="1">')
                     .replace('ref="A1:F4"', f'ref="A1:F{LAST}"'))


def test_a_config_format_equal_to_the_templates_adds_no_style(fidelity_xlsm: Path, tmp_path: Path) -> None:
    """Asking for the number format the prototype already has reuses its style; styles.xml stays as is."""
    columns = [("Region", K.TEXT), ("Qty", K.INTEGER), Column("price", "Price", K.DECIMAL, number_format="#,##0.00"),
               ("Day", K.DATE), Column("updated", "Updated", K.DATETIME, number_format="General")]
    rows = [["North", 1, 2.0, dt.date(2026, 1, 1), None]]
    out = write_workbook(tmp_path / "f.xlsm", [make_tab("Data", columns, rows)], template=fidelity_xlsm, now=NOW)
    assert _parts(out.path)["xl/styles.xml"] == _parts(fidelity_xlsm)["xl/styles.xml"]
