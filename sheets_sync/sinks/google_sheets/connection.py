"""Where the sink's calls go: the emulator named by SHEETS_EMULATOR_HOST, or Google with the config's credentials.

With SHEETS_EMULATOR_HOST=host:port every call goes over plain HTTP to that emulator with no credentials
at all. Otherwise a service-account JSON key (`credentials:`) or Application Default Credentials, with
the spreadsheets scope only (no Drive: spreadsheets are opened by key). Every call has a timeout.
The key's private parts are registered as secrets before anything can print them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gspread
import requests
from requests.adapters import HTTPAdapter

from sheets_sync.errors import SinkError
from sheets_sync.redaction import register_secret

EMULATOR_VARIABLE = "SHEETS_EMULATOR_HOST"
SCOPES = ("https://www.googleapis.com/auth/spreadsheets",)
GOOGLE_PREFIX = "https://sheets.googleapis.com/"
TIMEOUT = (10.0, 120.0)   # (connect, read) seconds of every call
_HOST_PORT = re.compile(r"[A-Za-z0-9.-]+:[0-9]{1,5}|\[[0-9A-Fa-f:]+\]:[0-9]{1,5}")


@dataclass
class Connection:
    """A gspread client ready to use and the account it acts as (for error messages)."""

    client: gspread.Client
    account: str          # the service account's e-mail, ADC's when known, or "the emulator"


class _EmulatorAdapter(HTTPAdapter):
    """Sends https://sheets.googleapis.com/… to http://host:port/… (gspread's URLs are fixed constants)."""

    def __init__(self, base_url: str) -> None:
        super().__init__()
        self.base_url = base_url

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        url = request.url or ""
        if url.startswith(GOOGLE_PREFIX):
            request.url = self.base_url + url[len(GOOGLE_PREFIX):]
        return super().send(request, *args, **kwargs)


def emulator_session(host: str) -> requests.Session:
    """A session whose Sheets calls go to the emulator at `host` (host:port); proxies from the environment ignored."""
    if not _HOST_PORT.fullmatch(host):
        raise SinkError(f"{EMULATOR_VARIABLE} must be host:port (e.g. 127.0.0.1:8765), not {host!r}")
    session = requests.Session()
    session.trust_env = False  # a CI proxy variable must not capture loopback traffic
    session.mount(GOOGLE_PREFIX, _EmulatorAdapter(f"http://{host}/"))
    return session


def connect(destination_name: str, credentials: Path | None, env: Mapping[str, str]) -> Connection:
    """A client for one destination: the emulator when `env` names one, else the credentials file, else ADC.

    Raises:
        SinkError: the credentials cannot be read or are not a service-account key, or none are found.
    """
    host = env.get(EMULATOR_VARIABLE)
    if host:
        # gspread documents auth=None with a ready session; its annotation only names Credentials
        client = gspread.Client(None, session=emulator_session(host))  # type: ignore[arg-type]  # see above
        account = "the emulator"
    elif credentials is not None:
        creds, account = _service_account(destination_name, credentials)
        client = gspread.Client(creds)
    else:
        creds, account = _default_credentials(destination_name)
        client = gspread.Client(creds)
    client.set_timeout(TIMEOUT)
    return Connection(client, account)


def _service_account(destination_name: str, path: Path) -> tuple[Any, str]:
    from google.oauth2 import service_account

    where = f"destination {destination_name!r}: credentials file {path}"
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SinkError(f"{where} cannot be read: {exc.strerror or exc}") from None
    except ValueError:
        raise SinkError(f"{where} is not JSON (expected a service-account key from the Google Cloud console)") from None
    if not isinstance(info, dict) or info.get("type") != "service_account":
        kind = info.get("type") if isinstance(info, dict) else None
        raise SinkError(f"{where} is not a service-account key (type: {kind!r}); create a JSON key for a service "
                        "account and share the spreadsheet with its e-mail address")
    for secret in ("private_key", "private_key_id"):
        value = info.get(secret)
        register_secret(value if isinstance(value, str) else None)
        if isinstance(value, str):
            for line in value.splitlines():  # a fragment of the key in a message is as bad as all of it
                register_secret(line if len(line) >= 16 and "PRIVATE KEY" not in line else None)
    try:
        creds = service_account.Credentials.from_service_account_info(  # type: ignore[no-untyped-call]  # google-auth
            info, scopes=list(SCOPES))
    except (ValueError, KeyError) as exc:
        raise SinkError(f"{where} is not a usable service-account key ({type(exc).__name__})") from None
    return creds, str(info.get("client_email") or "the service account")


def _default_credentials(destination_name: str) -> tuple[Any, str]:
    import google.auth
    from google.auth.exceptions import DefaultCredentialsError

    try:
        creds, _project = google.auth.default(scopes=list(SCOPES))
    except DefaultCredentialsError:
        raise SinkError(f"destination {destination_name!r}: no Google credentials: set credentials: to a "
                        "service-account JSON key, or set up Application Default Credentials") from None
    email = getattr(creds, "service_account_email", None)
    account = email if isinstance(email, str) and "@" in email else "the Application Default Credentials account"
    return creds, account
