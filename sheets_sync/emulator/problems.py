"""Problem+json errors in the vocabulary of each documentation generation.

The cursor (current) generation uses ANL_00xxx codes; the page (Help Center / earlier docs)
generation uses VALIDATION_ERROR, INVALID_SORT_PROPERTY, RESOURCE_NOT_FOUND and INTERNAL_ERROR
(docs/decisions.md#errors). Bodies are {type, title, detail} with no `status` member, as documented.
"""

from __future__ import annotations

from dataclasses import dataclass

# kind -> (status, cursor-generation type, page-generation type, title)
KINDS: dict[str, tuple[int, str, str, str]] = {
    "validation": (400, "ANL_00400", "VALIDATION_ERROR", "Validation Error"),
    "sort": (400, "ANL_00422", "INVALID_SORT_PROPERTY", "Invalid Sort Property"),
    # No 401 code is documented for the earlier generation; the current one is used in both.
    "unauthorized": (401, "ANL_00401", "ANL_00401", "Unauthorized"),
    "bad_credentials": (401, "ANL_00401", "INVALID_CLIENT_CREDENTIALS", "Invalid Client Credentials"),
    # Earlier docs: a permission failure may surface as INTERNAL_ERROR titled Forbidden; 403 kept.
    "forbidden": (403, "ANL_00403", "INTERNAL_ERROR", "Forbidden"),
    "client_disabled": (403, "ANL_00403", "CLIENT_DISABLED", "Forbidden"),
    "no_instances": (403, "ANL_00403", "NO_ACCESSIBLE_INSTANCES", "Forbidden"),
    "not_found": (404, "ANL_00404", "RESOURCE_NOT_FOUND", "Not Found"),
    "method": (405, "ANL_00404", "RESOURCE_NOT_FOUND", "Method Not Allowed"),
    # Undocumented: the emulator's own code for throttling (docs/decisions.md#rate-limits).
    "rate_limited": (429, "ANL_00429", "ANL_00429", "Too Many Requests"),
    "internal": (500, "ANL_00500", "INTERNAL_ERROR", "Internal Server Error"),
    "bad_gateway": (502, "ANL_00500", "INTERNAL_ERROR", "Bad Gateway"),
    "unavailable": (503, "ANL_00500", "INTERNAL_ERROR", "Service Unavailable"),
}
# The page generation's token errors are all 401 (docs/decisions.md#tokens).
PAGE_TOKEN_STATUS = {"client_disabled": 401, "no_instances": 401}


@dataclass
class Problem(Exception):
    """An error response waiting to be written."""

    status: int
    type: str
    title: str
    detail: str
    headers: dict[str, str] | None = None

    def body(self) -> dict[str, str]:
        return {"type": self.type, "title": self.title, "detail": self.detail}


def problem(kind: str, detail: str, generation: str, *, token: bool = False,
            headers: dict[str, str] | None = None) -> Problem:
    """Build the problem of `kind` as the `generation` ("page" or "cursor") server words it."""
    status, cursor_type, page_type, title = KINDS[kind]
    if generation == "page":
        if token:
            status = PAGE_TOKEN_STATUS.get(kind, status)
        return Problem(status, page_type, title, detail, headers)
    return Problem(status, cursor_type, title, detail, headers)
