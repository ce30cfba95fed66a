"""A KPI template built with openpyxl: a data table, a Summary of formulas of every supported kind, a chart."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import openpyxl
from openpyxl.chart import BarChart, Reference
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.table import Table

# (label, formula) rows of the Summary sheet, from row 1; the value goes in column B.
SUMMARY = [
    ("Qty", "=SUM(tblSales[Qty])"),
    ("Avg price", "=AVERAGE(tblSales[Price])"),
    ("Priced rows", "=COUNT(tblSales[Price])"),
    ("Regions", "=COUNTA(tblSales[Region])"),
    ("Min / max", "=MIN(tblSales[Price])+MAX(tblSales[Qty])*1000"),
    ("Revenue", "=SUM(tblSales[Total])"),
    ("Rate", "=IFERROR(SUM(tblSales[Qty])/SUM(tblSales[Returns]),-1)"),
    ("Division by zero", "=SUM(tblSales[Qty])/SUM(tblSales[Returns])"),
    ("Whole column", "=SUM(Data!C:C)"),
    ("North qty", '=SUMIF(tblSales[Region],"North",tblSales[Qty])'),
    ("Big rows", '=COUNTIF(tblSales[Qty],">2")'),
    ("S* price", '=AVERAGEIF(tblSales[Region],"S*",tblSales[Price])'),
    ("Sumproduct", "=SUMPRODUCT(tblSales[Qty],tblSales[Price])"),
    ("Rounded", "=ROUND(AVERAGE(tblSales[Price])*7,1)"),
    ("Label", '="Qty: "&SUM(tblSales[Qty])&" units"'),
    ("Size", '=IF(SUM(tblSales[Qty])>10,"big","small")'),
    ("Formula of formula", "=B1*2+B6"),
    ("Named range", "=SUM(QtyRange)"),
    ("Text in SUM", "=SUM(tblSales[Note])+COUNTA(tblSales[Note])"),
    ("First row", "=Data!B2*10"),
    ("Comparison", "=AND(B1>0,NOT(B2<0),OR(B3=0,TRUE))"),
    ("Negative power", "=-2^2+ABS(-3)"),
]
DATA_HEADERS = ["Region", "Qty", "Price", "Returns", "Note", "Total"]


def build(path: Path, extra_summary: Sequence[tuple[str, str]] = ()) -> Path:
    """Write the template to `path`: 3 sample rows, a Summary sheet, an Other sheet reading Summary, a chart."""
    wb = openpyxl.Workbook()
    summary = wb.active
    summary.title = "Summary"
    data = wb.create_sheet("Data")
    other = wb.create_sheet("Other")
    data.append(DATA_HEADERS)
    for i in range(3):
        data.append([f"Sample {i}", i + 1, 9.5, 0, "sample", None])
    for row in range(2, 5):
        data[f"F{row}"] = "=tblSales[[#This Row],[Qty]]*tblSales[[#This Row],[Price]]"
    data.add_table(Table(displayName="tblSales", ref="A1:F4"))
    for row, (label, formula) in enumerate(list(SUMMARY) + list(extra_summary), start=1):
        summary[f"A{row}"] = label
        summary[f"B{row}"] = formula
    other["A1"] = "Cross-sheet"
    other["B1"] = "=Summary!B1+Summary!B17"
    wb.defined_names["QtyRange"] = DefinedName("QtyRange", attr_text="Data!$B$2:$B$4")
    chart = BarChart()
    chart.add_data(Reference(data, min_col=3, min_row=1, max_row=4), titles_from_data=True)
    chart.set_categories(Reference(data, min_col=1, min_row=2, max_row=4))
    summary.add_chart(chart, "D2")
    wb.save(path)
    return path
