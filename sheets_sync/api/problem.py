"""Turn an API error response (problem+json: type, title, detail) into one of our exceptions."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

import requests

from sheets_sync.errors import ApiAuthError, ApiError, ApiRequestError, ApiResponseError

_MAX_DETAIL = 300  # an HTML error page can be huge; one readable line is all the user needs


@dataclass(frozen=True)
class Problem:
    """The useful part of an error response."""

    status: int
    type: str | None
    title: str | None
    detail: str | None

    def describe(self) -> str:
        """`HTTP 400 ANL_00400 (Validation Error): Maximum of 50 campaignIds allowed.`"""
        head = f"HTTP {self.status}"
        if self.type:
            head += f" {self.type}"
        if self.title:
            head += f" ({self.title})"
        return f"{head}: {self.detail}" if self.detail else head


def read_problem(response: requests.Response) -> Problem:
    """Read type/title/detail from a problem+json body; fall back to the start of a plain-text body."""
    body: object = None
    with contextlib.suppress(ValueError):  # not JSON: read as plain text below
        body = response.json()
    if isinstance(body, dict):
        def text(key: str) -> str | None:
            value = body.get(key)
            return _one_line(str(value)) if value is not None else None
        # Some gateways nest the message under "message"/"error"; keep whatever explains the failure.
        detail = text("detail") or text("message") or text("error")
        return Problem(response.status_code, text("type"), text("title"), detail)
    snippet = _one_line(response.text or "") or None
    return Problem(response.status_code, None, response.reason or None, snippet)


def request_error(endpoint: str, problem: Problem) -> ApiError:
    """The exception for a non-retried error status on `endpoint`."""
    message = f"{endpoint}: the API rejected the request: {problem.describe()}"
    if problem.status == 401:
        return ApiAuthError(f"{endpoint}: not authorised after renewing the token: {problem.describe()}",
                            error_type=problem.type, status=401)
    if 300 <= problem.status < 400:
        return ApiResponseError(f"{endpoint}: the API answered with a redirect (HTTP {problem.status}), "
                                "which is refused so the token never leaves the configured origin")
    return ApiRequestError(message, status=problem.status, error_type=problem.type, detail=problem.detail)


def _one_line(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= _MAX_DETAIL else line[: _MAX_DETAIL - 1] + "…"
