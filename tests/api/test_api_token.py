"""Token: exchanged once, cached, renewed before `exp` and once on a 401, single-flight across threads."""

from __future__ import annotations

import threading

import pytest

from sheets_sync.api import ApiClient
from sheets_sync.catalogue import get_endpoint
from sheets_sync.emulator import ClientSpec
from sheets_sync.errors import ApiAuthError

from api_helpers import WIDE, client_for

PARAMS = {**WIDE, "metrics": ["engagements"]}
LIFETIME = 3600


class FakeClock:
    """Epoch seconds that move only when the test says so; shared by emulator and client."""

    def __init__(self, now: float = 1_780_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    """A shared fake clock."""
    return FakeClock()


def clocked_client(emu, clock: FakeClock, **overrides) -> ApiClient:
    # The same fake time the emulator judges `exp` by.
    return client_for(emu.url, page_size=50, clock=clock, **overrides)


class TestCaching:
    def test_token_is_exchanged_once_for_many_requests(self, emu_factory, clock):
        """Several fetches over many pages use one token exchange."""
        emu = emu_factory(clock=clock, token_lifetime_seconds=LIFETIME)
        with clocked_client(emu, clock) as client:
            client.fetch(get_endpoint("posts/performance"), PARAMS)
            client.fetch(get_endpoint("creators/performance"), PARAMS)
        assert emu.stats.tokens_issued == 1
        assert emu.stats.count(path="/oauth/token") == 1

    def test_token_is_renewed_inside_the_margin_before_exp(self, emu_factory, clock):
        """Within 60 s of `exp` a new token is fetched before any request fails."""
        emu = emu_factory(clock=clock, token_lifetime_seconds=LIFETIME)
        with clocked_client(emu, clock) as client:
            client.fetch(get_endpoint("platforms/performance"), PARAMS)
            clock.now += LIFETIME - 120
            client.fetch(get_endpoint("platforms/performance"), PARAMS)
            assert emu.stats.tokens_issued == 1
            clock.now += 90  # now 30 s before exp: inside the margin
            client.fetch(get_endpoint("platforms/performance"), PARAMS)
        assert emu.stats.tokens_issued == 2
        assert emu.stats.count(status=401) == 0

    def test_token_text_never_appears_in_the_cache_repr(self, emu_factory, clock):
        """The token holder's repr shows the generation, not the JWT."""
        emu = emu_factory(clock=clock)
        with clocked_client(emu, clock) as client:
            client.fetch(get_endpoint("platforms/performance"), PARAMS)
            token, _ = client.tokens.get()
            assert token not in repr(client.tokens) and "eyJ" not in repr(client.tokens)


class TestUnauthorised:
    def test_401_mid_pagination_renews_once_and_replays_the_page(self, emu_factory, emu):
        """A token revoked mid-run costs one renewal per 401 and the run completes with the clean data."""
        with client_for(emu.url, page_size=20) as reference:
            clean = reference.fetch(get_endpoint("posts/performance"), PARAMS).records
        faulty = emu_factory(revoke_after=5)
        with client_for(faulty.url, page_size=20, max_concurrency=1) as client:
            result = client.fetch(get_endpoint("posts/performance"), PARAMS)
        assert result.records == clean
        unauthorised = faulty.stats.count(status=401)
        assert unauthorised >= 2
        assert faulty.stats.tokens_issued == unauthorised + 1

    def test_second_401_is_an_auth_error_naming_the_code(self, emu_factory):
        """A token the server rejects even after renewal ends in ApiAuthError with ANL_00401."""
        emu = emu_factory(token_lifetime_seconds=0)  # every token is already expired when issued
        with client_for(emu.url) as client:
            with pytest.raises(ApiAuthError, match="ANL_00401") as info:
                client.fetch(get_endpoint("platforms/performance"), PARAMS)
        assert info.value.error_type == "ANL_00401"
        assert emu.stats.count(status=401) == 2

    def test_wrong_credentials_name_the_token_error_code(self, emu, mode):
        """A refused token exchange names the generation's code and is not retried."""
        with client_for(emu.url, client_secret="wrong-secret") as client:
            with pytest.raises(ApiAuthError) as info:
                client.fetch(get_endpoint("platforms/performance"), PARAMS)
        expected = "INVALID_CLIENT_CREDENTIALS" if mode == "page" else "ANL_00401"
        assert info.value.error_type == expected and expected in str(info.value)
        assert str(info.value).startswith("token exchange (POST /oauth/token) refused the credentials: HTTP 401")
        assert emu.stats.count(path="/oauth/token") == 1

    def test_disabled_client_is_an_auth_error(self, emu_factory, mode):
        """A disabled client gets CLIENT_DISABLED (page generation) or ANL_00403 (cursor generation)."""
        emu = emu_factory(clients=[ClientSpec("off-client", "off-secret", disabled=True)])
        with client_for(emu.url, client_id="off-client", client_secret="off-secret") as client:
            with pytest.raises(ApiAuthError, match="CLIENT_DISABLED" if mode == "page" else "ANL_00403"):
                client.fetch(get_endpoint("platforms/performance"), PARAMS)


class TestRefusedExchange:
    def test_refused_exchange_is_not_repeated_by_later_fetches(self, emu, mode):
        """Wrong credentials: two fetches on one client make one token request and raise the same error."""
        with client_for(emu.url, client_secret="wrong-secret") as client:
            with pytest.raises(ApiAuthError) as first:
                client.fetch(get_endpoint("platforms/performance"), PARAMS)
            with pytest.raises(ApiAuthError) as second:
                client.fetch(get_endpoint("campaigns/performance"), PARAMS)
        assert str(second.value) == str(first.value)
        assert (second.value.error_type, second.value.status) == (first.value.error_type, first.value.status)
        assert emu.stats.count(path="/oauth/token") == 1
        assert emu.stats.count(path="/v2/campaigns/performance") == 0

    def test_disabled_client_is_refused_once_per_client(self, emu_factory, mode):
        """A disabled client (403) costs one exchange however many reports the run has."""
        emu = emu_factory(clients=[ClientSpec("off-client", "off-secret", disabled=True)])
        with client_for(emu.url, client_id="off-client", client_secret="off-secret") as client:
            for _ in range(3):
                with pytest.raises(ApiAuthError):
                    client.fetch(get_endpoint("platforms/performance"), PARAMS)
        assert emu.stats.count(path="/oauth/token") == 1

    def test_a_failed_exchange_that_is_not_a_refusal_is_tried_again(self):
        """Only a refusal is remembered: an exchange that failed otherwise is attempted on the next call."""
        from sheets_sync.api.token import TokenCache
        from sheets_sync.errors import ApiResponseError

        attempts: list[int] = []

        def exchange() -> str:
            attempts.append(1)
            if len(attempts) == 1:
                raise ApiResponseError("the answer of POST /oauth/token has no `jwt` string")
            return "token-ok"

        cache = TokenCache(exchange, clock=lambda: 0.0)
        with pytest.raises(ApiResponseError):
            cache.get()
        assert cache.get()[0] == "token-ok" and len(attempts) == 2


class TestShortLifetime:
    def test_short_lived_tokens_are_not_renewed_before_every_request(self, emu_factory):
        """token lifetime 8 s, real clock: 20 quick fetches use one or two tokens, not one per request."""
        emu = emu_factory(token_lifetime_seconds=8)
        with client_for(emu.url, page_size=50) as client:
            for _ in range(20):
                client.fetch(get_endpoint("platforms/performance"), PARAMS)
        assert emu.stats.count(path="/v2/platforms/performance", status=200) == 20
        assert emu.stats.count(path="/oauth/token") <= 2
        assert emu.stats.count(status=401) == 0

    def test_margin_is_a_quarter_of_a_short_lifetime(self, emu_factory, clock):
        """Lifetime 8 s → margin 2 s: no renewal 5 s in, renewal 6.5 s in, before any 401."""
        emu = emu_factory(clock=clock, token_lifetime_seconds=8)
        with clocked_client(emu, clock) as client:
            client.fetch(get_endpoint("platforms/performance"), PARAMS)
            assert client.tokens.margin_seconds == 2
            clock.now += 5
            client.fetch(get_endpoint("platforms/performance"), PARAMS)
            assert emu.stats.tokens_issued == 1
            clock.now += 1.5
            client.fetch(get_endpoint("platforms/performance"), PARAMS)
        assert emu.stats.tokens_issued == 2
        assert emu.stats.count(status=401) == 0

    def test_lifetime_without_iat_is_counted_from_when_the_token_was_obtained(self):
        """A JWT with only `exp` (20 s after it was obtained) gets a 5 s margin."""
        import jwt

        from sheets_sync.api.token import TokenCache

        now = 1_780_000_000.0
        token = jwt.encode({"exp": int(now) + 20}, "k" * 32, algorithm="HS256")
        cache = TokenCache(lambda: token, clock=lambda: now)
        cache.get()
        assert cache.margin_seconds == 5

    def test_long_lifetime_keeps_the_configured_margin(self, emu_factory, clock):
        """A 1-hour token keeps the configured 60 s margin (a quarter of its lifetime is larger)."""
        emu = emu_factory(clock=clock, token_lifetime_seconds=LIFETIME)
        with clocked_client(emu, clock) as client:
            client.fetch(get_endpoint("platforms/performance"), PARAMS)
            assert client.tokens.margin_seconds == 60


class TestConcurrency:
    def run_together(self, client: ApiClient, n: int = 8) -> list:
        barrier = threading.Barrier(n)
        results: list = []
        errors: list = []

        def run() -> None:
            barrier.wait()
            try:
                results.append(client.fetch(get_endpoint("platforms/performance"), PARAMS).records)
            except Exception as exc:  # noqa: BLE001 - any failure in a thread is collected and asserted on below
                errors.append(exc)

        threads = [threading.Thread(target=run) for _ in range(n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        return results

    def test_many_threads_on_a_cold_client_share_one_exchange(self, emu_factory, clock):
        """Eight threads starting together cause exactly one token request."""
        emu = emu_factory(clock=clock)
        with clocked_client(emu, clock, max_concurrency=8) as client:
            results = self.run_together(client)
        assert len(results) == 8
        assert emu.stats.count(path="/oauth/token") == 1

    def test_many_threads_renewing_before_exp_share_one_exchange(self, emu_factory, clock):
        """Eight threads that all find the token due renew it once, not eight times."""
        emu = emu_factory(clock=clock, token_lifetime_seconds=LIFETIME)
        with clocked_client(emu, clock, max_concurrency=8) as client:
            client.fetch(get_endpoint("platforms/performance"), PARAMS)
            clock.now += LIFETIME - 10
            self.run_together(client)
        assert emu.stats.count(path="/oauth/token") == 2


def test_401s_from_many_threads_with_the_same_token_renew_it_once():
    """Threads that all saw a 401 on the same token generation cause one exchange between them."""
    from sheets_sync.api.token import TokenCache

    exchanges: list[int] = []
    cache = TokenCache(lambda: exchanges.append(1) or f"token-{len(exchanges)}", clock=lambda: 0.0)
    _, generation = cache.get()
    barrier = threading.Barrier(8)

    def renew() -> None:
        barrier.wait()
        cache.renew_after_401(generation)

    threads = [threading.Thread(target=renew) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(exchanges) == 2
    assert cache.get() == ("token-2", generation + 1)
