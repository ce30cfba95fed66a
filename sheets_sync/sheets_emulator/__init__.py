"""A local, in-memory stand-in for the Google Sheets API v4 (and the Drive calls that create spreadsheets)."""
