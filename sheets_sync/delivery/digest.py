"""A fingerprint of the data a workbook email carries, for `send_when: changed` (pure)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence

from sheets_sync.report import Table, cell_text


def data_digest(tables: Sequence[tuple[str, Table]]) -> str:
    """SHA-256 of every tab's name, headers and cell values (as text); the refresh time is left out on purpose.

    Two runs that fetched the same numbers give the same digest, whenever they ran.
    """
    digest = hashlib.sha256()
    for name, table in sorted(tables, key=lambda item: item[0]):
        rows = [[cell_text(value) for value in row] for row in table.rows]
        block = {"tab": name, "headers": table.headers, "period": [str(table.meta.start_date),
                                                                   str(table.meta.end_date)], "rows": rows}
        digest.update(json.dumps(block, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
        digest.update(b"\n")
    return digest.hexdigest()
