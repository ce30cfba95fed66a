"""A requests Session that sends Google API URLs (sheets.googleapis.com, www.googleapis.com) to an emulator."""

from __future__ import annotations

from typing import Any

import requests
from requests.adapters import HTTPAdapter

GOOGLE_PREFIXES = ("https://sheets.googleapis.com/", "https://www.googleapis.com/")


class LoopbackAdapter(HTTPAdapter):
    """Rewrites `prefix…` to `base_url/…` before sending (gspread builds its URLs from fixed constants)."""

    def __init__(self, base_url: str, prefix: str) -> None:
        super().__init__()
        self.base_url = base_url.rstrip("/") + "/"
        self.prefix = prefix

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        url = request.url or ""
        if url.startswith(self.prefix):
            request.url = self.base_url + url[len(self.prefix):]
        return super().send(request, *args, **kwargs)


PLACEHOLDER_TOKEN = "emulator"  # noqa: S105 - not a secret: the emulator only counts quota per token


def loopback_session(base_url: str, token: str = PLACEHOLDER_TOKEN) -> requests.Session:
    """A Session for `gspread.Client(None, session=…)`: Google URLs go to `base_url`; proxies from the env ignored."""
    session = requests.Session()
    session.trust_env = False
    session.headers["Authorization"] = f"Bearer {token}"
    for prefix in GOOGLE_PREFIXES:
        session.mount(prefix, LoopbackAdapter(base_url, prefix))
    return session
