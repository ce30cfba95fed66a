"""Retries: transient failures retried with backoff and Retry-After, client errors never, budgets enforced."""

from __future__ import annotations

import email.utils
import itertools
import json
import time

import pytest

from sheets_sync.api.retry import RetryPolicy, parse_retry_after
from sheets_sync.catalogue import get_endpoint
from sheets_sync.errors import ApiRateLimitError, ApiRequestError, ApiResponseError, ApiUnavailableError

from api_helpers import client_for
from api_scripted_server import json_reply, problem_reply

PAGE = {"data": [{"contentType": "tiktok", "metrics": {"engagements": 1}}], "nextCursor": None}
PARAMS = {"startDate": "2026-01-01", "endDate": "2026-01-31", "metrics": ["engagements"]}


def failing_then_ok(*statuses: int, headers: dict[str, str] | None = None):
    """A script answering the given error statuses first, then a one-page success."""
    queue = iter(statuses)

    def script(seen):
        status = next(queue, None)
        if status is None:
            return json_reply(PAGE)
        return problem_reply(status, "ANL_00500", f"injected {status}", headers)

    return script


class TestTransientFailures:
    @pytest.mark.parametrize("status", [500, 502, 503, 504, 429])
    def test_transient_status_is_retried_until_success(self, scripted, fake_sleep, status):
        """Four transient failures then success gives the clean result in exactly five attempts."""
        server = scripted(failing_then_ok(status, status, status, status))
        with client_for(server.url, sleep=fake_sleep, pagination="cursor") as client:
            result = client.fetch(get_endpoint("platforms/performance"), PARAMS)
        assert result.records == PAGE["data"]
        assert len(server.data_requests()) == 5
        assert result.retries == 4

    def test_backoff_grows_exponentially_with_jitter(self, scripted, fake_sleep):
        """Waits follow min(cap, 1 s·2^n) plus up to 1 s of jitter."""
        server = scripted(failing_then_ok(503, 503, 503, 503))
        with client_for(server.url, sleep=fake_sleep, pagination="cursor") as client:
            client.fetch(get_endpoint("platforms/performance"), PARAMS)
        assert len(fake_sleep.calls) == 4
        for n, delay in enumerate(fake_sleep.calls):
            assert 2 ** n <= delay < 2 ** n + 1

    def test_permanent_5xx_gives_up_after_five_attempts(self, scripted, fake_sleep):
        """A server that always fails is asked five times, then ApiUnavailableError names the endpoint."""
        server = scripted(lambda seen: problem_reply(500, "ANL_00500", "boom"))
        with client_for(server.url, sleep=fake_sleep, pagination="cursor") as client:
            with pytest.raises(ApiUnavailableError, match=r"platforms/performance: gave up after 5 attempts"):
                client.fetch(get_endpoint("platforms/performance"), PARAMS)
        assert len(server.data_requests()) == 5

    def test_max_attempts_setting_is_honoured(self, scripted, fake_sleep):
        """max_attempts=2 means two requests, not five."""
        server = scripted(lambda seen: problem_reply(502, "ANL_00500", "boom"))
        with client_for(server.url, sleep=fake_sleep, pagination="cursor", max_attempts=2) as client:
            with pytest.raises(ApiUnavailableError):
                client.fetch(get_endpoint("platforms/performance"), PARAMS)
        assert len(server.data_requests()) == 2

    def test_timeout_is_retried(self, scripted, fake_sleep):
        """A read that exceeds timeout_seconds counts as a transient failure and is retried."""
        calls = itertools.count()

        def script(seen):
            if next(calls) == 0:
                time.sleep(0.6)
            return json_reply(PAGE)

        server = scripted(script)
        with client_for(server.url, sleep=fake_sleep, pagination="cursor", timeout_seconds=0.2) as client:
            result = client.fetch(get_endpoint("platforms/performance"), PARAMS)
        assert result.records == PAGE["data"] and result.retries == 1

    def test_connection_refused_is_retried_then_fails(self, fake_sleep):
        """Nothing listening: five attempts, then ApiUnavailableError without the URL's query string."""
        import socket

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        with client_for(f"http://127.0.0.1:{port}", sleep=fake_sleep) as client:
            with pytest.raises(ApiUnavailableError,
                               match=rf"cannot reach 127\.0\.0\.1:{port}: connection refused") as info:
                client.fetch(get_endpoint("platforms/performance"), PARAMS)
        assert len(fake_sleep.calls) == 4
        assert "startDate" not in str(info.value)
        assert info.value.unreachable  # nothing ever connected: later requests would fail the same way

    def test_server_errors_do_not_mark_the_origin_unreachable(self, scripted, fake_sleep):
        """A server that answers 500 every time was reached: the error says so (unreachable is False)."""
        server = scripted(lambda seen: problem_reply(500, "ANL_00500", "boom"))
        with client_for(server.url, sleep=fake_sleep, pagination="cursor") as client:
            with pytest.raises(ApiUnavailableError) as info:
                client.fetch(get_endpoint("platforms/performance"), PARAMS)
        assert not info.value.unreachable


class TestRetryAfter:
    def test_retry_after_seconds_is_honoured(self, scripted, fake_sleep):
        """A 429 with Retry-After: 7 waits exactly 7 s before the next attempt."""
        server = scripted(failing_then_ok(429, headers={"Retry-After": "7"}))
        with client_for(server.url, sleep=fake_sleep, pagination="cursor") as client:
            client.fetch(get_endpoint("platforms/performance"), PARAMS)
        assert fake_sleep.calls == [7.0]

    def test_retry_after_http_date_is_honoured(self):
        """An HTTP-date Retry-After is turned into the seconds until that moment."""
        now = 1_800_000_000.0
        when = email.utils.formatdate(now + 30, usegmt=True)
        assert parse_retry_after(when, now=now) == pytest.approx(30.0)

    def test_retry_after_beyond_budget_fails_fast(self, scripted, fake_sleep):
        """A wait longer than the remaining retry budget raises at once instead of sleeping."""
        server = scripted(failing_then_ok(429, headers={"Retry-After": "120"}))
        with client_for(server.url, sleep=fake_sleep, pagination="cursor", retry_budget_seconds=60) as client:
            with pytest.raises(ApiRateLimitError, match="asked to wait 120 s"):
                client.fetch(get_endpoint("platforms/performance"), PARAMS)
        assert fake_sleep.calls == []
        assert len(server.data_requests()) == 1

    def test_retry_budget_is_cumulative(self, scripted, fake_sleep):
        """Backoff sleeps stop once their sum would pass retry_budget_seconds."""
        server = scripted(lambda seen: problem_reply(503, "ANL_00500", "down"))
        with client_for(server.url, sleep=fake_sleep, pagination="cursor", retry_budget_seconds=4) as client:
            with pytest.raises(ApiUnavailableError, match="retry budget of 4 s used up"):
                client.fetch(get_endpoint("platforms/performance"), PARAMS)
        assert sum(fake_sleep.calls) <= 4
        assert len(server.data_requests()) < 5


class TestClientErrors:
    @pytest.mark.parametrize(("status", "type_"), [(400, "ANL_00400"), (403, "ANL_00403"), (404, "ANL_00404"),
                                                   (422, "ANL_00422"), (405, "ANL_00404")])
    def test_client_error_is_not_retried_and_shows_detail(self, scripted, fake_sleep, status, type_):
        """400/403/404/405/422 are sent once and the API's type and detail reach the message."""
        server = scripted(lambda seen: problem_reply(status, type_, "Maximum of 50 campaignIds allowed."))
        with client_for(server.url, sleep=fake_sleep, pagination="cursor") as client:
            with pytest.raises(ApiRequestError) as info:
                client.fetch(get_endpoint("platforms/performance"), PARAMS)
        assert len(server.data_requests()) == 1
        assert fake_sleep.calls == []
        message = str(info.value)
        assert message.startswith("platforms/performance:")
        assert type_ in message and "Maximum of 50 campaignIds allowed." in message
        assert info.value.status == status and info.value.detail == "Maximum of 50 campaignIds allowed."
        assert "\n" not in message


class TestMalformedBodies:
    def test_garbled_200_is_retried(self, scripted, fake_sleep):
        """A truncated JSON body on a 200 is retried, and the retry's data is used."""
        calls = itertools.count()

        def script(seen):
            if next(calls) == 0:
                return 200, {"Content-Type": "application/json"}, b'{"data": [{"conte'
            return json_reply(PAGE)

        server = scripted(script)
        with client_for(server.url, sleep=fake_sleep, pagination="cursor") as client:
            assert client.fetch(get_endpoint("platforms/performance"), PARAMS).records == PAGE["data"]
        assert len(server.data_requests()) == 2

    def test_html_with_200_every_time_is_an_error(self, scripted, fake_sleep):
        """An HTML page with status 200 on every attempt raises ApiResponseError naming the content type."""
        server = scripted(lambda seen: (200, {"Content-Type": "text/html"}, b"<html>maintenance</html>"))
        with client_for(server.url, sleep=fake_sleep, pagination="cursor") as client:
            with pytest.raises(ApiResponseError, match=r"gave up after 5 attempts: HTTP 200 .*text/html"):
                client.fetch(get_endpoint("platforms/performance"), PARAMS)
        assert len(server.data_requests()) == 5


def test_backoff_is_capped():
    """The backoff never exceeds cap plus jitter, however many retries came before."""
    policy = RetryPolicy(cap_seconds=60, jitter_seconds=1)
    assert policy.backoff(20, rng=lambda: 0.999) < 61
    assert policy.backoff(1, rng=lambda: 0.0) == 1.0


class TestEmulatorFaults:
    PARAMS = {"startDate": "2025-07-01", "endDate": "2026-06-30", "metrics": ["engagements", "impressions"]}

    def clean(self, emu) -> list[dict]:
        with client_for(emu.url, page_size=50) as client:
            return client.fetch(get_endpoint("posts/performance"), self.PARAMS).records

    @pytest.mark.parametrize("fault", [{"error_rate": 0.1}, {"malformed_json_every": 4}, {"html_every": 5},
                                       {"throttle_every": 6, "retry_after_seconds": 3}])
    def test_faulty_emulator_gives_the_same_rows_as_a_clean_one(self, emu, emu_factory, fake_sleep, fault):
        """Transient 5xx, garbled bodies, HTML pages and throttling are absorbed: same rows, in order."""
        expected = self.clean(emu)
        faulty = emu_factory(**fault)
        # One page at a time: the emulator's every-Nth counters are global, so parallel workers in
        # lockstep can make one request draw the Nth fault on every attempt (never seen in real life).
        with client_for(faulty.url, page_size=50, sleep=fake_sleep, max_concurrency=1) as client:
            result = client.fetch(get_endpoint("posts/performance"), self.PARAMS)
        assert result.records == expected
        assert result.retries >= 1 and len(fake_sleep.calls) == result.retries
        if "throttle_every" in fault:
            assert 3.0 in fake_sleep.calls and faulty.stats.sent_429 >= 1


def test_a_dripping_answer_hits_the_request_deadline(scripted, fake_sleep):
    """A body sent one byte at a time never trips the read timeout, but the whole-request deadline does."""
    def script(seen):
        return 200, {"Content-Type": "application/json"}, b" " * 40 + json.dumps(PAGE).encode()

    server = scripted(script, drip_seconds=0.05)
    started = time.perf_counter()
    with client_for(server.url, sleep=fake_sleep, pagination="cursor", timeout_seconds=0.25, max_attempts=2) as client:
        with pytest.raises(ApiUnavailableError,
                           match=r"gave up after 2 attempts: talking to 127\.0\.0\.1:[0-9]+: the answer took too long"):
            client.fetch(get_endpoint("platforms/performance"), PARAMS)
    assert time.perf_counter() - started < 5  # 2 attempts × 1 s deadline, not 2 × the 10 s drip
