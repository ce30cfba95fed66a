"""API origins: which scheme, host and port the bearer token may travel to (pure rules, shared by config and api)."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

_DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class Origin:
    """Scheme, host and port of the API, plus the path prefix every request lives under."""

    scheme: str
    host: str
    port: int
    prefix: str = ""

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        default = _DEFAULT_PORTS[self.scheme] == self.port
        return f"{self.scheme}://{host}{'' if default else f':{self.port}'}{self.prefix}"

    def url_for(self, path: str) -> str:
        """Absolute URL of an API path such as "/v2/campaigns"."""
        return self.url + "/" + path.lstrip("/")

    def owns(self, url: str) -> bool:
        """True when `url` has exactly this scheme, host and port (the token may go there)."""
        parts = urlsplit(url)
        try:
            port = parts.port or _DEFAULT_PORTS.get(parts.scheme)
        except ValueError:
            return False
        if parts.username or parts.password or not parts.hostname:
            return False
        return (parts.scheme, parts.hostname.lower(), port) == (self.scheme, self.host, self.port)


def is_loopback(host: str) -> bool:
    """127.0.0.0/8, ::1 and localhost: the only hosts plain http is allowed to."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def parse_base_url(base_url: str) -> Origin:
    """Validate `api.base_url`: https, or http only for loopback hosts; no credentials, query or fragment."""
    origin = _split(base_url)
    if origin.scheme == "http" and not is_loopback(origin.host):
        raise ValueError(f"api.base_url must use https (http is allowed only for loopback hosts): {base_url}")
    return origin


def resolve_link(origin: Origin, link: str) -> str | None:
    """Absolute form of a link from a response if it stays on `origin`, else None (to be refused)."""
    absolute = urljoin(origin.url + "/", link)
    return absolute if origin.owns(absolute) else None


def _split(url: str) -> Origin:
    parts = urlsplit(url)
    if parts.scheme not in _DEFAULT_PORTS:
        raise ValueError(f"URL scheme must be http or https: {url!r}")
    if not parts.hostname or parts.username or parts.password:
        raise ValueError("URL must name a host and carry no user name or password")
    if parts.query or parts.fragment:
        raise ValueError("api.base_url must not carry a query string or fragment")
    try:
        port = parts.port or _DEFAULT_PORTS[parts.scheme]
    except ValueError as exc:  # urllib raises on a non-numeric or out-of-range port
        raise ValueError(f"invalid port in URL {url!r}") from exc
    return Origin(parts.scheme, parts.hostname.lower(), port, parts.path.rstrip("/"))
