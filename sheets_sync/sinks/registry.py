"""Which sink writes which destination type: adding a sink is one module and one line here."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from sheets_sync.sinks.base import Sink
from sheets_sync.sinks.csv_sink import CsvSink
from sheets_sync.sinks.excel.sink import ExcelSink
from sheets_sync.sinks.google_sheets import GoogleSheetsSink

SINKS: dict[str, Sink] = {
    "excel": ExcelSink(),
    "csv": CsvSink(),
    "google_sheets": GoogleSheetsSink(),
}


def sink_for(destination_type: str) -> Sink | None:
    """The sink registered for `destination_type`, or None when this version cannot write it."""
    return SINKS.get(destination_type)


@contextlib.contextmanager
def registered(destination_type: str, sink: Sink) -> Iterator[Sink]:
    """Register `sink` for `destination_type` inside the block (an embedding application or a test)."""
    previous = SINKS.get(destination_type)
    SINKS[destination_type] = sink
    try:
        yield sink
    finally:
        if previous is None:
            SINKS.pop(destination_type, None)
        else:
            SINKS[destination_type] = previous
