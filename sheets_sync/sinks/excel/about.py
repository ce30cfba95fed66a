"""Keep the About sheet true when a partial run refills a workbook written without a template.

A partial run (`run --report X`) fills last run's workbook as if it were a template, so the tabs it
does not refresh keep their data. Copied byte for byte, that workbook's About sheet would still show
the previous refresh; here its "Last refreshed" row and the rows of the refreshed tabs are rewritten
(rows of other tabs are kept as they were; a refreshed tab without a row gets one at the end).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sheets_sync.sinks.excel.cells import DataSlot, RowEncoder, column_letter
from sheets_sync.sinks.excel.layout import SheetContent
from sheets_sync.sinks.excel.plain import (
    ABOUT_DATE_COLUMNS,
    ABOUT_DATETIME_FORMAT,
    ABOUT_HEADINGS,
    ABOUT_LABEL,
    about_first_row,
    about_tab_row,
)
from sheets_sync.sinks.excel.plan import FillPlan
from sheets_sync.sinks.excel.sheetxml import Cell, Row
from sheets_sync.sinks.excel.surgery import set_dimension

_APP_PART = "docProps/app.xml"
_WRITTEN_BY_US = "<Application>sheets-sync</Application>"


def _texts(row: Row | None, shared: Sequence[str]) -> list[str]:
    cells = {c.column: c for c in row.cells} if row else {}
    return [(cells[i].text(shared) or "") if i in cells else "" for i in range(1, len(ABOUT_HEADINGS) + 1)]


def find_about(plan: FillPlan) -> SheetContent | None:
    """Return the About sheet of a workbook sheets-sync wrote without a template, if `plan` fills one."""
    pkg = plan.pkg
    if not pkg.has(_APP_PART) or _WRITTEN_BY_US not in pkg.text(_APP_PART):
        return None
    filled = {tp.area.sheet.part for tp in plan.tabs}
    for content in plan.contents.values():
        if content.sheet.part in filled:
            continue
        rows = {row.number: row for row in content.rows}
        if (_texts(rows.get(1), pkg.shared_strings)[0] == ABOUT_LABEL
                and tuple(_texts(rows.get(3), pkg.shared_strings)) == ABOUT_HEADINGS):
            return content
    return None


def _style(plan: FillPlan, old: Cell | None, number_format: str | None) -> int | None:
    """The old cell's style, or one like it showing `number_format` when it does not show a date yet."""
    base = old.style if old is not None else None
    if number_format is None or plan.styles is None or plan.styles.is_date_style(base):
        return base   # already a date style: reusing it keeps styles.xml from growing run after run
    return plan.styles.derive(base, number_format=number_format)


def _encode(plan: FillPlan, number: int, values: list[object], old: Row | None,
            formats: dict[int, str]) -> str:
    cells = {c.column: c for c in old.cells} if old else {}
    slots = [DataSlot(column_letter(i + 1), i, _style(plan, cells.get(i + 1), formats.get(i)), None)
             for i in range(len(values))]
    return RowEncoder(slots, quote=plan.quoted_style).encode(number, values)


def refreshed_about(plan: FillPlan, content: SheetContent, counts: dict[str, int], now: dt.datetime) -> str:
    """Return the About sheet's new XML: refresh time and the refreshed tabs' rows rewritten."""
    shared = plan.pkg.shared_strings
    tabs = {tp.tab.sheet.casefold(): tp.tab for tp in plan.tabs}
    out: list[str] = []
    last = 0
    for row in content.rows:
        last = max(last, row.number)
        sheet = _texts(row, shared)[0].casefold()
        if row.number == 1:
            out.append(_encode(plan, 1, about_first_row(now), row, {1: ABOUT_DATETIME_FORMAT}))
        elif row.number > 3 and sheet in tabs:
            tab = tabs.pop(sheet)
            out.append(_encode(plan, row.number, about_tab_row(tab, counts[tab.sheet]), row, ABOUT_DATE_COLUMNS))
        else:
            out.append(row.raw)
    for tab in tabs.values():
        last += 1
        out.append(_encode(plan, last, about_tab_row(tab, counts[tab.sheet]), None, ABOUT_DATE_COLUMNS))
    head = set_dimension(content.xml.head, column_letter(len(ABOUT_HEADINGS)), max(last, 1))
    return head + "".join(out) + content.xml.tail
