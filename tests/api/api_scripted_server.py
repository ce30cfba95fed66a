"""A tiny loopback HTTP server answering from a script, for edge cases the emulator cannot produce."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt

Reply = tuple[int, dict[str, str], bytes]


@dataclass
class Seen:
    """One request the server received."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]


@dataclass
class ScriptedServer:
    """Answers /oauth/token with a real JWT and every other request with `script(seen) -> Reply`."""

    script: Callable[[Seen], Reply]
    token_lifetime: int = 3600
    drip_seconds: float = 0.0          # > 0: send data bodies one byte at a time with this pause
    requests: list[Seen] = field(default_factory=list)
    url: str = ""

    def data_requests(self) -> list[Seen]:
        return [r for r in self.requests if r.path != "/oauth/token"]


def json_reply(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Reply:
    content_type = "application/json" if status < 400 else "application/problem+json"
    return status, {"Content-Type": content_type, **(headers or {})}, json.dumps(body).encode()


def problem_reply(status: int, type_: str, detail: str, headers: dict[str, str] | None = None) -> Reply:
    return json_reply({"type": type_, "title": "Error", "detail": detail}, status, headers)


def start_scripted(script: Callable[[Seen], Reply], token_lifetime: int = 3600,
                   drip_seconds: float = 0.0) -> tuple[ScriptedServer, Callable[[], None]]:
    """Start the server on a free loopback port; returns it and a stop function."""
    state = ScriptedServer(script, token_lifetime, drip_seconds)
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:  # keep pytest output clean
            pass

        def _handle(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            seen = Seen(self.command, parts.path, parse_qs(parts.query), dict(self.headers))
            with lock:
                state.requests.append(seen)
            if parts.path == "/oauth/token":
                token = jwt.encode({"sub": "t", "exp": int(time.time()) + state.token_lifetime,
                                    "jti": len(state.requests)}, "k" * 32, algorithm="HS256")
                status, headers, body = json_reply({"jwt": token})
            else:
                status, headers, body = state.script(seen)
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if state.drip_seconds and parts.path != "/oauth/token":
                try:
                    for i in range(len(body)):
                        self.wfile.write(body[i:i + 1])
                        self.wfile.flush()
                        time.sleep(state.drip_seconds)
                except OSError:  # the client gave up on us, as intended
                    return
            else:
                self.wfile.write(body)

        do_GET = do_POST = _handle  # noqa: N815 - http.server dispatches on these names

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()

    def stop() -> None:
        server.shutdown()
        server.server_close()

    return state, stop
