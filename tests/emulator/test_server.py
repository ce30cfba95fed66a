"""Starting and stopping in-process emulators, and the counters tests rely on."""

from __future__ import annotations

import socket

import pytest
import requests

from sheets_sync.emulator import EmulatorOptions, start_emulator

from .support import Api


def test_start_binds_a_free_loopback_port_and_stop_releases_it():
    """port=0 picks a free 127.0.0.1 port; after stop() nothing listens there."""
    emu = start_emulator(EmulatorOptions(port=0))
    assert emu.url == f"http://127.0.0.1:{emu.port}" and emu.port > 0
    assert requests.get(emu.url + "/v2/instances", timeout=5).status_code == 401
    emu.stop()
    emu.stop()  # idempotent
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", emu.port), timeout=1)


def test_context_manager_stops_the_server():
    """Leaving the with-block stops the server."""
    with start_emulator(EmulatorOptions()) as emu:
        port = emu.port
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=1)


def test_stats_count_by_path_and_status(make_emulator):
    """stats counts every request by (path, status), plus tokens issued and 429s sent."""
    emu = make_emulator(throttle_every=2)
    api = Api(emu)
    api.get("/v2/instances")
    api.get("/v2/instances")
    api.get("/v2/nope")
    assert emu.stats.by_path_status == {("/oauth/token", 200): 1, ("/v2/instances", 200): 1,
                                        ("/v2/instances", 429): 1, ("/v2/nope", 404): 1}
    assert emu.stats.total == 4 and emu.stats.sent_429 == 1 and emu.stats.tokens_issued == 1
    assert emu.stats.count(status=200) == 2 and emu.stats.count(path="/v2/instances") == 2
    emu.stats.reset()
    assert emu.stats.total == 0


@pytest.mark.parametrize("bad", [{"pagination": "offset"}, {"scale": 0}, {"error_rate": 2.0}, {"throttle_every": 0}])
def test_invalid_options_are_refused(bad):
    """Options that would make the emulator misbehave silently raise ValueError naming the option."""
    with pytest.raises(ValueError, match=next(iter(bad))):
        start_emulator(EmulatorOptions(**bad))


def test_concurrent_clients_get_consistent_pages(make_emulator):
    """Eight threads walking the same query at once all see the same rows."""
    from concurrent.futures import ThreadPoolExecutor
    emu = make_emulator(pagination="cursor")
    params = {"startDate": "2025-01-01", "endDate": "2025-12-31", "metrics": "engagements"}

    def walk(_: int) -> list:
        return Api(emu).walk("/v2/creators/performance", params)
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(walk, range(8)))
    assert all(r == results[0] for r in results) and results[0]
