"""The seeded dataset: size, determinism, cross-level agreement, nulls vs zeros, time series, text."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date

import pytest

from sheets_sync.catalogue import CONTENT_TYPES, content_types_for, get_endpoint
from sheets_sync.emulator.curves import progress
from sheets_sync.emulator.dataset import BASE_INDEX, generate
from sheets_sync.emulator.text import FORMULA_LIKE, RIGHT_TO_LEFT

from .support import YEAR, Api

# Summable metrics served both per campaign and per post.
ADDITIVE = ["likes", "comments", "shares", "impressions", "engagements", "views", "reach", "saves",
            "estimatedValueGenerated", "paidImpressions", "paidLikes", "crosspostedViews", "videoViewTotalTime"]
Q1 = {"startDate": "2025-01-01", "endDate": "2025-03-31"}


def _sum(rows: list[dict], metric: str) -> float | None:
    values = [r["metrics"][metric] for r in rows if r["metrics"][metric] is not None]
    return round(sum(values), 2) if values else None


def test_dataset_meets_minimum_size(emulator):
    """At least 3 instances, 60 campaigns, 500 creators and 5,000 posts over more than two years."""
    ds = emulator.data
    assert len(ds.instances) >= 3 and len(ds.campaigns) >= 60 and len(ds.creators) >= 500
    assert len(ds.posts) >= 5000
    assert ds.anchor_day - ds.first_day >= 730
    assert {p.content_type for p in ds.posts} == set(CONTENT_TYPES)


def test_scale_multiplies_the_dataset():
    """scale=2 doubles posts, campaigns, creators and instances."""
    one, two = generate(1, 1), generate(1, 2)
    assert len(two.posts) == 2 * len(one.posts) and len(two.campaigns) == 2 * len(one.campaigns)
    assert len(two.creators) == 2 * len(one.creators) and len(two.instances) == 2 * len(one.instances)


def test_same_seed_same_data_other_seed_other_data():
    """Generation is a pure function of the seed."""
    assert generate(7) == generate(7)
    assert generate(7).posts != generate(8).posts


def test_same_seed_same_answers_over_http(make_emulator):
    """Two emulators with one seed answer identically; another seed answers differently."""
    params = {**YEAR, "metrics": "engagements,paidCpm", "pageSize": 100}
    a, b, c = (Api(make_emulator(seed=s)) for s in (3, 3, 4))
    assert a.ok("/v2/posts/performance", params) == b.ok("/v2/posts/performance", params)
    assert a.ok("/v2/posts/performance", params) != c.ok("/v2/posts/performance", params)


def test_range_value_equals_sum_of_daily_values(emulator):
    """A post's value over a range equals the sum of its daily values (closed-form curve is exact)."""
    for post in emulator.data.posts[:50]:
        total = post.totals[BASE_INDEX["impressions"]]
        w = post.window
        def cum(n: int, total: int = total, w: int = w) -> int:
            return total * progress(w, n) // (w * w)
        daily = [cum(n) - cum(n - 1) for n in range(1, w + 1)]
        assert all(d >= 0 for d in daily) and sum(daily) == total
        assert sum(daily[3:10]) == cum(10) - cum(3)


@pytest.mark.parametrize("filters", [{}, {"platform": "instagram"}, {"contentType": "tiktok,pinterest"},
                                     {"dateBasis": "post_date"}, {"instanceIds": "instance_ghi"}])
def test_campaign_totals_equal_sum_of_their_posts(capi, filters):
    """Each campaign's additive metrics equal the sum over its posts for the same filters and dates."""
    types = content_types_for(filters.get("platform", "").split(",") if "platform" in filters else None,
                              filters.get("contentType", "").split(",") if "contentType" in filters else None)
    metrics = [m for m in ADDITIVE if m in get_endpoint("posts/performance").metrics_for(types)]
    params = {**Q1, **filters, "metrics": ",".join(metrics)}
    campaigns = capi.walk("/v2/campaigns/performance", {**params, "metrics": ",".join(metrics + ["postsCount"])})
    posts = capi.walk("/v2/posts/performance", params)
    by_campaign = defaultdict(list)
    for p in posts:
        by_campaign[p["campaignId"]].append(p)
    assert campaigns and {c["campaignId"] for c in campaigns} == set(by_campaign)
    for c in campaigns:
        own = by_campaign[c["campaignId"]]
        assert c["metrics"]["postsCount"] == len(own)
        for m in metrics:
            assert c["metrics"][m] == pytest.approx(_sum(own, m)), (c["campaignId"], m)


def test_instance_summary_equals_sum_of_campaigns_and_of_platforms(capi):
    """The instance summary equals the sum of campaigns and the sum of content types."""
    params = {**Q1, "metrics": "impressions,engagements,postsCount,estimatedValueGenerated"}
    summary = capi.ok("/v2/instances/performance", params)["data"]["metrics"]
    for route in ("/v2/campaigns/performance", "/v2/platforms/performance", "/v2/creators/performance"):
        rows = capi.walk(route, params)
        for m in ("impressions", "engagements", "postsCount", "estimatedValueGenerated"):
            assert summary[m] == pytest.approx(_sum(rows, m)), (route, m)


def test_rates_are_derived_from_summed_counts(capi):
    """engagementRate is engagements / impressions × 100 of the same row, rounded to 4 places."""
    rows = capi.walk("/v2/campaigns/performance", {**Q1, "metrics": "engagements,impressions,engagementRate"})
    for r in rows:
        m = r["metrics"]
        assert m["engagementRate"] == round(m["engagements"] / m["impressions"] * 100, 4)


def test_date_basis_changes_which_posts_count(capi):
    """post_date counts only posts published in range; performance_date also counts older active posts."""
    perf = capi.walk("/v2/posts/performance", {**Q1, "metrics": "impressions"})
    posted = capi.walk("/v2/posts/performance", {**Q1, "metrics": "impressions", "dateBasis": "post_date"})
    assert all("2025-01-01" <= p["postDate"][:10] <= "2025-03-31" for p in posted)
    assert any(p["postDate"][:10] < "2025-01-01" for p in perf)
    assert {p["postId"] for p in perf} != {p["postId"] for p in posted}


def test_paid_metrics_are_null_for_organic_posts_and_numbers_for_paid(capi, cursor_emulator):
    """Paid metrics are null on organic-only posts and numbers on boosted ones."""
    paid = {p.post_id: p.paid for p in cursor_emulator.data.posts}
    rows = capi.walk("/v2/posts/performance", {**Q1, "metrics": "paidImpressions,paidCpm,impressions"})
    seen = Counter()
    for r in rows:
        is_paid = paid[r["postId"]]
        seen[is_paid] += 1
        assert (r["metrics"]["paidImpressions"] is None) == (not is_paid)
        assert r["metrics"]["impressions"] is not None
    assert seen[True] and seen[False]


def test_reel_only_metric_is_null_outside_instagram_reels(capi):
    """crosspostedFacebookOnlyViews is a number on Instagram reels and null on every other content type."""
    rows = capi.walk("/v2/platforms/performance", {**Q1, "metrics": "crosspostedFacebookOnlyViews"})
    for r in rows:
        value = r["metrics"]["crosspostedFacebookOnlyViews"]
        assert (value is not None) == (r["contentType"] == "instagram_reel")


def test_zero_metric_posts_are_listed_with_true_zeros(capi, cursor_emulator):
    """Posts with no activity are listed, with 0 (not null) for counts."""
    zero_ids = {p.post_id for p in cursor_emulator.data.posts if not any(p.totals)}
    rows = capi.walk("/v2/posts/performance", {"startDate": "2024-07-01", "endDate": "2026-06-30",
                                               "metrics": "impressions,likes,engagements"})
    zeros = [r for r in rows if r["postId"] in zero_ids]
    assert zeros and all(r["metrics"] == {"impressions": 0, "likes": 0, "engagements": 0} for r in zeros)


def test_empty_selection_has_zero_counts_and_null_ratios(capi):
    """An instance summary matching no posts answers 0 for counts, null for ratios and paid metrics."""
    body = capi.ok("/v2/instances/performance", {"startDate": "2027-01-01", "endDate": "2027-01-31",
                                                 "metrics": "impressions,postsCount,engagementRate,paidImpressions"})
    assert body["data"]["metrics"] == {"impressions": 0, "postsCount": 0, "engagementRate": None,
                                       "paidImpressions": None}


def test_time_series_omits_empty_buckets(capi, cursor_emulator):
    """Daily buckets for one campaign skip days without activity, and the buckets sum to the total."""
    campaign = next(c for c in cursor_emulator.data.campaigns.values() if len(c.post_ids) > 20)
    params = {"startDate": "2024-07-01", "endDate": "2026-06-30", "campaignIds": campaign.campaign_id,
              "metrics": "impressions,postsCount"}
    days = capi.walk("/v2/instances/performance-over-time", {**params, "granularity": "day"})
    assert 0 < len(days) < 730
    assert all(d["startDate"] == d["endDate"] for d in days)
    total = capi.ok("/v2/instances/performance", params)["data"]["metrics"]["impressions"]
    assert sum(d["metrics"]["impressions"] for d in days) == total


def test_weeks_are_iso_and_clipped_to_the_range(capi):
    """Weekly buckets run Monday to Sunday, except the first and last which are clipped to the range."""
    rows = capi.walk("/v2/instances/performance-over-time", {"startDate": "2025-01-01", "endDate": "2025-03-31",
                                                             "metrics": "impressions", "granularity": "week"})
    assert rows[0]["startDate"] == "2025-01-01" and rows[0]["endDate"] == "2025-01-05"
    assert rows[-1]["endDate"] == "2025-03-31"
    for r in rows[1:]:
        assert date.fromisoformat(r["startDate"]).isoweekday() == 1
    for r in rows[:-1]:
        assert date.fromisoformat(r["endDate"]).isoweekday() == 7


@pytest.mark.parametrize(("granularity", "first_end", "count"),
                         [("month", "2025-01-31", 12), ("quarter", "2025-03-31", 4), ("year", "2025-12-31", 1)])
def test_calendar_buckets(capi, granularity, first_end, count):
    """Month, quarter and year buckets follow the calendar; month is the default granularity."""
    params = {**YEAR, "metrics": "impressions", "granularity": granularity}
    rows = capi.walk("/v2/instances/performance-over-time", params)
    assert len(rows) == count and rows[0]["endDate"] == first_end
    if granularity == "month":
        params.pop("granularity")
        assert capi.walk("/v2/instances/performance-over-time", params) == rows


def test_post_date_series_buckets_by_publication(capi):
    """With post_date each post's lifetime lands in the bucket of its publication day."""
    params = {**Q1, "metrics": "postsCount", "dateBasis": "post_date"}
    months = capi.walk("/v2/instances/performance-over-time", params)
    posts = capi.walk("/v2/posts/performance", {**params, "metrics": "impressions"})
    per_month = Counter(p["postDate"][:7] for p in posts)
    assert {m["startDate"][:7]: m["metrics"]["postsCount"] for m in months} == dict(per_month)


def _whole_span(ds) -> list[dict]:
    """Two date windows (each within the two-year cap) that together cover every post."""
    first, last = date.fromordinal(ds.first_day), date.fromordinal(ds.anchor_day)
    return [{"startDate": first.isoformat(), "endDate": date(first.year + 1, 12, 31).isoformat()},
            {"startDate": date(first.year + 2, 1, 1).isoformat(), "endDate": last.isoformat()}]


def test_real_world_text_is_served(capi, cursor_emulator):
    """Captions, names and handles include emoji, RTL text, formula-like text and very long strings."""
    posts = [p for window in _whole_span(cursor_emulator.data)
             for p in capi.walk("/v2/posts/performance", {**window, "metrics": "impressions",
                                                          "dateBasis": "post_date"})]
    assert len(posts) == len(cursor_emulator.data.posts)
    captions = {p["caption"] for p in posts}
    assert set(FORMULA_LIKE) <= captions and set(RIGHT_TO_LEFT) <= captions
    assert max(len(c) for c in captions) > 50_000
    assert any("\t" in c and "\r" in c for c in captions)
    creators = capi.walk("/v2/creators/performance", {"startDate": "2024-07-01", "endDate": "2026-06-30",
                                                      "metrics": "postsCount"})
    names = {c["creator"]["fullName"] for c in creators}
    assert {n[:1] for n in names if n} >= {"=", "+", "-", "@"}
    assert any(any(ord(ch) > 0xFFFF for ch in n) for n in names if n)  # emoji beyond the BMP
    handles = {p["handleName"] for c in creators for p in c["creator"]["profiles"]}
    assert any(h.startswith(("=", "@")) for h in handles)
    campaigns = capi.walk("/v2/campaigns", {})
    assert {c["campaignName"][:1] for c in campaigns} >= {"=", "+", "-", "@"}
