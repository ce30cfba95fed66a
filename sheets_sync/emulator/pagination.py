"""Both pagination generations over a full result list.

page:   pageNumber (1-500) / pageSize (1-100, default 50) → {data, pagination:{page, pageSize,
        totalPages, totalItems}}; totalPages is 0 for an empty result; a page past the end is empty.
cursor: limit (1-100, default 50) / nextCursor → {data, nextCursor}; the cursor is base64url JSON
        {"version":1,"offset":N,"query":H} where H hashes every other parameter, so a cursor replayed
        with changed parameters is a 400; the strings "null" and "" mean "first page".
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass

from sheets_sync.emulator.problems import problem
from sheets_sync.emulator.queries import Query


def query_hash(q: Query) -> str:
    """A short stable digest of everything the cursor is bound to."""
    return hashlib.sha256(repr(q.binding()).encode()).hexdigest()[:16]


def encode_cursor(offset: int, q: Query) -> str:
    raw = json.dumps({"version": 1, "offset": offset, "query": query_hash(q)}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, q: Query) -> int:
    """The offset a cursor points at, or a 400 if it is garbled or belongs to another query."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        body = json.loads(base64.urlsafe_b64decode(padded.encode()))
        offset = int(body["offset"])
        bound = body["query"]
    except (ValueError, KeyError, TypeError):
        raise problem("validation", "Invalid nextCursor.", "cursor") from None
    if bound != query_hash(q) or offset < 0:
        raise problem("validation", "nextCursor does not belong to this query; keep every other parameter "
                                    "identical while paginating, or start over without nextCursor.", "cursor")
    return offset


@dataclass
class Page:
    """One page of a list: its rows and the envelope keys beside `data`."""

    rows: list
    envelope: dict
    offset: int


def page_of(items: list, q: Query, generation: str) -> Page:
    """Slice `items` as the generation's pagination asks."""
    size = q.page_size
    if generation == "page":
        total = len(items)
        start = (q.page_number - 1) * size
        rows = items[start:start + size]
        pages = -(-total // size)
        return Page(rows, {"pagination": {"page": q.page_number, "pageSize": size, "totalPages": pages,
                                          "totalItems": total}}, start)
    start = decode_cursor(q.cursor, q) if q.cursor else 0
    rows = items[start:start + size]
    after = start + size
    return Page(rows, {"nextCursor": encode_cursor(after, q) if after < len(items) else None}, start)
