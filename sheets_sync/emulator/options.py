"""Every knob of the emulator in one dataclass, plus the OAuth clients it knows."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Literal

# A fixed default keeps the dataset identical for a seed on every day it is generated (the tests rely on
# it); `demo` passes today's date and the standalone command yesterday, so relative ranges find data.
DEFAULT_ANCHOR_DATE = date(2026, 6, 30)


@dataclass(frozen=True)
class ClientSpec:
    """One OAuth client: credentials, the instances it is bound to, and whether it is disabled.

    `instance_ids=None` binds the client to every instance; `()` makes an instance-less client.
    """

    client_id: str
    client_secret: str
    instance_ids: tuple[str, ...] | None = None
    disabled: bool = False


@dataclass
class EmulatorOptions:
    """How one emulator behaves: pagination generation, data seed and scale, auth and faults.

    Extra OAuth clients go in `clients`, e.g.
    `clients=[ClientSpec("off", "s", disabled=True), ClientSpec("empty", "s", instance_ids=()),
    ClientSpec("one", "s", instance_ids=("instance_abc",))]`; the default `client_id` /
    `client_secret` pair is always present and bound to every instance.

    Faults are off by default and deterministic for a seed and a request order.
    """

    port: int = 0
    host: str = "127.0.0.1"
    pagination: Literal["page", "cursor"] = "page"
    seed: int = 1
    scale: int = 1
    client_id: str = "demo-client"
    client_secret: str = "demo-secret"  # noqa: S105 - the emulator's published demo credential, not a secret
    token_lifetime_seconds: int = 43200
    latency_ms: int = 0
    error_rate: float = 0.0
    rate_limit_per_minute: int | None = None
    throttle_every: int | None = None
    retry_after_seconds: int = 1
    revoke_after: int | None = None
    malformed_json_every: int | None = None
    html_every: int | None = None
    repeat_cursor: bool = False
    clients: list[ClientSpec] | None = None
    clock: Callable[[], float] | None = None
    sleep: Callable[[float], None] | None = None
    strict_params: bool = True
    anchor_date: date = DEFAULT_ANCHOR_DATE
    cache_size: int = 256
    # Late data: with N > 0, a day's activity is reported in part until the clock's day is N days past it
    # (then it is final), so the last N days before the clock keep changing as the clock moves.
    restate_days: int = 0
    quiet: bool = True

    def now(self) -> float:
        """Current epoch seconds from the injected clock, or the real one."""
        return self.clock() if self.clock is not None else time.time()

    def as_of(self) -> int | None:
        """The day (ordinal, UTC) values are reported on when numbers are restated, else None."""
        if not self.restate_days:
            return None
        return datetime.fromtimestamp(self.now(), UTC).date().toordinal()

    def all_clients(self) -> list[ClientSpec]:
        """The default client followed by any extra ones."""
        return [ClientSpec(self.client_id, self.client_secret)] + list(self.clients or [])

    def validate(self) -> None:
        """Reject option values that would make the emulator misbehave silently."""
        if self.pagination not in ("page", "cursor"):
            raise ValueError(f"pagination must be 'page' or 'cursor', not {self.pagination!r}")
        if self.scale < 1:
            raise ValueError("scale must be at least 1")
        if not 0 <= self.port <= 65535:
            raise ValueError(f"port must be 0-65535 (0 = a free port), not {self.port}")
        # token_lifetime_seconds 0 is a fault on purpose: every token is expired when issued
        for name in ("latency_ms", "retry_after_seconds", "cache_size", "token_lifetime_seconds", "restate_days"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative")
        if not 0.0 <= self.error_rate <= 1.0:
            raise ValueError("error_rate must be between 0 and 1")
        for name in ("throttle_every", "revoke_after", "malformed_json_every", "html_every",
                     "rate_limit_per_minute"):
            value = getattr(self, name)
            if value is not None and value < 1:
                raise ValueError(f"{name} must be at least 1")
