"""api.version v1: the emulator's legacy routes give v2-shaped records and the same report columns."""

from __future__ import annotations

import pytest

from sheets_sync.api.v1 import bucket_end, normalise
from sheets_sync.catalogue import get_endpoint
from sheets_sync.errors import UsageError
from sheets_sync.records import build_table
from sheets_sync.report import TableMeta

from api_helpers import WIDE, client_for, running_emulator

METRICS = ["engagements", "impressions", "engagementRate"]
META = TableMeta(report="r", endpoint="x")


@pytest.fixture(scope="module")
def legacy():
    """One emulator serving v1 and v2 side by side."""
    with running_emulator(pagination="page") as emu:
        yield emu


def both(emu, endpoint: str, params: dict):
    with client_for(emu.url, page_size=100) as v2, client_for(emu.url, page_size=100, version="v1") as v1:
        return v2.fetch(get_endpoint(endpoint), params), v1.fetch(get_endpoint(endpoint), params)


@pytest.mark.parametrize("endpoint", ["campaigns/performance", "platforms/performance", "creators/performance",
                                      "posts/performance", "instances/performance"])
def test_v1_gives_the_same_columns_and_metric_values(legacy, endpoint):
    """The same endpoint and params give the same headers and the same metric numbers in v1 and v2."""
    params = {**WIDE, "metrics": METRICS}
    new, old = both(legacy, endpoint, params)
    assert old.generation == "v1" and len(old.records) == len(new.records)
    t_new = build_table(get_endpoint(endpoint), new.records, metrics=METRICS, columns=None, meta=META)
    t_old = build_table(get_endpoint(endpoint), old.records, metrics=METRICS, columns=None, meta=META)
    shared = [h for h in t_new.headers if h in t_old.headers]
    assert METRICS[0] in shared and set(METRICS) <= set(shared)

    def key(record: dict) -> object:
        return (record.get("campaignId"), record.get("contentType"), (record.get("creator") or {}).get("creatorId"),
                record.get("postId"))

    old_by_key = {key(r): r for r in old.records}
    for record in new.records:
        twin = old_by_key[key(record)]
        assert twin["metrics"]["engagements"] == record["metrics"]["engagements"]
        assert twin["metrics"]["engagementRate"] == pytest.approx(record["metrics"]["engagementRate"], abs=1e-3)
        assert set(twin["metrics"]) == set(METRICS)


def test_v1_time_series_has_bucket_dates(legacy):
    """v1 performance-over-time rows carry startDate/endDate like v2, clipped to the range."""
    params = {**WIDE, "metrics": ["engagements"], "granularity": "quarter"}
    new, old = both(legacy, "instances/performance-over-time", params)
    def periods(records: list[dict]) -> list[tuple[str, str]]:
        return [(r["startDate"], r["endDate"]) for r in records]

    assert periods(old.records) == periods(new.records)
    assert [r["metrics"]["engagements"] for r in old.records] == [r["metrics"]["engagements"] for r in new.records]


def test_v1_campaign_sort_uses_the_v1_spelling(legacy):
    """sortProperty campaignName is sent as v1's campaignTitle, and rows come back in that order."""
    params = {**WIDE, "metrics": METRICS, "sortProperty": "campaignName", "sortDirection": "ASC"}
    with client_for(legacy.url, version="v1") as client:
        names = [r["campaignName"] for r in client.fetch(get_endpoint("campaigns/performance"), params).records]
    assert names == sorted(names)


def test_v1_refuses_filters_it_does_not_have(legacy):
    """platform/contentType and post_date basis do not exist in v1: a usage error, not silent wrong data."""
    with client_for(legacy.url, version="v1") as client:
        with pytest.raises(UsageError, match="no `platform` filter"):
            client.fetch(get_endpoint("campaigns/performance"), {**WIDE, "metrics": METRICS, "platform": ["tiktok"]})
        with pytest.raises(UsageError, match="performance date"):
            client.fetch(get_endpoint("campaigns/performance"), {**WIDE, "metrics": METRICS, "dateBasis": "post_date"})
        with pytest.raises(UsageError, match="does not exist in API v1"):
            client.fetch(get_endpoint("campaigns"), {})


def test_normalise_maps_the_documented_renames():
    """campaignTitle, socialNetwork, the Comission typo and decimal engagementRate map to v2 shapes."""
    endpoint = get_endpoint("campaigns/performance")
    assert endpoint is not None
    record = {"campaignId": 1, "campaignTitle": "A", "uniqueNetworks": "Instagram, TikTok", "engagementRate": 0.125,
              "affiliateLinksComissionEarned": 4.5, "engagements": 0, "socialNetwork": "instagram"}
    out = normalise(endpoint, record, metrics=["engagements", "engagementRate", "affiliateLinksCommissionEarned",
                                               "cpe"])
    assert out["campaignName"] == "A" and out["platforms"] == ["instagram", "tiktok"]
    assert out["contentType"] == "instagram_post"
    assert out["metrics"] == {"engagements": 0, "engagementRate": 12.5, "affiliateLinksCommissionEarned": 4.5,
                              "cpe": None}


def test_bucket_end_follows_the_granularity():
    """Bucket ends: ISO week Sunday, month end, quarter end, year end."""
    import datetime as dt

    day = dt.date(2025, 8, 13)  # a Wednesday
    assert bucket_end(day, "day") == day
    assert bucket_end(day, "week") == dt.date(2025, 8, 17)
    assert bucket_end(day, "month") == dt.date(2025, 8, 31)
    assert bucket_end(day, "quarter") == dt.date(2025, 9, 30)
    assert bucket_end(dt.date(2025, 12, 2), "month") == dt.date(2025, 12, 31)
    assert bucket_end(day, "year") == dt.date(2025, 12, 31)
