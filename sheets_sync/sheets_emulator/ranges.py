"""Resolving a range (A1 text or a GridRange) against a spreadsheet: which tab, which rectangle."""

from __future__ import annotations

from typing import Any

from sheets_sync.sheets_emulator import a1
from sheets_sync.sheets_emulator.errors import RequestError, grid_limits_text, unparsable_range
from sheets_sync.sheets_emulator.model import Sheet, Spreadsheet


def _named(book: Spreadsheet, name: str, text: str) -> tuple[Sheet, a1.Bounds]:
    named = book.named_range(name)
    if named is None:
        raise unparsable_range(text)
    sheet, bounds = grid_bounds(book, named["range"])
    return sheet, bounds


def resolve_a1(book: Spreadsheet, text: str) -> tuple[Sheet, a1.Bounds]:
    """`'Tab'!A1:B2`, `'Tab'`, `A1:B2` (first tab), `Name` or `'Tab'!Name` → (tab, bounds); else 400."""
    try:
        parts = a1.split_range(text)
    except a1.RangeSyntaxError:
        raise unparsable_range(text) from None
    if parts.title is not None:
        sheet = book.sheet_by_title(parts.title)
        if sheet is None:
            raise unparsable_range(text)
        if parts.ref is None:
            return sheet, a1.Bounds()
        if a1.is_bounds(parts.ref):
            return sheet, a1.parse_bounds(parts.ref)
        return _named(book, parts.ref, text)
    ref = parts.ref or ""
    by_title = book.sheet_by_title(ref)
    if by_title is not None:
        return by_title, a1.Bounds()
    if a1.is_bounds(ref):
        return book.sheets[0], a1.parse_bounds(ref)
    return _named(book, ref, text)


def grid_bounds(book: Spreadsheet, grid_range: dict[str, Any]) -> tuple[Sheet, a1.Bounds]:
    """A GridRange (missing indexes are open, missing sheetId is 0) → (tab, bounds)."""
    sheet_id = int(grid_range.get("sheetId") or 0)
    sheet = book.sheet_by_id(sheet_id)
    if sheet is None:
        raise RequestError(f"No grid with id: {sheet_id}")
    return sheet, a1.Bounds(grid_range.get("startRowIndex"), grid_range.get("endRowIndex"),
                            grid_range.get("startColumnIndex"), grid_range.get("endColumnIndex"))


def within_grid(sheet: Sheet, rect: a1.Rect) -> a1.Rect:
    """`rect` itself, or a batch error naming the grid when it reaches past the tab's grid or is inverted."""
    if rect.start_row < 0 or rect.start_col < 0 or rect.end_row < rect.start_row or rect.end_col < rect.start_col:
        raise RequestError(f"Invalid range: {a1.format_range(sheet.title, rect)}")
    if rect.end_row > sheet.rows or rect.end_col > sheet.cols:
        raise RequestError(grid_limits_text(a1.format_range(sheet.title, rect), sheet.rows, sheet.cols))
    return rect


def grid_rect(book: Spreadsheet, grid_range: dict[str, Any]) -> tuple[Sheet, a1.Rect]:
    """A GridRange clamped to, and checked against, its tab's grid."""
    sheet, bounds = grid_bounds(book, grid_range)
    return sheet, within_grid(sheet, a1.clamp(bounds, sheet.rows, sheet.cols))
