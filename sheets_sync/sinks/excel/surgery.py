"""Text rewrites of individual template parts after a fill; each returns the part unchanged if untouched."""

from __future__ import annotations

import re
from collections.abc import Callable

from sheets_sync.sinks.excel.cells import column_index
from sheets_sync.sinks.excel.ranges import RowShift, shift_local, shift_qualified
from sheets_sync.sinks.excel.xmltext import find_start_tag, get_attr, remove_attr, require_start_tag, set_attr

_FORMULA_CELL = re.compile(r"<c\b[^>]*(?<!/)>(?:(?!</c>).)*?<f\b.*?</c>", re.S)
_CACHED_VALUE = re.compile(r"<v>.*?</v>|<v\s*/>", re.S)
_SQREF_ATTR = re.compile(r'(<[\w:]*(?:conditionalFormatting|dataValidation|autoFilter|sortState)\b[^>]*?\s'
                         r'(?:sqref|ref)=")([^"]*)(")')
_XM_SQREF = re.compile(r"(<xm:sqref>)(.*?)(</xm:sqref>)", re.S)
_SPARKLINES = re.compile(r"<x14:sparklineGroups\b.*?</x14:sparklineGroups>", re.S)
_FORMULA_TEXT = re.compile(r"(<(xm:f|formula1|formula2|formula)>)(.*?)(</\2>)", re.S)
_DEFINED_NAME = re.compile(r"(<definedName\b[^>]*>)(.*?)(</definedName>)", re.S)
# `(\w+:|)` rather than `(\w+:)?`: a back-reference to a group that did not take part never matches.
_CHART_REF = re.compile(r"<(\w+:|)(numRef|strRef|multiLvlStrRef)>.*?</\1\2>", re.S)
_CHART_F = re.compile(r"(<(\w+:|)f>)(.*?)(</\2f>)", re.S)
_CHART_CACHE = re.compile(r"<(\w+:|)(numCache|strCache|multiLvlStrCache)\b.*?</\1\2>", re.S)
_WORKBOOK_END_OF_NAMES = ("</definedNames>", "</externalReferences>", "</functionGroups>", "</sheets>")


def strip_cached_values(xml: str) -> str:
    """Remove cached results (`<v>`) and their type from every formula cell, so readers recalculate."""
    if "<f" not in xml:
        return xml

    def strip(match: re.Match[str]) -> str:
        cell = match.group(0)
        start_end = cell.index(">") + 1
        start = remove_attr(cell[:start_end], "t")
        return start + _CACHED_VALUE.sub("", cell[start_end:])
    return _FORMULA_CELL.sub(strip, xml)


_CELL_REF = re.compile(r"([A-Z]{1,3})(\d+)")


def set_formula_caches(xml: str, caches: dict[tuple[int, int], tuple[str, str] | None]) -> str:
    """Set the cached result of the formula cells at (row, column) in `caches`; None removes it.

    Each entry is (the `t` attribute value or "", the `<v>` element). Other cells stay as they are.
    """
    if not caches or "<f" not in xml:
        return xml

    def rewrite(match: re.Match[str]) -> str:
        cell = match.group(0)
        start_end = cell.index(">") + 1
        ref = _CELL_REF.fullmatch(get_attr(cell[:start_end], "r") or "")
        if ref is None:
            # Without a reference the cell cannot be matched: a missing result is safe, a wrong one is not.
            return strip_cached_values(cell)
        at = (int(ref.group(2)), column_index(ref.group(1)))
        if at not in caches:
            return cell
        cache = caches[at]
        start = remove_attr(cell[:start_end], "t")
        body = _CACHED_VALUE.sub("", cell[start_end:])
        if cache is None:
            return start + body
        kind, value = cache
        if kind:
            start = set_attr(start, "t", kind)
        f_end = body.index("</f>") + 4 if "</f>" in body else body.index("/>", body.index("<f")) + 2
        return start + body[:f_end] + value + body[f_end:]
    return _FORMULA_CELL.sub(rewrite, xml)


def shift_sheet_ranges(xml: str, own: RowShift | None, shifts: dict[str, RowShift]) -> str:
    """Move CF/DV/autoFilter ranges on a data sheet and sheet-qualified formula ranges on any sheet."""
    if own is not None:
        xml = _SQREF_ATTR.sub(lambda m: m.group(1) + shift_local(m.group(2), own) + m.group(3), xml)
        # A sparkline's location is one cell per sparkline: never stretched.
        kept = {m.start(): m.group(0) for m in _SPARKLINES.finditer(xml)}
        xml = _XM_SQREF.sub(lambda m: m.group(0) if _inside(m.start(), kept)
                            else m.group(1) + shift_local(m.group(2), own) + m.group(3), xml)
    if shifts:
        xml = _FORMULA_TEXT.sub(lambda m: m.group(1) + shift_qualified(m.group(3), shifts) + m.group(4), xml)
    return xml


def _inside(position: int, blocks: dict[int, str]) -> bool:
    return any(start <= position < start + len(text) for start, text in blocks.items())


def set_dimension(head: str, last_col_letter: str, last_row: int) -> str:
    """Return the sheet head with `<dimension ref>` ending at the new last cell."""
    tag = find_start_tag(head, "dimension")
    if tag is None:
        return head
    ref = get_attr(tag.group(0), "ref") or "A1"
    start = ref.split(":")[0]
    new_tag = set_attr(tag.group(0), "ref", f"{start}:{last_col_letter}{last_row}")
    return head[: tag.start()] + new_tag + head[tag.end():]


def resize_table(xml: str, ref: str) -> str:
    """Set a table part's `ref` and its own `autoFilter ref` (and `sortState ref` to the data rows)."""
    tag = require_start_tag(xml, "table")
    xml = xml[: tag.start()] + set_attr(tag.group(0), "ref", ref) + xml[tag.end():]
    auto = find_start_tag(xml, "autoFilter")
    if auto is not None:
        xml = xml[: auto.start()] + set_attr(auto.group(0), "ref", ref) + xml[auto.end():]
    sort = find_start_tag(xml, "sortState")
    if sort is not None:
        first, last = ref.split(":")
        data_first = re.sub(r"\d+", lambda m: str(int(m.group(0)) + 1), first)
        xml = xml[: sort.start()] + set_attr(sort.group(0), "ref", f"{data_first}:{last}") + xml[sort.end():]
    return xml


def update_workbook(xml: str, shifts: dict[str, RowShift]) -> str:
    """Move defined-name ranges and ask for a full recalculation when the workbook is opened."""
    xml = _DEFINED_NAME.sub(lambda m: m.group(1) + shift_qualified(m.group(2), shifts) + m.group(3), xml)
    calc = find_start_tag(xml, "calcPr")
    if calc is not None:
        return xml[: calc.start()] + set_attr(calc.group(0), "fullCalcOnLoad", "1") + xml[calc.end():]
    for marker in _WORKBOOK_END_OF_NAMES:   # calcPr's place in CT_Workbook's sequence
        at = xml.find(marker)
        if at >= 0:
            at += len(marker)
            return xml[:at] + '<calcPr fullCalcOnLoad="1"/>' + xml[at:]
    return xml


def remove_relationship(xml: str, rel_type: str) -> str:
    """Remove every relationship of `rel_type` from a .rels part."""
    return re.sub(r'<Relationship\b[^>]*Type="' + re.escape(rel_type) + r'"[^>]*/>', "", xml)


def remove_override(xml: str, part: str) -> str:
    """Remove a part's content-type override from `[Content_Types].xml`."""
    return re.sub(r'<Override\b[^>]*PartName="/' + re.escape(part) + r'"[^>]*/>', "", xml)


ChartCache = Callable[[str, str, str, str], str | None]


def update_chart(xml: str, shifts: dict[str, RowShift], caches: ChartCache | None = None) -> str:
    """Move series ranges over data sheets and renew (or drop) the cached points of series over the data.

    `caches(kind, prefix, formula, old_cache)` returns a series' new cache element, "" to drop it, or
    None when the series does not read the data (its cache is then kept unless its range moved).
    """
    def series(match: re.Match[str]) -> str:
        block = match.group(0)
        f = _CHART_F.search(block)
        if f is None:
            return block
        moved = shift_qualified(f.group(3), shifts)
        block = block[: f.start(3)] + moved + block[f.end(3):]
        old = _CHART_CACHE.search(block)
        new = caches(match.group(2), match.group(1), moved, old.group(0) if old else "") if caches else None
        if new is None:
            if moved == f.group(3):
                return match.group(0)
            new = ""   # a stale cache would show the old points; readers rebuild them from `f`
        if old is not None:
            return block[: old.start()] + new + block[old.end():]
        f = _CHART_F.search(block)
        assert f is not None
        return block[: f.end()] + new + block[f.end():]
    return _CHART_REF.sub(series, xml)


def update_pivot_cache(xml: str, shifts: dict[str, RowShift], tables: set[str]) -> str:
    """Mark a pivot cache over filled data for refresh on open and move its source range."""
    source = find_start_tag(xml, "worksheetSource")
    if source is None:
        return xml
    name, sheet = get_attr(source.group(0), "name"), get_attr(source.group(0), "sheet")
    if name is not None and name.casefold() in tables:
        pass
    elif sheet is not None and sheet.casefold() in shifts:
        ref = get_attr(source.group(0), "ref") or ""
        new_source = set_attr(source.group(0), "ref", shift_local(ref, shifts[sheet.casefold()]))
        xml = xml[: source.start()] + new_source + xml[source.end():]
    else:
        return xml
    root = require_start_tag(xml, "pivotCacheDefinition")
    return xml[: root.start()] + set_attr(root.group(0), "refreshOnLoad", "1") + xml[root.end():]
