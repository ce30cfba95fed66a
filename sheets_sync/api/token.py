"""The bearer token: exchanged once, shared by all threads, renewed before `exp` and once after a 401."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import jwt

from sheets_sync.redaction import register_secret


class TokenCache:
    """Single-flight token holder: however many threads ask at once, one exchange happens.

    `exchange` performs the HTTP call and returns the JWT. The expiry comes from the token's `exp`
    claim (the API sends no `expires_in`); a token without a readable `exp` is kept until a 401.
    """

    def __init__(self, exchange: Callable[[], str], *, clock: Callable[[], float] = time.time,
                 margin_seconds: float = 60.0) -> None:
        self._exchange = exchange
        self._clock = clock
        self._margin = margin_seconds
        self._lock = threading.Lock()
        self._token: str | None = None
        self._expires_at: float | None = None
        self._generation = 0
        self.exchanges = 0

    def __repr__(self) -> str:  # never show the token itself
        return f"TokenCache(generation={self._generation}, expires_at={self._expires_at})"

    def get(self) -> tuple[str, int]:
        """A valid token and its generation number (pass the number back to `renew_after_401`)."""
        with self._lock:
            if self._token is None or self._is_due():
                self._renew()
            assert self._token is not None
            return self._token, self._generation

    def renew_after_401(self, generation: int) -> None:
        """Replace the token that drew a 401, unless another thread already did."""
        with self._lock:
            if generation == self._generation:
                self._renew()

    def _is_due(self) -> bool:
        return self._expires_at is not None and self._clock() >= self._expires_at - self._margin

    def _renew(self) -> None:
        token = self._exchange()
        register_secret(token)
        self._token, self._expires_at = token, read_expiry(token)
        self._generation += 1
        self.exchanges += 1


def read_expiry(token: str) -> float | None:
    """The `exp` claim of a JWT (epoch seconds), read without verifying: we are not its audience."""
    try:
        claims = jwt.decode(token, options={"verify_signature": False, "verify_exp": False})
    except jwt.PyJWTError:
        return None
    exp = claims.get("exp")
    return float(exp) if isinstance(exp, (int, float)) else None
