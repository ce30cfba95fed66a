"""Compute the cached results of a filled template's formulas and chart points, as Excel would.

Readers that do not recalculate (phone and mail previews, python-calamine) show a formula's cached
`<v>` and a chart's cached points. After a fill, every formula that reads the new data (directly,
through a table, a name or another formula) is evaluated here against the filled workbook; one
that cannot be evaluated exactly (a function outside `formulas.FUNCTIONS`, a volatile function)
gets no cached value and one warning, so it is left to Excel's recalculation on open.

The data rows are streamed: only the columns some formula or chart reads are kept, as compact
arrays (`ColumnStore`).
"""

from __future__ import annotations

import math
import re
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import unescape

from sheets_sync.sinks.excel.cells import column_letter, escape_text, excel_serial, needs_text, number_text
from sheets_sync.sinks.excel.formulas import (
    Context,
    Evaluator,
    ListGrid,
    Node,
    Ref,
    StructRef,
    Unsupported,
    Value,
    XlError,
    parse,
    references,
)
from sheets_sync.sinks.excel.layout import DataArea, SheetContent
from sheets_sync.sinks.excel.package import parse_ref
from sheets_sync.sinks.excel.ranges import RowShift, shift_qualified
from sheets_sync.sinks.excel.sheetxml import Cell
from sheets_sync.sinks.excel.xmltext import get_attr

_QUOTES = {"&quot;": '"', "&apos;": "'"}
_DEFINED_NAME = re.compile(r"(<definedName\b[^>]*>)(.*?)</definedName>", re.S)
_SHEET_TAG = re.compile(r"<sheet\b[^>]*>")


class _NotComputed:
    """Marks a value that could not be computed (its reason is kept for the warning)."""

    def __init__(self, reason: Unsupported) -> None:
        self.reason = reason


def excel_value(value: Any, identifier: bool = False) -> Value:
    """The value a report value shows as in the filled sheet (what `RowEncoder` writes)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            return None
        if needs_text(value, identifier):
            return number_text(value)
        return float(value)
    if isinstance(value, str):
        return value or None
    if hasattr(value, "toordinal"):
        if getattr(value, "tzinfo", None) is not None:
            value = value.replace(tzinfo=None)
        return float(excel_serial(value))
    return str(value) or None


class ColumnStore:
    """One captured data column: numbers in a float array, anything else in a sparse side table."""

    def __init__(self) -> None:
        self.numbers = array("d")
        self.others: dict[int, Value | _NotComputed] = {}

    def append(self, value: Value | _NotComputed) -> None:
        if isinstance(value, float):
            self.numbers.append(value)
        else:
            self.others[len(self.numbers)] = value
            self.numbers.append(0.0)

    def get(self, index: int) -> Value:
        if index in self.others:
            value = self.others[index]
            if isinstance(value, _NotComputed):
                raise value.reason
            return value
        return self.numbers[index]

    def __len__(self) -> int:
        return len(self.numbers)


@dataclass
class Block:
    """A filled sheet's data rows after the fill: rows first..last, the columns written there."""

    area: DataArea
    first: int
    last: int
    columns: set[int]                                  # every column a data row writes
    stores: dict[int, ColumnStore] = field(default_factory=dict)   # captured columns


@dataclass(frozen=True)
class TableGeometry:
    """Where a table's parts are after the fill."""

    sheet: str
    first_col: int
    columns: tuple[str, ...]
    header_row: int
    data_first: int
    data_last: int
    totals_row: int | None


@dataclass
class _Formula:
    text: str
    node: Node | None
    error: Unsupported | None
    kind: str            # "" normal, "shared", "array", "dataTable"


def cell_value(cell: Cell, shared: Sequence[str]) -> Value:
    """The value a template's non-formula cell holds."""
    kind = cell.type
    if cell.inline_text is not None:
        return cell.inline_text or None
    if cell.value is None:
        return None
    text = unescape(cell.value, _QUOTES)
    if kind == "s":
        index = int(text)
        return shared[index] if index < len(shared) else None
    if kind == "str":
        return text
    if kind == "b":
        return text.strip() == "1"
    if kind == "e":
        return XlError(text.strip())
    if kind == "d":
        raise Unsupported("a cell holding an ISO date")
    try:
        return float(text)
    except ValueError:
        raise Unsupported(f"the cell value {text!r}") from None


class WorkbookModel:
    """The filled workbook as the evaluator sees it; implements `formulas.Resolver`."""

    def __init__(self, contents: dict[str, SheetContent], shared: Sequence[str], workbook_xml: str,
                 blocks: dict[str, Block], shifts: dict[str, RowShift]) -> None:
        self.contents = {name.casefold(): content for name, content in contents.items()}
        self.sheet_names = {name.casefold(): name for name in contents}
        self.shared = shared
        self.blocks = {name.casefold(): block for name, block in blocks.items()}
        self.static: dict[str, dict[tuple[int, int], Cell]] = {}
        self.formulas: dict[tuple[str, int, int], _Formula] = {}
        self.uncached: set[tuple[str, int, int]] = set()   # formula cells the template has no result for
        self.extent: dict[str, tuple[int, int]] = {}
        for key, content in self.contents.items():
            block = self.blocks.get(key)
            cells: dict[tuple[int, int], Cell] = {}
            for row in content.rows:
                if block is not None and row.number >= block.first:
                    continue
                for cell in row.cells:
                    if not cell.is_blank:
                        cells[(row.number, cell.column)] = cell
            self.static[key] = cells
            self._read_formulas(key, cells)
        self.tables: dict[str, TableGeometry] = {}
        self.names: dict[tuple[str, str], str] = {}
        self.refresh(workbook_xml, shifts)
        self.values: dict[tuple[str, int, int], Value | _NotComputed] = {}
        self._busy: set[tuple[str, int, int]] = set()

    def refresh(self, workbook_xml: str, shifts: dict[str, RowShift]) -> None:
        """Recompute the sheets' extents, the tables' rows and the names' ranges after the blocks' last rows moved."""
        for key, cells in self.static.items():
            block = self.blocks.get(key)
            rows = [r for r, _ in cells] + ([block.last] if block else [])
            cols = [c for _, c in cells] + (list(block.columns) if block else [])
            self.extent[key] = (max(rows, default=0), max(cols, default=0))
        self.tables = self._tables()
        self.names = self._names(workbook_xml, shifts)

    # -- reading the template
    def _read_formulas(self, key: str, cells: dict[tuple[int, int], Cell]) -> None:
        masters: dict[str, Cell] = {}
        for cell in cells.values():
            if cell.formula is not None and get_attr(f"<f {cell.formula_attrs}>", "t") == "shared" and cell.formula:
                masters[get_attr(f"<f {cell.formula_attrs}>", "si") or ""] = cell
        for (row, col), cell in cells.items():
            if cell.formula is None:
                continue
            kind = get_attr(f"<f {cell.formula_attrs}>", "t") or ""
            text = unescape(cell.formula, _QUOTES)
            if kind == "shared" and not text:
                master = masters.get(get_attr(f"<f {cell.formula_attrs}>", "si") or "")
                text = _translate(unescape(master.formula or "", _QUOTES), master, cell) if master else ""
            error = None
            node = None
            if kind in ("array", "dataTable"):
                error = Unsupported(f"an {kind} formula" if kind == "array" else "a data table")
            elif not text:
                error = Unsupported("a formula whose text is elsewhere")
            else:
                try:
                    node = parse(text)
                except Unsupported as exc:
                    error = exc
            self.formulas[(key, row, col)] = _Formula(text, node, error, kind)
            if not cell.value:
                self.uncached.add((key, row, col))

    def _tables(self) -> dict[str, TableGeometry]:
        tables = {}
        for key, content in self.contents.items():
            block = self.blocks.get(key)
            for table in content.sheet.tables:
                c1, r1, _, r2 = parse_ref(table.ref)
                header = r1 if table.header_rows else r1 - 1
                totals = r2 if table.totals_rows else None
                last = r2 - (1 if totals else 0)
                if block is not None and block.area.table is not None and block.area.table.part == table.part:
                    last = block.last
                tables[table.name.casefold()] = TableGeometry(content.sheet.name, c1, table.columns, header,
                                                              header + 1, last, totals)
        return tables

    def _names(self, workbook_xml: str, shifts: dict[str, RowShift]) -> dict[tuple[str, str], str]:
        sheets = [get_attr(tag, "name") or "" for tag in _SHEET_TAG.findall(workbook_xml)]
        names = {}
        for match in _DEFINED_NAME.finditer(workbook_xml):
            name = (get_attr(match.group(1), "name") or "").casefold()
            local = get_attr(match.group(1), "localSheetId")
            scope = sheets[int(local)].casefold() if local is not None and int(local) < len(sheets) else ""
            # The same moves `update_workbook` makes, so names read the filled ranges.
            names[(scope, name)] = unescape(shift_qualified(match.group(2), shifts), _QUOTES)
        return names

    # -- Resolver
    def name(self, name: str, sheet: str) -> Node:
        scope = sheet.casefold()
        if "!" in name:
            scope, name = name.rsplit("!", 1)
            scope = scope.strip("'").replace("''", "'").casefold()
        key = name.casefold()
        text = self.names.get((scope, key)) or self.names.get(("", key))
        if text is None:
            if key in self.tables:
                return ("struct", StructRef(name, (), None, None))
            raise Unsupported(f"the name {name}")
        return parse(text)

    def struct(self, ref: StructRef, sheet: str, row: int) -> Ref:
        table = self.tables.get(ref.table.casefold())
        if table is None:
            raise Unsupported(f"the table {ref.table}")
        folded = [c.casefold() for c in table.columns]
        if ref.first_column is None:
            c1, c2 = table.first_col, table.first_col + len(table.columns) - 1
        else:
            try:
                c1 = table.first_col + folded.index(ref.first_column.casefold())
                c2 = table.first_col + folded.index((ref.last_column or ref.first_column).casefold())
            except ValueError:
                raise Unsupported(f"a column {ref.first_column!r} that {ref.table} does not have") from None
        items = set(ref.items) or {"#data"}
        if items == {"#this row"}:
            if sheet.casefold() != table.sheet.casefold() or not table.data_first <= row <= table.data_last:
                raise Unsupported("#This Row outside the table's rows")
            r1 = r2 = row
        else:
            unknown = items - {"#all", "#data", "#headers", "#totals"}
            if unknown:
                raise Unsupported(f"the table item {sorted(unknown)[0]}")
            if "#all" in items:
                items = {"#headers", "#data", "#totals"}
            if "#totals" in items and table.totals_row is None and items == {"#totals"}:
                raise Unsupported("#Totals of a table without a totals row")
            rows = []
            if "#headers" in items:
                rows.append(table.header_row)
            if "#data" in items:
                rows += [table.data_first, table.data_last]
            if "#totals" in items and table.totals_row is not None:
                rows.append(table.totals_row)
            r1, r2 = min(rows), max(rows)
        return Ref(table.sheet, c1, r1, c2, r2)

    def _sheet_key(self, sheet: str | None) -> str:
        key = (sheet or "").casefold()
        if key not in self.contents:
            raise Unsupported(f"a reference to sheet {sheet!r}")
        return key

    def cell(self, sheet: str | None, col: int, row: int) -> Value:
        key = self._sheet_key(sheet)
        block = self.blocks.get(key)
        if block is not None and row >= block.first:
            if row > block.last or col not in block.columns:
                return None
            store = block.stores.get(col)
            if store is None:
                raise Unsupported("a data column that was not captured")
            return store.get(row - block.first)
        if (key, row, col) in self.formulas:
            return self.formula_value(key, row, col)
        cell = self.static[key].get((row, col))
        return None if cell is None else cell_value(cell, self.shared)

    def grid(self, ref: Ref) -> ListGrid:
        key = self._sheet_key(ref.sheet)
        last_row, last_col = self.extent[key]
        r1, r2 = ref.r1 or 1, ref.r2 or last_row
        c1, c2 = ref.c1 or 1, ref.c2 or last_col
        if r2 < r1 or c2 < c1:
            return ListGrid(0, 0, ())
        block = self.blocks.get(key)
        if block is not None and c1 == c2 and r1 >= block.first and c1 in block.stores:
            # A column of the data: read the captured array directly.
            store = block.stores[c1]
            stop = min(r2, block.last) - block.first + 1
            items = [store.get(i) for i in range(r1 - block.first, stop)]
            items += [None] * (r2 - r1 + 1 - len(items))
            return ListGrid(r2 - r1 + 1, 1, tuple(items))
        return ListGrid(r2 - r1 + 1, c2 - c1 + 1,
                        tuple(self.cell(ref.sheet, c, r) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)))

    # -- evaluation
    def formula_value(self, key: str, row: int, col: int) -> Value:
        """Evaluate a template formula cell (memoised); raise Unsupported when it cannot be."""
        at = (key, row, col)
        if at in self.values:
            value = self.values[at]
            if isinstance(value, _NotComputed):
                raise value.reason
            return value
        formula = self.formulas[at]
        if at in self._busy:
            raise Unsupported("a circular reference")
        self._busy.add(at)
        try:
            if formula.error is not None:
                raise formula.error
            assert formula.node is not None
            ctx = Context(self, self.sheet_names[key], row, col)
            result = Evaluator(ctx).result(formula.node)
        except Unsupported as exc:
            self.values[at] = _NotComputed(exc)
            raise
        finally:
            self._busy.discard(at)
        self.values[at] = result
        return result

    # -- what reads the data
    def refs_of(self, node: Node, sheet: str, depth: int = 0) -> Iterator[Ref]:
        """Every range a formula reads (names and tables resolved; #This Row as the whole data)."""
        for ref_node in references(node):
            kind = ref_node[0]
            if kind == "ref":
                ref: Ref = ref_node[1]
                yield ref if ref.sheet is not None else Ref(sheet, ref.c1, ref.r1, ref.c2, ref.r2)
            elif kind == "struct":
                struct: StructRef = ref_node[1]
                if "#this row" in struct.items:
                    struct = StructRef(struct.table, (), struct.first_column, struct.last_column)
                yield self.struct(struct, sheet, 0)
            elif kind == "range":
                yield from self.refs_of(ref_node[1], sheet, depth)
                yield from self.refs_of(ref_node[2], sheet, depth)
            elif kind == "name" and depth < 20:
                yield from self.refs_of(self.name(ref_node[1], sheet), sheet, depth + 1)

    def reads_block(self, ref: Ref) -> bool:
        block = self.blocks.get((ref.sheet or "").casefold())
        return block is not None and (ref.r2 is None or ref.r2 >= block.first)

    def dirty_cells(self) -> set[tuple[str, int, int]]:
        """Template formula cells whose result depends on the filled data (directly or through formulas)."""
        reads: dict[tuple[str, int, int], list[Ref] | None] = {}
        for (key, row, col), formula in self.formulas.items():
            if formula.node is None:
                reads[(key, row, col)] = None
                continue
            try:
                reads[(key, row, col)] = list(self.refs_of(formula.node, self.sheet_names[key]))
            except Unsupported:
                reads[(key, row, col)] = None
        dirty = {at for at, refs in reads.items() if refs is None or any(self.reads_block(r) for r in refs)}
        changed = True
        while changed:
            changed = False
            for at, refs in reads.items():
                if at in dirty or refs is None:
                    continue
                if any(_covers(ref, other) for ref in refs for other in dirty):
                    dirty.add(at)
                    changed = True
        return dirty

    def needed_columns(self, extra: Sequence[Ref] = ()) -> dict[str, set[int]]:
        """Data columns (by filled sheet) that formulas, names and `extra` ranges (charts) read."""
        needed: dict[str, set[int]] = {}
        refs: list[Ref] = list(extra)
        for (key, _row, _col), formula in self.formulas.items():
            if formula.node is not None:
                try:
                    refs += self.refs_of(formula.node, self.sheet_names[key])
                except Unsupported:
                    continue
        for ref in refs:
            if self.reads_block(ref):
                block = self.blocks[(ref.sheet or "").casefold()]
                c1, c2 = ref.c1 or 1, ref.c2 or max(block.columns)
                needed.setdefault((ref.sheet or "").casefold(), set()).update(
                    c for c in block.columns if c1 <= c <= c2)
        return needed


def _covers(ref: Ref, at: tuple[str, int, int]) -> bool:
    key, row, col = at
    return ((ref.sheet or "").casefold() == key
            and (ref.r1 is None or ref.r1 <= row) and (ref.r2 is None or row <= ref.r2)
            and (ref.c1 is None or ref.c1 <= col) and (ref.c2 is None or col <= ref.c2))


def _translate(text: str, master: Cell, cell: Cell) -> str:
    from openpyxl.formula.translate import Translator
    origin = f"{column_letter(master.column)}{master.row}"
    moved: str = Translator("=" + text, origin=origin).translate_formula(f"{column_letter(cell.column)}{cell.row}")
    return moved[1:]


def cached_xml(value: Value) -> tuple[str, str]:
    """Return (`t` attribute or "", `<v>` element) that caches `value` in a formula cell."""
    if isinstance(value, bool):
        return "b", f"<v>{int(value)}</v>"
    if isinstance(value, XlError):
        return "e", f"<v>{value.code}</v>"
    if isinstance(value, str):
        return "str", f"<v>{escape_text(value)}</v>"
    if value is None:
        return "", "<v>0</v>"
    number = value
    return "", f"<v>{int(number) if number.is_integer() and abs(number) < 1e15 else repr(number)}</v>"


def unsupported_warnings(failures: dict[str, list[str]]) -> list[str]:
    """One warning per reason, naming the cells it left to Excel's recalculation."""
    warnings = []
    for reason, cells in failures.items():
        shown = ", ".join(cells[:5]) + (f" and {len(cells) - 5} more" if len(cells) > 5 else "")
        warnings.append(f"{shown}: cannot compute {reason}; left for Excel to recalculate on open "
                        "(readers that do not recalculate show no value)")
    return warnings


class RowCalculator:
    """Evaluates a filled block's per-row formulas (calculated columns, formulas beside the data) row by row.

    A per-row formula may read its own row and template cells that do not depend on the data; one
    that reads other data rows (running totals) or the data as a whole is left uncached, with one
    warning per column.
    """

    def __init__(self, model: WorkbookModel, block: Block, formulas: dict[int, str], origin: int,
                 identifiers: dict[int, bool], sources: dict[int, int], dirty: set[tuple[str, int, int]]) -> None:
        self.model = model
        self.block = block
        self.sheet = block.area.sheet.name
        self.key = self.sheet.casefold()
        self.origin = origin
        self.sources = sources            # data column → index in the report row
        self.identifiers = identifiers
        self.dirty = dirty
        self.nodes: dict[int, Node | Unsupported] = {}
        for col, text in formulas.items():
            try:
                self.nodes[col] = parse(unescape(text, _QUOTES))
            except Unsupported as exc:
                self.nodes[col] = exc
        self.failures: dict[int, Unsupported] = {}
        self.row = origin
        self._values: Sequence[Any] = ()
        self._results: dict[int, Value | _NotComputed] = {}
        self._busy: set[int] = set()

    def begin(self, row: int, values: Sequence[Any]) -> None:
        """Start a new data row."""
        self.row, self._values = row, values
        self._results = {}

    def result(self, col: int) -> Value | _NotComputed:
        """The value of column `col` in the current row (a data value or a formula's result)."""
        if col in self._results:
            return self._results[col]
        if col in self.sources:
            index = self.sources[col]
            value: Value | _NotComputed = excel_value(self._values[index], self.identifiers[col]) \
                if index < len(self._values) else None
        elif col in self.nodes:
            value = self._evaluate(col)
        else:
            value = None
        self._results[col] = value
        return value

    def cached(self, col: int) -> tuple[str, str]:
        """(` t="…"` or "", `<v>…</v>` or "") for the formula in `col` on the current row."""
        value = self.result(col)
        if isinstance(value, _NotComputed):
            self.failures.setdefault(col, value.reason)
            return "", ""
        kind, xml = cached_xml(value)
        return (f' t="{kind}"' if kind else ""), xml

    def _evaluate(self, col: int) -> Value | _NotComputed:
        node = self.nodes[col]
        if isinstance(node, Unsupported):
            return _NotComputed(node)
        if col in self._busy:
            return _NotComputed(Unsupported("a circular reference"))
        self._busy.add(col)
        try:
            ctx = Context(self, self.sheet, self.row, col, row_shift=self.row - self.origin)
            return Evaluator(ctx).result(node)
        except Unsupported as exc:
            return _NotComputed(exc)
        finally:
            self._busy.discard(col)

    # -- Resolver, seen from one data row
    def name(self, name: str, sheet: str) -> Node:
        return self.model.name(name, sheet)

    def struct(self, ref: StructRef, sheet: str, row: int) -> Ref:
        if set(ref.items) == {"#this row"}:
            table = self.model.tables.get(ref.table.casefold())
            if table is not None and table.sheet.casefold() == self.key and sheet.casefold() == self.key:
                whole = self.model.struct(StructRef(ref.table, (), ref.first_column, ref.last_column), sheet, row)
                return Ref(whole.sheet, whole.c1, self.row, whole.c2, self.row)
        return self.model.struct(ref, sheet, row)

    def cell(self, sheet: str | None, col: int, row: int) -> Value:
        key = (sheet or "").casefold()
        if key == self.key and row == self.row and col in self.block.columns:
            value = self.result(col)
            if isinstance(value, _NotComputed):
                raise value.reason
            return value
        block = self.model.blocks.get(key)
        if block is not None and row >= block.first:
            raise Unsupported("a formula beside the data that reads other data rows")
        if (key, row, col) in self.dirty:
            raise Unsupported("a formula beside the data that reads a formula over the data")
        return self.model.cell(sheet, col, row)

    def grid(self, ref: Ref) -> ListGrid:
        key = (ref.sheet or "").casefold()
        block = self.model.blocks.get(key)
        if block is not None and (ref.r2 is None or ref.r2 >= block.first) and not (
                key == self.key and ref.r1 == ref.r2 == self.row):
            raise Unsupported("a formula beside the data that reads other data rows")
        last_row, last_col = self.model.extent.get(key, (0, 0))
        r1, r2, c1, c2 = ref.r1 or 1, ref.r2 or last_row, ref.c1 or 1, ref.c2 or last_col
        return ListGrid(r2 - r1 + 1, c2 - c1 + 1,
                        tuple(self.cell(ref.sheet, c, r) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)))

    def capture(self) -> None:
        """Append the current row's values of every captured column to its store."""
        for col, store in self.block.stores.items():
            store.append(self.result(col))

    def warnings(self) -> list[str]:
        """One warning per per-row formula column left uncached."""
        out = []
        for col, reason in sorted(self.failures.items()):
            letter = column_letter(col)
            out.append(f"{self.sheet}!{letter}{self.block.first}:{letter}{self.block.last} (formula on every data "
                       f"row): cannot compute {reason.what}; left for Excel to recalculate on open "
                       "(readers that do not recalculate show no value)")
        return out
