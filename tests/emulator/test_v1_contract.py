"""Every v1 response the emulator gives validates against the real v1 OpenAPI document.

Test input from outside the repository: the legacy v1 Reporting API's published OpenAPI 3.0 document
(SwaggerHub `mavrck/reporting-api` 1.2.1), read from `shared/reference/mavrck-reporting-api-v1.openapi.json`
in the folder that holds the repository (SPEC_PATH below). It is not copied into the repository. Where
it is missing, this whole module is skipped, except under CI=true, where a missing document fails.

The document's response schemas are allOf(generic wrapper whose `data` is an empty closed object,
endpoint schema); read literally nothing non-empty validates, so the endpoint's `data` and `meta`
replace the wrapper's before validating (docs/decisions.md#v1-openapi-reading). Validation is
openapi-core's, unmodified.
"""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path

import pytest
import requests
from openapi_core import OpenAPI
from openapi_core.contrib.requests import RequestsOpenAPIRequest, RequestsOpenAPIResponse
from openapi_core.validation.response.exceptions import InvalidData

from sheets_sync.emulator.v1 import ROUTES

from .support import Api

SPEC_PATH = Path(__file__).resolve().parents[3] / "shared" / "reference" / "mavrck-reporting-api-v1.openapi.json"
if not SPEC_PATH.is_file():
    # shared/ sits beside the repo (CI puts it there; it is never copied in). A plain clone skips this
    # module; CI must not, or the contract test could vanish without anyone noticing.
    _MISSING = f"the v1 OpenAPI document is not at {SPEC_PATH} (shared/ belongs beside the repo)"
    if os.environ.get("CI", "").strip().lower() == "true":
        pytest.fail(f"CI=true but {_MISSING}", pytrace=False)
    pytest.skip(f"{_MISSING}; set up shared/ there to run the v1 contract test", allow_module_level=True)
RANGE = {"startDate": "2025-01-01", "endDate": "2025-06-30"}
# The document types the dates as date-time (while describing YYYY-MM-dd); this form satisfies both.
STAMPED = {"startDate": "2025-01-01T00:00:00Z", "endDate": "2025-06-30T00:00:00Z"}


def _read_as_intended(spec: dict) -> dict:
    """Merge each allOf response schema so the endpoint's properties replace the wrapper's."""
    spec = copy.deepcopy(spec)
    schemas = spec["components"]["schemas"]
    for item in spec["paths"].values():
        for op in item.values():
            for response in op["responses"].values():
                media = response.get("content", {}).get("application/json")
                if not media or "allOf" not in media["schema"]:
                    continue
                wrapper_ref, own = media["schema"]["allOf"]
                wrapper = copy.deepcopy(schemas[wrapper_ref["$ref"].rsplit("/", 1)[1]])
                wrapper["properties"].update(own["properties"])
                media["schema"] = wrapper
    return spec


@pytest.fixture(scope="module")
def raw_spec() -> dict:
    """The v1 OpenAPI document as published."""
    return json.loads(SPEC_PATH.read_text())


@pytest.fixture(scope="module")
def v1(raw_spec, emulator) -> OpenAPI:
    """The v1 document, read as intended, served from the emulator's address."""
    spec = _read_as_intended(raw_spec)
    spec["servers"] = [{"url": emulator.url}]
    return OpenAPI.from_dict(spec)


OPERATIONS = [
    ("getToken", "post", "/oauth/token", None),
    ("getAllowedInstances", "get", "/v1/reporting/instances", None),
    ("getInfoAboutInstanceAndCampaigns", "get", "/v1/reporting/instance/details", None),
    ("getInfoAboutMultipleInstancesAndCampaigns", "get", "/v1/reporting/instances/details", None),
    ("getInstancePerformance", "get", "/v1/reporting/instance/performance", STAMPED),
    ("getPerformanceOverTime", "get", "/v1/reporting/instance/performance-over-time",
     {**STAMPED, "granularity": "week", "pageSize": 100}),
    ("getCampaignPerformance", "get", "/v1/reporting/campaign/performance",
     {**STAMPED, "pageSize": 100, "sortProperty": "estimatedRoi"}),
    ("getNetworkPerformance", "get", "/v1/reporting/network/performance", {**STAMPED, "sortProperty": "postsCount"}),
    ("findReturnOfInvestments", "get", "/v1/reporting/network/return-on-investment", STAMPED),
    ("getInfluencerPerformance", "get", "/v1/reporting/influencer/performance",
     {**STAMPED, "pageSize": 100, "sortProperty": "instagramReach"}),
    ("getPostPerformance", "get", "/v1/reporting/post/performance", {**STAMPED, "pageSize": 100,
                                                                     "sortProperty": "postDate"}),
]


def test_operations_cover_the_whole_document(raw_spec):
    """The parametrised list below is exactly the document's 11 operations, and the emulator routes them."""
    documented = {op["operationId"] for item in raw_spec["paths"].values() for op in item.values()}
    assert documented == {o[0] for o in OPERATIONS} and len(documented) == 11
    assert set(ROUTES) == {path for _, _, path, _ in OPERATIONS if path.startswith("/v1/")}


def test_literal_reading_rejects_real_data(raw_spec, emulator):
    """Read literally (no merge), the wrapper's closed `data` refuses any non-empty answer."""
    spec = copy.deepcopy(raw_spec)
    spec["servers"] = [{"url": emulator.url}]
    api = Api(emulator)
    r = api.get("/v1/reporting/instances")
    with pytest.raises(InvalidData):
        OpenAPI.from_dict(spec).validate_response(RequestsOpenAPIRequest(r.request), RequestsOpenAPIResponse(r))


@pytest.mark.parametrize(("operation", "method", "path", "params"), OPERATIONS, ids=[o[0] for o in OPERATIONS])
def test_v1_response_validates(v1, emulator, operation, method, path, params):
    """The emulator's 200 answer to this operation validates against the v1 document."""
    if method == "post":
        r = requests.post(emulator.url + path, json={"clientId": "demo-client", "clientSecret": "demo-secret"},
                          timeout=10)
    else:
        r = Api(emulator).get(path, params)
        # The document puts its global JWT requirement on the token call too, so only GETs are checked.
        v1.validate_request(RequestsOpenAPIRequest(r.request))
    assert r.status_code == 200, r.text
    v1.validate_response(RequestsOpenAPIRequest(r.request), RequestsOpenAPIResponse(r))
    body = r.json()
    if path.startswith("/v1/"):
        assert set(body) == {"data", "meta"}
        assert body["data"], "an empty answer would validate trivially"


@pytest.mark.parametrize("page", [1, 2])
def test_every_page_of_posts_validates(v1, emulator, page):
    """Later pages validate too, and meta carries {page, totalPages}."""
    r = Api(emulator).get("/v1/reporting/post/performance", {**RANGE, "pageSize": 100, "pageNumber": page})
    v1.validate_response(RequestsOpenAPIRequest(r.request), RequestsOpenAPIResponse(r))
    assert r.json()["meta"]["page"] == page and r.json()["meta"]["totalPages"] > 2


def test_v1_uses_its_own_names_and_decimal_rate(emulator):
    """v1 says affiliateLinksComissionEarned (sic) and engagementRate as a decimal, v2 a percentage."""
    api = Api(emulator)
    v1_row = api.ok("/v1/reporting/campaign/performance", {**RANGE, "sortProperty": "campaignTitle",
                                                           "sortDirection": "ASC", "pageSize": 100})["data"][0]
    assert "affiliateLinksComissionEarned" in v1_row and "affiliateLinksCommissionEarned" not in v1_row
    v2_rows = api.walk("/v2/campaigns/performance", {**RANGE, "metrics": "engagementRate"})
    v2_row = next(r for r in v2_rows if r["campaignId"] == v1_row["campaignId"])
    assert v1_row["engagementRate"] == pytest.approx(v2_row["metrics"]["engagementRate"] / 100)


def test_v1_influencer_metrics_filter(emulator):
    """v1 influencer/performance returns only the requested metrics besides the creator identity."""
    row = Api(emulator).ok("/v1/reporting/influencer/performance", {**RANGE, "metrics": "engagements,cpm"})["data"][0]
    assert set(row) == {"creator", "creatorGlobalUserId", "engagements", "cpm"}


def test_v1_sort_property_outside_list_is_rejected(emulator):
    """A sortProperty outside the v1 operation's documented list is a 400 ANL_00422."""
    r = Api(emulator).get("/v1/reporting/network/performance", {**RANGE, "sortProperty": "campaignTitle"})
    assert r.status_code == 400 and r.json()["type"] == "ANL_00422"


def test_v1_accepts_date_time_dates(emulator):
    """v1 types dates as date-time, so 2025-01-01T00:00:00Z is accepted like 2025-01-01."""
    api = Api(emulator)
    plain = api.ok("/v1/reporting/instance/performance", RANGE)
    stamped = api.ok("/v1/reporting/instance/performance", {"startDate": "2025-01-01T00:00:00Z",
                                                            "endDate": "2025-06-30T00:00:00Z"})
    assert plain == stamped


@pytest.mark.parametrize("granularity", ["year", "quarter", "month", "week", "day"])
def test_every_granularity_validates(v1, emulator, granularity):
    """performance-over-time validates at every granularity, with the date parts that granularity has."""
    r = Api(emulator).get("/v1/reporting/instance/performance-over-time",
                          {**STAMPED, "granularity": granularity, "pageSize": 100})
    v1.validate_response(RequestsOpenAPIRequest(r.request), RequestsOpenAPIResponse(r))
    first = r.json()["data"][0]["date"]
    assert first["fullDate"] == "2025-01-01" and ("day" in first) == (granularity == "day")
