"""The rows an append/upsert report keeps between runs, beside the run history (same database, own table).

One row per report: a fingerprint of what shapes its rows, the headers, the last fetched period and the
merged rows as JSON in order. Cell values round-trip exactly: numbers and text as JSON, dates and naive
date-times tagged (`{"d": "2026-06-01"}`, `{"t": "2026-06-01T09:30:00"}`). A save replaces the report's
row in one transaction, so a crash leaves the old rows or the new ones, never a mix.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError

from sheets_sync.errors import SheetsSyncError
from sheets_sync.history import one_line_error, open_database

_metadata = sa.MetaData()
kept_rows_table = sa.Table(
    "report_rows", _metadata,
    sa.Column("report", sa.String(200), primary_key=True),
    sa.Column("fingerprint", sa.String(64), nullable=False),
    sa.Column("headers", sa.Text, nullable=False),          # JSON list of the column headers, in order
    sa.Column("first_start", sa.Date, nullable=True),      # the first day the kept rows cover
    sa.Column("last_start", sa.Date, nullable=True),       # the last period fetched from the API
    sa.Column("last_end", sa.Date, nullable=True),
    sa.Column("rows", sa.Text, nullable=False),            # JSON list of rows, each a list in column order
    sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
)


class RowStoreError(SheetsSyncError):
    """The kept rows of a report could not be read or written."""


@dataclass(frozen=True)
class KeptRows:
    """What a report kept after its last run."""

    fingerprint: str
    headers: tuple[str, ...]
    rows: list[tuple[Any, ...]]
    first_start: dt.date | None
    last_start: dt.date | None
    last_end: dt.date | None


def encode_value(value: Any) -> Any:
    """A cell value as JSON: dates and date-times tagged, everything else as it is (text for the unknown)."""
    if isinstance(value, dt.datetime):
        return {"t": value.isoformat()}
    if isinstance(value, dt.date):
        return {"d": value.isoformat()}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def decode_value(value: Any) -> Any:
    """The cell value `encode_value` stored."""
    if isinstance(value, dict):
        if "t" in value:
            return dt.datetime.fromisoformat(value["t"])
        return dt.date.fromisoformat(value["d"])
    return value


def encode_rows(rows: Sequence[Sequence[Any]]) -> str:
    """Rows as compact JSON text."""
    return json.dumps([[encode_value(v) for v in row] for row in rows], separators=(",", ":"), allow_nan=True)


def decode_rows(text: str) -> list[tuple[Any, ...]]:
    """The rows `encode_rows` stored."""
    return [tuple(decode_value(v) for v in row) for row in json.loads(text)]


class RowStore:
    """Reads and saves kept rows at a SQLAlchemy URL; `read_only` (a dry run) reads and never writes."""

    def __init__(self, url: str, *, read_only: bool = False) -> None:
        self.url, self.read_only = url, read_only
        self._engine: sa.Engine | None = None
        self._lock = threading.Lock()  # reports are fetched concurrently: one engine, one CREATE TABLE

    def _connect(self, *, create: bool) -> sa.Engine | None:
        with self._lock:
            return self._open(create=create)

    def _open(self, *, create: bool) -> sa.Engine | None:
        if self._engine is None:
            self._engine = open_database(self.url, _metadata, create=create, what="the kept rows",
                                         error=RowStoreError)
        return self._engine

    def load(self, report: str) -> KeptRows | None:
        """What `report` kept, or None when it has kept nothing yet."""
        engine = self._connect(create=False)
        if engine is None:
            return None
        query = sa.select(kept_rows_table).where(kept_rows_table.c.report == report)
        try:
            with engine.connect() as conn:
                row = conn.execute(query).mappings().first()
        except SQLAlchemyError as exc:
            raise RowStoreError(f"cannot read the kept rows of report {report!r}: "
                                f"{one_line_error(str(getattr(exc, 'orig', None) or exc))}") from None
        if row is None:
            return None
        return KeptRows(fingerprint=row["fingerprint"], headers=tuple(json.loads(row["headers"])),
                        rows=decode_rows(row["rows"]), first_start=row["first_start"],
                        last_start=row["last_start"], last_end=row["last_end"])

    def save(self, report: str, kept: KeptRows, now: dt.datetime) -> None:
        """Replace what `report` keeps with `kept`, in one transaction (nothing, in a read-only store)."""
        if self.read_only:
            return
        engine = self._connect(create=True)
        assert engine is not None
        values = {"report": report, "fingerprint": kept.fingerprint, "headers": json.dumps(list(kept.headers)),
                  "first_start": kept.first_start, "last_start": kept.last_start, "last_end": kept.last_end,
                  "rows": encode_rows(kept.rows),
                  "saved_at": now.astimezone(dt.UTC)}
        try:
            with engine.begin() as conn:
                conn.execute(sa.delete(kept_rows_table).where(kept_rows_table.c.report == report))
                conn.execute(sa.insert(kept_rows_table), [values])
        except SQLAlchemyError as exc:
            raise RowStoreError(f"cannot save the kept rows of report {report!r}: "
                                f"{one_line_error(str(getattr(exc, 'orig', None) or exc))}") from None

    def close(self) -> None:
        """Release the database connections."""
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None
