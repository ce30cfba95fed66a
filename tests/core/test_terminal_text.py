"""API text shown on the terminal stays literal: no rich markup, no control or bidi characters."""

from __future__ import annotations

import io

from sheets_sync.progress import make_console, print_rows, terminal_safe
from sheets_sync.report import Column, ColumnKind, Table, TableMeta


def _shown(rows: list[list[object]]) -> str:
    stream = io.StringIO()
    table = Table(columns=[Column("campaignName", "Campaign"), Column("metrics.impressions", "Impressions",
                                                                       ColumnKind.INTEGER)],
                  rows=rows, meta=TableMeta(report="[bold]R[/]", endpoint="campaigns/performance"))
    print_rows(make_console(stream), "[/]title", table, 10)
    return stream.getvalue()


def test_markup_in_api_text_is_printed_literally():
    """A name like `[/]` or `[bold]x[/bold]` is shown as written, instead of crashing or styling the table."""
    text = _shown([["[/]broken", 1], ["[bold red]x[/bold red]", 2]])
    assert "[/]broken" in text and "[bold red]x[/bold red]" in text and "[/]title" in text


def test_escape_sequences_and_bidi_overrides_never_reach_the_terminal():
    """ESC, OSC title sequences, CR and U+202E are shown as visible escapes, not sent raw."""
    text = _shown([["\x1b]0;pwned\x07\x1b[31mRED\r\u202eevil", 3]])
    assert "\x1b" not in text and "\u202e" not in text and "\r" not in text
    assert "\\u001b[31mRED" in text and "\\u202eevil" in text


def test_terminal_safe_keeps_ordinary_text_and_tabs():
    """Letters of any script, emoji and tabs pass unchanged."""
    assert terminal_safe("Café 日本 🎉\tok") == "Café 日本 🎉\tok"
