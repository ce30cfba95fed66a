"""Sinks write report tables to outputs: Excel workbooks, CSV files and Google Sheets tabs."""
