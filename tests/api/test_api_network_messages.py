"""What the client says about the network: host and cause of a failed connection, DEBUG request lines, rate waits."""

from __future__ import annotations

import logging
import socket
import time

import pytest

from sheets_sync.api import RateBudget
from sheets_sync.api.transport import request_line
from sheets_sync.catalogue import get_endpoint
from sheets_sync.errors import ApiUnavailableError

from api_helpers import FakeSleep, client_for, running_emulator

PARAMS = {"startDate": "2026-04-01", "endDate": "2026-06-30", "metrics": ["engagements"]}


def test_a_host_name_that_does_not_resolve_fails_at_once_naming_host_and_cause(fake_sleep: FakeSleep) -> None:
    """DNS failure (reserved .invalid name): one attempt, no backoff sleep, message names the host and DNS."""
    started = time.monotonic()
    with client_for("https://nonexistent.invalid", sleep=fake_sleep) as client:
        with pytest.raises(ApiUnavailableError) as info:
            client.fetch(get_endpoint("platforms/performance"), PARAMS)
    message = str(info.value)
    assert "nonexistent.invalid:443" in message and "does not resolve" in message and "DNS" in message
    assert "gave up after" not in message and fake_sleep.calls == []  # not retried at all
    assert info.value.unreachable
    assert client.transport.requests == 1
    assert time.monotonic() - started < 5


def test_a_refused_connection_names_host_port_and_refusal(fake_sleep: FakeSleep) -> None:
    """Nothing listening on the port: the retried failure says 'connection refused' for that host:port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with client_for(f"http://127.0.0.1:{port}", sleep=fake_sleep, max_attempts=2) as client:
        with pytest.raises(ApiUnavailableError) as info:
            client.fetch(get_endpoint("platforms/performance"), PARAMS)
    assert f"cannot reach 127.0.0.1:{port}: connection refused" in str(info.value)
    assert len(fake_sleep.calls) == 1 and info.value.unreachable


def test_a_connect_timeout_is_named_as_such(fake_sleep: FakeSleep) -> None:
    """A listener that never accepts (full backlog) gives 'connect timeout' with the configured seconds."""
    # A listening socket with backlog 0 whose queue is filled by one pending connection: the next SYN is
    # not answered, so the connect attempt times out (on Linux) without any outside traffic.
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(0)
        port = server.getsockname()[1]
        fillers = []
        for _ in range(4):
            filler = socket.socket()
            filler.setblocking(False)
            filler.connect_ex(("127.0.0.1", port))
            fillers.append(filler)
        try:
            with client_for(f"http://127.0.0.1:{port}", sleep=fake_sleep, max_attempts=1, timeout_seconds=0.3) as c:
                with pytest.raises(ApiUnavailableError) as info:
                    c.fetch(get_endpoint("platforms/performance"), PARAMS)
        finally:
            for filler in fillers:
                filler.close()
    message = str(info.value)
    assert f"127.0.0.1:{port}" in message
    assert "no answer to the connection attempt within 0.3 s (connect timeout)" in message


def test_debug_lines_show_each_request_with_its_query_and_no_credentials(caplog, fake_sleep: FakeSleep) -> None:
    """At DEBUG every request is logged with its query parameters; the token exchange names keys, not values."""
    with running_emulator(pagination="page") as emu, caplog.at_level(logging.DEBUG, logger="sheets_sync.api"):
        with client_for(emu.url, sleep=fake_sleep, page_size=100) as client:
            client.fetch(get_endpoint("platforms/performance"), {**PARAMS, "instanceIds": ["instance_abc"]})
    debug = [r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG]
    gets = [line for line in debug if line.startswith("GET /v2/platforms/performance?")]
    assert gets, debug
    assert "startDate=2026-04-01" in gets[0] and "metrics=engagements" in gets[0] and "instance_abc" in gets[0]
    token_lines = [line for line in debug if line.startswith("POST /oauth/token")]
    assert token_lines and "clientSecret" in token_lines[0]
    assert all("demo-secret" not in line for line in debug)


def test_request_line_masks_secret_looking_parameters() -> None:
    """Query values under credential-like names are masked; ordinary values such as instance ids are shown."""
    line = request_line("http://h/v2/x?cursor=abc&access_token=zzz", [("instanceIds", "i_1"), ("api_key", "k1"),
                                                                     ("clientSecret", "s3")])
    assert line.startswith("/v2/x?") and "cursor=abc" in line and "instanceIds=i_1" in line
    assert "zzz" not in line and "k1" not in line and "s3" not in line and line.count("***") == 3


def test_a_rate_budget_wait_of_a_second_or_more_is_logged_with_its_length(caplog) -> None:
    """When the budget is used up, the wait (here 60 s on a fake clock) is an INFO line naming its seconds."""
    now = [0.0]
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        now[0] += seconds

    budget = RateBudget(requests_per_minute=2, clock=lambda: now[0], sleep=sleep, slack_seconds=0.0)
    with caplog.at_level(logging.INFO, logger="sheets_sync.api.rate"):
        budget.acquire()
        budget.acquire()
        assert not caplog.records  # within the budget: no wait, nothing logged
        waited = budget.acquire()
    assert waited == pytest.approx(60.0) and sleeps == [pytest.approx(60.0)]
    lines = [r.getMessage() for r in caplog.records if r.levelno == logging.INFO]
    assert len(lines) == 1 and "waiting 60.0 s" in lines[0] and "2 requests per 60 s" in lines[0]


def test_a_short_rate_budget_wait_is_not_logged(caplog) -> None:
    """A wait under a second is routine pacing: no log line."""
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    budget = RateBudget(requests_per_minute=60, window_seconds=0.5, clock=lambda: now[0], sleep=sleep,
                        slack_seconds=0.0)
    with caplog.at_level(logging.INFO, logger="sheets_sync.api.rate"):
        budget.acquire()
        assert 0 < budget.acquire() < 1.0
    assert not caplog.records
