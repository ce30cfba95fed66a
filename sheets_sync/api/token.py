"""The bearer token: exchanged once, shared by all threads, renewed before `exp` and once after a 401.

A refused exchange (ApiAuthError: wrong, disabled or unknown credentials) is remembered: later calls
on the same client fail with the same error without asking again. The renewal margin is
`min(margin_seconds, lifetime / 4)`, lifetime being `exp - iat` (or `exp` minus the time the token was
obtained), so a short-lived token is not renewed before every request.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import jwt

from sheets_sync.errors import ApiAuthError
from sheets_sync.redaction import register_secret


class TokenCache:
    """Single-flight token holder: however many threads ask at once, one exchange happens.

    `exchange` performs the HTTP call and returns the JWT. The expiry comes from the token's `exp`
    claim (the API sends no `expires_in`); a token without a readable `exp` is kept until a 401.
    """

    # The margin never exceeds this share of the token's lifetime.
    MARGIN_SHARE_OF_LIFETIME = 0.25

    def __init__(self, exchange: Callable[[], str], *, clock: Callable[[], float] = time.time,
                 margin_seconds: float = 60.0) -> None:
        self._exchange = exchange
        self._clock = clock
        self._margin = margin_seconds
        self._lock = threading.Lock()
        self._token: str | None = None
        self._expires_at: float | None = None
        self._margin_now = margin_seconds  # the margin for the token held now
        self._refused: ApiAuthError | None = None
        self._generation = 0

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

    @property
    def margin_seconds(self) -> float:
        """How long before `exp` the current token is renewed."""
        return self._margin_now

    def _is_due(self) -> bool:
        return self._expires_at is not None and self._clock() >= self._expires_at - self._margin_now

    def _renew(self) -> None:
        if self._refused is not None:
            raise _copy(self._refused)
        obtained = self._clock()
        try:
            token = self._exchange()
        except ApiAuthError as exc:  # the credentials were refused: asking again would be refused too
            self._refused = exc
            raise
        register_secret(token)
        expires_at, issued_at = read_claims(token)
        self._token, self._expires_at = token, expires_at
        self._margin_now = self._margin
        if expires_at is not None:
            lifetime = expires_at - (issued_at if issued_at is not None else obtained)
            self._margin_now = max(0.0, min(self._margin, lifetime * self.MARGIN_SHARE_OF_LIFETIME))
        self._generation += 1


def _copy(exc: ApiAuthError) -> ApiAuthError:
    """A fresh exception equal to `exc` (re-raising one instance would keep growing its traceback)."""
    return ApiAuthError(str(exc), error_type=exc.error_type, status=exc.status)


def read_claims(token: str) -> tuple[float | None, float | None]:
    """The `exp` and `iat` claims of a JWT (epoch seconds), read without verifying: we are not its audience."""
    try:
        claims = jwt.decode(token, options={"verify_signature": False, "verify_exp": False})
    except jwt.PyJWTError:
        return None, None
    exp, iat = claims.get("exp"), claims.get("iat")
    number = (int, float)
    return (float(exp) if isinstance(exp, number) and not isinstance(exp, bool) else None,
            float(iat) if isinstance(iat, number) and not isinstance(iat, bool) else None)
