"""Injected faults: off by default, each one observable, deterministic for a seed."""

from __future__ import annotations

import requests

from .support import YEAR, Api

POSTS = {**YEAR, "metrics": "engagements"}


class Clock:
    """A settable clock for the rate limiter's window."""

    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


def _statuses(api: Api, n: int) -> list[int]:
    return [api.get("/v2/instances").status_code for _ in range(n)]


def test_no_faults_by_default(make_emulator):
    """A default emulator answers 60 requests without a single 429 or 5xx and sends no limit headers."""
    emu = make_emulator()
    api = Api(emu)
    assert _statuses(api, 60) == [200] * 60
    assert emu.stats.sent_429 == 0 and "X-Ratelimit-Limit" not in api.get("/v2/instances").headers


def test_latency_uses_the_injected_sleep(make_emulator):
    """latency_ms sleeps that long before each data request (through the injectable sleep)."""
    slept: list[float] = []
    api = Api(make_emulator(latency_ms=250, sleep=slept.append))
    api.get("/v2/instances")
    api.get("/v2/instances")
    assert slept == [0.25, 0.25]


def test_error_rate_is_seeded_and_uses_500_502_503(make_emulator):
    """error_rate answers that share of requests 500/502/503, in the same places for the same seed."""
    runs = []
    for _ in range(2):
        runs.append(_statuses(Api(make_emulator(error_rate=0.3, seed=5)), 200))
    assert runs[0] == runs[1]
    failures = [s for s in runs[0] if s != 200]
    assert set(failures) == {500, 502, 503} and 30 <= len(failures) <= 90
    other = _statuses(Api(make_emulator(error_rate=0.3, seed=6)), 200)
    assert other != runs[0]


def test_injected_5xx_is_problem_json(make_emulator):
    """An injected server error is a problem+json body with ANL_00500."""
    api = Api(make_emulator(pagination="cursor", error_rate=1.0))
    r = api.get("/v2/instances")
    assert r.status_code in (500, 502, 503) and r.json()["type"] == "ANL_00500"


def test_throttle_every_nth_request_with_retry_after(make_emulator):
    """throttle_every=3 answers every third data request 429 with the configured Retry-After."""
    emu = make_emulator(throttle_every=3, retry_after_seconds=7)
    api = Api(emu)
    responses = [api.get("/v2/instances") for _ in range(9)]
    assert [r.status_code for r in responses] == [200, 200, 429] * 3
    assert all(r.headers["Retry-After"] == "7" for r in responses if r.status_code == 429)
    assert emu.stats.sent_429 == 3
    assert responses[2].json()["type"] == "ANL_00429"


def test_rate_limiter_allows_n_per_minute_then_429_until_window_frees(make_emulator):
    """rate_limit_per_minute=N admits N requests in 60 s, then 429 with Retry-After, then admits again."""
    clock = Clock()
    emu = make_emulator(rate_limit_per_minute=5, clock=clock)
    api = Api(emu)
    assert _statuses(api, 5) == [200] * 5
    clock.now += 20
    r = api.get("/v2/instances")
    assert r.status_code == 429 and r.headers["Retry-After"] == "40"
    clock.now += 40
    assert _statuses(api, 5) == [200] * 5
    assert api.get("/v2/instances").status_code == 429


def test_rate_limit_headers_on_every_v2_response(make_emulator):
    """With the limiter on, every v2 response (success or error) carries X-Ratelimit-Limit and -Window."""
    api = Api(make_emulator(rate_limit_per_minute=120))
    for r in (api.get("/v2/instances"), api.get("/v2/campaigns/performance", {"startDate": "x"}),
              api.get("/v2/nope")):
        assert r.headers["X-Ratelimit-Limit"] == "120" and r.headers["X-Ratelimit-Window"] == "60"


def test_revoke_after_n_requests_forces_renewal(make_emulator):
    """revoke_after=3 kills issued tokens after 3 authorised requests; a new token works again."""
    emu = make_emulator(revoke_after=3)
    api = Api(emu)
    assert _statuses(api, 4) == [200, 200, 200, 401]
    api.renew()
    assert _statuses(api, 4) == [200, 200, 200, 401]
    assert emu.stats.tokens_issued == 2


def test_malformed_json_every_nth_success(make_emulator):
    """malformed_json_every=2 truncates every second successful JSON body."""
    api = Api(make_emulator(malformed_json_every=2))
    bodies = [api.get("/v2/posts/performance", POSTS) for _ in range(4)]
    parsed = []
    for r in bodies:
        assert r.status_code == 200 and r.headers["Content-Type"] == "application/json"
        try:
            r.json()
            parsed.append(True)
        except requests.exceptions.JSONDecodeError:
            parsed.append(False)
    assert parsed == [True, False, True, False]


def test_html_every_nth_success_with_status_200(make_emulator):
    """html_every=2 answers every second successful request with an HTML page and status 200."""
    api = Api(make_emulator(html_every=2))
    first, second = api.get("/v2/instances"), api.get("/v2/instances")
    assert first.headers["Content-Type"] == "application/json"
    assert second.status_code == 200 and second.headers["Content-Type"].startswith("text/html")
    assert second.text.startswith("<!DOCTYPE html>")


def test_repeat_cursor_returns_page_two_cursor_again(make_emulator):
    """repeat_cursor makes page 2 hand back the cursor that fetched it."""
    api = Api(make_emulator(pagination="cursor", repeat_cursor=True))
    first = api.ok("/v2/posts/performance", {**POSTS, "limit": 10})
    second = api.ok("/v2/posts/performance", {**POSTS, "limit": 10, "nextCursor": first["nextCursor"]})
    assert second["nextCursor"] == first["nextCursor"]


def test_token_route_is_not_throttled(make_emulator):
    """Faults hit data routes only, so a client can always fetch a new token."""
    emu = make_emulator(throttle_every=1)
    r = requests.post(emu.url + "/oauth/token", json={"clientId": "demo-client", "clientSecret": "demo-secret"},
                      timeout=10)
    assert r.status_code == 200
