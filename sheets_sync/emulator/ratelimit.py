"""A sliding-window limiter: at most N requests in any 60 seconds of the injected clock."""

from __future__ import annotations

import math
import threading
from collections import deque
from collections.abc import Callable

WINDOW_SECONDS = 60


class RateLimiter:
    """Admits a request or says how many seconds until one more would be admitted."""

    def __init__(self, limit: int, clock: Callable[[], float]) -> None:
        self.limit = limit
        self._clock = clock
        self._stamps: deque[float] = deque()
        self._lock = threading.Lock()

    def headers(self) -> dict[str, str]:
        return {"X-Ratelimit-Limit": str(self.limit), "X-Ratelimit-Window": str(WINDOW_SECONDS)}

    def admit(self) -> int | None:
        """None if admitted, else the Retry-After seconds."""
        now = self._clock()
        with self._lock:
            while self._stamps and self._stamps[0] <= now - WINDOW_SECONDS:
                self._stamps.popleft()
            if len(self._stamps) < self.limit:
                self._stamps.append(now)
                return None
            return max(1, math.ceil(self._stamps[0] + WINDOW_SECONDS - now))
