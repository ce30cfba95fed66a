"""Fixtures for the Sheets emulator tests: a gspread client and a raw requests session on the emulator."""

from __future__ import annotations

import gspread
import pytest
import requests

from sheets_sync.sheets_emulator.client_session import loopback_session
from sheets_sync.sheets_emulator.server import RunningSheetsEmulator

KEY = "book1"
SHEETS = "https://sheets.googleapis.com/v4/spreadsheets"


@pytest.fixture
def session(sheets_emulator: RunningSheetsEmulator) -> requests.Session:
    """A requests session whose Google URLs reach the emulator."""
    return loopback_session(sheets_emulator.url)


@pytest.fixture
def gc(session: requests.Session) -> gspread.Client:
    """A gspread client on the emulator (gspread's own code, our session)."""
    return gspread.Client(None, session=session)  # type: ignore[arg-type]  # gspread types auth as Credentials


@pytest.fixture
def book(sheets_emulator: RunningSheetsEmulator, gc: gspread.Client) -> gspread.Spreadsheet:
    """A fresh spreadsheet `book1` opened through gspread."""
    sheets_emulator.service.create_spreadsheet(KEY, "Book")
    return gc.open_by_key(KEY)
