"""Thread-safe request counters that tests assert on (e.g. "zero 429s")."""

from __future__ import annotations

import threading
from collections import Counter


class Stats:
    """Counts requests by (path, status), 429s sent and tokens issued."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_path_status: Counter[tuple[str, int]] = Counter()
        self._tokens = 0

    def record(self, path: str, status: int) -> None:
        with self._lock:
            self._by_path_status[(path, status)] += 1
            if path == "/oauth/token" and status == 200:
                self._tokens += 1

    def reset(self) -> None:
        """Forget everything counted so far (for a test that shares an emulator)."""
        with self._lock:
            self._by_path_status.clear()
            self._tokens = 0

    @property
    def total(self) -> int:
        with self._lock:
            return sum(self._by_path_status.values())

    @property
    def by_path_status(self) -> dict[tuple[str, int], int]:
        with self._lock:
            return dict(self._by_path_status)

    @property
    def sent_429(self) -> int:
        with self._lock:
            return sum(n for (_, status), n in self._by_path_status.items() if status == 429)

    @property
    def tokens_issued(self) -> int:
        with self._lock:
            return self._tokens

    def count(self, path: str | None = None, status: int | None = None) -> int:
        """Requests matching `path` and/or `status` (None matches any)."""
        with self._lock:
            return sum(n for (p, s), n in self._by_path_status.items()
                       if (path is None or p == path) and (status is None or s == status))
