"""The /v2 data routes: full results per validated query, cached, then paginated.

Lists only contain entities with at least one counted post (campaigns, creators, content types,
posts). Without sortProperty a list is in identity order (ids ascending, content types in
catalogue order); with it, by that value in sortDirection (default DESC), nulls last, ties in
identity order. Sorting by a metric that was not requested is allowed (the docs' own example).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from sheets_sync.catalogue import CONTENT_TYPES, ROI_FIELDS, Endpoint
from sheets_sync.emulator import engine
from sheets_sync.emulator.cache import ResultCache
from sheets_sync.emulator.dataset import Dataset, campaign_start
from sheets_sync.emulator.metrics import Aggregate
from sheets_sync.emulator.pagination import decode_cursor, page_of
from sheets_sync.emulator.queries import Query

Row = tuple[dict[str, Any], Aggregate | None]


def _render(rows: list[Row], q: Query) -> list[dict]:
    out = []
    for identity, agg in rows:
        item = dict(identity)
        if agg is not None:
            item["metrics"] = {m: agg.metric(m) for m in q.metrics}
        out.append(item)
    return out


def _sorted(rows: Sequence[Row], q: Query) -> list[Row]:
    prop = q.sort_property
    if prop is None:
        return list(rows)
    if prop in ("firstPostDate", "lastPostDate", "postDate"):
        def value(row: Row) -> Any:
            return row[0].get(prop)
    else:
        def value(row: Row) -> Any:
            return row[1].metric(prop) if row[1] is not None else None
    keyed = [(value(r), r) for r in rows]
    present = [kr for kr in keyed if kr[0] is not None]
    present.sort(key=lambda kr: kr[0], reverse=q.sort_direction == "DESC")
    return [r for _, r in present] + [r for v, r in keyed if v is None]


def _campaign_identity(ds: Dataset, campaign_id: int, with_platforms: bool) -> dict[str, Any]:
    c = ds.campaigns[campaign_id]
    out = {"campaignId": c.campaign_id, "campaignName": c.name, "instanceId": c.instance_id,
           "description": c.description, "status": c.status, "startDate": campaign_start(c),
           "firstPostDate": c.first_post, "lastPostDate": c.last_post}
    if with_platforms:
        out["platforms"] = list(c.platforms)
    return out


def _extra(q: Query) -> tuple[str, ...]:
    return (q.sort_property,) if q.sort_property else ()


def campaigns_performance(ds: Dataset, q: Query) -> list[dict]:
    groups = engine.grouped(ds, q, lambda p: p.campaign_id, _extra(q))
    rows = [(_campaign_identity(ds, cid, True), groups[cid]) for cid in sorted(groups)]
    return _render(_sorted(rows, q), q)


def creators_performance(ds: Dataset, q: Query) -> list[dict]:
    groups = engine.grouped(ds, q, lambda p: p.creator_id, _extra(q))
    rows: list[Row] = []
    for cid in sorted(groups):
        c = ds.creators[cid]
        rows.append(({"creator": {"creatorId": c.creator_id, "fullName": c.full_name,
                                  "profilePictureUrl": c.picture_url,
                                  "profiles": [p.as_json() for p in c.profiles]}}, groups[cid]))
    return _render(_sorted(rows, q), q)


def platforms_performance(ds: Dataset, q: Query) -> list[dict]:
    groups = engine.grouped(ds, q, lambda p: p.content_type, _extra(q))
    rows = [({"contentType": ct}, groups[ct]) for ct in CONTENT_TYPES if ct in groups]
    return _render(_sorted(rows, q), q)


def platforms_roi(ds: Dataset, q: Query) -> list[dict]:
    groups = engine.grouped(ds, q, lambda p: p.content_type)
    out = []
    for ct in CONTENT_TYPES:
        if ct in groups:
            out.append({"contentType": ct, **{f: groups[ct].metric(f) for f in ROI_FIELDS}})
    return out


def posts_performance(ds: Dataset, q: Query) -> list[dict]:
    groups = engine.grouped(ds, q, lambda p: p.post_id, _extra(q))
    by_id = {p.post_id: p for p in engine.matching_posts(ds, q) if p.post_id in groups}
    rows: list[Row] = []
    for pid in sorted(groups):
        p = by_id[pid]
        rows.append(({"postId": p.post_id, "creatorId": p.creator_id, "campaignId": p.campaign_id,
                      "instanceId": p.instance_id, "contentType": p.content_type, "postDate": p.post_date,
                      "contentUrl": p.content_url, "contentImageUrl": p.image_url, "caption": p.caption,
                      "creatorProfile": p.profile.as_json() if p.profile else None}, groups[pid]))
    return _render(_sorted(rows, q), q)


def performance_over_time(ds: Dataset, q: Query) -> list[dict]:
    return [{"startDate": date.fromordinal(s).isoformat(), "endDate": date.fromordinal(e).isoformat(),
             "metrics": {m: agg.metric(m) for m in q.metrics}} for s, e, agg in engine.over_time(ds, q)]


def campaigns_roster(ds: Dataset, q: Query) -> list[dict]:
    wanted = set(q.instance_ids)
    return [_campaign_identity(ds, cid, False) for cid in sorted(ds.campaigns)
            if ds.campaigns[cid].instance_id in wanted]


def instance_summary(ds: Dataset, q: Query) -> dict:
    agg = engine.grouped(ds, q, lambda p: None).get(None) or Aggregate()
    return {"metrics": {m: agg.metric(m) for m in q.metrics}}


LIST_BUILDERS: dict[str, Callable[[Dataset, Query], list[dict]]] = {
    "campaigns": campaigns_roster,
    "campaigns/performance": campaigns_performance,
    "creators/performance": creators_performance,
    "platforms/performance": platforms_performance,
    "platforms/return-on-investment": platforms_roi,
    "posts/performance": posts_performance,
    "instances/performance-over-time": performance_over_time,
}


def respond(ds: Dataset, q: Query, generation: str, cache: ResultCache, *, repeat_cursor: bool = False) -> dict:
    """The JSON body for a validated v2 query."""
    ep: Endpoint = q.endpoint
    if ep.name == "instances/performance":
        data = cache.get_or_build(q.cache_key(), lambda: instance_summary(ds, q))
        return {"data": data, "nextCursor": None} if generation == "cursor" else {"data": data}
    if ep.name == "instances":
        page = page_of(list(q.instance_ids), q, generation)
        return {"data": {"instanceIds": page.rows}, **page.envelope}
    items = cache.get_or_build(q.cache_key(), lambda: LIST_BUILDERS[ep.name](ds, q))
    page = page_of(items, q, generation)
    if repeat_cursor and generation == "cursor" and q.cursor and decode_cursor(q.cursor, q) == q.page_size:
        page.envelope["nextCursor"] = q.cursor
    return {"data": page.rows, **page.envelope}
