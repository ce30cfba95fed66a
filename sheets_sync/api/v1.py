"""Make legacy v1 (api.mavrck.co) records look like v2 records, so one config gives the same columns.

Applied to every record when `api.version: v1`. The mapping (docs/decisions.md#v1):

    v1 field                           v2 field
    campaignTitle                      campaignName
    socialNetwork                      contentType
    affiliateLinksComissionEarned      affiliateLinksCommissionEarned   (v1 wire typo)
    impressionsPerPosts                impressionsPerPost
    engagementsPerPosts                engagementsPerPost
    valueGenerated (summary, series)   estimatedValueGenerated          (ROI keeps valueGenerated)
    conversionValue (summary)          trackingLinksConversionValue
    uniqueNetworks "Facebook, X"       platforms ["facebook", "x"]
    activationId, actionGroupId        postId, campaignId                (post rows)
    socialNetwork "instagram"          contentType "instagram_post"      (v1's name for feed posts)
    engagementRate 0.058 (a decimal)   engagementRate 5.8 (v2 percentage)
    creator.globalUserId               creator.creatorId
    date.fullDate (+ granularity)      startDate / endDate of the bucket (clipped to the range)
    flat metric fields                 metrics: {...}   (the endpoint's catalogue metrics)

Requests are mapped the other way: the v1 route from catalogue.V1_PATHS, page-number parameters
(only on v1's paginated routes), sortProperty renamed back to the v1 spelling, and `metrics` sent
only where v1 takes it (influencer and post routes).

v1 returns every metric whatever was asked; the `metrics` object is cut to the requested metrics
(missing ones become null) so extra v1 numbers do not turn into surprise columns. Identity fields
without a v2 counterpart (activationId, actionGroupId, creatorGlobalUserId ...) pass through.

What still differs from the same report on v2 (v1 simply does not carry it):
- rows come in v1's order (platform routes: alphabetical by content type) unless `sort:` is set;
- v2-only fields stay empty: campaign `status`/`startDate` on campaigns/performance, post `caption`;
- without `columns:`, creators and posts gain a trailing `creatorGlobalUserId` column (pass-through),
  so a template or CSV consumer should list its columns explicitly when switching versions.
- v1 has no platform/contentType filter and no post-date basis; `validate` refuses them for v1.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sheets_sync.catalogue import Endpoint

RENAMES: dict[str, str] = {
    "campaignTitle": "campaignName",
    "socialNetwork": "contentType",
    "affiliateLinksComissionEarned": "affiliateLinksCommissionEarned",
    "impressionsPerPosts": "impressionsPerPost",
    "engagementsPerPosts": "engagementsPerPost",
    "uniqueNetworks": "platforms",
}
# Only where the v1 name is the v2 `estimatedValueGenerated`: ROI rows keep `valueGenerated`.
VALUE_GENERATED_ENDPOINTS = frozenset({"instances/performance", "instances/performance-over-time"})
POST_RENAMES = {"activationId": "postId", "actionGroupId": "campaignId"}
SUMMARY_RENAMES = {"valueGenerated": "estimatedValueGenerated", "conversionValue": "trackingLinksConversionValue"}
# v1 routes that take `metrics` (the others return every metric) and those that paginate.
V1_METRICS_PARAM_ENDPOINTS = frozenset({"creators/performance", "posts/performance"})
V1_PAGINATED = frozenset({"instances/performance-over-time", "campaigns/performance", "platforms/performance",
                          "creators/performance", "posts/performance"})
# v2 sortProperty → v1 spelling, for the routes whose v1 names differ.
V1_SORT_NAMES = {"campaignName": "campaignTitle", "affiliateLinksCommissionEarned": "affiliateLinksComissionEarned",
                 "impressionsPerPost": "impressionsPerPosts", "engagementsPerPost": "engagementsPerPosts"}


def normalise(endpoint: Endpoint, record: dict[str, Any], *, metrics: Sequence[str] | None,
              granularity: str | None = None, range_end: str | None = None) -> dict[str, Any]:
    """One v1 record in v2 shape (a new dict; the input is not changed)."""
    renames = dict(RENAMES)
    if endpoint.name in VALUE_GENERATED_ENDPOINTS:
        renames.update(SUMMARY_RENAMES)
    if endpoint.name == "posts/performance":
        renames.update(POST_RENAMES)
    out: dict[str, Any] = {}
    given = record.get("metrics")
    nested: dict[str, Any] = given if isinstance(given, dict) else {}
    flat_metrics: dict[str, Any] = {}
    for key, value in record.items():
        if key == "metrics":
            continue
        name = renames.get(key, key)
        if endpoint.metrics and name in endpoint.metrics:
            flat_metrics[name] = value
        elif key == "creator" and isinstance(value, dict):
            out["creator"] = _creator(value)
        elif key == "date" and isinstance(value, dict):
            out.update(_bucket(value, granularity, range_end))
        elif name == "contentType" and value == "instagram":
            out[name] = "instagram_post"
        elif name == "platforms" and isinstance(value, str):
            out[name] = [p.strip().lower() for p in value.split(",") if p.strip()]
        else:
            out[name] = value
    if endpoint.metrics:
        merged = {renames.get(k, k): v for k, v in nested.items()} | flat_metrics
        if isinstance(merged.get("engagementRate"), (int, float)):
            merged["engagementRate"] = round(merged["engagementRate"] * 100, 10)
        if metrics:
            merged = {m: merged.get(m) for m in metrics}
        out["metrics"] = merged
    return out


def _creator(creator: dict[str, Any]) -> dict[str, Any]:
    out = dict(creator)
    if "creatorId" not in out and "globalUserId" in out:
        out = {"creatorId": out.pop("globalUserId"), **out}
    return out


def _bucket(date: dict[str, Any], granularity: str | None, range_end: str | None) -> dict[str, Any]:
    """A v1 time-series `date` object → v2 `startDate`/`endDate` strings of the bucket."""
    full = date.get("fullDate")
    try:
        start = dt.date.fromisoformat(str(full)[:10]) if full else _start_from_parts(date, granularity)
    except (TypeError, ValueError):
        return {"date": date}
    if start is None:
        return {"date": date}
    end = bucket_end(start, granularity or "month")
    if range_end:
        end = min(end, dt.date.fromisoformat(str(range_end)[:10]))
    return {"startDate": start.isoformat(), "endDate": end.isoformat()}


def _start_from_parts(date: dict[str, Any], granularity: str | None) -> dt.date | None:
    year = date.get("year")
    if not isinstance(year, int):
        return None
    if granularity == "quarter" and isinstance(date.get("quarter"), int):
        return dt.date(year, 3 * date["quarter"] - 2, 1)
    if granularity in ("month", None) and isinstance(date.get("month"), int):
        return dt.date(year, date["month"], 1)
    if granularity == "year":
        return dt.date(year, 1, 1)
    return None


def bucket_end(start: dt.date, granularity: str) -> dt.date:
    """Last day of the day/ISO week/month/quarter/year that contains `start`."""
    if granularity == "day":
        return start
    if granularity == "week":
        return start + dt.timedelta(days=6 - start.weekday())
    if granularity == "year":
        return dt.date(start.year, 12, 31)
    last_month = start.month if granularity == "month" else (start.month - 1) // 3 * 3 + 3
    following = dt.date(start.year + last_month // 12, last_month % 12 + 1, 1)
    return following - dt.timedelta(days=1)
