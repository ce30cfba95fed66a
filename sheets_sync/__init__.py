"""sheets-sync: keep spreadsheets full of fresh Later Influence Reporting API data."""

__version__ = "0.1.0"
