"""The Reporting API client: `ApiClient(settings).fetch(endpoint, params)` → every record, or an error.

`endpoint` is the catalogue's `Endpoint` object (a run resolves it once, see sheets_sync/resolved.py);
`params` are API-named query parameters in their canonical spellings, already checked against the
endpoint and the API version by config validation; the client only maps them to the version's wire form.

Pagination `auto` sends the first request in the page-number style: the emulator and the Help Center
describe that generation, and its totals allow parallel page fetches. The answer's envelope then
decides: a `pagination` object continues page-number style; a `nextCursor` envelope means a cursor
server that ignored the page parameters, so its first page (at the server's default size) is kept
if it is the only one, otherwise the walk restarts in cursor style at `page_size`. A server that
rejects the page parameters with a 400 is asked once more in cursor style
(docs/decisions.md#pagination).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sheets_sync import catalogue
from sheets_sync.api.envelope import Page, parse_page
from sheets_sync.api.paging import PageWalker, Progress, Walk
from sheets_sync.api.params import Query, encode_params, with_page
from sheets_sync.api.rate import RateBudget, shared_budget
from sheets_sync.api.retry import RetryPolicy
from sheets_sync.api.settings import ApiSettings
from sheets_sync.api.token import TokenCache
from sheets_sync.api.transport import Transport
from sheets_sync.api.v1 import V1_METRICS_PARAM_ENDPOINTS, V1_PAGINATED, V1_SORT_NAMES, normalise
from sheets_sync.catalogue import Endpoint
from sheets_sync.errors import ApiRequestError, ApiResponseError, UsageError
from sheets_sync.origin import resolve_link

# How a strict server says it does not know a parameter (emulator, class-validator, generic gateways).
_UNKNOWN_PARAM = re.compile(r"(?i)unknown|unexpected|not allowed|should not exist|unrecogni[sz]ed|not supported")


@dataclass
class FetchResult:
    """Every record of one endpoint query, in API order, plus how it was obtained."""

    endpoint: str
    records: list[dict[str, Any]]
    pages: int
    requests: int
    retries: int
    generation: str                          # "page" | "cursor" | "v1"


class ApiClient:
    """One run's connection to the API: a pooled session, a token, the shared rate budget."""

    def __init__(self, settings: ApiSettings, rate_budget: RateBudget | None = None,
                 sleep: Callable[[float], None] = time.sleep, progress: Progress | None = None, *,
                 clock: Callable[[], float] = time.time) -> None:
        self.settings = settings
        self.origin = settings.origin
        if rate_budget is None:
            rate_budget = shared_budget(self.origin.url, settings.requests_per_minute)
            rate_budget.configure(settings.requests_per_minute)
        self.rate_budget = rate_budget
        self.progress = progress
        policy = RetryPolicy(max_attempts=settings.max_attempts, budget_seconds=settings.retry_budget_seconds)
        self.transport = Transport(self.origin, policy=policy, rate_budget=rate_budget,
                                   timeout_seconds=settings.timeout_seconds,
                                   pool_size=settings.max_concurrency + 1, sleep=sleep)
        self.tokens = TokenCache(lambda: self.transport.exchange_token(settings.client_id, settings.client_secret),
                                 clock=clock, margin_seconds=settings.token_margin_seconds)
        self.transport.tokens = self.tokens
        # Generation learnt by `auto` on the first paginated fetch; later fetches skip the probing.
        self.detected_generation: str | None = None

    def __repr__(self) -> str:
        return f"ApiClient(origin={self.origin.url!r}, version={self.settings.version!r})"

    def __enter__(self) -> ApiClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.transport.close()

    def fetch(self, endpoint: Endpoint, params: Mapping[str, Any] | None = None, *,
              max_rows: int | None = None) -> FetchResult:
        """All records of `endpoint` for `params` (API names), or up to `max_rows` of them."""
        if max_rows is not None and max_rows < 1:
            raise UsageError(f"{endpoint.name}: max_rows must be at least 1")
        params = dict(params or {})
        query = encode_params(endpoint.name, self._api_params(endpoint, params))
        requests_before, retries_before = self.transport.requests, self.transport.retries
        walk = self._walk(endpoint, query, max_rows)
        records = walk.records
        if self.settings.version == "v1":
            metrics = params.get("metrics")
            end = params.get("endDate")
            records = [normalise(endpoint, r, metrics=list(metrics) if metrics else None,
                                 granularity=params.get("granularity"), range_end=str(end) if end else None)
                       for r in records]
        return FetchResult(endpoint.name, records, walk.pages, self.transport.requests - requests_before,
                           self.transport.retries - retries_before, walk.generation)

    # --- internals ---------------------------------------------------------------------------------

    def _walk(self, endpoint: Endpoint, query: Query, max_rows: int | None) -> Walk:
        path = self._path(endpoint)
        name = endpoint.name

        def get_page(q: Query) -> Page:
            return parse_page(self.transport.get(path, q, endpoint=name), endpoint)

        def follow(link: str) -> Page:
            url = resolve_link(self.origin, link)
            if url is None:
                raise ApiResponseError(f"{name}: refused a next-page link to another origin than {self.origin.url}")
            return parse_page(self.transport.send("GET", url, endpoint=name), endpoint)

        page_size = self.settings.page_size if max_rows is None else min(self.settings.page_size, max_rows)
        walker = PageWalker(name, get_page, follow, page_size=page_size,
                            max_concurrency=self.settings.max_concurrency, max_rows=max_rows, progress=self.progress)
        style = "v1" if self.settings.version == "v1" else self.settings.pagination
        if style == "auto" and self.detected_generation:
            style = self.detected_generation
        paginated = endpoint.name in V1_PAGINATED if style == "v1" else endpoint.paginated
        if not paginated:
            page = get_page(query)
            walker.record_page(page, 1)
            return Walk(page.records, 1, page.generation or (style if style != "auto" else "page"))
        if style in ("page", "v1"):
            return walker.walk_pages(query)
        if style == "cursor":
            return walker.walk_cursor(query)
        walk = self._walk_auto(walker, get_page, query, page_size)
        self.detected_generation = walk.generation
        return walk

    def _walk_auto(self, walker: PageWalker, get_page: Callable[[Query], Page], query: Query,
                   page_size: int) -> Walk:
        try:
            first = get_page(with_page(query, 1, page_size))
        except ApiRequestError as exc:
            if not _rejects_params(exc, ("pageNumber", "pageSize")):
                raise
            return walker.walk_cursor(query)
        if first.generation in ("page", "v1"):
            return walker.walk_pages(query, first)
        if first.generation == "cursor" and first.next_cursor is None and first.next_link is None:
            return walker.walk_cursor(query, first)
        if first.generation == "cursor":
            walker.reset_progress()
            return walker.walk_cursor(query)
        raise ApiResponseError(f"{walker.endpoint}: the response carries neither `pagination` nor `nextCursor`; "
                               "cannot tell whether more rows exist")

    def _path(self, endpoint: Endpoint) -> str:
        if self.settings.version == "v2":
            return endpoint.path
        path = catalogue.V1_PATHS.get(endpoint.name)
        if path is None:
            raise UsageError(f"{endpoint.name} does not exist in API v1; use api.version: v2")
        return path

    def _api_params(self, endpoint: Endpoint, params: dict[str, Any]) -> dict[str, Any]:
        if self.settings.version == "v2":
            return params
        out = dict(params)
        # v1 has no dateBasis (it always counts by performance date) and no platform filters. Config
        # validation refuses them; this guard remains for callers without a config (bench, scripts),
        # because dropping a filter v1 cannot apply would silently return unfiltered numbers.
        if out.get("dateBasis") not in (None, "performance_date"):
            raise UsageError(f"{endpoint.name}: API v1 only reports by performance date (dateBasis)")
        out.pop("dateBasis", None)
        for key in ("platform", "contentType"):
            if out.get(key):
                raise UsageError(f"{endpoint.name}: API v1 has no `{key}` filter; use api.version: v2")
            out.pop(key, None)
        if endpoint.name not in V1_METRICS_PARAM_ENDPOINTS:
            out.pop("metrics", None)  # v1 returns every metric there; normalise() keeps the requested ones
        if out.get("sortProperty"):
            out["sortProperty"] = V1_SORT_NAMES.get(out["sortProperty"], out["sortProperty"])
        return out


def _rejects_params(exc: ApiRequestError, names: tuple[str, ...]) -> bool:
    detail = f"{exc.detail or ''} {exc.message}"
    return exc.status == 400 and any(n in detail for n in names) and bool(_UNKNOWN_PARAM.search(detail))

