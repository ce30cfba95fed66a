"""Find where a tab's data goes in a template sheet (a table, or the rows under a header row)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sheets_sync.errors import TemplateError
from sheets_sync.sinks.excel.cells import column_letter
from sheets_sync.sinks.excel.package import SheetPart, TablePart, TemplatePackage, parse_ref
from sheets_sync.sinks.excel.sheetxml import Cell, Row, SheetXml, iter_rows, split_sheet


@dataclass(frozen=True)
class DataArea:
    """The block a tab fills: header row, columns, the template's last data row and its prototype row."""

    sheet: SheetPart
    table: TablePart | None
    header_row: int
    first_col: int
    columns: tuple[str, ...]          # header text of each column from first_col on
    calculated: tuple[str, ...]       # columns holding a formula: kept and extended to every row
    old_last_row: int                 # last data row in the template (header_row when there is none)
    prototype: Row | None             # first data row: styles and formulas for every new row
    beside: tuple[Cell, ...]          # prototype-row cells outside the block: formulas or styled blanks

    @property
    def last_col(self) -> int:
        return self.first_col + len(self.columns) - 1

    @property
    def label(self) -> str:
        return f"table {self.table.name!r}" if self.table else f"sheet {self.sheet.name!r}"

    def prototype_cell(self, column: int) -> Cell | None:
        """Return the prototype row's cell in `column`, if any."""
        if self.prototype is None:
            return None
        return next((c for c in self.prototype.cells if c.column == column), None)


@dataclass
class SheetContent:
    """A template sheet split into parts, with its rows parsed."""

    sheet: SheetPart
    xml: SheetXml
    rows: list[Row]


def read_sheet(pkg: TemplatePackage, sheet: SheetPart) -> SheetContent:
    """Split and parse a template worksheet."""
    xml = split_sheet(pkg.text(sheet.part), sheet.part)
    return SheetContent(sheet, xml, list(iter_rows(xml.rows_xml)))


def _area(content: SheetContent, table: TablePart | None, header_row: int, first_col: int,
          columns: tuple[str, ...], old_last: int) -> DataArea:
    where = f"table {table.name!r}" if table else f"sheet {content.sheet.name!r}"
    last_col = first_col + len(columns) - 1
    rows = {row.number: row for row in content.rows}
    for row in content.rows:
        if row.number > old_last and any(not c.is_blank for c in row.cells):
            raise TemplateError(
                f"{where}: cell {column_letter(row.cells[0].column)}{row.number} is below the data; "
                "nothing may sit below the data (move it above, beside or to another sheet)")
    for merge in re.findall(r'<mergeCell\b[^>]*\bref="([^"]+)"', content.xml.tail):
        if parse_ref(merge)[3] > header_row:
            raise TemplateError(f"{where}: merged cells {merge} reach below the header row; "
                                "data rows cannot hold merged cells")
    for other in content.sheet.tables:
        if other is not table and parse_ref(other.ref)[3] > header_row:
            raise TemplateError(f"{where}: table {other.name!r} on the same sheet reaches below its header row; "
                                "a filled table needs the rows under its header to itself")
    prototype = rows.get(header_row + 1) if old_last > header_row else None
    prototype_formulas = {c.column for c in prototype.cells if c.formula is not None} if prototype else set()
    for row in content.rows:
        if header_row + 1 < row.number <= old_last:
            for cell in row.cells:
                outside = not first_col <= cell.column <= last_col
                if outside and not cell.is_blank and not (cell.formula is not None and cell.column in prototype_formulas):
                    raise TemplateError(
                        f"{where}: cell {column_letter(cell.column)}{cell.row} beside the data holds a value; "
                        "cells beside the data may only hold formulas")
    calculated, beside = list(table.formula_columns if table else ()), []
    if prototype is not None:
        for cell in prototype.cells:
            inside = first_col <= cell.column <= last_col
            if inside and cell.formula is not None:
                name = columns[cell.column - first_col]
                if name not in calculated:
                    calculated.append(name)
            elif not inside:
                if cell.formula is None and not cell.is_blank:
                    raise TemplateError(
                        f"{where}: cell {column_letter(cell.column)}{cell.row} beside the data holds a value; "
                        "cells beside the data may only hold formulas")
                beside.append(cell)
    return DataArea(content.sheet, table, header_row, first_col, columns, tuple(calculated), old_last,
                    prototype, tuple(beside))


def table_area(content: SheetContent, table: TablePart) -> DataArea:
    """Return the data area of an Excel table."""
    if table.header_rows != 1:
        raise TemplateError(f"table {table.name!r}: tables without a header row cannot be filled")
    if table.totals_rows:
        raise TemplateError(
            f"table {table.name!r}: tables with a totals row cannot be filled; "
            "put totals above the table or on another sheet")
    c1, r1, c2, r2 = parse_ref(table.ref)
    if len(table.columns) != c2 - c1 + 1:
        raise TemplateError(f"table {table.name!r}: its ref {table.ref} does not match its {len(table.columns)} columns")
    return _area(content, table, r1, c1, table.columns, r2)


def header_area(content: SheetContent, shared: list[str]) -> DataArea | None:
    """Return the data area under the first non-empty row of a sheet without a table, if any."""
    for row in content.rows:
        texts = {c.column: c.text(shared) for c in row.cells if not c.is_blank}
        if not texts:
            continue
        first, last = min(texts), max(texts)
        columns = tuple((texts.get(i) or "").strip() for i in range(first, last + 1))
        if "" in columns:
            gap = column_letter(first + columns.index(""))
            raise TemplateError(f"sheet {content.sheet.name!r}: header row {row.number} has an empty cell at {gap}{row.number}")
        old_last = max([row.number] + [r.number for r in content.rows if any(not c.is_blank for c in r.cells)])
        return _area(content, None, row.number, first, columns, old_last)
    return None


def header_row_texts(content: SheetContent, area: DataArea, shared: list[str]) -> tuple[str, ...]:
    """Return the text of the header cells of `area` as the sheet shows them."""
    row = next((r for r in content.rows if r.number == area.header_row), None)
    cells = {c.column: c for c in row.cells} if row else {}
    return tuple((cells[i].text(shared) or "") if i in cells else ""
                 for i in range(area.first_col, area.last_col + 1))
