"""Read one response body: which pagination generation it is, its records, totals and next position.

Three envelopes exist (docs/decisions.md#envelopes):
    cursor  {"data": ..., "nextCursor": str | null}                              current v2 docs
    page    {"data": ..., "pagination": {page, pageSize, totalPages, totalItems}}  Help Center v2
    v1      {"data": ..., "meta": {page, totalPages} | null}                     legacy v1
`data` is a list of records, except `{instanceIds: [...]}` (instances) and `{metrics: {...}}` (summary).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sheets_sync.catalogue import Endpoint
from sheets_sync.errors import ApiResponseError

_LINK_PREFIXES = ("http://", "https://", "//")


@dataclass(frozen=True)
class Page:
    """One parsed response."""

    records: list[dict[str, Any]]
    generation: str | None            # "cursor" | "page" | "v1" | None (no pagination information)
    page: int | None = None
    page_size: int | None = None
    total_pages: int | None = None
    total_items: int | None = None
    next_cursor: str | None = None
    next_link: str | None = None      # an absolute or relative URL the server wants us to follow


def detect_generation(body: dict[str, Any]) -> str | None:
    """Which envelope `body` uses, from its keys alone."""
    if isinstance(body.get("pagination"), dict):
        return "page"
    if "nextCursor" in body:
        return "cursor"
    if "meta" in body:
        return "v1"
    return None


def parse_page(body: dict[str, Any], endpoint: Endpoint) -> Page:
    """Records and pagination facts of one response; ApiResponseError when the shape is wrong."""
    if "data" not in body:
        raise ApiResponseError(f"{endpoint.name}: the response has no `data` member")
    records = _records(body["data"], endpoint)
    generation = detect_generation(body)
    if generation == "page":
        info = body["pagination"]
        return Page(records, "page", page=_count(info, "page", endpoint), page_size=_count(info, "pageSize", endpoint),
                    total_pages=_count(info, "totalPages", endpoint), total_items=_count(info, "totalItems", endpoint),
                    next_link=_link(body))
    if generation == "v1":
        meta = body.get("meta")
        if meta is None:
            return Page(records, "v1", page=1, total_pages=1)
        if not isinstance(meta, dict):
            raise ApiResponseError(f"{endpoint.name}: `meta` is not an object")
        return Page(records, "v1", page=_count(meta, "page", endpoint),
                    total_pages=_count(meta, "totalPages", endpoint))
    cursor = body.get("nextCursor")
    if cursor is not None and not isinstance(cursor, str):
        raise ApiResponseError(f"{endpoint.name}: `nextCursor` is not a string")
    link = _link(body)
    if cursor and cursor.lower().startswith(_LINK_PREFIXES):
        # A cursor that is really a URL is a next link: treat it as one so origin pinning applies.
        link, cursor = cursor, None
    return Page(records, generation, next_cursor=cursor or None, next_link=link)


def _records(data: Any, endpoint: Endpoint) -> list[dict[str, Any]]:
    if endpoint.data_shape == "instances":
        ids = data.get("instanceIds") if isinstance(data, dict) else None
        if not isinstance(ids, list):
            raise ApiResponseError(f"{endpoint.name}: `data.instanceIds` is not a list")
        return [{"instanceId": i} for i in ids]
    if endpoint.data_shape == "summary":
        if not isinstance(data, dict):
            raise ApiResponseError(f"{endpoint.name}: `data` is not an object")
        # Newer servers nest the numbers under data.metrics; keep other members as they come.
        return [data if isinstance(data.get("metrics"), dict) else {"metrics": data}]
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise ApiResponseError(f"{endpoint.name}: `data` is not a list of objects")
    return data


def _count(info: dict[str, Any], key: str, endpoint: Endpoint) -> int | None:
    value = info.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ApiResponseError(f"{endpoint.name}: pagination `{key}` is not a whole number: {value!r}")
    return value


def _link(body: dict[str, Any]) -> str | None:
    links = body.get("links")
    candidate = links.get("next") if isinstance(links, dict) else body.get("next")
    return candidate if isinstance(candidate, str) and candidate else None
