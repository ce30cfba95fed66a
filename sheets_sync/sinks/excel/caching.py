"""Plan and collect a fill's cached results: per-row formulas while streaming, then KPI cells and charts.

`FillCalculation.start` reads the template's formulas and charts before any row is written, decides
which data columns must be kept (only those something reads) and which formula cells depend on
the data; `finish` evaluates those cells once every row is known; the part writers then ask for
the cached results of a sheet (`sheet_caches`) and the cached points of a chart series (`chart_cache`).
"""

from __future__ import annotations

import re
from xml.sax.saxutils import unescape

from sheets_sync.sinks.excel.cells import MAX_SHEET_ROWS, DataSlot, FixedSlot, column_index, column_letter, escape_text
from sheets_sync.sinks.excel.formulas import Ref, Unsupported, Value, XlError, parse
from sheets_sync.sinks.excel.plan import FillPlan, TabPlan
from sheets_sync.sinks.excel.ranges import RowShift
from sheets_sync.sinks.excel.recalc import (
    Block,
    ColumnStore,
    RowCalculator,
    WorkbookModel,
    cached_xml,
    unsupported_warnings,
)

_CHART_F = re.compile(r"<(?:\w+:)?(?:numRef|strRef)>\s*<(?:\w+:)?f>(.*?)</(?:\w+:)?f>", re.S)
_FORMAT_CODE = re.compile(r"<(\w+:|)formatCode>.*?</\1formatCode>", re.S)
_QUOTES = {"&quot;": '"', "&apos;": "'"}


def _chart_ref(text: str) -> Ref | None:
    try:
        node = parse(unescape(text, _QUOTES))
    except Unsupported:
        return None
    return node[1] if node[0] == "ref" and node[1].sheet is not None else None


class FillCalculation:
    """The cached results of one template fill."""

    def __init__(self, plan: FillPlan, model: WorkbookModel, chart_parts: list[str]) -> None:
        self.plan = plan
        self.model = model
        self.chart_parts = chart_parts
        self.dirty = model.dirty_cells()
        self.calculators: dict[str, RowCalculator] = {}
        self.caches: dict[str, dict[tuple[int, int], tuple[str, str] | None]] = {}
        self.warnings: list[str] = []
        self._failures: dict[str, list[str]] = {}

    @classmethod
    def start(cls, plan: FillPlan) -> FillCalculation | None:
        """Prepare the calculation of a fill, or None when the template has no formula and no chart."""
        pkg = plan.pkg
        chart_parts = [name for name in pkg.names if "/charts/chart" in name and name.endswith(".xml")]
        has_row_formulas = any(isinstance(s, FixedSlot) and s.formula for tp in plan.tabs for s in tp.slots)
        has_formulas = any("<f" in content.xml.head + content.xml.rows_xml + content.xml.tail
                           for content in plan.contents.values())
        if not (chart_parts or has_row_formulas or has_formulas):
            return None
        blocks = {}
        for tp in plan.tabs:
            area = tp.area
            columns = set(range(area.first_col, area.last_col + 1)) | {c.column for c in area.beside}
            # The last row is known only after streaming; until then the block reaches the sheet's end.
            blocks[area.sheet.name] = Block(area, area.header_row + 1, MAX_SHEET_ROWS, columns)
        model = WorkbookModel(plan.contents, pkg.shared_strings, pkg.text(pkg.workbook_part), blocks, {})
        calculation = cls(plan, model, chart_parts)
        chart_refs = [ref for part in chart_parts for text in _CHART_F.findall(pkg.text(part))
                      if (ref := _chart_ref(text)) is not None]
        for key, columns in model.needed_columns(chart_refs).items():
            for col in columns:
                model.blocks[key].stores[col] = ColumnStore()
        return calculation

    def row_calculator(self, tab_plan: TabPlan) -> RowCalculator | None:
        """The calculator of a tab's per-row formulas and captured columns (None when it has neither)."""
        block = self.model.blocks[tab_plan.area.sheet.name.casefold()]
        formulas = {column_index(s.letter): s.source_formula for s in tab_plan.slots
                    if isinstance(s, FixedSlot) and s.formula and s.source_formula}
        if not formulas and not block.stores:
            return None
        sources = {column_index(s.letter): s.source for s in tab_plan.slots if isinstance(s, DataSlot)}
        identifiers = {column_index(s.letter): s.identifier for s in tab_plan.slots if isinstance(s, DataSlot)}
        calculator = RowCalculator(self.model, block, formulas, block.first, identifiers, sources, self.dirty)
        self.calculators[tab_plan.area.sheet.part] = calculator
        return calculator

    def finish(self, shifts: dict[str, RowShift]) -> None:
        """Evaluate every template formula that reads the data, now that every row is known."""
        for key, block in self.model.blocks.items():
            shift = shifts.get(key)
            if shift is not None:
                block.last = shift.new_last
        self.model.refresh(self.plan.pkg.text(self.plan.pkg.workbook_part), shifts)
        for calculator in self.calculators.values():
            self.warnings += calculator.warnings()
        # Formulas over the data need new results; formulas the template left without one get one too
        # (when they can be computed), so previews show them.
        for key, row, col in sorted(self.dirty | self.model.uncached):
            part = self.model.contents[key].sheet.part
            where = f"{self.model.sheet_names[key]}!{column_letter(col)}{row}"
            try:
                value: Value = self.model.formula_value(key, row, col)
            except Unsupported as exc:
                if (key, row, col) in self.dirty:
                    self.caches.setdefault(part, {})[(row, col)] = None
                    self._failures.setdefault(exc.what, []).append(where)
                continue
            self.caches.setdefault(part, {})[(row, col)] = cached_xml(value)
        self.warnings += unsupported_warnings(self._failures)

    def sheet_caches(self, part: str) -> dict[tuple[int, int], tuple[str, str] | None]:
        """(row, column) → cached result (None: leave uncached) of a worksheet's formula cells over the data."""
        return self.caches.get(part, {})

    def chart_cache(self, kind: str, prefix: str, formula: str, old: str) -> str | None:
        """The new cache element of a chart series over `formula` (see `surgery.update_chart`)."""
        ref = _chart_ref(formula)
        if ref is None:
            return None if not self._reads_data(formula) else ""
        if not (self.model.reads_block(ref) or any(_inside(ref, at) for at in self.dirty)):
            return None
        if kind == "multiLvlStrRef":
            return ""
        try:
            values = list(self.model.grid(ref).values())
        except Unsupported:
            return ""
        return _cache_xml(kind, prefix, values, old)

    def _reads_data(self, formula: str) -> bool:
        """Whether a series formula that is not one plain range mentions a filled sheet (erring to yes)."""
        text = unescape(formula, _QUOTES).casefold()
        return any(name.casefold() + "!" in text or name.casefold().replace("'", "''") + "'!" in text
                   for name in self.model.sheet_names.values() if name.casefold() in self.model.blocks)


def _inside(ref: Ref, at: tuple[str, int, int]) -> bool:
    key, row, col = at
    return ((ref.sheet or "").casefold() == key and (ref.r1 or 1) <= row <= (ref.r2 or MAX_SHEET_ROWS)
            and (ref.c1 or 1) <= col <= (ref.c2 or 16384))


def _cache_xml(kind: str, prefix: str, values: list[Value], old: str) -> str:
    """A chart cache (numCache or strCache) holding `values` as Excel writes it (blank points left out)."""
    if kind == "numRef" and (any(isinstance(value, str | bool) for value in values)
                             or all(value is None for value in values)):
        # Text in a number range, or nothing at all: applications differ in what they plot (a blank
        # category becomes 0 in LibreOffice); without a cache, readers rebuild the points from `f`.
        return ""
    points = []
    for index, value in enumerate(values):
        if value is None or isinstance(value, XlError):
            continue
        if kind == "numRef":
            text = cached_xml(value)[1][3:-4]
        else:
            if not isinstance(value, str):
                # A number as a category shows in its cell's number format, which is not computed here.
                return ""
            text = escape_text(value)
        points.append(f'<{prefix}pt idx="{index}"><{prefix}v>{text}</{prefix}v></{prefix}pt>')
    count = f'<{prefix}ptCount val="{len(values)}"/>'
    if kind == "numRef":
        fmt = _FORMAT_CODE.search(old)
        code = fmt.group(0) if fmt else f"<{prefix}formatCode>General</{prefix}formatCode>"
        return f"<{prefix}numCache>{code}{count}{''.join(points)}</{prefix}numCache>"
    return f"<{prefix}strCache>{count}{''.join(points)}</{prefix}strCache>"
