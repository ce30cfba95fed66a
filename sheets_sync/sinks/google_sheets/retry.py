"""Calls to Google with our own retry: 429, 5xx and network failures back off (truncated exponential, full jitter).

Anything else fails at once with Google's own message. gspread's BackOffHTTPClient is not used: it
retried forever in some versions and cannot be bounded by a total wait or tested without real sleeps.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import requests
from google.auth.exceptions import RefreshError, TransportError
from gspread.exceptions import APIError

from sheets_sync.errors import SinkError

logger = logging.getLogger(__name__)
T = TypeVar("T")


class SheetsApiError(SinkError):
    """Google Sheets refused a request (or kept failing until the retry budget ran out)."""

    def __init__(self, message: str, *, status: int | None = None, google_message: str = "",
                 sign_in: bool = False) -> None:
        self.status = status
        self.google_message = google_message
        self.sign_in = sign_in      # the access token could not be had: the credentials, not the request
        super().__init__(message)


@dataclass(frozen=True)
class RetryPolicy:
    """How long to keep trying: at most `attempts` calls, waits capped at `cap` s and `budget` s in all."""

    attempts: int = 5
    base: float = 1.0
    cap: float = 64.0
    budget: float = 180.0


def retryable(status: int) -> bool:
    """Quota (429) and server-side failures (5xx) are worth another try; the rest would fail the same way."""
    return status == 429 or status >= 500


def _status(exc: APIError) -> int:
    # gspread sets code -1 when the error body is not JSON (a proxy's HTML page): the HTTP status tells then
    return exc.code if exc.code > 0 else int(exc.response.status_code)


def _message(exc: APIError) -> str:
    message = exc.error.get("message") if isinstance(exc.error, dict) else None
    return str(message or exc.response.reason or "no message").strip()


def _retry_after(exc: APIError) -> float:
    value = exc.response.headers.get("Retry-After", "")
    try:
        return max(0.0, float(value))
    except ValueError:
        return 0.0


def _refusal(exc: RefreshError) -> str:
    """The token endpoint's error code and description only (its answer is never echoed whole)."""
    data = exc.args[1] if len(exc.args) > 1 and isinstance(exc.args[1], dict) else {}
    parts = [str(data.get(k))[:200] for k in ("error", "error_description") if data.get(k)]
    return ": ".join(parts) or "no reason given"


def call_google(action: Callable[[], T], what: str, *, policy: RetryPolicy = RetryPolicy(),
                sleep: Callable[[float], None] = time.sleep, rand: Callable[[], float] = random.random) -> T:
    """Run `action` (one request), retrying what `retryable` allows within `policy`.

    Raises:
        SheetsApiError: Google refused the request, or the retries ran out (the last answer is named).
    """
    waited = 0.0
    for attempt in range(1, policy.attempts + 1):
        try:
            return action()
        except APIError as exc:
            status, message = _status(exc), _message(exc)
            failure = SheetsApiError(f"Google Sheets said: {message} (HTTP {status})", status=status,
                                     google_message=message)
            if not retryable(status):
                raise failure from None
            floor = _retry_after(exc)
        except (requests.ConnectionError, requests.Timeout) as exc:
            kind = "timed out" if isinstance(exc, requests.Timeout) else "could not connect"
            failure = SheetsApiError(f"Google Sheets {kind} ({type(exc).__name__})")
            floor = 0.0
        except RefreshError as exc:
            # Google refused to sign the account in (revoked key, deleted account): asking again is refused too
            raise SheetsApiError(f"Google refused the credentials: {_refusal(exc)}", status=401, sign_in=True) from None
        except TransportError as exc:
            # google-auth wraps the network failure of the token request; its text quotes urllib3 internals
            cause = type(exc.__cause__ or exc).__name__
            failure = SheetsApiError(f"could not reach Google's sign-in (token) endpoint ({cause})", sign_in=True)
            floor = 0.0
        delay = min(policy.cap, max(floor, rand() * min(policy.cap, policy.base * 2 ** (attempt - 1))))
        if attempt == policy.attempts or waited + delay > policy.budget:
            raise SheetsApiError(f"{failure.message}; gave up after {attempt} attempt(s)", status=failure.status,
                                 google_message=failure.google_message, sign_in=failure.sign_in) from None
        logger.warning("%s: %s; retrying in %.1f s (attempt %d of %d)", what, failure.message, delay, attempt + 1,
                       policy.attempts)
        sleep(delay)
        waited += delay
    raise AssertionError("unreachable: the loop returns or raises")  # pragma: no cover
