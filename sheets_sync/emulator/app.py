"""Routing and the request pipeline, independent of the HTTP server.

Pipeline for a data route: faults (latency, rate limit, throttling, 5xx) → bearer check →
parameter validation → cached result → page → corruption faults. `/oauth/token` only gets the
token logic. Unknown routes are 404 (ANL_00404 / RESOURCE_NOT_FOUND).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field, replace

from sheets_sync.catalogue import get_endpoint
from sheets_sync.emulator import v1, v2
from sheets_sync.emulator.auth import Authority
from sheets_sync.emulator.cache import ResultCache
from sheets_sync.emulator.dataset import Dataset
from sheets_sync.emulator.faults import Faults
from sheets_sync.emulator.options import EmulatorOptions
from sheets_sync.emulator.problems import Problem, problem
from sheets_sync.emulator.queries import Validator, parse_query
from sheets_sync.emulator.stats import Stats

log = logging.getLogger(__name__)


@dataclass
class Response:
    """What to send back: status, content type, body bytes and extra headers."""

    status: int
    content_type: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


def _json(status: int, payload: object, content_type: str = "application/json") -> Response:
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return Response(status, content_type, body)


def _problem(p: Problem) -> Response:
    r = _json(p.status, p.body(), "application/problem+json")
    r.headers.update(p.headers or {})
    return r


class App:
    """The emulator's behaviour: one instance per running emulator."""

    def __init__(self, options: EmulatorOptions, dataset: Dataset) -> None:
        self.options = options
        self.data = dataset
        self.generation = options.pagination
        self.auth = Authority(options, dataset.instances)
        self.faults = Faults(options)
        self.stats = Stats()
        self.cache = ResultCache(options.cache_size)
        self.pages = ResultCache(options.cache_size * 2)

    def handle(self, method: str, target: str, headers: dict[str, str], body: bytes) -> Response:
        """Answer one request and count it."""
        path, _, query = target.partition("?")
        path = path.rstrip("/") or "/"
        try:
            response = self._route(method, path, query, headers, body)
        except Problem as p:
            response = _problem(p)
        except Exception:
            # A bug must still look like the real API's 500, not a dropped keep-alive connection.
            log.exception("emulator failed on %s %s", method, target)
            response = _problem(problem("internal", "Unexpected failure.", self.generation))
        if path.startswith("/v2/"):
            response.headers.update(self.faults.limit_headers())
        self.stats.record(path, response.status)
        return response

    def _route(self, method: str, path: str, query: str, headers: dict[str, str], body: bytes) -> Response:
        if path == "/oauth/token" and method == "POST":
            return _json(200, self.auth.issue(body))
        endpoint = get_endpoint(path) if path.startswith("/v2/") else None
        is_v1 = path in v1.ROUTES
        if method != "GET" or (endpoint is None and not is_v1):
            raise problem("not_found", f"Cannot {method} {path}.", self.generation)
        injected = self.faults.before(v2=not is_v1)
        if injected is not None:
            raise injected
        client = self.auth.check(headers.get("authorization"))
        bound = self.auth.bound_instances(client)
        params = parse_query(query)
        if is_v1:
            payload = v1.respond(self.data, path, params, bound, self.cache, strict=self.options.strict_params)
            response = _json(200, payload)
        else:
            assert endpoint is not None
            q = Validator(endpoint, self.generation, bound, strict=self.options.strict_params).validate(params)
            if self.options.restate_days:
                q = replace(q, restate_days=self.options.restate_days, as_of=self.options.as_of())
            # Encoded pages are cached too: JSON encoding is most of what a cached page costs.
            body = self.pages.get_or_build(
                (q.binding(), q.page_number, q.cursor, q.as_of),
                lambda: _json(200, v2.respond(self.data, q, self.generation, self.cache,
                                              repeat_cursor=self.options.repeat_cursor)).body)
            response = Response(200, "application/json", body)
        corrupted = self.faults.after(response.body)
        if corrupted is not None:
            response.body, response.content_type = corrupted
        return response
