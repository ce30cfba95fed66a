"""Safety: the secret and every JWT stay out of logs, errors and reprs; the token never leaves the origin."""

from __future__ import annotations

import logging

import pytest

from sheets_sync.api import ApiSettings
from sheets_sync.catalogue import get_endpoint
from sheets_sync.errors import ApiAuthError, ApiRequestError, ApiResponseError

from api_helpers import CLIENT_SECRET, WIDE, client_for, settings_for
from api_scripted_server import json_reply

PARAMS = {**WIDE, "metrics": ["engagements"]}


class TestSecretsStayHidden:
    def test_secret_and_tokens_appear_in_no_log_error_or_repr(self, emu_factory, caplog):
        """A run with renewals and failures leaves no secret or JWT in logs, messages or reprs."""
        caplog.set_level(logging.DEBUG)  # urllib3 and requests included
        emu = emu_factory(revoke_after=3)
        seen_tokens: list[str] = []
        texts: list[str] = []
        with client_for(emu.url, page_size=50, max_concurrency=1) as client:
            original = client.tokens._exchange

            def spy() -> str:
                token = original()
                seen_tokens.append(token)
                return token

            client.tokens._exchange = spy
            result = client.fetch(get_endpoint("posts/performance"), PARAMS)
            with pytest.raises(ApiRequestError) as bad_sort:
                client.fetch(get_endpoint("posts/performance"), {**PARAMS, "sortProperty": "nope"})
            texts += [repr(client), repr(client.settings), str(client.settings), repr(client.tokens), repr(result),
                      str(bad_sort.value), repr(bad_sort.value)]
        with client_for(emu.url, client_secret=CLIENT_SECRET + "-wrong") as wrong:
            with pytest.raises(ApiAuthError) as refused:
                wrong.fetch(get_endpoint("posts/performance"), PARAMS)
            texts += [str(refused.value), repr(refused.value), repr(wrong.settings)]
        texts.append(caplog.text)
        texts += [str(r.args) for r in caplog.records]
        assert len(seen_tokens) >= 2 and emu.stats.count(status=401) >= 1
        everything = "\n".join(texts)
        assert CLIENT_SECRET not in everything
        for token in seen_tokens:
            assert token not in everything
            assert token.split(".")[2] not in everything  # not even the signature part
        assert "Bearer" not in everything
        assert "GET /v2/posts/performance" in caplog.text  # the request log exists, just without secrets

    def test_settings_repr_omits_the_secret(self):
        """ApiSettings' repr lists every field except client_secret."""
        settings = settings_for("https://reporting.api.later.com", client_secret="s3cr3t-value")
        assert "s3cr3t-value" not in repr(settings) and "client_secret" not in repr(settings)


class TestOriginPinning:
    @pytest.mark.parametrize("url", ["http://reporting.api.later.com", "http://10.0.0.5:8080", "ftp://x.example",
                                     "https://user:pw@reporting.api.later.com", "https://", "http://127.example.com"])
    def test_unsafe_base_urls_are_refused(self, url):
        """Plain http outside loopback, other schemes and embedded credentials are config errors."""
        with pytest.raises(ValueError, match=r"(?i)url|https"):
            ApiSettings(base_url=url, client_id="x", client_secret="y")

    @pytest.mark.parametrize("url", ["https://reporting.api.later.com", "http://127.0.0.1:8765", "http://localhost:1",
                                     "http://[::1]:9000", "http://127.9.9.9"])
    def test_https_and_loopback_http_are_allowed(self, url):
        """https anywhere, http only on 127.0.0.0/8, localhost and ::1."""
        assert ApiSettings(base_url=url, client_id="x", client_secret="y").origin.owns(url)

    def test_next_link_to_another_origin_is_refused_before_sending(self, scripted):
        """A nextCursor that is a URL on another port is refused and that server never hears from us."""
        elsewhere = scripted(lambda seen: json_reply({"data": [], "nextCursor": None}))
        server = scripted(lambda seen: json_reply({"data": [{"contentType": "tiktok", "metrics": {}}],
                                                   "nextCursor": f"{elsewhere.url}/v2/platforms/performance?p=2"}))
        with client_for(server.url, pagination="cursor") as client:
            with pytest.raises(ApiResponseError, match="refused a next-page link to another origin"):
                client.fetch(get_endpoint("platforms/performance"), PARAMS)
        assert elsewhere.requests == []

    def test_next_link_on_the_same_origin_is_followed(self, scripted):
        """A relative `links.next` on the configured origin is followed with the token."""
        def script(seen):
            if "p" in seen.query:
                return json_reply({"data": [{"contentType": "b", "metrics": {}}], "nextCursor": None})
            return json_reply({"data": [{"contentType": "a", "metrics": {}}], "nextCursor": None,
                               "links": {"next": "/v2/platforms/performance?p=2"}})

        server = scripted(script)
        with client_for(server.url, pagination="cursor") as client:
            rows = client.fetch(get_endpoint("platforms/performance"), PARAMS).records
        assert [r["contentType"] for r in rows] == ["a", "b"]
        assert server.data_requests()[-1].headers["Authorization"].startswith("Bearer ")

    def test_redirect_is_an_error_and_is_not_followed(self, scripted, fake_sleep):
        """A 302 to another host ends the run; the target receives nothing, least of all the token."""
        target = scripted(lambda seen: json_reply({"data": [], "nextCursor": None}))
        server = scripted(lambda seen: (302, {"Location": f"{target.url}/v2/platforms/performance"}, b""))
        with client_for(server.url, pagination="cursor", sleep=fake_sleep) as client:
            with pytest.raises(ApiResponseError, match="redirect"):
                client.fetch(get_endpoint("platforms/performance"), PARAMS)
        assert target.requests == []
