"""Both pagination generations: limits, envelopes, walking, and cursors bound to their query."""

from __future__ import annotations

import base64
import json

import pytest

from .support import YEAR, Api

POSTS = {**YEAR, "metrics": "engagements"}


def test_page_walk_returns_every_row_once(api):
    """Walking pageNumber 1..totalPages yields totalItems distinct rows."""
    first = api.ok("/v2/posts/performance", {**POSTS, "pageSize": 100})
    rows = api.walk("/v2/posts/performance", POSTS)
    assert len(rows) == first["pagination"]["totalItems"] == len({r["postId"] for r in rows})
    assert first["pagination"]["totalPages"] == -(-len(rows) // 100)


def test_page_size_defaults_to_50(api):
    """Without pageSize a page holds 50 rows and says so."""
    body = api.ok("/v2/posts/performance", POSTS)
    assert len(body["data"]) == 50 and body["pagination"]["pageSize"] == 50


def test_page_past_the_end_is_empty(api):
    """A pageNumber beyond totalPages answers an empty page, not an error."""
    body = api.ok("/v2/campaigns/performance", {**POSTS, "pageNumber": 400})
    assert body["data"] == [] and body["pagination"]["page"] == 400


@pytest.mark.parametrize("params", [{"pageSize": 0}, {"pageSize": 101}, {"pageNumber": 0},
                                    {"pageNumber": 501}, {"pageSize": "x"}])
def test_page_limits_are_enforced(api, params):
    """pageSize outside 1-100 or pageNumber outside 1-500 is a 400 VALIDATION_ERROR."""
    r = api.get("/v2/posts/performance", {**POSTS, **params})
    assert r.status_code == 400 and r.json()["type"] == "VALIDATION_ERROR"


def test_cursor_walk_matches_page_walk(api, capi):
    """Following nextCursor to null yields the same rows, in order, as walking pages."""
    assert capi.walk("/v2/posts/performance", POSTS) == api.walk("/v2/posts/performance", POSTS)


def test_cursor_default_limit_is_50_and_last_page_has_null_cursor(capi):
    """Without limit 50 rows come back; the final page carries nextCursor null."""
    body = capi.ok("/v2/campaigns/performance", {**POSTS, "startDate": "2024-07-01", "endDate": "2026-06-30"})
    assert len(body["data"]) == 50 and body["nextCursor"]
    rest = capi.ok("/v2/campaigns/performance", {**POSTS, "startDate": "2024-07-01", "endDate": "2026-06-30",
                                                  "nextCursor": body["nextCursor"]})
    assert rest["nextCursor"] is None and len(rest["data"]) > 0


@pytest.mark.parametrize("first", ["null", ""])
def test_cursor_null_string_means_first_page(capi, first):
    """nextCursor=null (as the docs' examples send it) or empty is the first page."""
    assert capi.ok("/v2/posts/performance", {**POSTS, "limit": 3, "nextCursor": first}) == \
        capi.ok("/v2/posts/performance", {**POSTS, "limit": 3})


def test_cursor_is_opaque_base64url_json(capi):
    """A cursor decodes as base64url JSON carrying a version, like the docs' example."""
    cursor = capi.ok("/v2/posts/performance", {**POSTS, "limit": 3})["nextCursor"]
    body = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    assert body["version"] == 1


@pytest.mark.parametrize("change", [{"metrics": "impressions"}, {"limit": 4}, {"endDate": "2025-11-30"},
                                    {"sortProperty": "engagements"}])
def test_cursor_replayed_with_other_params_is_400(capi, change):
    """A cursor sent with any other parameter changed is rejected with ANL_00400."""
    cursor = capi.ok("/v2/posts/performance", {**POSTS, "limit": 3})["nextCursor"]
    r = capi.get("/v2/posts/performance", {**POSTS, "limit": 3, **change, "nextCursor": cursor})
    assert r.status_code == 400 and r.json()["type"] == "ANL_00400"
    assert "nextCursor" in r.json()["detail"]


def test_garbled_cursor_is_400(capi):
    """A cursor that is not one of ours is a 400, not a crash."""
    r = capi.get("/v2/posts/performance", {**POSTS, "nextCursor": "%%%not-a-cursor"})
    assert r.status_code == 400 and r.json()["type"] == "ANL_00400"


@pytest.mark.parametrize("limit", ["0", "101", "ten"])
def test_cursor_limit_is_enforced(capi, limit):
    """limit outside 1-100 is a 400 ANL_00400."""
    r = capi.get("/v2/posts/performance", {**POSTS, "limit": limit})
    assert r.status_code == 400 and r.json()["type"] == "ANL_00400"


@pytest.mark.parametrize("param", ["pageNumber", "pageSize"])
def test_cursor_server_rejects_page_params_naming_them(capi, param):
    """Page-style params sent to a cursor server are 400 ANL_00400 naming the parameter."""
    r = capi.get("/v2/posts/performance", {**POSTS, param: "1"})
    assert r.status_code == 400 and r.json()["type"] == "ANL_00400" and param in r.json()["detail"]


@pytest.mark.parametrize("param", ["limit", "nextCursor"])
def test_page_server_rejects_cursor_params_naming_them(api, param):
    """Cursor-style params sent to a page server are 400 VALIDATION_ERROR naming the parameter."""
    r = api.get("/v2/posts/performance", {**POSTS, param: "5"})
    assert r.status_code == 400 and r.json()["type"] == "VALIDATION_ERROR" and param in r.json()["detail"]


def test_lenient_server_ignores_unknown_params(make_emulator):
    """With strict_params=False a cursor server ignores pageNumber instead of rejecting it."""
    api = Api(make_emulator(pagination="cursor", strict_params=False))
    assert api.get("/v2/posts/performance", {**POSTS, "pageNumber": 2}).status_code == 200


def test_summary_rejects_pagination_params(capi):
    """/v2/instances/performance is not paginated, so limit is an unknown parameter."""
    r = capi.get("/v2/instances/performance", {**POSTS, "limit": 5})
    assert r.status_code == 400 and "limit" in r.json()["detail"]


def test_cursor_roster_rejects_instance_ids_but_page_roster_filters(api, capi):
    """The current /v2/campaigns takes pagination only; the earlier one filters by instanceIds."""
    assert capi.get("/v2/campaigns", {"instanceIds": "instance_abc"}).status_code == 400
    rows = api.ok("/v2/campaigns", {"instanceIds": "instance_abc", "pageSize": 100})["data"]
    assert rows and {r["instanceId"] for r in rows} == {"instance_abc"}
