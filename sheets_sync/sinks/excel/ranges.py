"""Move the end of A1 ranges that covered a template's data rows to the new last data row.

A range follows the data when it ends on the template's last data row and starts at or above the
first data row (`C2:C6`, `$A$1:$J$6`), so ranges over headers, titles or one sample cell stay put.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from xml.sax.saxutils import unescape


@dataclass(frozen=True)
class RowShift:
    """How one data sheet's data rows moved: first data row, old and new last data row."""

    first_data_row: int
    old_last: int
    new_last: int

    def moves(self, first_row: int, last_row: int) -> bool:
        """Tell whether a range spanning rows first_row..last_row follows the data."""
        return (last_row == self.old_last and first_row <= self.first_data_row
                and self.old_last >= self.first_data_row and self.old_last != self.new_last)


_AREA = r"(\$?[A-Z]{1,3})(\$?)(\d+):(\$?[A-Z]{1,3})(\$?)(\d+)"
_LOCAL = re.compile(r"(?<![\w$!.:'])" + _AREA + r"(?![\w(!:])")
_SHEET = r"('(?:[^']|'')+'|[A-Za-z0-9_.\u00c0-\uffff]+)"
_QUALIFIED = re.compile(_SHEET + "!" + _AREA + r"(?![\w(:])")


def _move(match: re.Match[str], offset: int, shift: RowShift) -> str:
    g = match.groups()
    col1, dollar1, row1, col2, dollar2, row2 = g[offset: offset + 6]
    if not shift.moves(int(row1), int(row2)):
        return match.group(0)
    prefix = match.group(0)[: match.start(offset + 1) - match.start(0)]
    return f"{prefix}{col1}{dollar1}{row1}:{col2}{dollar2}{shift.new_last}"


def shift_local(text: str, shift: RowShift) -> str:
    """Move unqualified ranges (`sqref`, a sheet's own `ref`s) in `text`."""
    return _LOCAL.sub(lambda m: _move(m, 0, shift), text)


def _sheet_key(token: str) -> str:
    name = unescape(token, {"&apos;": "'", "&quot;": '"'})
    if name.startswith("'") and name.endswith("'"):
        name = name[1:-1].replace("''", "'")
    return name.casefold()


def shift_qualified(text: str, shifts: dict[str, RowShift]) -> str:
    """Move sheet-qualified ranges (`Data!$A$2:$A$6`) in formula text; `shifts` is keyed by casefolded sheet."""
    def replace(match: re.Match[str]) -> str:
        shift = shifts.get(_sheet_key(match.group(1)))
        return _move(match, 1, shift) if shift else match.group(0)
    return _QUALIFIED.sub(replace, text)
