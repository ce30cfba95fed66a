"""Write a filled template: stream each tab's rows, then copy or minimally rewrite every other part."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

from sheets_sync.sinks.excel.about import find_about, refreshed_about
from sheets_sync.sinks.excel.caching import FillCalculation
from sheets_sync.sinks.excel.cells import RowEncoder, column_letter, text_warnings
from sheets_sync.sinks.excel.package import REL_CALC_CHAIN, rels_path
from sheets_sync.sinks.excel.plan import FillPlan, TabPlan
from sheets_sync.sinks.excel.ranges import RowShift
from sheets_sync.sinks.excel.spool import RowSpool, spool_rows, write_sheet_entry
from sheets_sync.sinks.excel.surgery import (
    remove_override,
    remove_relationship,
    resize_table,
    set_dimension,
    set_formula_caches,
    shift_sheet_ranges,
    update_chart,
    update_pivot_cache,
    update_workbook,
)


def _spool_tab(tab_plan: TabPlan, plan: FillPlan, spool: RowSpool,
               calculation: FillCalculation | None) -> tuple[int, RowShift, list[str]]:
    area = tab_plan.area
    calculator = calculation.row_calculator(tab_plan) if calculation is not None else None
    encoder = RowEncoder(tab_plan.slots, tab_plan.row_attrs, plan.quoted_style, calculator)
    first = area.header_row + 1
    count = spool_rows(encoder, tab_plan.tab.table.rows, first, spool, tab_plan.tab.sheet)
    if count == 0:
        # An Excel table needs one data row; an empty, styled one keeps formulas and formats in place.
        spool.add(encoder.encode(first, [None] * len(tab_plan.tab.table.columns)))
    shift = RowShift(first, area.old_last_row, first + max(count, 1) - 1)
    return count, shift, tab_plan.warnings + text_warnings(tab_plan.tab.sheet, encoder.stats)


def _sheet_parts(plan: FillPlan, tab_plan: TabPlan, shift: RowShift, shifts: dict[str, RowShift],
                 caches: dict[tuple[int, int], tuple[str, str] | None]) -> tuple[str, str]:
    area = tab_plan.area
    content = plan.contents[area.sheet.name]
    kept = [set_formula_caches(row.raw, caches) for row in content.rows if row.number < shift.first_data_row]
    last_col = max([area.last_col] + [c.column for c in area.beside]
                   + [c.column for row in content.rows if row.number < shift.first_data_row for c in row.cells])
    head = set_dimension(content.xml.head, column_letter(last_col), shift.new_last) + "".join(kept)
    return head, shift_sheet_ranges(content.xml.tail, shift, shifts)


def _copy(zout: zipfile.ZipFile, info: zipfile.ZipInfo, data: bytes) -> None:
    out = zipfile.ZipInfo(info.filename, date_time=info.date_time)
    out.compress_type = info.compress_type
    out.external_attr = info.external_attr
    zout.writestr(out, data)


def fill_template(zout: zipfile.ZipFile, plan: FillPlan, spool_dir: Path,
                  now: dt.datetime | None = None) -> tuple[dict[str, int], list[str]]:
    """Write the filled template into `zout`; return data rows per sheet and warnings.

    With `now`, a workbook sheets-sync wrote without a template (a partial run's refill) gets its
    About sheet's refresh time and the refreshed tabs' rows rewritten (see `about`).
    """
    pkg = plan.pkg
    spools: dict[str, tuple[TabPlan, RowSpool, RowShift]] = {}
    opened: list[RowSpool] = []
    rows: dict[str, int] = {}
    warnings: list[str] = []
    try:
        shifts: dict[str, RowShift] = {}
        # Formulas and charts are read first: they decide which data columns must be kept for their results.
        calculation = FillCalculation.start(plan)
        # All rows first: the new last rows decide how every other part is rewritten.
        for tab_plan in plan.tabs:
            spool = RowSpool(spool_dir)
            opened.append(spool)
            count, shift, tab_warnings = _spool_tab(tab_plan, plan, spool, calculation)
            spools[tab_plan.area.sheet.part] = (tab_plan, spool, shift)
            shifts[tab_plan.area.sheet.name.casefold()] = shift
            rows[tab_plan.tab.sheet] = count
            warnings += tab_warnings
        if calculation is not None:
            calculation.finish(shifts)
            warnings += calculation.warnings
        _write_parts(zout, plan, spools, shifts, rows, now, calculation)
    finally:
        for spool in opened:
            spool.close()
        pkg.close()
    return rows, warnings


def _write_parts(zout: zipfile.ZipFile, plan: FillPlan, spools: dict[str, tuple[TabPlan, RowSpool, RowShift]],
                 shifts: dict[str, RowShift], rows: dict[str, int], now: dt.datetime | None,
                 calculation: FillCalculation | None) -> None:
    pkg = plan.pkg
    about = find_about(plan) if now is not None else None
    # Before any part is copied: refreshing it may derive styles, which styles.xml must then carry.
    about_text = refreshed_about(plan, about, rows, now) if about is not None and now is not None else None
    calc_chain = pkg.workbook_target(REL_CALC_CHAIN)
    tables = {tp.area.table.part: (tp, spools[tp.area.sheet.part][2]) for tp in plan.tabs if tp.area.table}
    table_names = {tp.area.table.name.casefold() for tp in plan.tabs if tp.area.table}
    worksheets = {sheet.part for sheet in pkg.sheets}
    for info in pkg.zip.infolist():
        name = info.filename
        if name == calc_chain:
            continue   # Excel rebuilds it; a stale one triggers "Removed Records: Formula from calcChain"
        if name in spools:
            tab_plan, spool, shift = spools[name]
            caches = calculation.sheet_caches(name) if calculation is not None else {}
            head, tail = _sheet_parts(plan, tab_plan, shift, shifts, caches)
            write_sheet_entry(zout, name, head, spool, tail, info.date_time)
            continue
        original = pkg.read(name)
        if about is not None and name == about.sheet.part:
            text = about_text
        else:
            text = _rewrite(plan, name, original, tables, table_names, worksheets, shifts, calc_chain, calculation)
        _copy(zout, info, original if text is None else text.encode("utf-8"))


def _rewrite(plan: FillPlan, name: str, original: bytes, tables: dict[str, tuple[TabPlan, RowShift]],
             table_names: set[str], worksheets: set[str], shifts: dict[str, RowShift],
             calc_chain: str | None, calculation: FillCalculation | None) -> str | None:
    """Return the new text of a part, or None to copy it byte for byte."""
    pkg = plan.pkg
    if not name.endswith((".xml", ".rels")):
        return None
    old = original.decode("utf-8")
    if name in tables:
        tab_plan, shift = tables[name]
        area = tab_plan.area
        new = resize_table(old, f"{column_letter(area.first_col)}{area.header_row}:"
                                f"{column_letter(area.last_col)}{shift.new_last}")
    elif name == pkg.workbook_part:
        new = update_workbook(old, shifts)
    elif calc_chain and name == rels_path(pkg.workbook_part):
        new = remove_relationship(old, REL_CALC_CHAIN)
    elif calc_chain and name == "[Content_Types].xml":
        new = remove_override(old, calc_chain)
    elif name in worksheets:
        # Only formulas that read the filled data get new cached results (or none); the rest stay as they were.
        caches = calculation.sheet_caches(name) if calculation is not None else {}
        new = shift_sheet_ranges(set_formula_caches(old, caches), None, shifts)
    elif name == plan.styles_part and plan.styles is not None and plan.styles.changed:
        new = plan.styles.render()
    elif "/charts/chart" in name:
        new = update_chart(old, shifts, calculation.chart_cache if calculation is not None else None)
    elif "/pivotCache/pivotCacheDefinition" in name:
        new = update_pivot_cache(old, shifts, table_names)
    else:
        return None
    return None if new == old else new
