"""A1 notation: parsing and writing ranges the way Google does."""

from __future__ import annotations

import pytest

from sheets_sync.sheets_emulator import a1


@pytest.mark.parametrize(("text", "title", "ref"), [
    ("'It''s'!A1:B2", "It's", "A1:B2"),
    ("'Sheet1'", "Sheet1", None),
    ("Sheet1!A2:2", "Sheet1", "A2:2"),
    ("'🌵 x'!Name", "🌵 x", "Name"),
    ("A1", None, "A1"),
])
def test_split_range_reads_quoted_titles_with_doubled_quotes(text: str, title: str | None, ref: str | None):
    """A quoted title may hold `''` (one quote) and `!`; an unquoted one ends at the last `!`."""
    assert a1.split_range(text) == a1.RangeText(title, ref)


@pytest.mark.parametrize(("ref", "bounds"), [
    ("A1", a1.Bounds(0, 1, 0, 1)),
    ("B2:A1", a1.Bounds(0, 2, 0, 2)),
    ("A2:2", a1.Bounds(1, 2, 0, None)),
    ("A2:B", a1.Bounds(1, None, 0, 2)),
    ("C:D", a1.Bounds(None, None, 2, 4)),
    ("3:5", a1.Bounds(2, 5, None, None)),
    ("AA10", a1.Bounds(9, 10, 26, 27)),
])
def test_parse_bounds_reads_closed_and_open_ranges(ref: str, bounds: a1.Bounds):
    """Cells, rectangles, whole columns/rows and half-open `A2:2` / `A2:B` ranges parse to 0-based bounds."""
    assert a1.parse_bounds(ref) == bounds


@pytest.mark.parametrize("ref", ["A0", "1A", "A1:", ":B2", "A:3", "Name", "A1:B2:C3"])
def test_parse_bounds_rejects_what_is_not_a1(ref: str):
    """Malformed references raise, so a bare word can be tried as a sheet title or a named range."""
    with pytest.raises(a1.RangeSyntaxError):
        a1.parse_bounds(ref)


@pytest.mark.parametrize(("title", "written"), [
    ("Sheet1", "Sheet1"), ("My tab", "'My tab'"), ("It's", "'It''s'"), ("A1", "'A1'"), ("2024", "'2024'"),
])
def test_titles_are_quoted_only_when_needed(title: str, written: str):
    """Google writes plain titles bare and quotes the rest (spaces, quotes, names that look like cells)."""
    assert a1.quote_title(title) == written


def test_format_range_writes_a_single_cell_without_a_colon():
    """`Sheet1!D4` for one cell, `Sheet1!A1:Z1000` for a rectangle."""
    assert a1.format_range("Sheet1", a1.Rect(3, 4, 3, 4)) == "Sheet1!D4"
    assert a1.format_range("Sheet1", a1.Rect(0, 1000, 0, 26)) == "Sheet1!A1:Z1000"


def test_column_letters_round_trip():
    """Column indexes and letters convert both ways, past Z and ZZ."""
    for index in (0, 25, 26, 701, 702, 18277):
        assert a1.column_index(a1.column_letters(index)) == index
    assert a1.column_letters(18277) == "ZZZ"
