"""Where a person looks at a written spreadsheet: Google's address, or the emulator's HTML view when one is named."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import quote

from sheets_sync.sinks.google_sheets.connection import EMULATOR_VARIABLE


def spreadsheet_link(key: str, env: Mapping[str, str], *, tab: str | None = None, sheet_id: int | None = None) -> str:
    """The browser address of a spreadsheet (or of one of its tabs) where this run's calls went."""
    host = env.get(EMULATOR_VARIABLE)
    if host:
        address = f"http://{host}/view/{quote(key, safe='')}"
        return address + (f"?tab={quote(tab, safe='')}" if tab is not None else "")
    address = f"https://docs.google.com/spreadsheets/d/{quote(key, safe='')}/edit"
    return address + (f"#gid={sheet_id}" if sheet_id is not None else "")
