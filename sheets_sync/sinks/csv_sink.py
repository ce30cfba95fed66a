"""CSV sink: one UTF-8 file per report, header row first, written atomically."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sheets_sync.errors import SinkError
from sheets_sync.report import Table, cell_text
from sheets_sync.sinks.atomic import atomic_output

# A spreadsheet treats text starting with these as a formula (docs/reliability.md#formula-injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class CsvResult:
    """What a CSV write produced."""

    path: Path
    rows: int
    bytes_written: int


def csv_value(value: Any, *, escape_formulas: bool = False) -> str:
    """One cell as CSV text: null is an empty field, numbers and dates as the API gave them."""
    if escape_formulas and isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return cell_text(value)


def write_csv(path: Path, table: Table, *, escape_formulas: bool = False, bom: bool = False,
              lock_dir: Path | None = None) -> CsvResult:
    """Write `table` to `path`; the file appears complete or not at all (the sinks' shared atomic replace:
    temp file beside it, fsync, rename, under the output's lock in `lock_dir`).

    `bom` starts the file with a UTF-8 byte-order mark: without it Excel reads the file in the
    system's legacy code page and shows emoji and right-to-left names as mojibake.
    """
    path = Path(path)
    rows = 0
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_output(path, lock_dir=lock_dir) as handle:
            # utf-8-sig writes the mark once, before the first character
            text = io.TextIOWrapper(handle, encoding="utf-8-sig" if bom else "utf-8", newline="")
            try:
                writer = csv.writer(text)
                writer.writerow(table.headers)
                for row in table.rows:
                    writer.writerow([csv_value(v, escape_formulas=escape_formulas) for v in row])
                    rows += 1
            finally:
                text.detach()  # flushes; the binary file stays open for atomic_output to fsync and rename
    except OSError as exc:
        raise SinkError(f"cannot write CSV {path}: {exc.strerror or exc}") from None
    return CsvResult(path=path, rows=rows, bytes_written=path.stat().st_size)
