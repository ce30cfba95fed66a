"""Fixtures of the delivery tests: a self-signed certificate per session and real SMTP servers on loopback."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from .smtp_servers import RunningSmtp, make_certificate, start_smtp


@pytest.fixture(scope="session")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(cert.pem, key.pem) of a self-signed certificate for 127.0.0.1 and localhost."""
    return make_certificate(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def smtp_server(certificate: tuple[Path, Path]) -> Iterator[Callable[[str], RunningSmtp]]:
    """Factory: smtp_server("starttls" | "ssl" | "plain") → a started server, stopped at teardown."""
    started: list[RunningSmtp] = []

    def start(mode: str) -> RunningSmtp:
        server = start_smtp(mode, certificate)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()
