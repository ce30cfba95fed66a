"""Client-side request budget shared by every thread and every report in the process, per API origin.

A sliding-window log rather than a token bucket: it never lets more than `limit` requests start in
any `window` seconds, which satisfies a server limiter of either kind (fixed window, sliding window
or token bucket with the same limit), while still allowing a full burst at the start of a window so
utilisation stays near 100 %. The limit starts at the configured `requests_per_minute` and is
replaced by the server's own figures (`X-Ratelimit-Limit` per `X-Ratelimit-Window` seconds) as soon
as a response carries them: the server knows the real limit, config only knows the documented one.
A 429 does not touch the budget: the thread that drew it waits out Retry-After itself (with the
client's injectable sleep), and the limit headers on the 429 have already corrected the budget.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping

# Requests start on our clock but are counted on the server's after network latency, which varies from
# request to request; this slack keeps a request sent one window after another from landing inside the
# server's same window. It grows with the window (2 %, at most 0.5 s): enough for real network jitter,
# under 1 % of throughput at the documented 60 s window.
WINDOW_SLACK_FRACTION = 0.02
WINDOW_SLACK_MAX_SECONDS = 0.5
# A pause this long or longer is logged (INFO) with its length: otherwise a run looks hung while it waits.
LOGGED_WAIT_SECONDS = 1.0

logger = logging.getLogger(__name__)


def window_slack(window_seconds: float) -> float:
    """The slack added to a window of `window_seconds`."""
    return min(WINDOW_SLACK_MAX_SECONDS, window_seconds * WINDOW_SLACK_FRACTION)


class RateBudget:
    """At most `limit` request starts per `window_seconds`, shared by every caller of `acquire`."""

    def __init__(self, requests_per_minute: float = 120, *, window_seconds: float = 60.0,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep,
                 slack_seconds: float | None = None) -> None:
        self._limit = max(1, int(requests_per_minute * window_seconds / 60.0))
        self._window = window_seconds
        self._clock = clock
        self._sleep = sleep
        self._fixed_slack = slack_seconds
        self._starts: deque[float] = deque()
        self._lock = threading.Lock()
        self.adapted = False

    @property
    def limit(self) -> tuple[int, float]:
        """The current (requests, window seconds)."""
        with self._lock:
            return self._limit, self._window

    def configure(self, requests_per_minute: float) -> None:
        """Set the configured rate, unless the server has already told us its own."""
        with self._lock:
            if not self.adapted:
                self._limit = max(1, int(requests_per_minute * self._window / 60.0))

    def acquire(self, cancelled: threading.Event | None = None) -> float:
        """Block until one more request may start; returns the seconds waited.

        When `cancelled` is set (the run is being interrupted) the wait ends at once without taking a start:
        the caller checks the event and sends nothing.
        """
        waited = 0.0
        while True:
            if cancelled is not None and cancelled.is_set():
                return waited
            with self._lock:
                now = self._clock()
                slack = self._fixed_slack if self._fixed_slack is not None else window_slack(self._window)
                horizon = self._window + slack
                while self._starts and now - self._starts[0] >= horizon:
                    self._starts.popleft()
                if len(self._starts) < self._limit:
                    self._starts.append(now)
                    return waited
                # Wait until enough old starts leave the window to make room for one more.
                excess = len(self._starts) - self._limit
                delay = self._starts[excess] + horizon - now
            delay = max(delay, 0.001)
            if delay >= LOGGED_WAIT_SECONDS:
                logger.info("rate budget of %d requests per %.0f s used up: waiting %.1f s before the next request",
                            self._limit, self._window, delay)
            if cancelled is not None and self._sleep is time.sleep:
                cancelled.wait(delay)  # time.sleep that an interrupted run can cut short
            else:
                self._sleep(delay)
            waited += delay

    def observe(self, headers: Mapping[str, str]) -> None:
        """Adopt the server's limit from `X-Ratelimit-Limit` / `X-Ratelimit-Window` when both are readable."""
        limit, window = headers.get("X-Ratelimit-Limit"), headers.get("X-Ratelimit-Window")
        if limit is None:
            return
        try:
            new_limit = int(float(limit))
            new_window = float(window) if window is not None else self._window
        except ValueError:
            return
        if new_limit < 1 or new_window <= 0:
            return
        with self._lock:
            self._limit, self._window, self.adapted = new_limit, new_window, True


_registry: dict[str, RateBudget] = {}
_registry_lock = threading.Lock()


def shared_budget(origin_url: str, requests_per_minute: float) -> RateBudget:
    """The process-wide budget of an origin, created at the first configured rate."""
    with _registry_lock:
        budget = _registry.get(origin_url)
        if budget is None:
            budget = _registry[origin_url] = RateBudget(requests_per_minute)
        return budget
