"""Build the fidelity test template: one workbook holding every template feature the sink promises to keep.

Data sheet: table `Sales` (text, int, decimal, date, datetime columns and a calculated column),
a formula column beside it, cell-value CF, a data bar (with its x14 extension), a list DV, a
comment, defined name, print area and titles, header/footer, ignored errors. Summary sheet: KPI
formulas with cached results, a chart over the data, a PNG image, a text box, a sparkline, a
hyperlink. Notes sheet: plain text nobody fills. Optionally `.xlsm` with a VBA part. A calcChain
part (to prove it is dropped) and a pivot cache over the data (to prove it is marked for refresh)
are added afterwards, as XlsxWriter writes neither.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import struct
import zipfile
import zlib
from pathlib import Path

import xlsxwriter

SALES_COLUMNS = ["Region", "Qty", "Price", "Day", "Updated", "Total"]
TOTAL_FORMULA = "=Sales[[#This Row],[Qty]]*Sales[[#This Row],[Price]]"
SAMPLE_ROWS = 3      # rows 2..4 hold sample data; row 2 is the prototype row
VBA_BYTES = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"sheets-sync test vba part" * 8
_CALC_CHAIN = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<calcChain xmlns="http://schemas.'
               'openxmlformats.org/spreadsheetml/2006/main"><c r="F2" i="2"/><c r="B2" i="1"/></calcChain>')


_PIVOT_CACHE = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<pivotCacheDefinition xmlns="http://'
                'schemas.openxmlformats.org/spreadsheetml/2006/main" recordCount="0"><cacheSource type="worksheet">'
                '<worksheetSource ref="A1:F4" sheet="Data"/></cacheSource><cacheFields count="1"><cacheField '
                'name="Region" numFmtId="0"><sharedItems/></cacheField></cacheFields></pivotCacheDefinition>')


def tiny_png() -> bytes:
    """A 4×4 opaque red PNG."""
    raw = b"".join(b"\x00" + b"\xff\x00\x00" * 4 for _ in range(4))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 4, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def build(path: Path, vba: bool = False) -> Path:
    """Write the fidelity template to `path` (use a .xlsm suffix with vba=True)."""
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False})
    money = wb.add_format({"num_format": "#,##0.00"})
    day = wb.add_format({"num_format": "yyyy-mm-dd"})
    red = wb.add_format({"font_color": "#9C0006", "bg_color": "#FFC7CE"})
    summary = wb.add_worksheet("Summary")
    data = wb.add_worksheet("Data")
    notes = wb.add_worksheet("Notes")

    rows = [["North", 5, 2.5, dt.date(2026, 1, 1), None], ["South", 7, 3.0, dt.date(2026, 1, 2), None],
            ["East", 2, 10.0, dt.date(2026, 1, 3), None]]
    data.add_table(0, 0, SAMPLE_ROWS, 5, {
        "name": "Sales", "data": rows,
        "columns": [{"header": "Region"}, {"header": "Qty"}, {"header": "Price", "format": money},
                    {"header": "Day", "format": day}, {"header": "Updated"},
                    {"header": "Total", "formula": TOTAL_FORMULA[1:], "format": money}],
    })
    for r in range(1, SAMPLE_ROWS + 1):   # a formula column beside the table, in A1 style
        data.write_formula(r, 7, f"=B{r + 1}*2", None, rows[r - 1][1] * 2)
    data.write("H1", "Double")   # header above the beside-column: a title cell, kept as it is
    data.conditional_format("B2:B4", {"type": "cell", "criteria": ">", "value": 5, "format": red})
    data.conditional_format("C2:C4", {"type": "data_bar", "bar_solid": True, "bar_color": "#638EC6"})
    data.data_validation("A2:A4", {"validate": "list", "source": ["North", "South", "East", "West"]})
    data.write_comment("A1", "Regions come from the API")
    data.print_area("A1:H4")
    data.repeat_rows(0)
    data.set_header("&CSales report")
    data.set_footer("&RPage &P of &N")
    data.set_landscape()
    data.ignore_errors({"number_stored_as_text": "A1:A100"})
    wb.define_name("SalesQty", "=Data!$B$2:$B$4")
    wb.define_name("FirstRegion", "=Data!$A$2")

    summary.write("A1", "Total")
    summary.write_formula("B1", "=SUM(Sales[Total])", money, 62.5)
    summary.write("A2", "Rows")
    summary.write_formula("B2", "=ROWS(Sales[Qty])", None, 3)
    summary.write_url("A3", "https://example.com/report", string="Report home")
    summary.insert_image("D1", "logo.png", {"image_data": io.BytesIO(tiny_png())})
    summary.insert_textbox("D8", "Figures refresh nightly", {"width": 200, "height": 40})
    summary.add_sparkline("B5", {"range": "Data!B2:B4"})
    chart = wb.add_chart({"type": "column"})
    chart.add_series({"name": "Price", "categories": "=Data!$A$2:$A$4", "values": "=Data!$C$2:$C$4"})
    summary.insert_chart("D12", chart)

    notes.write("A1", "Nothing here is filled.")
    notes.write_formula("A2", '="static"&"text"', None, "statictext")
    if vba:
        wb.add_vba_project(io.BytesIO(VBA_BYTES), is_stream=True)
        wb.set_vba_name("ThisWorkbook")
    wb.close()
    add_calc_chain(path)
    return path


def add_calc_chain(path: Path) -> None:
    """Add the parts XlsxWriter cannot make: a calcChain and a pivot cache over the Sales data.

    Each gets its workbook relationship and content type, as Excel would write them.
    """
    with zipfile.ZipFile(path) as zin:
        parts = {info.filename: zin.read(info) for info in zin.infolist()}
    parts["xl/calcChain.xml"] = _CALC_CHAIN.encode()
    parts["xl/pivotCache/pivotCacheDefinition1.xml"] = _PIVOT_CACHE.encode()
    rel = ('<Relationship Id="{}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/{}"'
           ' Target="{}"/>')
    rels = parts["xl/_rels/workbook.xml.rels"].decode()
    rels = rels.replace("</Relationships>", rel.format("rId99", "calcChain", "calcChain.xml")
                        + rel.format("rId98", "pivotCacheDefinition", "pivotCache/pivotCacheDefinition1.xml")
                        + "</Relationships>")
    parts["xl/_rels/workbook.xml.rels"] = rels.encode()
    override = ('<Override PartName="/xl/{}"'
                ' ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.{}+xml"/>')
    types = parts["[Content_Types].xml"].decode()
    types = types.replace("</Types>", override.format("calcChain.xml", "calcChain")
                          + override.format("pivotCache/pivotCacheDefinition1.xml", "pivotCacheDefinition")
                          + "</Types>")
    parts["[Content_Types].xml"] = types.encode()
    workbook = parts["xl/workbook.xml"].decode()
    parts["xl/workbook.xml"] = re.sub(r"(<calcPr[^>]*/>)", r'\1<pivotCaches><pivotCache cacheId="1" r:id="rId98"/>'
                                      r"</pivotCaches>", workbook).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, data in parts.items():
            zout.writestr(name, data)
