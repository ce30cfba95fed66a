"""The HTTP wrapper: a ThreadingHTTPServer on loopback that hands raw requests to a SheetsService."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from sheets_sync.sheets_emulator.discovery import load_sheets_validator
from sheets_sync.sheets_emulator.html_view import html_page
from sheets_sync.sheets_emulator.service import ApiRequest, SheetsService

_REASONS = {200: "OK", 204: "No Content", 400: "Bad Request", 403: "Forbidden", 404: "Not Found",
            429: "Too Many Requests", 500: "Internal Server Error", 503: "Service Unavailable"}


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], service: SheetsService) -> None:
        super().__init__(address, _Handler)
        self.service = service


class _Handler(BaseHTTPRequestHandler):
    server: _Server  # the server that built this handler
    protocol_version = "HTTP/1.1"
    server_version = "sheets-emulator"
    sys_version = ""

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in one write; NODELAY stops Nagle holding it for the client's delayed ACK.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        # self.path is the raw request target: routing needs `%3A` and `:` kept apart
        raw_path, _, raw_query = self.path.partition("?")
        request = ApiRequest(self.command, raw_path, parse_qs(raw_query, keep_blank_values=True),
                             {k.lower(): v for k, v in self.headers.items()}, body)
        page = html_page(self.command, raw_path, raw_query, self.server.service.spreadsheets)
        response = page if page is not None else self.server.service.handle(request)
        lines = [f"HTTP/1.1 {response.status} {_REASONS.get(response.status, 'Error')}",
                 f"Date: {self.date_time_string()}", f"Content-Length: {len(response.body)}"]
        if response.status != 204:
            lines.append(f"Content-Type: {response.content_type}")
        if self.close_connection:
            lines.append("Connection: close")
        self.wfile.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + response.body)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _serve

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the service keeps its own request log."""


class RunningSheetsEmulator:
    """A started emulator: `url` (http://127.0.0.1:PORT), `host` (127.0.0.1:PORT), `service`, `stop()`."""

    def __init__(self, service: SheetsService, host: str = "127.0.0.1", port: int = 0) -> None:
        self.service = service
        self.validating = service.validator is not None
        self._server = _Server((host, port), service)
        self.port: int = self._server.server_address[1]
        self.host = f"{host}:{self.port}"
        self.url = f"http://{self.host}"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02},
                                        name=f"sheets-emulator-{self.port}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> RunningSheetsEmulator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


@contextmanager
def start_sheets_emulator(service: SheetsService | None = None, *, host: str = "127.0.0.1", port: int = 0,
                          validate: bool = False, **service_options: Any) -> Iterator[RunningSheetsEmulator]:
    """Run an emulator on loopback for the `with` block; `service_options` go to SheetsService when none given.

    `validate=True` checks every request against Google's discovery document (discovery.py) when
    google-api-python-client is installed; `running.validating` says whether it does.
    """
    if validate and service is None and "validator" not in service_options:
        service_options["validator"] = load_sheets_validator()
    running = RunningSheetsEmulator(service or SheetsService(**service_options), host, port)
    try:
        yield running
    finally:
        running.stop()
