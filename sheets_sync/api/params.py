"""Encode report parameters as a query string the API accepts, and add the pagination parameters."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sheets_sync.catalogue import CURSOR_PARAMS, DATE_BASIS_ALIASES, PAGE_PARAMS
from sheets_sync.errors import UsageError

Query = list[tuple[str, str]]
PAGINATION_PARAMS = frozenset(PAGE_PARAMS + CURSOR_PARAMS)


def encode_params(endpoint: str, params: Mapping[str, Any] | None) -> Query:
    """API-named params → query pairs; lists become repeated keys (the form every known client sends)."""
    query: Query = []
    for key, value in (params or {}).items():
        if key in PAGINATION_PARAMS:
            raise UsageError(f"{endpoint}: `{key}` is managed by the client; set api.page_size instead")
        if value is None:
            continue
        api_value = DATE_BASIS_ALIASES.get(value, value) if key == "dateBasis" else value
        values = api_value if isinstance(api_value, (list, tuple, set, frozenset)) else [api_value]
        query.extend((key, _text(v)) for v in values)
    return query


def with_page(query: Query, page_number: int, page_size: int) -> Query:
    """The query for one page of the page-number generation."""
    return [*query, ("pageNumber", str(page_number)), ("pageSize", str(page_size))]


def with_cursor(query: Query, limit: int, cursor: str | None) -> Query:
    """The query for one page of the cursor generation (first page: no cursor at all)."""
    out = [*query, ("limit", str(limit))]
    return out + [("nextCursor", cursor)] if cursor else out


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.date().isoformat()  # the API takes calendar dates, interpreted in UTC
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)
