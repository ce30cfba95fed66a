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
from gspread.exceptions import APIError

from sheets_sync.errors import SinkError

logger = logging.getLogger(__name__)
T = TypeVar("T")


class SheetsApiError(SinkError):
    """Google Sheets refused a request (or kept failing until the retry budget ran out)."""

    def __init__(self, message: str, *, status: int | None = None, google_message: str = "") -> None:
        self.status = status
        self.google_message = google_message
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
        delay = min(policy.cap, max(floor, rand() * min(policy.cap, policy.base * 2 ** (attempt - 1))))
        if attempt == policy.attempts or waited + delay > policy.budget:
            raise SheetsApiError(f"{failure.message}; gave up after {attempt} attempt(s)",
                                 status=failure.status, google_message=failure.google_message) from None
        logger.warning("%s: %s; retrying in %.1f s (attempt %d of %d)", what, failure.message, delay, attempt + 1,
                       policy.attempts)
        sleep(delay)
        waited += delay
    raise AssertionError("unreachable: the loop returns or raises")  # pragma: no cover
