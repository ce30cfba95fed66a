"""Injected faults: fail the next N requests with a chosen status, or delay every answer."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from sheets_sync.sheets_emulator.errors import ApiError

_MESSAGES = {429: "Resource has been exhausted (e.g. check quota).", 500: "Internal error encountered.",
             503: "The service is currently unavailable."}


@dataclass
class _Pending:
    count: int
    status: int


class Faults:
    """`fail_next(2, 503)` makes the next two requests fail; `delay` seconds are slept before each answer."""

    def __init__(self) -> None:
        self._pending: list[_Pending] = []
        self._lock = threading.Lock()
        self.delay = 0.0

    def fail_next(self, count: int, status: int = 503) -> None:
        with self._lock:
            self._pending.append(_Pending(count, status))

    def clear(self) -> None:
        with self._lock:
            self._pending.clear()
            self.delay = 0.0

    def take(self) -> ApiError | None:
        """The error for this request, if a fault is pending (consuming one)."""
        with self._lock:
            while self._pending and self._pending[0].count <= 0:
                self._pending.pop(0)
            if not self._pending:
                return None
            self._pending[0].count -= 1
            status = self._pending[0].status
        return ApiError(status, _MESSAGES.get(status, "Injected fault."))
