"""Turn report rows into SpreadsheetML `<row>` XML: typed cells, literal text, Excel's limits."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

MAX_TEXT_CHARS = 32_767          # Excel's per-cell limit ("Excel specifications and limits")
MAX_SHEET_ROWS = 1_048_576
_EXCEL_EPOCH_ORDINAL = dt.date(1899, 12, 30).toordinal()

# One scan finds everything that needs the slow path: XML metacharacters, characters XML 1.0
# cannot carry at all (C0 controls except tab/LF/CR, lone surrogates, U+FFFE/U+FFFF) and CR,
# which an XML parser would normalise to LF unless written as a character reference.
_SPECIAL = re.compile("[&<>\x00-\x08\x0b-\x1f\ud800-\udfff\ufffe\uffff]")
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Excel turns a typed `=1+1`, `+1`, `-1`, `@x` into a formula when a user edits the cell; the
# quotePrefix style stops that (what Excel itself stores for text typed as '=…).
FORMULA_LEADERS = ("=", "+", "-", "@")
# Excel keeps numbers as doubles shown to 15 significant digits: an int beyond 2**53 cannot be stored
# exactly at all, and an identifier of 16+ significant digits would read back altered. Both are written
# as literal text instead, so every digit survives (9007199254740999, not 9007199254741000).
MAX_EXACT_INT = 2**53
EXCEL_DIGITS = 15
_SAFE = 10**EXCEL_DIGITS


def significant_digits(value: int | float) -> int:
    """Count the significant digits of a number as Python writes it (trailing zeros of ints excluded)."""
    if isinstance(value, int):
        return len(str(abs(value)).rstrip("0")) or 1
    mantissa = repr(abs(value)).lower().split("e")[0].replace(".", "").lstrip("0")
    return len(mantissa.rstrip("0")) or 1


def needs_text(value: int | float, identifier: bool) -> bool:
    """Whether a number must be written as text to keep all its digits (see MAX_EXACT_INT)."""
    if isinstance(value, int):
        if -MAX_EXACT_INT <= value <= MAX_EXACT_INT and (not identifier or -_SAFE < value < _SAFE):
            return False
        return abs(value) > MAX_EXACT_INT or significant_digits(value) > EXCEL_DIGITS
    return identifier and math.isfinite(value) and significant_digits(value) > EXCEL_DIGITS


def number_text(value: int | float) -> str:
    """The digits of a number written as text: an integral float as an int (9007199254740999, not ...e+15)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value) if isinstance(value, int) else repr(value)


def column_letter(index: int) -> str:
    """Return the Excel column letters for a 1-based column index (1 → A, 28 → AB)."""
    letters = ""
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def column_index(letters: str) -> int:
    """Return the 1-based column index of Excel column letters (A → 1)."""
    index = 0
    for ch in letters.upper():
        index = index * 26 + ord(ch) - 64
    return index


def escape_text(text: str) -> str:
    """Escape text for an XML element body (CR kept as a character reference)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")


def escape_attr(text: str) -> str:
    """Escape text for a double-quoted XML attribute."""
    return escape_text(text).replace('"', "&quot;").replace("\n", "&#10;").replace("\t", "&#9;")


def excel_serial(value: dt.date) -> float | int:
    """Return the Excel (1900 system) serial number of a date or naive datetime."""
    days = value.toordinal() - _EXCEL_EPOCH_ORDINAL
    if isinstance(value, dt.datetime):
        seconds = value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6
        return days + seconds / 86400
    return days


@dataclass
class TextStats:
    """How often text had to be altered while writing one tab (one warning per kind per tab)."""

    stripped: int = 0
    truncated: int = 0
    non_finite: int = 0
    as_text: int = 0         # numbers written as text to keep all their digits


@dataclass(frozen=True)
class DataSlot:
    """A cell filled from the report row: column letter, source index and its two style ids."""

    letter: str
    source: int
    style: int | None
    quoted_style: int | None
    identifier: bool = False   # an identifier column: 16+ significant digits are written as text


@dataclass(frozen=True)
class FixedSlot:
    """A cell that is the same on every row: a formula (per row) or a styled blank."""

    letter: str
    style: int | None
    formula: Callable[[int], str] | None
    source_formula: str | None = None   # the formula as written in the prototype row (XML-escaped)


class RowCalculation(Protocol):
    """Computes the cached results of a row's formulas (see `recalc.RowCalculator`)."""

    def begin(self, row: int, values: Sequence[Any]) -> None: ...

    def cached(self, col: int) -> tuple[str, str]: ...

    def capture(self) -> None: ...


def _s(style: int | None) -> str:
    return "" if not style else f' s="{style}"'


def clean_text(value: str, stats: TextStats) -> str:
    """Remove characters XML cannot carry and cut text to Excel's limit, counting both."""
    if _ILLEGAL.search(value):
        value = _ILLEGAL.sub("", value)
        stats.stripped += 1
    if len(value) > MAX_TEXT_CHARS:
        value = value[:MAX_TEXT_CHARS]
        stats.truncated += 1
    return value


class RowEncoder:
    """Encodes one row of values into `<row>` XML for a fixed layout of slots.

    Text is always an inline string (`t="inlineStr"`), never `<f>`, whatever it starts with.
    """

    def __init__(self, slots: Sequence[DataSlot | FixedSlot], row_attrs: str = "",
                 quote: Callable[[int | None], int | None] | None = None,
                 calculation: RowCalculation | None = None) -> None:
        self.stats = TextStats()
        self._calculation = calculation
        self._row_attrs = row_attrs
        self._quote = quote
        self._quoted: dict[str, str] = {}
        # Precomputed per-slot fragments keep the per-cell work to a few string joins.
        self._plan: list[tuple[Any, ...]] = []
        for slot in slots:
            if isinstance(slot, DataSlot):
                # None: derive the quotePrefix style only when such text turns up (keeps styles.xml as is).
                quoted = None if slot.quoted_style is None and quote else _s(slot.quoted_style or slot.style)
                self._plan.append((True, slot.source, '<c r="' + slot.letter, _s(slot.style), quoted,
                                   slot.identifier))
            else:
                self._plan.append((False, slot.formula, '<c r="' + slot.letter, _s(slot.style),
                                   column_index(slot.letter), False))

    def encode(self, row_number: int, values: Sequence[Any]) -> str:
        """Return the `<row>` element for `values` at 1-based `row_number`."""
        rs = str(row_number)
        out = ['<row r="', rs, '"', self._row_attrs, ">"]
        append = out.append
        calculation = self._calculation
        if calculation is not None:
            calculation.begin(row_number, values)
        for is_data, source, pre, sattr, qattr, ident in self._plan:
            if not is_data:
                if source is None:
                    if sattr:
                        append(f'{pre}{rs}"{sattr}/>')
                elif calculation is not None:
                    type_attr, cached = calculation.cached(qattr)
                    append(f'{pre}{rs}"{sattr}{type_attr}><f>{source(row_number)}</f>{cached}</c>')
                else:
                    append(f'{pre}{rs}"{sattr}><f>{source(row_number)}</f></c>')
                continue
            value = values[source]
            kind = type(value)
            # (|value| < 10**15 is always exact and short enough: skip the check for everyday numbers)
            if ((kind is int and not -_SAFE < value < _SAFE) or (kind is float and ident)) and needs_text(value, ident):
                self.stats.as_text += 1
                value, kind = number_text(value), str
            if kind is str:
                if not value:
                    if sattr:
                        append(f'{pre}{rs}"{sattr}/>')
                    continue
                if len(value) > MAX_TEXT_CHARS or _SPECIAL.search(value):
                    value = escape_text(clean_text(value, self.stats))
                    if not value:
                        if sattr:
                            append(f'{pre}{rs}"{sattr}/>')
                        continue
                space = ' xml:space="preserve"' if value[0] in " \t\n" or value[-1] in " \t\n" else ""
                style = sattr if value[0] not in "=+-@" else qattr or self._quoted_attr(sattr)
                append(f'{pre}{rs}"{style} t="inlineStr"><is><t{space}>{value}</t></is></c>')
            elif kind is int:
                append(f'{pre}{rs}"{sattr}><v>{value}</v></c>')
            elif kind is float:
                if math.isfinite(value):
                    append(f'{pre}{rs}"{sattr}><v>{value!r}</v></c>')
                else:
                    self.stats.non_finite += 1
                    if sattr:
                        append(f'{pre}{rs}"{sattr}/>')
            elif value is None:
                if sattr:
                    append(f'{pre}{rs}"{sattr}/>')
            else:
                append(self._other(pre + rs + '"', sattr, qattr, value))
        append("</row>")
        if calculation is not None:
            calculation.capture()
        return "".join(out)

    def _quoted_attr(self, sattr: str) -> str:
        if self._quote is None:
            return sattr
        if sattr not in self._quoted:
            base = int(sattr[4:-1]) if sattr else None
            self._quoted[sattr] = _s(self._quote(base))
        return self._quoted[sattr]

    def _other(self, pre: str, sattr: str, qattr: str | None, value: Any) -> str:
        if isinstance(value, bool):
            return f'{pre}{sattr} t="b"><v>{int(value)}</v></c>'
        if isinstance(value, dt.date):
            if isinstance(value, dt.datetime) and value.tzinfo is not None:
                value = value.replace(tzinfo=None)   # the report model promises naive wall times
            return f"{pre}{sattr}><v>{excel_serial(value)!r}</v></c>"
        if isinstance(value, int | float):
            return f"{pre}{sattr}><v>{float(value)!r}</v></c>"
        text = escape_text(clean_text(str(value), self.stats))
        style = sattr if text[:1] not in FORMULA_LEADERS else qattr or self._quoted_attr(sattr)
        return f'{pre}{style} t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


def text_warnings(sheet: str, stats: TextStats) -> list[str]:
    """Return the per-tab warnings for text that had to be altered."""
    warnings = []
    if stats.stripped:
        warnings.append(f"sheet {sheet!r}: removed characters Excel cannot store from {stats.stripped} cell(s)")
    if stats.truncated:
        warnings.append(f"sheet {sheet!r}: truncated {stats.truncated} cell(s) to {MAX_TEXT_CHARS:,} characters")
    if stats.non_finite:
        warnings.append(f"sheet {sheet!r}: left {stats.non_finite} NaN/infinite number(s) empty")
    if stats.as_text:
        warnings.append(f"sheet {sheet!r}: {stats.as_text} number(s) with more than {EXCEL_DIGITS} significant "
                        "digits written as text to keep all digits")
    return warnings
