"""Pure pieces of the client: parameter encoding, envelope parsing, settings validation, Retry-After."""

from __future__ import annotations

import datetime as dt

import pytest

from sheets_sync.api import ApiSettings
from sheets_sync.api.envelope import detect_generation, parse_page
from sheets_sync.api.params import encode_params, with_cursor, with_page
from sheets_sync.api.retry import parse_retry_after
from sheets_sync.catalogue import get_endpoint
from sheets_sync.errors import ApiResponseError, UsageError

POSTS = get_endpoint("posts/performance")
SUMMARY = get_endpoint("instances/performance")


class TestParams:
    def test_lists_become_repeated_keys_and_dates_iso_strings(self):
        """Lists repeat the key; date and datetime values become YYYY-MM-DD; None is left out."""
        query = encode_params("x", {"startDate": dt.date(2026, 1, 2), "endDate": dt.datetime(2026, 1, 3, 23, 0),
                                    "metrics": ["a", "b"], "campaignIds": [1, 2], "platform": None})
        assert query == [("startDate", "2026-01-02"), ("endDate", "2026-01-03"), ("metrics", "a"),
                         ("metrics", "b"), ("campaignIds", "1"), ("campaignIds", "2")]

    @pytest.mark.parametrize("key", ["pageNumber", "pageSize", "limit", "nextCursor"])
    def test_pagination_params_belong_to_the_client(self, key):
        """Passing a pagination parameter is a usage error: the client owns paging."""
        with pytest.raises(UsageError, match=key):
            encode_params("posts/performance", {key: 1})

    def test_page_and_cursor_queries(self):
        """Page style adds pageNumber/pageSize; cursor style adds limit and, after page 1, nextCursor."""
        assert with_page([], 3, 50) == [("pageNumber", "3"), ("pageSize", "50")]
        assert with_cursor([], 50, None) == [("limit", "50")]
        assert with_cursor([], 50, "abc") == [("limit", "50"), ("nextCursor", "abc")]


class TestEnvelope:
    def test_generations_are_told_apart_by_their_keys(self):
        """pagination → page, nextCursor → cursor, meta → v1, none → None."""
        assert detect_generation({"data": [], "pagination": {}}) == "page"
        assert detect_generation({"data": [], "nextCursor": None}) == "cursor"
        assert detect_generation({"data": [], "meta": None}) == "v1"
        assert detect_generation({"data": []}) is None

    @pytest.mark.parametrize("body", [{"nextCursor": None}, {"data": {"x": 1}, "nextCursor": None},
                                      {"data": [1, 2], "nextCursor": None}, {"data": [], "nextCursor": 5},
                                      {"data": [], "pagination": {"page": "1", "totalPages": 1}}])
    def test_malformed_envelopes_are_response_errors(self, body):
        """A missing data member, non-object rows, a non-string cursor or non-integer totals are refused."""
        with pytest.raises(ApiResponseError):
            parse_page(body, POSTS)

    def test_flat_summary_is_wrapped_as_metrics(self):
        """An older flat summary body becomes one {metrics: ...} record."""
        page = parse_page({"data": {"engagements": 1}}, SUMMARY)
        assert page.records == [{"metrics": {"engagements": 1}}]

    def test_url_cursor_is_treated_as_a_link(self):
        """A nextCursor that is an absolute URL is handled as a next link, so origin pinning applies."""
        page = parse_page({"data": [], "nextCursor": "https://evil.example/next"}, POSTS)
        assert page.next_link == "https://evil.example/next" and page.next_cursor is None


class TestSettings:
    @pytest.mark.parametrize("override", [{"page_size": 0}, {"page_size": 101}, {"max_concurrency": 0},
                                          {"version": "v3"}, {"pagination": "offset"}, {"timeout_seconds": 0},
                                          {"requests_per_minute": 0}])
    def test_out_of_range_settings_are_refused(self, override):
        """Settings outside what the API or the client supports raise ValueError naming the api.* key."""
        with pytest.raises(ValueError, match=r"^api\."):
            ApiSettings(**{"client_id": "a", "client_secret": "b", **override})

    def test_settings_are_frozen(self):
        """ApiSettings cannot be changed after construction."""
        settings = ApiSettings(client_id="a", client_secret="b")
        with pytest.raises(AttributeError):
            settings.page_size = 5  # type: ignore[misc]  # the frozen dataclass refusing this is the point


@pytest.mark.parametrize(("value", "expected"), [("5", 5.0), ("0", 0.0), ("-3", 0.0), ("100000", 300.0),
                                                 (None, None), ("soon", None)])
def test_retry_after_values(value, expected):
    """Retry-After seconds are clamped to 0-300 s; missing or unreadable values give None."""
    assert parse_retry_after(value) == expected
