"""Injected faults, off by default and deterministic for a seed and a request order.

Before a data request is handled: latency, the rate limiter (429 + Retry-After, limit headers),
every-Nth throttling (429 + Retry-After) and a seeded transient 500/502/503 rate. After a
successful JSON answer: every-Nth truncated JSON, every-Nth HTML page with status 200. The
repeated cursor lives in the v2 routes because it needs the request's cursor.
"""

from __future__ import annotations

import random
import threading
import time

from sheets_sync.emulator.options import EmulatorOptions
from sheets_sync.emulator.problems import Problem, problem
from sheets_sync.emulator.ratelimit import RateLimiter

HTML_BODY = (b"<!DOCTYPE html><html><head><title>Maintenance</title></head>"
             b"<body><h1>We'll be right back</h1></body></html>")
TRANSIENT = (("internal", "Unexpected failure (injected)."), ("bad_gateway", "Upstream failed (injected)."),
             ("unavailable", "Service temporarily unavailable (injected)."))


class Faults:
    """Decides, request by request, which fault (if any) to inject."""

    def __init__(self, options: EmulatorOptions) -> None:
        self.options = options
        self.generation = options.pagination
        self._rng = random.Random(f"sheets-sync-emulator-faults:{options.seed}")
        self._lock = threading.Lock()
        self._data_requests = 0
        self._successes = 0
        self.limiter = (RateLimiter(options.rate_limit_per_minute, options.now)
                        if options.rate_limit_per_minute else None)

    def limit_headers(self) -> dict[str, str]:
        return self.limiter.headers() if self.limiter else {}

    def before(self, v2: bool = True) -> Problem | None:
        """The fault to answer a data request with instead of data, if any.

        The rate limiter only guards v2: the v1 host publishes no limits (docs/decisions.md#rate-limits).
        """
        opts = self.options
        if opts.latency_ms:
            (opts.sleep or time.sleep)(opts.latency_ms / 1000)
        if self.limiter is not None and v2:
            wait = self.limiter.admit()
            if wait is not None:
                return problem("rate_limited", f"Rate limit of {self.limiter.limit} requests per minute exceeded.",
                               self.generation, headers={"Retry-After": str(wait)})
        with self._lock:
            self._data_requests += 1
            n = self._data_requests
            draw = self._rng.random() if opts.error_rate else 1.0
            pick = self._rng.randrange(len(TRANSIENT)) if opts.error_rate else 0
        if opts.throttle_every and n % opts.throttle_every == 0:
            return problem("rate_limited", "Too many requests (injected).", self.generation,
                           headers={"Retry-After": str(opts.retry_after_seconds)})
        if draw < opts.error_rate:
            kind, detail = TRANSIENT[pick]
            return problem(kind, detail, self.generation)
        return None

    def after(self, body: bytes) -> tuple[bytes, str] | None:
        """A corrupted replacement (body, content type) for a successful answer, if one is due."""
        opts = self.options
        if not (opts.malformed_json_every or opts.html_every):
            return None
        with self._lock:
            self._successes += 1
            n = self._successes
        if opts.html_every and n % opts.html_every == 0:
            return HTML_BODY, "text/html; charset=utf-8"
        if opts.malformed_json_every and n % opts.malformed_json_every == 0:
            return body[: max(1, len(body) // 2)], "application/json"
        return None
