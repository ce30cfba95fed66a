"""The HTTP layer: a keep-alive ThreadingHTTPServer on loopback, run in a daemon thread."""

from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from sheets_sync.emulator.app import App
from sheets_sync.emulator.dataset import Dataset, generate
from sheets_sync.emulator.options import EmulatorOptions
from sheets_sync.emulator.stats import Stats

REASONS = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
           429: "Too Many Requests", 500: "Internal Server Error", 502: "Bad Gateway",
           503: "Service Unavailable"}


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], app: App, *, quiet: bool) -> None:
        super().__init__(address, _Handler)
        self.app = app
        self.quiet = quiet


class _Handler(BaseHTTPRequestHandler):
    server: _Server  # the server that built this handler (the base class types it as any server)
    protocol_version = "HTTP/1.1"
    server_version = "sheets-sync-emulator"
    sys_version = ""

    def setup(self) -> None:
        super().setup()
        # One write per response already; NODELAY stops Nagle from holding the last segment.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        r = self.server.app.handle(self.command, self.path, headers, body)
        lines = [f"HTTP/1.1 {r.status} {REASONS.get(r.status, 'Error')}",
                 f"Content-Type: {r.content_type}", f"Content-Length: {len(r.body)}",
                 f"Date: {self.date_time_string()}"]
        lines += [f"{k}: {v}" for k, v in r.headers.items()]
        if self.close_connection:
            lines.append("Connection: close")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        # A HEAD answer announces the body's length but must not carry it on a keep-alive connection.
        self.wfile.write(head if self.command == "HEAD" else head + r.body)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _serve

    def log_message(self, format: str, *args: object) -> None:
        if not self.server.quiet:
            super().log_message(format, *args)


class RunningEmulator:
    """A started emulator: `url`, `stats`, `data`, `options`; `stop()` or use as a context manager."""

    def __init__(self, options: EmulatorOptions, dataset: Dataset) -> None:
        self.options = options
        self.app = App(options, dataset)
        self._server = _Server((options.host, options.port), self.app, quiet=options.quiet)
        self.port: int = self._server.server_address[1]
        self.url = f"http://{options.host}:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.1},
                                        name=f"emulator-{self.port}", daemon=True)

    @property
    def stats(self) -> Stats:
        return self.app.stats

    @property
    def data(self) -> Dataset:
        return self.app.data

    def start(self) -> RunningEmulator:
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in the calling thread (the CLI) until shutdown."""
        self._server.serve_forever(poll_interval=0.1)

    def stop(self) -> None:
        """Stop serving and close the socket; safe to call twice."""
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join(timeout=5)
        self._server.server_close()

    def __enter__(self) -> RunningEmulator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def build_emulator(options: EmulatorOptions | None = None) -> RunningEmulator:
    """Generate the data and bind the port, without serving yet."""
    options = options or EmulatorOptions()
    options.validate()
    return RunningEmulator(options, generate(options.seed, options.scale, options.anchor_date))


def start_emulator(options: EmulatorOptions | None = None) -> RunningEmulator:
    """Start an emulator in a daemon thread on loopback (port 0 = a free port) and return it."""
    return build_emulator(options).start()
