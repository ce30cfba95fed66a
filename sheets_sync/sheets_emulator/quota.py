"""Per-minute request quotas (read/write × project/user) in fixed one-minute windows, on an injectable clock."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from sheets_sync.sheets_emulator.errors import ApiError, quota_exceeded


@dataclass
class QuotaLimits:
    """Requests allowed per minute; Google's documented defaults. None turns a limit off."""

    write_per_user: int | None = 60
    read_per_user: int | None = 60
    write_per_project: int | None = 300
    read_per_project: int | None = 300


class Quota:
    """Counts requests per (kind, scope, key) in the current minute; `charge` raises the 429 Google sends."""

    def __init__(self, limits: QuotaLimits | None = None, clock: Callable[[], float] = time.monotonic,
                 project_number: str = "1234567890") -> None:
        self.limits = limits or QuotaLimits()
        self.clock = clock
        self.project_number = project_number
        self._counts: dict[tuple[str, str, str], int] = {}
        self._window = -1
        self._lock = threading.Lock()
        self.rejected = 0

    def charge(self, *, write: bool, user: str) -> None:
        """Count one request for `user` (a bearer token or quotaUser), or raise 429 when a limit is spent."""
        kind = "write" if write else "read"
        per_user = self.limits.write_per_user if write else self.limits.read_per_user
        per_project = self.limits.write_per_project if write else self.limits.read_per_project
        with self._lock:
            window = int(self.clock() // 60)
            if window != self._window:
                self._window, self._counts = window, {}
            user_key, project_key = (kind, "user", user), (kind, "project", "")
            if per_user is not None and self._counts.get(user_key, 0) >= per_user:
                self.rejected += 1
                raise self._error(write, per_user=True)
            if per_project is not None and self._counts.get(project_key, 0) >= per_project:
                self.rejected += 1
                raise self._error(write, per_user=False)
            self._counts[user_key] = self._counts.get(user_key, 0) + 1
            self._counts[project_key] = self._counts.get(project_key, 0) + 1

    def used(self, *, write: bool, user: str | None = None) -> int:
        """Requests counted in the current minute for `user`, or for the project when `user` is None."""
        with self._lock:
            if int(self.clock() // 60) != self._window:
                return 0
            key = ("write" if write else "read", "project" if user is None else "user", user or "")
            return self._counts.get(key, 0)

    def _error(self, write: bool, *, per_user: bool) -> ApiError:
        return quota_exceeded(write=write, per_user=per_user, project_number=self.project_number)
