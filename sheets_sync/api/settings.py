"""Connection settings of the Reporting API client: one frozen value, secret kept out of repr."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from sheets_sync.origin import Origin, parse_base_url
from sheets_sync.redaction import register_secret

DEFAULT_BASE_URL = "https://reporting.api.later.com"
VERSIONS = ("v2", "v1")
PAGINATION_STYLES = ("auto", "page", "cursor")


@dataclass(frozen=True)
class ApiSettings:
    """How to reach the Reporting API and how hard to push it.

    `client_secret` is excluded from `repr` and registered with the redaction registry, so neither
    a log line nor an exception built from these settings can show it.
    """

    base_url: str = DEFAULT_BASE_URL
    client_id: str = ""
    client_secret: str = field(default="", repr=False)
    version: str = "v2"
    pagination: str = "auto"
    page_size: int = 100
    max_concurrency: int = 4
    requests_per_minute: float = 120
    timeout_seconds: float = 30
    max_attempts: int = 5
    retry_budget_seconds: float = 600
    token_margin_seconds: float = 60

    def __post_init__(self) -> None:
        register_secret(self.client_secret)
        if self.version not in VERSIONS:
            raise ValueError(f"api.version must be one of {', '.join(VERSIONS)}, not {self.version!r}")
        if self.pagination not in PAGINATION_STYLES:
            raise ValueError(f"api.pagination must be one of {', '.join(PAGINATION_STYLES)}")
        if not 1 <= self.page_size <= 100:
            raise ValueError("api.page_size must be between 1 and 100")
        if self.max_concurrency < 1 or self.max_attempts < 1:
            raise ValueError("api.max_concurrency and max_attempts must be at least 1")
        if self.requests_per_minute <= 0 or self.timeout_seconds <= 0:
            raise ValueError("api.requests_per_minute and timeout_seconds must be positive")
        parse_base_url(self.base_url)  # raises ValueError for a non-https, non-loopback origin

    @classmethod
    def from_values(cls, values: Mapping[str, Any]) -> ApiSettings:
        """Settings from a mapping with the same key names, such as a config's `api:` section dumped.

        None means "the default"; a secret wrapper (anything with `get_secret_value`) is unwrapped. A key
        these settings do not know is refused, so a new config key cannot be dropped on the way here.
        """
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"unknown API setting(s): {', '.join(unknown)}")
        plain = {key: _unwrap(value) for key, value in values.items() if value is not None}
        return cls(**plain)

    @property
    def origin(self) -> Origin:
        return parse_base_url(self.base_url)


def _unwrap(value: Any) -> Any:
    reveal = getattr(value, "get_secret_value", None)
    return reveal() if callable(reveal) else value
