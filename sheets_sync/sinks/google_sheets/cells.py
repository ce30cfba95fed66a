"""Report values → Sheets CellData (typed, never parsed as input) and column number formats, without I/O.

Text is always a `stringValue`, so `=HYPERLINK(…)`, `+1`, `-x` and `@name` stay text however the
cell is edited later; numbers, dates and booleans keep their type, so they sort, filter and sum as
such. Dates and date-times are Sheets serials (days since 1899-12-30) shown through a date format.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from typing import Any

from sheets_sync.report import Column, ColumnKind
from sheets_sync.sinks.excel.cells import needs_text, number_text

Json = dict[str, Any]

MAX_CELL_CHARS = 50_000  # Google refuses a cell holding more characters than this
_SHEETS_EPOCH = dt.date(1899, 12, 30)
_QUOTED = re.compile(r'"[^"]*"|\\.')  # literal text in a format pattern: its % or $ sign is only shown
_CURRENCY = re.compile(r"[$€£¥₹]|\[\$")


@dataclass
class CellStats:
    """How many values of one tab had to be altered to fit Sheets, and where the first of each was."""

    truncated: int = 0
    first_truncated: tuple[int, str] | None = None   # (sheet row number, 1-based; column header)
    non_finite: int = 0
    as_text: int = 0


def serial(value: dt.date) -> float | int:
    """The Sheets serial number of a date (whole days) or naive date-time (fraction = time of day)."""
    if isinstance(value, dt.datetime):
        naive = value.replace(tzinfo=None)
        days = (naive.date() - _SHEETS_EPOCH).days
        seconds = naive.hour * 3600 + naive.minute * 60 + naive.second + naive.microsecond / 1e6
        return days + seconds / 86400
    return (value - _SHEETS_EPOCH).days


def cell(value: Any, column: Column, stats: CellStats, row_number: int) -> Json:
    """One value as CellData: null is an empty cell, 0 is 0, text is text (cut at MAX_CELL_CHARS)."""
    if value is None:
        return {}
    if isinstance(value, bool):
        return {"userEnteredValue": {"boolValue": value}}
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            stats.non_finite += 1
            return {"userEnteredValue": {"stringValue": repr(value)}}  # JSON has no NaN or Infinity
        if needs_text(value, column.identifier):
            stats.as_text += 1  # a double would lose digits: keep every one as text
            return {"userEnteredValue": {"stringValue": number_text(value)}}
        return {"userEnteredValue": {"numberValue": value}}
    if isinstance(value, dt.date):
        return {"userEnteredValue": {"numberValue": serial(value)}}
    text = value if isinstance(value, str) else str(value)
    if len(text) > MAX_CELL_CHARS:
        stats.truncated += 1
        if stats.first_truncated is None:
            stats.first_truncated = (row_number, column.header)
        text = text[:MAX_CELL_CHARS]
    return {"userEnteredValue": {"stringValue": text}}


def number_format(column: Column) -> Json | None:
    """The column's Sheets NumberFormat (type and pattern) from its kind and format, or None (text, booleans)."""
    pattern = column.effective_format
    if column.kind is ColumnKind.DATE:
        return {"type": "DATE", "pattern": pattern or "yyyy-mm-dd"}
    if column.kind is ColumnKind.DATETIME:
        return {"type": "DATE_TIME", "pattern": pattern or "yyyy-mm-dd hh:mm"}
    if not pattern:
        return None
    if pattern == "@":
        return {"type": "TEXT", "pattern": pattern}
    if column.kind in (ColumnKind.TEXT, ColumnKind.BOOLEAN) and not any(ch in pattern for ch in "0#"):
        return None
    shown = _QUOTED.sub("", pattern)
    if "%" in shown:
        kind = "PERCENT"      # a ratio: 0.125 shown 12.50%
    elif _CURRENCY.search(pattern):
        kind = "CURRENCY"
    else:
        kind = "NUMBER"       # including a percentage as the API sends it (12.5 shown 12.50%)
    return {"type": kind, "pattern": pattern}


def text_warnings(report: str, tab: str, stats: CellStats) -> list[str]:
    """One warning per kind of alteration, naming the report, tab and the first row and column it hit."""
    warnings = []
    if stats.truncated and stats.first_truncated is not None:
        row, header = stats.first_truncated
        more = f" and {stats.truncated - 1} more cell(s)" if stats.truncated > 1 else ""
        warnings.append(f"report {report!r} (tab {tab!r}): text longer than {MAX_CELL_CHARS:,} characters cut "
                        f"to fit a Google Sheets cell at row {row}, column {header!r}{more}")
    if stats.non_finite:
        warnings.append(f"report {report!r} (tab {tab!r}): {stats.non_finite} value(s) that are not finite numbers "
                        "(NaN, infinity) written as text")
    return warnings
