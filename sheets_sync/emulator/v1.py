"""The legacy v1 API exactly as OpenAPI 1.2.1 (api.mavrck.co) defines it: 10 GET routes + the token.

Envelope {data, meta}: meta is {page, totalPages} on paginated lists, null elsewhere. Metric names
are v1's (`affiliateLinksComissionEarned`, sic; engagementRate as a decimal, not a percentage).
Errors use the ANL_00xxx codes the live v1 host answered with. `reportingGroupIds` is accepted
and ignored: the emulator has no reporting groups, and v2 dropped them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Any

from sheets_sync.catalogue import Endpoint
from sheets_sync.emulator import engine
from sheets_sync.emulator.cache import ResultCache
from sheets_sync.emulator.dataset import Dataset, campaign_start
from sheets_sync.emulator.metrics import Aggregate
from sheets_sync.emulator.queries import Query, Validator

BASE = ("startDate", "endDate", "instanceIds", "campaignIds", "reportingGroupIds")
PAGING = ("pageSize", "pageNumber")
SORTING = ("sortProperty", "sortDirection")

CAMPAIGN_SORT = (
    "engagements", "impressions", "engagementRate", "impressionsPerPost", "estimatedValueGenerated",
    "estimatedRoi", "reach", "cpe", "cpm", "firstPostDate", "lastPostDate", "estimatedContentCost",
    "campaignTitle", "postsCount", "influencersCount", "clicks", "trackingLinksClicks",
    "trackingLinksConversions", "trackingLinksConversionValue", "affiliateLinksClicks",
    "affiliateLinksConversions", "affiliateLinksConversionRate", "affiliateLinksSales",
    "affiliateLinksComissionEarned", "affiliateLinksRoi",
)
NETWORK_SORT = ("engagements", "impressions", "engagementRate", "impressionsPerPosts", "engagementsPerPosts",
                "postsCount")
INFLUENCER_METRICS = (
    "engagements", "impressions", "engagementRate", "estimatedValueGenerated", "estimatedRoi", "cpe", "cpm",
    "estimatedContentCost", "paidCost", "postsCount", "trackingLinksClicks", "trackingLinksConversions",
    "trackingLinksConversionValue", "affiliateLinksClicks", "affiliateLinksConversions",
    "affiliateLinksConversionRate", "affiliateLinksSales", "affiliateLinksComissionEarned", "affiliateLinksRoi",
)
INFLUENCER_SORT = (
    "engagements", "impressions", "engagementRate", "estimatedValueGenerated", "instagramReach",
    "instagramSaved", "instagramShares", "instagramViews", "instagramTotalInteractions",
    "estimatedContentCost", "cpm", "cpe", "estimatedRoi", "postsCount", "trackingLinksClicks",
    "trackingLinksConversions", "trackingLinksConversionValue", "affiliateLinksClicks",
    "affiliateLinksConversions", "affiliateLinksConversionRate", "affiliateLinksSales",
    "affiliateLinksComissionEarned", "affiliateLinksRoi", "paidCost",
)
POST_METRICS = ("engagements", "impressions", "engagementRate", "estimatedValueGenerated", "cpe", "cpm")
POST_SORT = POST_METRICS + ("postDate",)
# v1 sort keys that name a v2 metric differently.
SORT_ALIASES = {"instagramReach": "reach", "instagramSaved": "saves", "instagramShares": "shares",
                "instagramViews": "views", "instagramTotalInteractions": "totalInteractions"}
CAMPAIGN_FIELDS = (
    "postsCount", "influencersCount", "reach", "engagements", "impressions", "clicks", "engagementRate", "cpe",
    "cpm", "impressionsPerPost", "estimatedContentCost", "estimatedValueGenerated", "estimatedRoi",
    "trackingLinksClicks", "trackingLinksConversions", "trackingLinksConversionValue", "affiliateLinksClicks",
    "affiliateLinksConversions", "affiliateLinksConversionRate", "affiliateLinksSales",
    "affiliateLinksComissionEarned", "affiliateLinksRoi",
)
INSTANCE_FIELDS = ("engagements", "impressions", "engagementRate", "postsCount", "valueGenerated",
                   "returnOnInvestment", "estimatedContentCost", "campaignsCost", "conversionValue")
OVER_TIME_FIELDS = ("likes", "comments", "shares", "clicks", "engagements", "impressions", "valueGenerated",
                    "engagementRate", "cpe", "cpm")
NETWORK_FIELDS = ("postsCount", "impressions", "impressionsPerPosts", "engagements", "engagementsPerPosts",
                  "engagementRate")
ROI_FIELDS = ("valueOfShares", "valueOfImpressions", "valueOfComments", "valueOfLikes", "valueGenerated",
              "estimatedContentCost", "returnOnInvestment")
# Every internal metric any v1 route may need, so one aggregate pass serves all fields and sorts.
NEEDED = tuple(dict.fromkeys(CAMPAIGN_FIELDS + INSTANCE_FIELDS + OVER_TIME_FIELDS + NETWORK_FIELDS + ROI_FIELDS
                             + INFLUENCER_METRICS + ("paidCost", "conversionValue", "clicks", "reach", "saves",
                                                     "shares", "views", "totalInteractions")))


def _value(agg: Aggregate, name: str) -> Any:
    if name == "engagementRate":
        # v1 documents the rate as a decimal (0.1), v2 as a percentage (10).
        rate = agg.metric("engagementRate")
        return None if rate is None else round(rate / 100, 6)
    return agg.metric(name)


def _endpoint(path: str, *, dates: bool = True, paging: bool = False, sort: tuple[str, ...] = (),
              metrics: tuple[str, ...] = (), granularity: bool = False) -> tuple[Endpoint, frozenset[str]]:
    ep = Endpoint(name=path.removeprefix("/v1/reporting/"), path=path, summary="v1", data_shape="list",
                  requires_dates=dates, metrics=metrics, sort_properties=sort, paginated=paging)
    allowed = set(BASE if dates else ())
    allowed |= set(PAGING if paging else ()) | set(SORTING if sort else ())
    allowed |= {"metrics"} if metrics else set()
    allowed |= {"granularity"} if granularity else set()
    return ep, frozenset(allowed)


ROUTES: dict[str, tuple[Endpoint, frozenset[str]]] = {
    "/v1/reporting/instances": _endpoint("/v1/reporting/instances", dates=False),
    "/v1/reporting/instance/details": _endpoint("/v1/reporting/instance/details", dates=False),
    "/v1/reporting/instances/details": _endpoint("/v1/reporting/instances/details", dates=False),
    "/v1/reporting/instance/performance": _endpoint("/v1/reporting/instance/performance"),
    "/v1/reporting/instance/performance-over-time": _endpoint(
        "/v1/reporting/instance/performance-over-time", paging=True, granularity=True),
    "/v1/reporting/campaign/performance": _endpoint("/v1/reporting/campaign/performance", paging=True,
                                                    sort=CAMPAIGN_SORT),
    "/v1/reporting/network/performance": _endpoint("/v1/reporting/network/performance", paging=True,
                                                   sort=NETWORK_SORT),
    "/v1/reporting/network/return-on-investment": _endpoint("/v1/reporting/network/return-on-investment"),
    "/v1/reporting/influencer/performance": _endpoint("/v1/reporting/influencer/performance", paging=True,
                                                      sort=INFLUENCER_SORT, metrics=INFLUENCER_METRICS),
    "/v1/reporting/post/performance": _endpoint("/v1/reporting/post/performance", paging=True,
                                                sort=POST_SORT, metrics=POST_METRICS),
}


def _network(content_type: str) -> str:
    return "instagram" if content_type == "instagram_post" else content_type


def _instance_details(ds: Dataset, instance_id: str) -> dict:
    campaigns = [c for c in ds.campaigns.values() if c.instance_id == instance_id]
    creators = {p.creator_id for p in ds.posts if p.instance_id == instance_id}
    return {"id": instance_id, "campaignsCount": len(campaigns), "influencersCount": len(creators),
            "campaigns": [{"id": c.campaign_id, "title": c.name, "description": c.description,
                           "status": c.status.upper(), "startDate": campaign_start(c)} for c in campaigns]}


Row = tuple[dict, Aggregate]


def _campaigns(ds: Dataset, q: Query) -> list[Row]:
    groups = engine.grouped(ds, q, lambda p: p.campaign_id)
    rows = []
    for cid in sorted(groups):
        c, agg = ds.campaigns[cid], groups[cid]
        item = {"campaignId": cid, "campaignTitle": c.name, "instanceId": c.instance_id,
                "description": c.description,
                "uniqueNetworks": ", ".join(p.capitalize() for p in c.platforms) or None,
                "firstPostDate": c.first_post, "lastPostDate": c.last_post}
        item.update({f: _value(agg, f) for f in CAMPAIGN_FIELDS})
        rows.append((item, agg))
    return rows


def _networks(ds: Dataset, q: Query, fields: tuple[str, ...]) -> list[Row]:
    groups = engine.grouped(ds, q, lambda p: _network(p.content_type))
    return [({"socialNetwork": n, **{f: _value(groups[n], f) for f in fields}}, groups[n]) for n in sorted(groups)]


def _influencers(ds: Dataset, q: Query, metrics: tuple[str, ...]) -> list[Row]:
    groups = engine.grouped(ds, q, lambda p: p.creator_id)
    rows = []
    for cid in sorted(groups):
        c = ds.creators[cid]
        item = {"creator": {"globalUserId": cid, "profilePictureUrl": c.picture_url, "fullName": c.full_name,
                            "profiles": [p.as_json() for p in c.profiles]}, "creatorGlobalUserId": cid}
        item.update({m: _value(groups[cid], m) for m in metrics})
        rows.append((item, groups[cid]))
    return rows


def _posts(ds: Dataset, q: Query, metrics: tuple[str, ...]) -> list[Row]:
    groups = engine.grouped(ds, q, lambda p: p.post_id)
    rows = []
    for p in engine.matching_posts(ds, q):
        if p.post_id in groups:
            item = {"activationId": p.post_id, "creatorId": p.creator_id, "instanceId": p.instance_id,
                    "creatorGlobalUserId": p.creator_id, "actionGroupId": p.campaign_id, "postDate": p.post_date,
                    "socialNetwork": _network(p.content_type), "contentUrl": p.content_url,
                    "contentImageUrl": p.image_url}
            if p.profile is not None:
                # The document marks creatorProfile nullable beside an allOf, which validators read as
                # not nullable; the key is optional, so a missing profile is left out instead.
                item["creatorProfile"] = p.profile.as_json()
            item.update({m: _value(groups[p.post_id], m) for m in metrics})
            rows.append((item, groups[p.post_id]))
    return rows


def _over_time(ds: Dataset, q: Query) -> list[dict]:
    out = []
    for s, _, agg in engine.over_time(ds, q):
        d = date.fromordinal(s)
        stamp: dict[str, Any] = {"year": d.year}
        if q.granularity in ("quarter", "month", "week", "day"):
            stamp["quarter"] = (d.month - 1) // 3 + 1
        if q.granularity in ("month", "week", "day"):
            stamp["month"] = d.month
        if q.granularity in ("week", "day"):
            stamp["week"] = d.isocalendar()[1]
        if q.granularity == "day":
            stamp["day"] = d.day
        stamp["fullDate"] = d.isoformat()
        out.append({"metrics": {f: _value(agg, f) for f in OVER_TIME_FIELDS}, "date": stamp})
    return out


def _sorted(rows: list[Row], q: Query) -> list[dict]:
    prop = q.sort_property
    if prop is None:
        return [item for item, _ in rows]

    def value(row: Row) -> Any:
        item, agg = row
        return item[prop] if prop in item else _value(agg, SORT_ALIASES.get(prop, prop))
    keyed = [(value(r), r[0]) for r in rows]
    present = sorted((kr for kr in keyed if kr[0] is not None), key=lambda kr: kr[0],
                     reverse=q.sort_direction == "DESC")
    return [i for _, i in present] + [i for v, i in keyed if v is None]


def _paged(items: list, q: Query) -> dict:
    start = (q.page_number - 1) * q.page_size
    return {"data": items[start:start + q.page_size],
            "meta": {"page": q.page_number, "totalPages": -(-len(items) // q.page_size)}}


def respond(ds: Dataset, path: str, params: dict[str, list[str]], bound: tuple[str, ...], cache: ResultCache,
            *, strict: bool = True) -> dict:
    """The JSON body for a v1 route."""
    endpoint, allowed = ROUTES[path]
    q = Validator(endpoint, "cursor", bound, strict=strict, v1=True).validate(params, set(allowed))
    requested = q.metrics
    inner = replace(q, metrics=NEEDED)
    name = endpoint.name
    if name == "instances":
        return {"data": {"instanceIds": list(bound)}, "meta": None}
    if name == "instance/details":
        return {"data": _instance_details(ds, bound[0]), "meta": None}
    if name == "instances/details":
        return {"data": [_instance_details(ds, i) for i in bound], "meta": None}
    if name == "instance/performance":
        agg = engine.grouped(ds, inner, lambda p: None).get(None) or Aggregate()
        return {"data": {f: _value(agg, f) for f in INSTANCE_FIELDS}, "meta": None}
    if name == "network/return-on-investment":
        return {"data": [item for item, _ in _networks(ds, inner, ROI_FIELDS)], "meta": None}
    builders: dict[str, Callable[[], list]] = {
        "instance/performance-over-time": lambda: _over_time(ds, inner),
        "campaign/performance": lambda: _sorted(_campaigns(ds, inner), q),
        "network/performance": lambda: _sorted(_networks(ds, inner, NETWORK_FIELDS), q),
        "influencer/performance": lambda: _sorted(_influencers(ds, inner, requested), q),
        "post/performance": lambda: _sorted(_posts(ds, inner, requested), q),
    }
    items = cache.get_or_build(("v1", path) + q.cache_key(), builders[name])
    return _paged(items, q)
