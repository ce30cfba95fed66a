"""Test support for the emulator tests: an authorised keep-alive session per emulator."""

from __future__ import annotations

from typing import Any

import requests

from sheets_sync.emulator import RunningEmulator

YEAR = {"startDate": "2025-01-01", "endDate": "2025-12-31"}


class Api:
    """A keep-alive session bound to one emulator, holding a fresh token."""

    def __init__(self, emu: RunningEmulator, client_id: str = "demo-client", secret: str = "demo-secret") -> None:
        self.emu = emu
        self.session = requests.Session()
        self.client_id, self.secret = client_id, secret
        self.renew()

    def renew(self) -> None:
        r = self.session.post(self.emu.url + "/oauth/token", json={"clientId": self.client_id,
                                                                   "clientSecret": self.secret})
        assert r.status_code == 200, r.text
        self.session.headers["Authorization"] = "Bearer " + r.json()["jwt"]

    def get(self, path: str, params: Any = None, **kwargs: Any) -> requests.Response:
        return self.session.get(self.emu.url + path, params=params, **kwargs)

    def ok(self, path: str, params: Any = None) -> dict:
        r = self.get(path, params)
        assert r.status_code == 200, r.text
        return r.json()

    def walk(self, path: str, params: dict) -> list:
        """Every row of a list endpoint, following whichever pagination the emulator serves."""
        rows: list = []
        if self.emu.options.pagination == "page":
            page = 1
            while True:
                body = self.ok(path, {**params, "pageNumber": page, "pageSize": 100})
                rows += body["data"]
                if page >= body["pagination"]["totalPages"]:
                    return rows
                page += 1
        cursor = None
        while True:
            body = self.ok(path, {**params, "limit": 100, **({"nextCursor": cursor} if cursor else {})})
            rows += body["data"]
            cursor = body["nextCursor"]
            if cursor is None:
                return rows
