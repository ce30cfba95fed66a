"""Request validation as documented, word for word on the error codes of each generation."""

from __future__ import annotations

import pytest

from sheets_sync.catalogue import CAMPAIGN_METRICS, get_endpoint

from .support import YEAR, Api

CAMPAIGNS = "/v2/campaigns/performance"
OK = {**YEAR, "metrics": "engagements"}

# (case id, params, status, cursor type, page type, text the detail must contain)
CASES = [
    ("missing startDate", {"endDate": "2025-01-31", "metrics": "engagements"}, 400, "ANL_00400",
     "VALIDATION_ERROR", "startDate is required"),
    ("missing endDate", {"startDate": "2025-01-01", "metrics": "engagements"}, 400, "ANL_00400",
     "VALIDATION_ERROR", "endDate is required"),
    ("slashed date", {**OK, "startDate": "2025/01/01"}, 400, "ANL_00400", "VALIDATION_ERROR", "YYYY-MM-DD"),
    ("date-time instead of date", {**OK, "startDate": "2025-01-01T00:00:00Z"}, 400, "ANL_00400",
     "VALIDATION_ERROR", "YYYY-MM-DD"),
    ("impossible date", {**OK, "endDate": "2025-02-30"}, 400, "ANL_00400", "VALIDATION_ERROR", "YYYY-MM-DD"),
    ("end before start", {**OK, "startDate": "2025-02-01", "endDate": "2025-01-31"}, 400, "ANL_00400",
     "VALIDATION_ERROR", "endDate must be on or after startDate"),
    ("over two years", {**OK, "startDate": "2023-01-01", "endDate": "2025-01-02"}, 400, "ANL_00400",
     "VALIDATION_ERROR", "Date range exceeds two years."),
    ("51 campaignIds", {**OK, "campaignIds": ",".join(str(i) for i in range(1, 52))}, 400, "ANL_00400",
     "VALIDATION_ERROR", "Maximum of 50 campaignIds allowed."),
    ("platform and contentType", {**OK, "platform": "instagram", "contentType": "tiktok"}, 400, "ANL_00400",
     "VALIDATION_ERROR", "cannot be combined"),
    ("unknown platform", {**OK, "platform": "myspace"}, 400, "ANL_00400", "VALIDATION_ERROR", "myspace"),
    ("unknown metric", {**OK, "metrics": "engagements,bogus"}, 400, "ANL_00400", "VALIDATION_ERROR",
     "bogus"),
    ("metric not for filter", {**OK, "metrics": "crosspostedFacebookOnlyViews", "platform": "tiktok"}, 400,
     "ANL_00400", "VALIDATION_ERROR", "crosspostedFacebookOnlyViews"),
    ("bad dateBasis", {**OK, "dateBasis": "yesterday"}, 400, "ANL_00400", "VALIDATION_ERROR", "dateBasis"),
    ("instance out of scope", {**OK, "instanceIds": "instance_abc,instance_zzz"}, 403, "ANL_00403",
     "INTERNAL_ERROR", "instance_zzz"),
    ("unknown sortProperty", {**OK, "sortProperty": "badField"}, 400, "ANL_00422", "INVALID_SORT_PROPERTY",
     "Invalid sortProperty 'badField' for /campaigns/performance. Valid values are: "),
    ("sortProperty not for filter", {**OK, "sortProperty": "crosspostedViews", "contentType": "tiktok"}, 400,
     "ANL_00422", "INVALID_SORT_PROPERTY", "crosspostedViews"),
    ("bad sortDirection", {**OK, "sortDirection": "UP"}, 400, "ANL_00400", "VALIDATION_ERROR", "sortDirection"),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("generation", ["cursor", "page"])
def test_invalid_request_answers_documented_problem(api, capi, case, generation):
    """Each documented validation failure answers its status and type as problem+json."""
    _, params, status, cursor_type, page_type, detail = case
    r = (capi if generation == "cursor" else api).get(CAMPAIGNS, params)
    assert r.status_code == status
    assert r.headers["Content-Type"] == "application/problem+json"
    body = r.json()
    assert set(body) == {"type", "title", "detail"}
    assert body["type"] == (cursor_type if generation == "cursor" else page_type)
    assert detail in body["detail"]


def test_exactly_two_years_is_allowed(capi):
    """A range ending on the same calendar day two years later is within the cap."""
    assert capi.get(CAMPAIGNS, {**OK, "startDate": "2024-06-30", "endDate": "2026-06-30"}).status_code == 200


def test_invalid_metric_detail_lists_valid_metrics(capi):
    """The 400 for an unsupported metric lists every metric valid for the endpoint and filter."""
    detail = capi.get(CAMPAIGNS, {**OK, "metrics": "bogus", "platform": "tiktok"}).json()["detail"]
    valid = get_endpoint("campaigns/performance").metrics_for(frozenset({"tiktok"}))
    assert detail.endswith("Valid metrics are: " + ", ".join(sorted(valid)) + ".")
    assert "crosspostedViews" not in detail and "engagements" in detail


def test_invalid_sort_detail_lists_values_alphabetically(capi):
    """The ANL_00422 detail lists the valid sort properties in alphabetical order."""
    detail = capi.get(CAMPAIGNS, {**OK, "sortProperty": "badField"}).json()["detail"]
    listed = detail.split("Valid values are: ")[1].split(", ")
    assert listed == sorted(listed) and "firstPostDate" in listed and "lastPostDate" in listed


def test_validation_order_dates_before_metrics_before_scope_before_sort(capi):
    """With several faults the documented order decides which is reported."""
    everything = {"startDate": "bad", "endDate": "2025-01-01", "metrics": "bogus",
                  "instanceIds": "instance_zzz", "sortProperty": "badField"}
    assert "startDate" in capi.get(CAMPAIGNS, everything).json()["detail"]
    everything["startDate"] = "2025-01-01"
    assert "bogus" in capi.get(CAMPAIGNS, everything).json()["detail"]
    everything["metrics"] = "engagements"
    assert capi.get(CAMPAIGNS, everything).status_code == 403
    everything["instanceIds"] = "instance_abc"
    assert capi.get(CAMPAIGNS, everything).json()["type"] == "ANL_00422"


def test_cursor_generation_requires_metrics(capi):
    """The current generation answers 400 when `metrics` is missing on a metrics endpoint."""
    r = capi.get(CAMPAIGNS, YEAR)
    assert r.status_code == 400 and "metrics is required" in r.json()["detail"]


def test_page_generation_returns_all_metrics_when_none_requested(api):
    """The earlier generation had no `metrics` parameter: omitting it returns every metric."""
    item = api.ok(CAMPAIGNS, {**YEAR, "pageSize": 1})["data"][0]
    assert list(item["metrics"]) == list(CAMPAIGN_METRICS)


def test_roi_rejects_metrics_parameter(capi):
    """/platforms/return-on-investment has a fixed field set and no `metrics` parameter."""
    r = capi.get("/v2/platforms/return-on-investment", {**YEAR, "metrics": "engagements"})
    assert r.status_code == 400 and "metrics" in r.json()["detail"]


@pytest.mark.parametrize("encoding", [
    "metrics={m1},{m2}&campaignIds={c1},{c2}&platform={p1},{p2}",
    "metrics={m1}&metrics={m2}&campaignIds={c1}&campaignIds={c2}&platform={p1}&platform={p2}",
    "metrics[]={m1}&metrics[]={m2}&campaignIds[]={c1}&campaignIds[]={c2}&platform[]={p1}&platform[]={p2}",
])
def test_three_array_encodings_are_equivalent(capi, cursor_emulator, encoding):
    """Comma, repeated-key and bracket encodings of arrays give identical answers."""
    first, second = [c for c in cursor_emulator.data.campaigns.values() if c.platforms][:2]
    values = {"m1": "engagements", "m2": "impressions", "c1": first.campaign_id, "c2": second.campaign_id,
              "p1": first.platforms[0], "p2": second.platforms[0]}
    wide = {"startDate": "2024-07-01", "endDate": "2026-06-30"}
    reference = capi.ok(CAMPAIGNS, {**wide, "metrics": ["engagements", "impressions"],
                                    "campaignIds": [values["c1"], values["c2"]],
                                    "platform": [values["p1"], values["p2"]]})
    body = capi.ok(f"{CAMPAIGNS}?startDate=2024-07-01&endDate=2026-06-30&{encoding.format(**values)}")
    assert body == reference and len(body["data"]) == 2


@pytest.mark.parametrize(("snake", "camel"), [("performance_date", "performanceDate"), ("post_date", "postDate")])
def test_both_date_basis_spellings_agree(capi, snake, camel):
    """dateBasis accepts the reference snake_case and the Help Center camelCase spellings alike."""
    assert capi.ok(CAMPAIGNS, {**OK, "dateBasis": snake}) == capi.ok(CAMPAIGNS, {**OK, "dateBasis": camel})


def test_legacy_platform_types_means_content_type(capi):
    """The earlier docs' `platformTypes` filter is accepted as `contentType`."""
    assert capi.ok(CAMPAIGNS, {**OK, "platformTypes": "instagram_reel"}) == \
        capi.ok(CAMPAIGNS, {**OK, "contentType": "instagram_reel"})


def test_instance_filter_limits_rows(capi):
    """instanceIds inside the client's scope restricts rows to those instances."""
    rows = capi.walk(CAMPAIGNS, {**OK, "instanceIds": "instance_def"})
    assert rows and {r["instanceId"] for r in rows} == {"instance_def"}


@pytest.mark.parametrize("direction", ["ASC", "DESC"])
def test_sort_orders_by_value_with_nulls_last(capi, direction):
    """sortProperty orders rows by that value in sortDirection, nulls at the end."""
    rows = capi.walk(CAMPAIGNS, {**OK, "metrics": "paidCpm", "sortProperty": "paidCpm",
                                 "sortDirection": direction})
    values = [r["metrics"]["paidCpm"] for r in rows]
    present = [v for v in values if v is not None]
    assert present == sorted(present, reverse=direction == "DESC")
    assert values == present + [None] * (len(values) - len(present))


def test_sort_by_unrequested_metric_is_allowed(capi):
    """Sorting by a metric that was not requested works, as in the docs' own example."""
    rows = capi.walk(CAMPAIGNS, {**OK, "sortProperty": "estimatedRoi"})
    assert rows and all(list(r["metrics"]) == ["engagements"] for r in rows)


def test_sort_by_post_date(capi):
    """posts/performance sorts by postDate."""
    rows = capi.walk("/v2/posts/performance", {**OK, "sortProperty": "postDate", "sortDirection": "ASC"})
    assert [r["postDate"] for r in rows] == sorted(r["postDate"] for r in rows)


def test_bound_client_sees_only_its_instances(make_emulator):
    """A client bound to one instance lists only it and gets 403 for the others."""
    from sheets_sync.emulator import ClientSpec
    emu = make_emulator(pagination="cursor", clients=[ClientSpec("one", "s", instance_ids=("instance_def",))])
    api = Api(emu, "one", "s")
    assert api.ok("/v2/instances")["data"]["instanceIds"] == ["instance_def"]
    assert {r["instanceId"] for r in api.walk(CAMPAIGNS, OK)} == {"instance_def"}
    assert api.get(CAMPAIGNS, {**OK, "instanceIds": "instance_abc"}).status_code == 403


def test_invalid_metrics_detail_names_the_path_with_one_slash(api, capi):
    """The unsupported-metric 400 names `/campaigns/performance` (v2) and `/v1/reporting/...` (v1), never `//`."""
    v2 = capi.get(CAMPAIGNS, {**OK, "metrics": "bogus"}).json()["detail"]
    assert v2.startswith("Invalid metrics for /campaigns/performance: bogus.")
    v1 = api.get("/v1/reporting/influencer/performance", {**YEAR, "metrics": "bogus"})
    assert v1.status_code == 400
    detail = v1.json()["detail"]
    assert detail.startswith("Invalid metrics for /v1/reporting/influencer/performance: bogus.")
    assert "//" not in detail
