"""Retry policy (docs/reliability.md#retries): which failures are retried, how long to wait, and the run's budget."""

from __future__ import annotations

import email.utils
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
MAX_RETRY_AFTER_SECONDS = 300.0


@dataclass(frozen=True)
class RetryPolicy:
    """Attempts per request and the backoff curve: min(cap, base·2^n) + uniform(0, jitter)."""

    max_attempts: int = 5
    base_seconds: float = 1.0
    cap_seconds: float = 60.0
    jitter_seconds: float = 1.0
    budget_seconds: float = 600.0

    def backoff(self, retry_number: int, rng: Callable[[], float] = random.random) -> float:
        """Wait before retry number `retry_number` (1 = first retry)."""
        return min(self.cap_seconds, self.base_seconds * 2.0 ** (retry_number - 1)) + rng() * self.jitter_seconds


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date); None if absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        seconds = when.timestamp() - (time.time() if now is None else now)
    return min(max(seconds, 0.0), MAX_RETRY_AFTER_SECONDS)


class RetryBudget:
    """Cumulative seconds of retry sleeping a client may spend, shared by all of its threads."""

    def __init__(self, seconds: float) -> None:
        self._remaining = seconds
        self._lock = threading.Lock()

    @property
    def remaining(self) -> float:
        with self._lock:
            return self._remaining

    def take(self, seconds: float) -> bool:
        """Reserve `seconds` of sleeping; False (nothing reserved) when the budget cannot cover it."""
        with self._lock:
            if seconds > self._remaining:
                return False
            self._remaining -= seconds
            return True
