"""Google Sheets destinations: each report refreshes one tab, all tabs of a spreadsheet in one atomic write."""

from sheets_sync.sinks.google_sheets.sink import GoogleSheetsSink

__all__ = ["GoogleSheetsSink"]
