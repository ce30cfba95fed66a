"""Google-shaped API errors: the exception the engine raises and the JSON body it becomes."""

from __future__ import annotations

import json
from typing import Any

CONTENT_TYPE = "application/json; charset=UTF-8"
CELL_LIMIT = 10_000_000
CELL_CHARACTERS = 50_000

_STATUS = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND",
           409: "ALREADY_EXISTS", 429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 503: "UNAVAILABLE"}


class ApiError(Exception):
    """An error answer: HTTP code, Google's message and optional `details`."""

    def __init__(self, code: int, message: str, details: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details

    def body(self) -> dict[str, Any]:
        """`{"error": {"code", "message", "status"[, "details"]}}`."""
        error: dict[str, Any] = {"code": self.code, "message": self.message,
                                 "status": _STATUS.get(self.code, "UNKNOWN")}
        if self.details:
            error["details"] = self.details
        return {"error": error}

    def encoded(self) -> bytes:
        return json.dumps(self.body(), indent=2, ensure_ascii=False).encode("utf-8")


class RequestError(Exception):
    """A batchUpdate request that cannot be applied; the batch wraps it as `Invalid requests[i].kind: …`."""


def not_found() -> ApiError:
    return ApiError(404, "Requested entity was not found.")


def permission_denied() -> ApiError:
    return ApiError(403, "The caller does not have permission")


def invalid(message: str) -> ApiError:
    return ApiError(400, message)


def invalid_request(index: int, kind: str, message: str) -> ApiError:
    return ApiError(400, f"Invalid requests[{index}].{kind}: {message}")


def unparsable_range(text: str) -> ApiError:
    return ApiError(400, f"Unable to parse range: {text}")


def grid_limits_text(range_text: str, rows: int, cols: int) -> str:
    return f"Range ({range_text}) exceeds grid limits. Max rows: {rows}, max columns: {cols}"


def cell_limit_text() -> str:
    return f"This action would increase the number of cells in the workbook above the limit of {CELL_LIMIT} cells."


def characters_text() -> str:
    return f"Your input contains more than the maximum of {CELL_CHARACTERS} characters in a single cell."


def bad_field(field: str, value: Any, proto: str) -> ApiError:
    """The proto layer's answer to a value of the wrong JSON type, e.g. a string where a list belongs."""
    message = f"Invalid value at '{field}' ({proto}), {json.dumps(value, ensure_ascii=False)}"
    return ApiError(400, message, [{"@type": "type.googleapis.com/google.rpc.BadRequest",
                                    "fieldViolations": [{"field": field, "description": message}]}])


def quota_exceeded(*, write: bool, per_user: bool, project_number: str) -> ApiError:
    """429 RESOURCE_EXHAUSTED with the ErrorInfo Google sends for a per-minute quota."""
    metric = "Write requests" if write else "Read requests"
    limit_name = f"{metric} per minute" + (" per user" if per_user else "")
    limit_id = ("Write" if write else "Read") + "RequestsPerMinutePer" + ("User" if per_user else "Project")
    message = (f"Quota exceeded for quota metric '{metric}' and limit '{limit_name}' of service "
               f"'sheets.googleapis.com' for consumer 'project_number:{project_number}'.")
    details: list[dict[str, Any]] = [
        {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "RATE_LIMIT_EXCEEDED",
         "domain": "googleapis.com",
         "metadata": {"quota_limit": limit_id,
                      "quota_metric": f"sheets.googleapis.com/{'write' if write else 'read'}_requests",
                      "service": "sheets.googleapis.com", "consumer": f"projects/{project_number}"}},
        {"@type": "type.googleapis.com/google.rpc.Help",
         "links": [{"description": "Request a higher quota limit.",
                    "url": "https://cloud.google.com/docs/quotas/help/request_increase"}]},
    ]
    return ApiError(429, message, details)
