"""Helpers shared by the API client tests: settings and clients for loopback servers, fake sleep."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sheets_sync.api import ApiClient, ApiSettings, RateBudget

CLIENT_ID, CLIENT_SECRET = "demo-client", "demo-secret"
# One year of the emulator's default dataset: about 4,300 posts, 500 creators, 56 campaigns.
WIDE = {"startDate": "2025-07-01", "endDate": "2026-06-30"}


class FakeSleep:
    """Records every requested sleep instead of sleeping."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


def settings_for(url: str, **overrides: Any) -> ApiSettings:
    """Settings pointing at a loopback server with the emulator's default credentials."""
    values: dict[str, Any] = {"base_url": url, "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
                              "page_size": 20, "timeout_seconds": 5}
    values.update(overrides)
    return ApiSettings(**values)


def free_budget() -> RateBudget:
    """A private, effectively unlimited rate budget so tests do not share the process-wide one."""
    return RateBudget(requests_per_minute=1_000_000)


def client_for(url: str, *, sleep: Callable[[float], None] | None = None, rate_budget: RateBudget | None = None,
               clock: Callable[[], float] = time.time, **overrides: Any) -> ApiClient:
    """An ApiClient on `url` with a private budget and a fake sleep unless given."""
    return ApiClient(settings_for(url, **overrides), rate_budget=rate_budget or free_budget(),
                     sleep=sleep or FakeSleep(), clock=clock)


@contextmanager
def running_emulator(**options: Any) -> Iterator[Any]:
    """The bundled emulator with `options`, on a free loopback port."""
    from sheets_sync.emulator import EmulatorOptions, start_emulator

    options.setdefault("port", 0)
    with start_emulator(EmulatorOptions(**options)) as emu:
        yield emu
