"""The Excel sink's public value types: what callers pass in and what they get back."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sheets_sync.report import Table


@dataclass
class ExcelTab:
    """One report tab: the table to write, the sheet it goes to, and optionally the Excel table to fill."""

    table: Table
    sheet: str
    excel_table: str | None = None


@dataclass
class WorkbookResult:
    """What `write_workbook` produced: the final path, data rows per sheet and warnings."""

    path: Path
    rows: dict[str, int]
    warnings: list[str] = field(default_factory=list)
    bytes_written: int = 0


@dataclass(frozen=True)
class TemplateTable:
    """An Excel Table (ListObject) found in a template."""

    name: str
    sheet: str
    ref: str
    columns: tuple[str, ...]
    calculated_columns: tuple[str, ...]
    sample_rows: int = 0        # data rows that hold a value (not only formulas) in the template


@dataclass(frozen=True)
class TemplateInfo:
    """What a template offers to fill: its sheets, tables and (for sheets without a table) header rows.

    `header_rows` maps every sheet without a table to the text of its first non-empty row (empty
    for an empty sheet); `header_formula_columns` names those header columns whose first data row
    holds a formula (calculated columns); `header_problems` says why a sheet without a table has no
    usable header row (for instance a formula in it). `sheet_sample_rows` and each table's
    `sample_rows` tell what data a template holds, so data no report replaces can be reported.
    """

    path: Path
    sheets: tuple[str, ...]
    tables: tuple[TemplateTable, ...]
    header_rows: dict[str, tuple[str, ...]]
    header_formula_columns: dict[str, tuple[str, ...]] = field(default_factory=dict)
    header_problems: dict[str, str] = field(default_factory=dict)
    # Sheets without a table that look like data (a header row of 2+ columns, values under it, no
    # formula): rows holding values under the header.
    sheet_sample_rows: dict[str, int] = field(default_factory=dict)
