"""Find where a tab's data goes in a template sheet (a table, or the rows under a header row)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import unescape

from sheets_sync.errors import TemplateError
from sheets_sync.sinks.excel.cells import column_letter
from sheets_sync.sinks.excel.package import SheetPart, TablePart, TemplatePackage, parse_ref
from sheets_sync.sinks.excel.sheetxml import Cell, Row, SheetXml, iter_rows, split_sheet

_QUOTES = {"&quot;": '"', "&apos;": "'"}


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
    problems: tuple[str, ...] = ()    # template-contract problems found; a block with any cannot be filled

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


def template_error(problems: Sequence[str]) -> TemplateError:
    """Return one TemplateError listing every problem; a single problem keeps its own message.

    Several problems read on one line, numbered: "3 template problems: (1) ...; (2) ...; (3) ...".
    The list itself is kept on the error as `problems` (see `problems_of`).
    """
    flat = list(problems)
    if len(flat) == 1:
        return TemplateError(flat[0], problems=flat)
    listed = "; ".join(f"({number}) {problem}" for number, problem in enumerate(flat, 1))
    return TemplateError(f"{len(flat)} template problems: {listed}", problems=flat)


def problems_of(error: TemplateError) -> list[str]:
    """Return the problems a TemplateError stands for (its message when it was raised with one)."""
    return list(error.problems)


def _area(content: SheetContent, table: TablePart | None, header_row: int, first_col: int,
          columns: tuple[str, ...], old_last: int, problems: list[str]) -> DataArea:
    where = f"table {table.name!r}" if table else f"sheet {content.sheet.name!r}"
    last_col = first_col + len(columns) - 1
    rows = {row.number: row for row in content.rows}
    below = next((row for row in content.rows if row.number > old_last and any(not c.is_blank for c in row.cells)),
                 None)
    if below is not None:
        first = next(c for c in below.cells if not c.is_blank)
        problems.append(f"{where}: cell {column_letter(first.column)}{below.number} is below the data; "
                        "nothing may sit below the data (move it above, beside or to another sheet)")
    for merge in re.findall(r'<mergeCell\b[^>]*\bref="([^"]+)"', content.xml.tail):
        if parse_ref(merge)[3] > header_row:
            problems.append(f"{where}: merged cells {merge} reach below the header row; "
                            "data rows cannot hold merged cells")
    for other in content.sheet.tables:
        if other is not table and parse_ref(other.ref)[3] > header_row:
            problems.append(f"{where}: table {other.name!r} on the same sheet reaches below its header row; "
                            "a filled table needs the rows under its header to itself")
    prototype = rows.get(header_row + 1) if old_last > header_row else None
    prototype_formulas = {c.column for c in prototype.cells if c.formula is not None} if prototype else set()
    beside_values: list[Cell] = []
    for row in content.rows:
        if header_row + 1 < row.number <= old_last:
            for cell in row.cells:
                outside = not first_col <= cell.column <= last_col
                kept_formula = cell.formula is not None and cell.column in prototype_formulas
                if outside and not cell.is_blank and not kept_formula:
                    beside_values.append(cell)
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
                    beside_values.append(cell)
                beside.append(cell)
    if beside_values:
        # One problem for the first such cell: a column of values beside the data is one mistake.
        first = min(beside_values, key=lambda c: (c.row, c.column))
        problems.append(f"{where}: cell {column_letter(first.column)}{first.row} beside the data holds a value; "
                        "cells beside the data may only hold formulas")
    return DataArea(content.sheet, table, header_row, first_col, columns, tuple(calculated), old_last,
                    prototype, tuple(beside), tuple(problems))


def table_area(content: SheetContent, table: TablePart) -> DataArea:
    """Return the data area of an Excel table; contract problems that still leave an area are in `problems`.

    Raises:
        TemplateError: the table has no single header row or its ref does not match its columns.
    """
    if table.header_rows != 1:
        raise TemplateError(f"table {table.name!r}: tables without a header row cannot be filled")
    c1, r1, c2, r2 = parse_ref(table.ref)
    if len(table.columns) != c2 - c1 + 1:
        raise TemplateError(
            f"table {table.name!r}: its ref {table.ref} does not match its {len(table.columns)} columns")
    problems = []
    if table.totals_rows:
        problems.append(f"table {table.name!r}: tables with a totals row cannot be filled; "
                        "put totals above the table or on another sheet")
    # With a totals row the ref still ends at the totals row, so it is not reported again as "below".
    return _area(content, table, r1, c1, table.columns, r2, problems)


def header_area(content: SheetContent, shared: list[str]) -> DataArea | None:
    """Return the data area under the first non-empty row of a sheet without a table, if any.

    Contract problems that still leave an area are in its `problems`.

    Raises:
        TemplateError: the header row has an empty cell.
    """
    for row in content.rows:
        texts = {c.column: c.text(shared) for c in row.cells if not c.is_blank}
        if not texts:
            continue
        formula = next((c for c in row.cells if c.formula is not None), None)
        if formula is not None:
            # A formula's text is not a header, and "empty cell" would send the user looking in vain.
            cell = f"{column_letter(formula.column)}{row.number}"
            text = unescape(formula.formula or "", _QUOTES)
            raise TemplateError(f"sheet {content.sheet.name!r}: header row {row.number}: cell {cell} holds a formula "
                                f"(={text}); header cells must be text (move the formula above the header row or "
                                "beside the data rows)")
        first, last = min(texts), max(texts)
        columns = tuple((texts.get(i) or "").strip() for i in range(first, last + 1))
        if "" in columns:
            gap = column_letter(first + columns.index(""))
            raise TemplateError(
                f"sheet {content.sheet.name!r}: header row {row.number} has an empty cell at {gap}{row.number}")
        old_last = max([row.number] + [r.number for r in content.rows if any(not c.is_blank for c in r.cells)])
        return _area(content, None, row.number, first, columns, old_last, [])
    return None
