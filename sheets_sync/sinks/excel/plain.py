"""Write a clean styled workbook without a template: one sheet per tab plus an "About" sheet."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import itertools
import zipfile
from collections.abc import Sequence
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sheets_sync.errors import SinkError
from sheets_sync.report import Column, ColumnKind, Table
from sheets_sync.sinks.excel.cells import (
    DataSlot,
    RowEncoder,
    TextStats,
    clean_text,
    column_letter,
    escape_attr,
    escape_text,
    text_warnings,
)
from sheets_sync.sinks.excel.model import ExcelTab
from sheets_sync.sinks.excel.spool import RowSpool, spool_rows, write_sheet_entry
from sheets_sync.sinks.excel.styles import FIRST_CUSTOM_FORMAT_ID, builtin_format_id

_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
ABOUT_SHEET = "About"
_WIDTH_SAMPLE_ROWS = 200
_KIND_WIDTH = {ColumnKind.DATE: 12, ColumnKind.DATETIME: 17, ColumnKind.BOOLEAN: 8}
_MIN_WIDTH, _MAX_WIDTH = 8, 60
_HEADER_STYLE, _QUOTED_STYLE, _ABOUT_DATE_STYLE = 1, 2, 3
_TAB_SELECTED = ' tabSelected="1"'


class _Formats:
    """Assigns one cell style per distinct number format, in first-seen order."""

    def __init__(self) -> None:
        self.style_of: dict[str | None, int] = {None: 0}
        self.custom: dict[str, int] = {}
        self.xfs: list[int] = []   # numFmtId of each style from index 4 on

    def style(self, code: str | None) -> int:
        if code is not None and code not in self.style_of:  # None (no format) is style 0 from the start
            num = builtin_format_id(code)
            if num is None:
                num = self.custom.setdefault(code, FIRST_CUSTOM_FORMAT_ID + len(self.custom))
            self.xfs.append(num)
            self.style_of[code] = 3 + len(self.xfs)
        return self.style_of[code]


def _styles_xml(formats: _Formats) -> str:
    numfmts = "".join(f'<numFmt numFmtId="{n}" formatCode="{escape_attr(c)}"/>' for c, n in formats.custom.items())
    base = '<xf numFmtId="{}" fontId="{}" fillId="0" borderId="0" xfId="0"{}/>'
    xfs = [base.format(0, 0, ""), base.format(0, 1, ' applyFont="1"'),
           base.format(0, 0, ' quotePrefix="1"'), base.format(14, 0, ' applyNumberFormat="1"')]
    xfs += [base.format(n, 0, ' applyNumberFormat="1"') for n in formats.xfs]
    font = '<font>{}<sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    return (f'{_HEAD}<styleSheet xmlns="{_MAIN_NS}">'
            + (f'<numFmts count="{len(formats.custom)}">{numfmts}</numFmts>' if formats.custom else "")
            + f'<fonts count="2">{font.format("")}{font.format("<b/>")}</fonts>'
            '<fills count="2"><fill><patternFill patternType="none"/></fill>'
            '<fill><patternFill patternType="gray125"/></fill></fills>'
            '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
            f'<cellXfs count="{len(xfs)}">{"".join(xfs)}</cellXfs>'
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
            "</styleSheet>")


def _width(header: str, kind: ColumnKind, sample: list[Sequence[object]], index: int) -> float:
    longest = max([len(header) + 3, _KIND_WIDTH.get(kind, 10)]
                  + [len(str(row[index])) for row in sample if row[index] is not None])
    return float(min(max(longest + 1, _MIN_WIDTH), _MAX_WIDTH))


def _sheet_head(last_cell: str, widths: list[float], selected: bool) -> str:
    cols = "".join(f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>' for i, w in enumerate(widths, 1))
    return (f'{_HEAD}<worksheet xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}"><dimension ref="A1:{last_cell}"/>'
            f'<sheetViews><sheetView{_TAB_SELECTED if selected else ""} workbookViewId="0">'
            '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
            '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
            f'<sheetFormatPr defaultRowHeight="15"/>{f"<cols>{cols}</cols>" if cols else ""}<sheetData>')


def _sheet_tail(last_cell: str) -> str:
    return (f'</sheetData><autoFilter ref="A1:{last_cell}"/>'
            '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>')


def shown_headers(columns: Sequence[Column]) -> list[str]:
    """Row 1 of a clean workbook: each column's catalogue label ("Creator ID"), else its header.

    A label that would repeat another column's label or header (case-insensitively) gives way to the
    column's own header, so no two columns of a sheet read the same.
    """
    taken = [c.header.casefold() for c in columns]
    labels = [c.label.casefold() if c.label else None for c in columns]
    shown = []
    for index, column in enumerate(columns):
        label = labels[index]
        clash = label is not None and (labels.count(label) > 1
                                       or any(h == label for i, h in enumerate(taken) if i != index))
        shown.append(column.label if column.label and not clash else column.header)
    return shown


def with_shown_headers(table: Table) -> Table:
    """`table` with the headers a clean workbook shows: what a partial run matches in last run's workbook."""
    shown = shown_headers(table.columns)
    columns = [dataclasses.replace(c, header=h) for c, h in zip(table.columns, shown, strict=True)]
    return Table(columns=columns, rows=table.rows, meta=table.meta)


def _header_row(headers: Sequence[str], stats: TextStats) -> str:
    cells = "".join(
        f'<c r="{column_letter(i)}1" s="{_HEADER_STYLE}" t="inlineStr"><is><t xml:space="preserve">'
        f'{escape_text(clean_text(h, stats))}</t></is></c>' for i, h in enumerate(headers, 1))
    return f'<row r="1">{cells}</row>'


def _write_tab(zout: zipfile.ZipFile, name: str, tab: ExcelTab, formats: _Formats, spool_dir: Path,
               selected: bool, stamp: tuple[int, ...]) -> tuple[int, list[str]]:
    table: Table = tab.table
    if not table.columns:
        raise SinkError(f"sheet {tab.sheet!r}: the report has no columns to write")
    slots = [DataSlot(column_letter(i), i - 1, formats.style(c.effective_format), _QUOTED_STYLE, c.identifier)
             for i, c in enumerate(table.columns, 1)]
    headers = shown_headers(table.columns)
    encoder = RowEncoder(slots)
    rows = iter(table.rows)
    sample = list(itertools.islice(rows, _WIDTH_SAMPLE_ROWS))
    spool = RowSpool(spool_dir)
    try:
        spool.add(_header_row(headers, encoder.stats))
        count = spool_rows(encoder, itertools.chain(sample, rows), 2, spool, tab.sheet)
        widths = [_width(h, c.kind, sample, i) for i, (h, c) in enumerate(zip(headers, table.columns, strict=True))]
        last_cell = f"{column_letter(len(table.columns))}{count + 1}"
        write_sheet_entry(zout, name, _sheet_head(last_cell, widths, selected), spool, _sheet_tail(last_cell), stamp)
    finally:
        spool.close()
    return count, text_warnings(tab.sheet, encoder.stats)


ABOUT_DATE_FORMAT, ABOUT_DATETIME_FORMAT = "yyyy-mm-dd", "yyyy-mm-dd hh:mm:ss"


def _wall_time(moment: dt.datetime, zone: str | None) -> dt.datetime:
    """Return `moment` as a naive wall time in `zone` (its own zone when `zone` is unknown): Excel has no zones."""
    if moment.tzinfo is not None and zone:
        with contextlib.suppress(ZoneInfoNotFoundError, ValueError):
            moment = moment.astimezone(ZoneInfo(zone))
    return moment.replace(tzinfo=None)


ABOUT_HEADINGS = ("Sheet", "Report", "Endpoint", "Period start", "Period end", "Rows", "Refreshed at", "Time zone")
ABOUT_LABEL = "Last refreshed"
ABOUT_DATE_COLUMNS = {3: ABOUT_DATE_FORMAT, 4: ABOUT_DATE_FORMAT, 6: ABOUT_DATETIME_FORMAT}   # 0-based


def about_first_row(now: dt.datetime) -> list[object]:
    """Row 1 of the About sheet: the label, the refresh time (a real datetime) and its zone."""
    return [ABOUT_LABEL, _wall_time(now, None), now.tzname() if now.tzinfo is not None else None]


def about_tab_row(tab: ExcelTab, count: int) -> list[object]:
    """One tab's About row, in the order of ABOUT_HEADINGS."""
    meta = tab.table.meta
    refreshed = _wall_time(meta.refreshed_at, meta.timezone) if meta.refreshed_at else None
    return [tab.sheet, meta.report, meta.endpoint, meta.start_date, meta.end_date, count, refreshed, meta.timezone]


def _about_rows(tabs: Sequence[ExcelTab], counts: dict[str, int], now: dt.datetime) -> list[list[object]]:
    """The About sheet's rows: refresh time (a real datetime, its zone beside it) and one row per tab."""
    return [about_first_row(now), [], list(ABOUT_HEADINGS), *(about_tab_row(t, counts[t.sheet]) for t in tabs)]


def _about_sheet(rows: list[list[object]], date_style: int, datetime_style: int) -> str:
    """The About sheet's XML; dates and date-times are real Excel values with date formats."""
    bold = [DataSlot(column_letter(i + 1), i, _HEADER_STYLE, _HEADER_STYLE) for i in range(8)]
    cell_style = {3: date_style, 4: date_style, 6: datetime_style}
    plain = [DataSlot(column_letter(i + 1), i, cell_style.get(i), _QUOTED_STYLE) for i in range(8)]
    first = [bold[0], DataSlot("B", 1, datetime_style, _QUOTED_STYLE), plain[2]]
    layouts = {1: first, 3: bold}    # row 1: label, time and its zone; row 3: column headings
    body = [RowEncoder(layouts.get(number, plain)[: len(values)]).encode(number, values) if values
            else f'<row r="{number}"/>' for number, values in enumerate(rows, 1)]
    widths = "".join(f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>'
                     for i, w in enumerate((16, 24, 28, 13, 13, 10, 20, 14), 1))
    return (f'{_HEAD}<worksheet xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}"><dimension ref="A1:H{len(rows)}"/>'
            f'<cols>{widths}</cols><sheetData>{"".join(body)}</sheetData></worksheet>')


def write_plain_workbook(zout: zipfile.ZipFile, tabs: Sequence[ExcelTab], now: dt.datetime,
                         spool_dir: Path) -> tuple[dict[str, int], list[str]]:
    """Write every part of a template-less workbook into `zout`; return rows per sheet and warnings."""
    names = [tab.sheet for tab in tabs]
    about = ABOUT_SHEET
    while about.casefold() in {n.casefold() for n in names}:
        about += " (sheets-sync)"
    stamp = now.timetuple()[:6]
    formats = _Formats()
    counts: dict[str, int] = {}
    warnings: list[str] = []
    for index, tab in enumerate(tabs, 1):
        counts[tab.sheet], tab_warnings = _write_tab(
            zout, f"xl/worksheets/sheet{index}.xml", tab, formats, spool_dir, index == 1, stamp)
        warnings += tab_warnings
    about_index = len(tabs) + 1
    write_sheet_entry(zout, f"xl/worksheets/sheet{about_index}.xml",
                      _about_sheet(_about_rows(tabs, counts, now), formats.style(ABOUT_DATE_FORMAT),
                                   formats.style(ABOUT_DATETIME_FORMAT)),
                      None, "", stamp)
    all_names = [*names, about]
    sheets = "".join(f'<sheet name="{escape_attr(n)}" sheetId="{i}" r:id="rId{i}"/>'
                     for i, n in enumerate(all_names, 1))
    filters = "".join(
        f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" hidden="1">'
        f"{escape_text(_quote_sheet(n))}!$A$1:${column_letter(len(t.table.columns))}${counts[n] + 1}</definedName>"
        for i, (n, t) in enumerate(zip(names, tabs, strict=True)))
    parts = {
        "[Content_Types].xml": _content_types(len(all_names)),
        "_rels/.rels": _rels([("rId1", "officeDocument", "xl/workbook.xml")], package=True),
        "docProps/app.xml": (f'{_HEAD}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
                             'extended-properties"><Application>sheets-sync</Application></Properties>'),
        "xl/workbook.xml": (f'{_HEAD}<workbook xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}"><bookViews>'
                            '<workbookView activeTab="0"/></bookViews>'
                            f"<sheets>{sheets}</sheets><definedNames>{filters}</definedNames>"
                            '<calcPr calcId="191029"/></workbook>'),
        "xl/_rels/workbook.xml.rels": _rels(
            [(f"rId{i}", "worksheet", f"worksheets/sheet{i}.xml") for i in range(1, len(all_names) + 1)]
            + [(f"rId{len(all_names) + 1}", "styles", "styles.xml")]),
        "xl/styles.xml": _styles_xml(formats),
    }
    for name, xml in parts.items():
        info = zipfile.ZipInfo(name, date_time=stamp)
        info.compress_type = zipfile.ZIP_DEFLATED
        zout.writestr(info, xml.encode("utf-8"))
    return counts, warnings


def _quote_sheet(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def _rels(items: list[tuple[str, str, str]], package: bool = False) -> str:
    base = _REL_NS + "/"
    body = "".join(f'<Relationship Id="{i}" Type="{base}{t}" Target="{target}"/>' for i, t, target in items)
    if package:
        body += ('<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                 'relationships/extended-properties" Target="docProps/app.xml"/>')
    return f'{_HEAD}<Relationships xmlns="{_PKG_REL_NS}">{body}</Relationships>'


def _content_types(sheet_count: int) -> str:
    ct = "application/vnd.openxmlformats-officedocument."
    sheets = "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{ct}spreadsheetml.worksheet+xml"/>'
                     for i in range(1, sheet_count + 1))
    return (f'{_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{ct}spreadsheetml.sheet.main+xml"/>'
            f'<Override PartName="/xl/styles.xml" ContentType="{ct}spreadsheetml.styles+xml"/>'
            f'<Override PartName="/docProps/app.xml" ContentType="{ct}extended-properties+xml"/>'
            f"{sheets}</Types>")
