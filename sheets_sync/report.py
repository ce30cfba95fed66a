"""The report model every sink consumes: typed columns and rows in column order, plus provenance.

Values in rows are plain Python: None (API null, an empty cell), bool, int, float (numbers exactly
as the API sent them), str (always literal text, never a formula), datetime.date and naive
datetime.datetime (already converted to the config's time zone).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class ColumnKind(StrEnum):
    """What a column holds; sinks pick number formats and cell types from it."""

    TEXT = "text"
    INTEGER = "integer"
    DECIMAL = "decimal"
    PERCENT = "percent"      # a percentage number as the API gives it (12.5 means 12.5 %), shown 12.50%
    RATIO = "ratio"          # a plain quotient as the API gives it (ROI 2.5, conversion 0.12), shown 250.00%
    DATE = "date"
    DATETIME = "datetime"
    BOOLEAN = "boolean"


# Default number formats (Excel codes; the Sheets sink maps them to its own patterns). A PERCENT value is
# already multiplied by 100, so its % is a literal sign and the cell keeps the API's 12.5; a RATIO value is
# a plain quotient, so Excel's own percent format shows 2.5 as 250.00% (the cell keeps 2.5).
DEFAULT_NUMBER_FORMATS: dict[ColumnKind, str | None] = {
    ColumnKind.TEXT: None,
    ColumnKind.INTEGER: "#,##0",
    ColumnKind.DECIMAL: "#,##0.00",
    ColumnKind.PERCENT: '0.00"%"',
    ColumnKind.RATIO: "0.00%",
    ColumnKind.DATE: "yyyy-mm-dd",
    ColumnKind.DATETIME: "yyyy-mm-dd hh:mm",
    ColumnKind.BOOLEAN: None,
}


def cell_text(value: Any) -> str:
    """A cell value as plain text: null is empty, booleans true/false, dates ISO, numbers as the API gave them."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)  # int/float: str() is Python's shortest round-trip form, so 12.5 stays 12.5


@dataclass(frozen=True)
class Column:
    """One output column: where its value comes from, its header, its type and number format."""

    field: str                       # dotted path into the API record, e.g. "metrics.impressions"
    header: str                      # header text written in row 1
    kind: ColumnKind = ColumnKind.TEXT
    number_format: str | None = None  # explicit format from config; None = DEFAULT_NUMBER_FORMATS[kind]
    # A field the API added beyond the catalogue's known fields, shown only because no `columns:` were
    # configured. A template whose table has no column for it drops it with a warning (never an error).
    # (dataclasses.field: inside this class `field` names the column's field path)
    passthrough: bool = dataclasses.field(default=False, compare=False)
    # An identifier column (campaignId, creator.creatorId): numbers of 16+ digits are written as text.
    identifier: bool = dataclasses.field(default=False, compare=False)
    # The catalogue's readable header ("Creator ID" for creator.creatorId) when config gave none; clean
    # workbooks show it, while CSV files and template matching keep `header`.
    label: str | None = dataclasses.field(default=None, compare=False)

    @property
    def effective_format(self) -> str | None:
        return self.number_format if self.number_format is not None else DEFAULT_NUMBER_FORMATS[self.kind]


@dataclass(frozen=True)
class ColumnSpec:
    """One configured column (`columns:`): a dotted field path, an optional header and number format."""

    field: str
    header: str | None = None
    format: str | None = None


@dataclass(frozen=True)
class TableMeta:
    """Where a table's data came from; shown in "last refreshed" notes, About sheets and history."""

    report: str
    endpoint: str
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    refreshed_at: dt.datetime | None = None   # aware datetime
    timezone: str = "UTC"
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Table:
    """A report's rows ready for a sink. `rows` may be a one-shot iterator (streamed to the sink)."""

    columns: list[Column]
    rows: Iterable[Sequence[Any]]
    meta: TableMeta

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]
