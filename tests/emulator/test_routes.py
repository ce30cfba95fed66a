"""Every v2 route answers in both generations with the documented envelope and item shapes."""

from __future__ import annotations

import pytest

from sheets_sync.catalogue import ENDPOINTS, ROI_FIELDS

from .support import YEAR

LIST_ROUTES = [e for e in ENDPOINTS if e.name not in ("instances", "instances/performance")]


def _params(endpoint) -> dict:
    params = dict(YEAR) if endpoint.requires_dates else {}
    if endpoint.metrics:
        params["metrics"] = "engagements,impressions"
    return params


@pytest.mark.parametrize("endpoint", LIST_ROUTES, ids=lambda e: e.name)
def test_page_generation_list_envelope(api, endpoint):
    """A list route in page mode answers {data: [...], pagination: {page, pageSize, totalPages, totalItems}}."""
    body = api.ok(endpoint.path, {**_params(endpoint), "pageSize": 5})
    assert set(body) == {"data", "pagination"}
    assert set(body["pagination"]) == {"page", "pageSize", "totalPages", "totalItems"}
    assert body["pagination"]["page"] == 1 and body["pagination"]["pageSize"] == 5
    assert 0 < len(body["data"]) <= 5


@pytest.mark.parametrize("endpoint", LIST_ROUTES, ids=lambda e: e.name)
def test_cursor_generation_list_envelope(capi, endpoint):
    """A list route in cursor mode answers {data: [...], nextCursor} and nothing else."""
    body = capi.ok(endpoint.path, {**_params(endpoint), "limit": 2})
    assert set(body) == {"data", "nextCursor"}
    assert isinstance(body["data"], list) and len(body["data"]) <= 2


@pytest.mark.parametrize("alias", ["/v2/networks/performance", "/v2/networks/return-on-investment"])
def test_networks_aliases_answer_like_platforms(api, alias):
    """The /v2/networks/* spellings serve exactly what /v2/platforms/* serves."""
    params = {**YEAR, **({"metrics": "engagements"} if alias.endswith("performance") else {})}
    assert api.ok(alias, params) == api.ok(alias.replace("networks", "platforms"), params)


def test_instances_lists_bound_instances_inside_an_object(api, capi):
    """/v2/instances puts the paginated ids inside data.instanceIds in both generations."""
    assert api.ok("/v2/instances")["data"] == {"instanceIds": ["instance_abc", "instance_def", "instance_ghi"]}
    body = capi.ok("/v2/instances", {"limit": 2})
    assert body["data"] == {"instanceIds": ["instance_abc", "instance_def"]} and body["nextCursor"]


def test_instance_summary_is_not_paginated(api, capi):
    """/v2/instances/performance has nextCursor null (cursor) and no pagination key (page)."""
    params = {**YEAR, "metrics": "engagements,paidCpm"}
    cur = capi.ok("/v2/instances/performance", params)
    assert cur["nextCursor"] is None and set(cur["data"]) == {"metrics"}
    page = api.ok("/v2/instances/performance", params)
    assert set(page) == {"data"} and page["data"] == cur["data"]


def test_item_shapes_match_the_documented_records(api):
    """Items of each list route carry the identity fields the client is built against."""
    campaign = api.ok("/v2/campaigns", {"pageSize": 1})["data"][0]
    assert list(campaign) == ["campaignId", "campaignName", "instanceId", "description", "status", "startDate",
                              "firstPostDate", "lastPostDate"]
    perf = api.ok("/v2/campaigns/performance", {**YEAR, "metrics": "engagements", "pageSize": 1})["data"][0]
    assert list(perf) == list(campaign) + ["platforms", "metrics"]
    creator = api.ok("/v2/creators/performance", {**YEAR, "metrics": "engagements", "pageSize": 1})["data"][0]
    assert set(creator["creator"]) == {"creatorId", "fullName", "profilePictureUrl", "profiles"}
    assert set(creator["creator"]["profiles"][0]) == {"handleName", "network", "fullName", "profileImage",
                                                      "profileLink"}
    post = api.ok("/v2/posts/performance", {**YEAR, "metrics": "engagements", "pageSize": 1})["data"][0]
    assert list(post) == ["postId", "creatorId", "campaignId", "instanceId", "contentType", "postDate",
                          "contentUrl", "contentImageUrl", "caption", "creatorProfile", "metrics"]
    roi = api.ok("/v2/platforms/return-on-investment", YEAR)["data"][0]
    assert list(roi) == ["contentType", *ROI_FIELDS]
    series = api.ok("/v2/instances/performance-over-time", {**YEAR, "metrics": "engagements"})["data"][0]
    assert list(series) == ["startDate", "endDate", "metrics"]


def test_metrics_hold_exactly_the_requested_keys_in_order(capi):
    """`metrics` has every requested key, in request order, and no other."""
    wanted = ["paidCpm", "engagements", "crosspostedFacebookOnlyViews", "engagementRate"]
    for item in capi.ok("/v2/campaigns/performance", {**YEAR, "metrics": wanted, "limit": 50})["data"]:
        assert list(item["metrics"]) == wanted


@pytest.mark.parametrize(("fixture", "code"), [("api", "RESOURCE_NOT_FOUND"), ("capi", "ANL_00404")])
def test_unknown_route_is_404_problem(request, fixture, code):
    """An unknown path answers 404 application/problem+json with the generation's code."""
    r = request.getfixturevalue(fixture).get("/v2/nope")
    assert r.status_code == 404 and r.headers["Content-Type"] == "application/problem+json"
    assert r.json()["type"] == code and set(r.json()) == {"type", "title", "detail"}


def test_responses_are_keep_alive_with_content_length(emulator):
    """Several requests travel over one HTTP/1.1 connection, each with a Content-Length."""
    import http.client
    conn = http.client.HTTPConnection("127.0.0.1", emulator.port)
    for _ in range(3):
        conn.request("GET", "/v2/instances")
        r = conn.getresponse()
        assert r.status == 401 and int(r.getheader("Content-Length")) == len(r.read())
    sock = conn.sock
    conn.request("GET", "/v2/instances")
    conn.getresponse().read()
    assert conn.sock is sock
    conn.close()


def test_head_request_carries_no_body(emulator):
    """A HEAD answer has headers only, so the keep-alive connection stays usable."""
    import http.client
    conn = http.client.HTTPConnection("127.0.0.1", emulator.port)
    conn.request("HEAD", "/v2/instances")
    head = conn.getresponse()
    assert head.status == 404 and head.read() == b""
    conn.request("GET", "/v2/instances")
    assert conn.getresponse().status == 401
    conn.close()
