"""A1 notation: parsing range strings into sheet title and bounds, and writing them back as Google does."""

from __future__ import annotations

import re
from dataclasses import dataclass

_CELL = re.compile(r"^([A-Za-z]*)(\d*)$")
_PLAIN_TITLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_LOOKS_LIKE_CELL = re.compile(r"^([A-Za-z]{1,3}\d+|R\d+C\d+)$", re.IGNORECASE)
_NAME = re.compile(r"^[A-Za-z_\\][A-Za-z0-9_.]*$")
MAX_COLUMNS = 18278  # column ZZZ


class RangeSyntaxError(ValueError):
    """The text is not an A1 range."""


def column_letters(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    n = index + 1
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def column_index(letters: str) -> int:
    """A → 0, AA → 26 (case-insensitive)."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - ord("A") + 1
    return n - 1


@dataclass(frozen=True)
class Bounds:
    """A rectangle in 0-based, end-exclusive indexes; None is open (to the grid's edge, or from 0)."""

    start_row: int | None = None
    end_row: int | None = None
    start_col: int | None = None
    end_col: int | None = None


@dataclass(frozen=True)
class Rect:
    """A rectangle clamped to a grid: 0-based, end-exclusive, never open."""

    start_row: int
    end_row: int
    start_col: int
    end_col: int

    @property
    def rows(self) -> int:
        return self.end_row - self.start_row

    @property
    def cols(self) -> int:
        return self.end_col - self.start_col

    def contains(self, row: int, col: int) -> bool:
        return self.start_row <= row < self.end_row and self.start_col <= col < self.end_col


@dataclass(frozen=True)
class RangeText:
    """A range string split: the sheet title (None when absent) and the part after `!` (None when absent)."""

    title: str | None
    ref: str | None


def split_range(text: str) -> RangeText:
    """`'It''s'!A1:B2` → ("It's", "A1:B2"); `Sheet1` → (None, "Sheet1"): a bare word is resolved later."""
    if text.startswith("'"):
        i, title = 1, []
        while True:
            if i >= len(text):
                raise RangeSyntaxError(text)
            if text[i] == "'":
                if text[i + 1:i + 2] == "'":
                    title.append("'")
                    i += 2
                    continue
                break
            title.append(text[i])
            i += 1
        rest = text[i + 1:]
        if rest == "":
            return RangeText("".join(title), None)
        if not rest.startswith("!") or rest == "!":
            raise RangeSyntaxError(text)
        return RangeText("".join(title), rest[1:])
    if "!" in text:
        title_part, _, ref = text.rpartition("!")
        if not title_part or not ref:
            raise RangeSyntaxError(text)
        return RangeText(title_part, ref)
    return RangeText(None, text)


def _corner(text: str) -> tuple[int | None, int | None]:
    """`B3` → (row 2, col 1); `B` → (None, 1); `3` → (2, None)."""
    match = _CELL.match(text)
    if not match or not text:
        raise RangeSyntaxError(text)
    letters, digits = match.groups()
    col = column_index(letters) if letters else None
    row = int(digits) - 1 if digits else None
    if (row is not None and row < 0) or (col is not None and col >= MAX_COLUMNS):
        raise RangeSyntaxError(text)
    return row, col


def parse_bounds(ref: str) -> Bounds:
    """`A1:B2`, `A1`, `A:B`, `2:3`, `A2:2`, `A2:B` → Bounds; anything else raises RangeSyntaxError."""
    first, sep, second = ref.partition(":")
    r0, c0 = _corner(first)
    if not sep:
        if r0 is None or c0 is None:
            raise RangeSyntaxError(ref)
        return Bounds(r0, r0 + 1, c0, c0 + 1)
    r1, c1 = _corner(second)
    if r0 is not None and c0 is not None:
        if r1 is not None and c1 is not None:  # A1:B2
            return Bounds(min(r0, r1), max(r0, r1) + 1, min(c0, c1), max(c0, c1) + 1)
        if r1 is not None:  # A2:2 runs to the row's end
            return Bounds(min(r0, r1), max(r0, r1) + 1, c0, None)
        assert c1 is not None
        return Bounds(r0, None, min(c0, c1), max(c0, c1) + 1)  # A2:B runs to the column's end
    if r0 is None and c0 is not None and r1 is None and c1 is not None:  # A:B
        return Bounds(None, None, min(c0, c1), max(c0, c1) + 1)
    if c0 is None and r0 is not None and c1 is None and r1 is not None:  # 2:3
        return Bounds(min(r0, r1), max(r0, r1) + 1, None, None)
    raise RangeSyntaxError(ref)


def is_bounds(ref: str) -> bool:
    """Whether `ref` parses as A1 bounds (else it may be a sheet title or a named range)."""
    try:
        parse_bounds(ref)
    except RangeSyntaxError:
        return False
    return True


def is_name(text: str) -> bool:
    """Whether `text` could be a named range's name."""
    return bool(_NAME.match(text)) and not is_bounds(text)


def clamp(bounds: Bounds, rows: int, cols: int) -> Rect:
    """Open edges closed at the grid's edges; closed edges kept as given (callers check the grid)."""
    return Rect(bounds.start_row or 0, rows if bounds.end_row is None else bounds.end_row,
                bounds.start_col or 0, cols if bounds.end_col is None else bounds.end_col)


def quote_title(title: str) -> str:
    """The title as Google writes it in a range: bare when plain (`Sheet1`), else quoted with `'` doubled."""
    if _PLAIN_TITLE.match(title) and not _LOOKS_LIKE_CELL.match(title):
        return title
    return "'" + title.replace("'", "''") + "'"


def rect_a1(rect: Rect) -> str:
    """`A1:B2`, or `A1` for a single cell."""
    first = f"{column_letters(rect.start_col)}{rect.start_row + 1}"
    if rect.rows <= 1 and rect.cols <= 1:
        return first
    return f"{first}:{column_letters(rect.end_col - 1)}{rect.end_row}"


def format_range(title: str, rect: Rect) -> str:
    """`Sheet1!A1:B2` / `'My tab'!C3`."""
    return f"{quote_title(title)}!{rect_a1(rect)}"
