"""Stream encoded rows through a compressed temporary file, then into a worksheet zip entry.

A worksheet's `<dimension>` comes before its rows but is only known after the last row, and report
rows may be a one-shot iterator; spooling them (compressed, so disk use stays small) keeps memory
flat and lets the sheet head be written with the true size.
"""

from __future__ import annotations

import tempfile
import zipfile
import zlib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from sheets_sync.errors import SinkError
from sheets_sync.sinks.excel.cells import MAX_SHEET_ROWS, RowEncoder

_CHUNK_ROWS = 512
_COPY_BYTES = 1 << 18
# Deflate level of worksheet entries. Measured (bench/excel.py, 100k rows x 20 columns): level 1
# writes 13.7 MB in about 2.9 s, level 6 writes 9.8 MB (XlsxWriter's size) in about 3.5 s; workbooks
# travel as e-mail attachments, so size wins while time stays far below XlsxWriter's.
SHEET_COMPRESS_LEVEL = 6


class RowSpool:
    """A write-once, read-once store of row XML, compressed on disk."""

    def __init__(self, directory: Path) -> None:
        # The spool owns the file for its whole life; copy_to() and close() close it.
        self._file = tempfile.TemporaryFile(dir=directory, prefix=".sheets-sync-rows.")  # noqa: SIM115 - see above
        # Level 1: the spool is read back once; the zip entry does the real compression.
        self._compressor = zlib.compressobj(1)
        self._pending: list[str] = []

    def add(self, row_xml: str) -> None:
        """Append one `<row>` element."""
        self._pending.append(row_xml)
        if len(self._pending) >= _CHUNK_ROWS:
            self._flush()

    def _flush(self) -> None:
        if self._pending:
            self._file.write(self._compressor.compress("".join(self._pending).encode("utf-8")))
            self._pending.clear()

    def copy_to(self, out: Any) -> None:
        """Write every spooled row to the binary stream `out`, then discard the spool."""
        self._flush()
        self._file.write(self._compressor.flush())
        self._file.seek(0)
        decompressor = zlib.decompressobj()
        while chunk := self._file.read(_COPY_BYTES):
            # Bounded output: one compressed chunk can inflate to ten times its size.
            while chunk:
                out.write(decompressor.decompress(chunk, _COPY_BYTES))
                chunk = decompressor.unconsumed_tail
        out.write(decompressor.flush())
        self.close()

    def close(self) -> None:
        """Remove the temporary file."""
        self._file.close()


def spool_rows(encoder: RowEncoder, rows: Iterable[Sequence[Any]], first_row: int,
               spool: RowSpool, sheet: str) -> int:
    """Encode `rows` starting at sheet row `first_row`; return how many were written."""
    row_number = first_row
    add, encode = spool.add, encoder.encode
    for values in rows:
        if row_number > MAX_SHEET_ROWS:
            raise SinkError(
                f"sheet {sheet!r}: more than {MAX_SHEET_ROWS - first_row + 1:,} data rows do not fit "
                f"in one Excel sheet ({MAX_SHEET_ROWS:,} rows); narrow the report's period or filters"
            )
        add(encode(row_number, values))
        row_number += 1
    return row_number - first_row


def write_sheet_entry(zout: zipfile.ZipFile, name: str, head: str, spool: RowSpool | None,
                      tail: str, date_time: tuple[int, ...] = (1980, 1, 1, 0, 0, 0)) -> None:
    """Write a worksheet part as head + spooled rows + tail, deflated, zip64-safe.

    `date_time` starts with year, month, day, hour, minute, second (a `time.struct_time` slice will do).
    """
    year, month, day, hour, minute, second = date_time[:6]
    info = zipfile.ZipInfo(name, date_time=(year, month, day, hour, minute, second))
    info.compress_type = zipfile.ZIP_DEFLATED
    # ZipFile.open() takes no level; the ZipInfo carries it (3.13 keeps this name as an alias).
    info._compresslevel = SHEET_COMPRESS_LEVEL  # type: ignore[attr-defined]  # private before 3.13, not in the stubs
    with zout.open(info, "w", force_zip64=True) as out:
        out.write(head.encode("utf-8"))
        if spool is not None:
            spool.copy_to(out)
        out.write(tail.encode("utf-8"))
