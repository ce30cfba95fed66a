"""Plan a template fill before writing anything: find each tab's area, match columns, pick cell styles."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import unescape

from sheets_sync.errors import TemplateError
from sheets_sync.report import ColumnKind
from sheets_sync.sinks.excel.cells import DataSlot, FixedSlot, column_letter, escape_text
from sheets_sync.sinks.excel.inspection import match_columns, open_template, read_contents, select_area
from sheets_sync.sinks.excel.layout import DataArea, SheetContent, problems_of, template_error
from sheets_sync.sinks.excel.model import ExcelTab
from sheets_sync.sinks.excel.package import NS_MAIN, REL_STYLES, TemplatePackage
from sheets_sync.sinks.excel.styles import TemplateStyles
from sheets_sync.sinks.excel.xmltext import remove_attr

_DATE_KINDS = (ColumnKind.DATE, ColumnKind.DATETIME)
# What a formula can hold that never moves between rows: string literals and structured references.
_STRUCTURED_OR_STRING = re.compile(r'"[^"]*"|\[[^\[\]]*(?:\[[^\[\]]*\][^\[\]]*)*\]')
# Anything that may be a row-relative A1 reference (A2, $A2, A:A2, 2:2); erring to "may" is safe.
_A1_REFERENCE = re.compile(r"(?<![A-Za-z_.])\$?[A-Za-z]{1,3}\$?\d+|\d+:\$?\d+")


@dataclass
class TabPlan:
    """How one tab fills its area: cell slots in column order and the prototype row's attributes."""

    tab: ExcelTab
    area: DataArea
    slots: list[DataSlot | FixedSlot]
    row_attrs: str
    warnings: list[str] = field(default_factory=list)


@dataclass
class FillPlan:
    """Everything needed to write a filled template; holds the open template package."""

    pkg: TemplatePackage
    contents: dict[str, SheetContent]
    styles: TemplateStyles | None
    styles_part: str | None
    tabs: list[TabPlan]

    def quoted_style(self, style: int | None) -> int | None:
        """Return a style like `style` with quotePrefix, for text that starts like a formula."""
        return self.styles.derive(style, quote_prefix=True) if self.styles else style


def formula_writer(text: str, letter: str, origin_row: int) -> Callable[[int], str]:
    """Return row number → formula text (XML-escaped) for a formula written in row `origin_row`.

    Structured references (`tbl[[#This Row],[Qty]]`) read the same on every row; relative A1
    references (`A2*B2`) are moved row by row as Excel would when filling down.
    """
    formula = "=" + unescape(text, {"&quot;": '"', "&apos;": "'"})
    if not _A1_REFERENCE.search(_STRUCTURED_OR_STRING.sub("", formula)):
        return lambda _row: text
    # openpyxl's formula translator costs ~20 MB and 0.4 s to import: only load it when needed.
    from openpyxl.formula.translate import Translator
    translator = Translator(formula, origin=f"{letter}{origin_row}")
    if translator.translate_formula(f"{letter}{origin_row + 1}") == formula:
        return lambda _row: text
    return lambda row: escape_text(translator.translate_formula(f"{letter}{row}")[1:])


def _table_formulas(pkg: TemplatePackage, area: DataArea) -> dict[str, str]:
    if area.table is None:
        return {}
    root = pkg.xml(area.table.part)
    return {col.get("name", ""): escape_text(f.text or "")
            for col in root.iter(f"{{{NS_MAIN}}}tableColumn")
            if (f := col.find(f"{{{NS_MAIN}}}calculatedColumnFormula")) is not None}


def _data_style(styles: TemplateStyles | None, base: int | None, kind: ColumnKind,
                number_format: str | None, effective: str | None) -> int | None:
    if styles is None:
        return base
    if number_format is not None:
        return styles.derive(base, number_format=number_format)
    # A date written into a cell styled as a plain number would show as a serial like 46000.
    if kind in _DATE_KINDS and effective and not styles.is_date_style(base):
        return styles.derive(base, number_format=effective)
    return base


def _plan_tab(plan: FillPlan, tab: ExcelTab) -> TabPlan:
    """Plan one tab; raise one TemplateError listing every problem of its block and columns."""
    area = select_area(plan.contents, plan.pkg.shared_strings, tab.sheet, tab.excel_table)
    problems = list(area.problems)
    try:
        mapping = match_columns(area.columns, area.calculated, tab.table.headers, area.label,
                                optional=[i for i, c in enumerate(tab.table.columns) if c.passthrough])
    except TemplateError as exc:
        problems += problems_of(exc)
        raise template_error(problems) from None
    warnings = []
    # Fields the API added beyond the catalogue: the template's columns decide, so they are left out.
    ignored = [c.header for i, c in enumerate(tab.table.columns) if c.passthrough and i not in mapping.values()]
    if ignored:
        warnings.append(f"sheet {tab.sheet!r}: ignored fields the API added that the template has no column for: "
                        f"{', '.join(ignored)}")
    origin = area.header_row + 1
    table_formulas = _table_formulas(plan.pkg, area)
    slots: list[tuple[int, DataSlot | FixedSlot]] = []
    for position, name in enumerate(area.columns):
        column = area.first_col + position
        letter = column_letter(column)
        proto = area.prototype_cell(column)
        base = proto.style if proto else None
        if position in mapping:
            source = tab.table.columns[mapping[position]]
            style = _data_style(plan.styles, base, source.kind, source.number_format, source.effective_format)
            slots.append((column, DataSlot(letter, mapping[position], style, None, source.identifier)))
            continue
        text = proto.formula if proto is not None and proto.formula else table_formulas.get(name)
        if not text:
            problems.append(f"{area.label}: calculated column {name!r} has no formula in its first data row "
                            f"({letter}{origin}); shared formulas must start there")
            continue
        slots.append((column, FixedSlot(letter, base, formula_writer(text, letter, origin), text)))
    if problems:
        raise template_error(problems)
    for cell in area.beside:
        letter = column_letter(cell.column)
        writer = formula_writer(cell.formula, letter, origin) if cell.formula else None
        slots.append((cell.column, FixedSlot(letter, cell.style, writer, cell.formula)))
    slots.sort(key=lambda item: item[0])
    row_attrs = ""
    if area.prototype is not None:
        start = remove_attr(remove_attr(area.prototype.start_tag, "r"), "spans")
        row_attrs = start[len("<row"):].rstrip("/>").rstrip(">")
    return TabPlan(tab, area, [slot for _, slot in slots], row_attrs, warnings)


def plan_fill(template: Path, tabs: Sequence[ExcelTab]) -> FillPlan:
    """Read `template` and plan how `tabs` fill it.

    Raises:
        TemplateError: the template breaks the contract or a tab does not match its table; one error
            lists every such problem of every tab (see `layout.template_error`).
    """
    pkg = open_template(template)
    try:
        styles_part = pkg.workbook_target(REL_STYLES)
        styles = TemplateStyles(pkg.text(styles_part)) if styles_part and pkg.has(styles_part) else None
        plan = FillPlan(pkg, read_contents(pkg), styles, styles_part, [])
        problems: list[str] = []
        for tab in tabs:
            # Every tab is planned even after a broken one, so one error lists the whole template's problems.
            try:
                plan.tabs.append(_plan_tab(plan, tab))
            except TemplateError as exc:
                problems += problems_of(exc)
        if problems:
            raise template_error(problems)
    except BaseException:
        pkg.close()
        raise
    return plan
