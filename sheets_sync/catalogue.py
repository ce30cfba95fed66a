"""The Reporting API v2 endpoint catalogue: paths, parameters, metrics, sorts and filters, per endpoint.

One source of truth read by the config validator, the API client, the emulator and
`python -m sheets_sync endpoints`. Lists follow docs/decisions.md#endpoints (both documentation
generations; where they differ the union is allowed and the difference noted).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

# --- platforms and content types -------------------------------------------------------------

PLATFORM_CONTENT_TYPES: dict[str, tuple[str, ...]] = {
    "instagram": ("instagram_post", "instagram_reel", "instagram_story"),
    "tiktok": ("tiktok",),
    "facebook": ("facebook", "facebook_reel", "facebook_group"),
    "youtube": ("youtube_video", "youtube_shorts"),
    "twitter": ("twitter",),
    "pinterest": ("pinterest",),
}
PLATFORMS: tuple[str, ...] = tuple(PLATFORM_CONTENT_TYPES)
CONTENT_TYPES: tuple[str, ...] = tuple(ct for cts in PLATFORM_CONTENT_TYPES.values() for ct in cts)
CONTENT_TYPE_PLATFORM: dict[str, str] = {ct: p for p, cts in PLATFORM_CONTENT_TYPES.items() for ct in cts}

# Metrics that exist only for some content types; elsewhere the API answers null, and requesting
# them under a filter that excludes every content type where they exist is a 400 (docs/decisions.md#parameters).
METRIC_CONTENT_TYPES: dict[str, frozenset[str]] = {
    "crosspostedViews": frozenset({"instagram_reel"}),
    "crosspostedFacebookOnlyViews": frozenset({"instagram_reel"}),
    "avgWatchTime": frozenset({"instagram_reel"}),
    "navigationTapExit": frozenset({"instagram_story"}),
    "navigationTapBack": frozenset({"instagram_story"}),
    "navigationTapForward": frozenset({"instagram_story"}),
    "navigationSwipeForward": frozenset({"instagram_story"}),
    "saves": frozenset({"instagram_post", "instagram_reel", "tiktok", "pinterest", "facebook_reel"}),
    "paidSaves": frozenset({"instagram_post", "instagram_reel", "tiktok", "pinterest", "facebook_reel"}),
    "replies": frozenset({"instagram_story", "twitter"}),
    "reposts": frozenset({"twitter", "tiktok"}),
    "videoViewTotalTime": frozenset({"instagram_reel", "tiktok", "youtube_video", "youtube_shorts",
                                     "facebook_reel"}),
}

DATE_BASIS_VALUES: tuple[str, ...] = ("performance_date", "post_date")
DATE_BASIS_ALIASES: dict[str, str] = {"performanceDate": "performance_date", "postDate": "post_date"}
GRANULARITIES: tuple[str, ...] = ("day", "week", "month", "quarter", "year")
SORT_DIRECTIONS: tuple[str, ...] = ("ASC", "DESC")
MAX_CAMPAIGN_IDS = 50
MAX_RANGE_YEARS = 2
PAGE_SIZE_MAX = 100
PAGE_SIZE_DEFAULT = 50
PAGE_NUMBER_MAX = 500
DOCUMENTED_REQUESTS_PER_MINUTE = 120

# --- metric lists per endpoint (docs/decisions.md#metrics; organicReach and the like included) ---

INSTANCE_SUMMARY_METRICS = (
    "engagements", "impressions", "engagementRate", "postsCount", "reach", "organicReach", "views",
    "estimatedValueGenerated", "estimatedContentCost", "campaignsCost", "returnOnInvestment", "cpe", "cpm",
    "paidEngagements", "paidImpressions", "paidEngagementRate", "paidPostsCount", "paidViews", "paidReach",
    "paidAdSpend", "paidReturnOnAdSpend", "paidCpe", "paidCpm", "trackingLinksClicks",
    "trackingLinksConversions", "trackingLinksConversionValue", "affiliateLinksClicks",
    "affiliateLinksConversions", "affiliateLinksSales",
)
TIME_SERIES_METRICS = (
    "likes", "comments", "shares", "clicks", "impressions", "reach", "organicReach", "engagements", "views",
    "engagementRate", "postsCount", "estimatedValueGenerated", "cpe", "cpm", "paidLikes", "paidComments",
    "paidShares", "paidImpressions", "paidEngagements", "paidEngagementRate", "paidReach", "paidViews",
)
CAMPAIGN_METRICS = (
    "likes", "comments", "shares", "clicks", "saves", "impressions", "reach", "organicReach", "engagements",
    "views", "totalInteractions", "replies", "reposts", "potentialReach", "videoViewTotalTime",
    "crosspostedViews", "crosspostedFacebookOnlyViews", "engagementRate", "postsCount", "influencersCount",
    "impressionsPerPost", "estimatedValueGenerated", "estimatedContentCost", "estimatedRoi", "cpe", "cpm",
    "paidLikes", "paidComments", "paidShares", "paidClicks", "paidImpressions", "paidEngagements",
    "paidEngagementRate", "paidViews", "paidReach", "paidSaves", "paidCpe", "paidCpm", "paidPostsCount",
    "paidInfluencersCount", "paidAdSpend", "paidReturnOnAdSpend", "paidInitialPlays", "paidCost",
    "trackingLinksClicks", "trackingLinksConversions", "trackingLinksConversionValue", "affiliateLinksClicks",
    "affiliateLinksConversions", "affiliateLinksConversionRate", "affiliateLinksSales",
    "affiliateLinksCommissionEarned", "affiliateLinksRoi",
)
PLATFORM_METRICS = (
    "likes", "comments", "shares", "saves", "impressions", "reach", "organicReach", "engagements", "views",
    "totalInteractions", "replies", "reposts", "potentialReach", "videoViewTotalTime", "avgWatchTime",
    "navigationTapExit", "navigationTapBack", "navigationTapForward", "navigationSwipeForward",
    "crosspostedViews", "crosspostedFacebookOnlyViews", "engagementRate", "postsCount", "impressionsPerPost",
    "engagementsPerPost", "estimatedValueGenerated", "cpe", "cpm", "paidLikes", "paidComments", "paidShares",
    "paidImpressions", "paidEngagements", "paidEngagementRate", "paidViews", "paidReach", "paidSaves",
    "paidCpe", "paidCpm", "paidPostsCount", "paidAdSpend", "paidReturnOnAdSpend",
)
ROI_FIELDS = (
    "valueOfShares", "valueOfImpressions", "valueOfComments", "valueOfLikes", "valueGenerated",
    "estimatedContentCost", "returnOnInvestment",
)
CREATOR_METRICS = (
    "likes", "comments", "shares", "saves", "impressions", "reach", "organicReach", "engagements", "views",
    "totalInteractions", "replies", "reposts", "potentialReach", "videoViewTotalTime", "avgWatchTime",
    "navigationTapExit", "navigationTapBack", "navigationTapForward", "navigationSwipeForward",
    "crosspostedViews", "crosspostedFacebookOnlyViews", "engagementRate", "postsCount",
    "estimatedValueGenerated", "estimatedContentCost", "estimatedRoi", "cpe", "cpm", "paidLikes",
    "paidComments", "paidShares", "paidImpressions", "paidEngagements", "paidEngagementRate", "paidViews",
    "paidReach", "paidSaves", "paidCpe", "paidCpm", "paidPostsCount", "paidCost", "trackingLinksClicks",
    "trackingLinksConversions", "trackingLinksConversionValue", "affiliateLinksClicks",
    "affiliateLinksConversions", "affiliateLinksConversionRate", "affiliateLinksSales",
    "affiliateLinksCommissionEarned", "affiliateLinksRoi",
)
POST_METRICS = (
    "likes", "comments", "shares", "saves", "impressions", "reach", "organicReach", "engagements", "views",
    "totalInteractions", "replies", "reposts", "potentialReach", "followersAtPostDate", "videoViewTotalTime",
    "avgWatchTime", "navigationTapExit", "navigationTapBack", "navigationTapForward",
    "navigationSwipeForward", "crosspostedViews", "crosspostedFacebookOnlyViews", "engagementRate",
    "estimatedValueGenerated", "cpe", "cpm", "paidLikes", "paidComments", "paidShares", "paidImpressions",
    "paidEngagements", "paidEngagementRate", "paidViews", "paidReach", "paidSaves", "paidCpe", "paidCpm",
)

# --- field kinds and labels -------------------------------------------------------------------


class FieldKind(StrEnum):
    """What a field holds, declared here once: records, gap filling and the sinks read it, nothing guesses it."""

    COUNT = "count"            # a whole number of things (impressions, posts); sums; an empty period is 0
    MONEY = "money"            # an amount in the account's currency (value generated, cost); sums; empty is 0
    UNIT_COST = "unit_cost"    # money per engagement or per 1,000 impressions (cpe, cpm): a quotient
    AVERAGE = "average"        # a per-post or per-view average (impressionsPerPost, avgWatchTime in ms)
    PERCENT = "percent"        # a percentage number as sent: engagementRate 12.5 means 12.5 %
    RATIO = "ratio"            # a plain quotient as sent: ROI 2.5 (value / cost), conversion rate 0.12
    IDENTIFIER = "identifier"  # an id, number or text: never a quantity (49761, not 49,761)
    TEXT = "text"              # names, statuses, URLs; lists and objects shown as one text
    DATE = "date"              # a calendar date (a campaign's start, a time-series bucket's bounds)
    DATETIME = "datetime"      # a moment (a post's publication time), shown in the report's time zone

    @property
    def is_metric(self) -> bool:
        return self in _METRIC_KINDS

    @property
    def additive(self) -> bool:
        """Whether values add up, so a period without activity is 0; a quotient's is undefined (None)."""
        return self in (FieldKind.COUNT, FieldKind.MONEY)


_METRIC_KINDS = frozenset({FieldKind.COUNT, FieldKind.MONEY, FieldKind.UNIT_COST, FieldKind.AVERAGE,
                           FieldKind.PERCENT, FieldKind.RATIO})


@dataclass(frozen=True)
class FieldInfo:
    """A field's kind and its readable label (the header of a clean workbook: "Creator ID")."""

    kind: FieldKind
    label: str


_COUNT, _MONEY, _UNIT_COST, _AVERAGE, _PERCENT, _RATIO = (
    FieldKind.COUNT, FieldKind.MONEY, FieldKind.UNIT_COST, FieldKind.AVERAGE, FieldKind.PERCENT, FieldKind.RATIO)

# Every metric of every endpoint (and the ROI endpoint's fixed fields), with its kind and label. Kinds follow
# the API's definitions: engagementRate is (engagements / impressions) x 100, affiliateLinksConversionRate is
# conversions / clicks, the ROI fields are value / cost, avgWatchTime is in milliseconds.
METRICS: dict[str, FieldInfo] = {
    "likes": FieldInfo(_COUNT, "Likes"),
    "comments": FieldInfo(_COUNT, "Comments"),
    "shares": FieldInfo(_COUNT, "Shares"),
    "clicks": FieldInfo(_COUNT, "Clicks"),
    "saves": FieldInfo(_COUNT, "Saves"),
    "impressions": FieldInfo(_COUNT, "Impressions"),
    "reach": FieldInfo(_COUNT, "Reach"),
    "organicReach": FieldInfo(_COUNT, "Organic Reach"),
    "views": FieldInfo(_COUNT, "Views"),
    "engagements": FieldInfo(_COUNT, "Engagements"),
    "totalInteractions": FieldInfo(_COUNT, "Total Interactions"),
    "replies": FieldInfo(_COUNT, "Replies"),
    "reposts": FieldInfo(_COUNT, "Reposts"),
    "potentialReach": FieldInfo(_COUNT, "Potential Reach"),
    "followersAtPostDate": FieldInfo(_COUNT, "Followers at Post Date"),
    "videoViewTotalTime": FieldInfo(_COUNT, "Video View Total Time"),
    "crosspostedViews": FieldInfo(_COUNT, "Crossposted Views"),
    "crosspostedFacebookOnlyViews": FieldInfo(_COUNT, "Crossposted Facebook-only Views"),
    "navigationTapExit": FieldInfo(_COUNT, "Taps to Exit"),
    "navigationTapBack": FieldInfo(_COUNT, "Taps Back"),
    "navigationTapForward": FieldInfo(_COUNT, "Taps Forward"),
    "navigationSwipeForward": FieldInfo(_COUNT, "Swipes Forward"),
    "postsCount": FieldInfo(_COUNT, "Posts"),
    "influencersCount": FieldInfo(_COUNT, "Creators"),
    "engagementRate": FieldInfo(_PERCENT, "Engagement Rate"),
    "impressionsPerPost": FieldInfo(_AVERAGE, "Impressions per Post"),
    "engagementsPerPost": FieldInfo(_AVERAGE, "Engagements per Post"),
    "avgWatchTime": FieldInfo(_AVERAGE, "Avg. Watch Time (ms)"),
    "estimatedValueGenerated": FieldInfo(_MONEY, "Est. Value Generated"),
    "estimatedContentCost": FieldInfo(_MONEY, "Est. Content Cost"),
    "campaignsCost": FieldInfo(_MONEY, "Campaigns Cost"),
    "returnOnInvestment": FieldInfo(_RATIO, "ROI"),
    "estimatedRoi": FieldInfo(_RATIO, "Est. ROI"),
    "cpe": FieldInfo(_UNIT_COST, "CPE"),
    "cpm": FieldInfo(_UNIT_COST, "CPM"),
    "paidLikes": FieldInfo(_COUNT, "Paid Likes"),
    "paidComments": FieldInfo(_COUNT, "Paid Comments"),
    "paidShares": FieldInfo(_COUNT, "Paid Shares"),
    "paidClicks": FieldInfo(_COUNT, "Paid Clicks"),
    "paidSaves": FieldInfo(_COUNT, "Paid Saves"),
    "paidImpressions": FieldInfo(_COUNT, "Paid Impressions"),
    "paidEngagements": FieldInfo(_COUNT, "Paid Engagements"),
    "paidViews": FieldInfo(_COUNT, "Paid Views"),
    "paidReach": FieldInfo(_COUNT, "Paid Reach"),
    "paidInitialPlays": FieldInfo(_COUNT, "Paid Initial Plays"),
    "paidPostsCount": FieldInfo(_COUNT, "Paid Posts"),
    "paidInfluencersCount": FieldInfo(_COUNT, "Paid Creators"),
    "paidEngagementRate": FieldInfo(_PERCENT, "Paid Engagement Rate"),
    "paidCpe": FieldInfo(_UNIT_COST, "Paid CPE"),
    "paidCpm": FieldInfo(_UNIT_COST, "Paid CPM"),
    "paidAdSpend": FieldInfo(_MONEY, "Paid Ad Spend"),
    "paidCost": FieldInfo(_MONEY, "Paid Cost"),
    "paidReturnOnAdSpend": FieldInfo(_RATIO, "Paid ROAS"),
    "trackingLinksClicks": FieldInfo(_COUNT, "Tracking Link Clicks"),
    "trackingLinksConversions": FieldInfo(_COUNT, "Tracking Link Conversions"),
    "trackingLinksConversionValue": FieldInfo(_MONEY, "Tracking Link Conversion Value"),
    "affiliateLinksClicks": FieldInfo(_COUNT, "Affiliate Link Clicks"),
    "affiliateLinksConversions": FieldInfo(_COUNT, "Affiliate Link Conversions"),
    "affiliateLinksConversionRate": FieldInfo(_RATIO, "Affiliate Link Conversion Rate"),
    "affiliateLinksSales": FieldInfo(_MONEY, "Affiliate Link Sales"),
    "affiliateLinksCommissionEarned": FieldInfo(_MONEY, "Affiliate Commission Earned"),
    "affiliateLinksRoi": FieldInfo(_RATIO, "Affiliate ROI"),
    # the ROI endpoint's fixed fields (top level, no `metrics.` prefix)
    "valueOfShares": FieldInfo(_MONEY, "Value of Shares"),
    "valueOfImpressions": FieldInfo(_MONEY, "Value of Impressions"),
    "valueOfComments": FieldInfo(_MONEY, "Value of Comments"),
    "valueOfLikes": FieldInfo(_MONEY, "Value of Likes"),
    "valueGenerated": FieldInfo(_MONEY, "Value Generated"),
}

# Every non-metric field an endpoint returns (dotted paths into a record), with its kind and label.
FIELDS: dict[str, FieldInfo] = {
    "instanceId": FieldInfo(FieldKind.IDENTIFIER, "Instance ID"),
    "startDate": FieldInfo(FieldKind.DATE, "Start Date"),
    "endDate": FieldInfo(FieldKind.DATE, "End Date"),
    "campaignId": FieldInfo(FieldKind.IDENTIFIER, "Campaign ID"),
    "campaignName": FieldInfo(FieldKind.TEXT, "Campaign Name"),
    "description": FieldInfo(FieldKind.TEXT, "Description"),
    "status": FieldInfo(FieldKind.TEXT, "Status"),
    "firstPostDate": FieldInfo(FieldKind.DATETIME, "First Post Date"),
    "lastPostDate": FieldInfo(FieldKind.DATETIME, "Last Post Date"),
    "platforms": FieldInfo(FieldKind.TEXT, "Platforms"),
    "contentType": FieldInfo(FieldKind.TEXT, "Content Type"),
    "creator": FieldInfo(FieldKind.TEXT, "Creator"),
    "creator.creatorId": FieldInfo(FieldKind.IDENTIFIER, "Creator ID"),
    "creator.fullName": FieldInfo(FieldKind.TEXT, "Creator Name"),
    "creator.profilePictureUrl": FieldInfo(FieldKind.TEXT, "Profile Picture URL"),
    "creator.profiles": FieldInfo(FieldKind.TEXT, "Profiles"),
    "postId": FieldInfo(FieldKind.IDENTIFIER, "Post ID"),
    "creatorId": FieldInfo(FieldKind.IDENTIFIER, "Creator ID"),
    "postDate": FieldInfo(FieldKind.DATETIME, "Post Date"),
    "contentUrl": FieldInfo(FieldKind.TEXT, "Content URL"),
    "contentImageUrl": FieldInfo(FieldKind.TEXT, "Content Image URL"),
    "caption": FieldInfo(FieldKind.TEXT, "Caption"),
    "creatorProfile": FieldInfo(FieldKind.TEXT, "Creator Profile"),
    "creatorProfile.handleName": FieldInfo(FieldKind.TEXT, "Handle"),
    "creatorProfile.network": FieldInfo(FieldKind.TEXT, "Network"),
    "creatorProfile.fullName": FieldInfo(FieldKind.TEXT, "Profile Name"),
    "creatorProfile.profileImage": FieldInfo(FieldKind.TEXT, "Profile Image"),
    "creatorProfile.profileLink": FieldInfo(FieldKind.TEXT, "Profile Link"),
    # only the legacy v1 API sends it (creators and posts); see V1_FIELDS
    "creatorGlobalUserId": FieldInfo(FieldKind.IDENTIFIER, "Creator Global User ID"),
}

# Members of nested objects of known shape (CreatorProfileDto): a column per member, whether the fetched
# records happen to hold the object or null (a post without a creator profile).
OBJECT_MEMBERS: dict[str, tuple[str, ...]] = {
    "creatorProfile": ("handleName", "network", "fullName", "profileImage", "profileLink"),
}

# Top-level fields only the legacy v1 routes send, by endpoint (the v1 OpenAPI's response DTOs).
V1_FIELDS: dict[str, tuple[str, ...]] = {
    "creators/performance": ("creatorGlobalUserId",),
    "posts/performance": ("creatorGlobalUserId",),
}

# Identity fields the legacy v1 routes do not carry (their columns stay empty with api.version: v1).
V2_ONLY_FIELDS: dict[str, tuple[str, ...]] = {
    "campaigns/performance": ("status", "startDate"),
    "posts/performance": ("caption",),
}

METRICS_PREFIX = "metrics."


def field_info(path: str) -> FieldInfo | None:
    """Kind and label of a record field (`metrics.cpe`, `creator.creatorId`, `valueGenerated`); None if unknown.

    `metrics.NAME` is a metric; a top-level path is a declared field or one of the ROI endpoint's fixed
    metric fields, which sit at the top level of its rows.
    """
    if path.startswith(METRICS_PREFIX):
        return METRICS.get(path[len(METRICS_PREFIX):])
    return FIELDS.get(path) or METRICS.get(path)


# Metrics that only exist for paid (boosted) content: null on organic-only rows.
PAID_METRICS: frozenset[str] = frozenset(
    m for m in set(CAMPAIGN_METRICS + PLATFORM_METRICS + CREATOR_METRICS + POST_METRICS + INSTANCE_SUMMARY_METRICS)
    if m.startswith("paid")
)

# --- parameters -------------------------------------------------------------------------------

# config `filters:` key (snake_case) -> API query parameter (current generation); date_basis is a
# report key of its own and maps to dateBasis.
FILTER_PARAMS: dict[str, str] = {
    "instance_ids": "instanceIds",
    "campaign_ids": "campaignIds",
    "platform": "platform",
    "content_type": "contentType",
}
# Older documentation generation spellings, accepted by the emulator and understood by the client.
LEGACY_PARAM_NAMES: dict[str, str] = {"platformTypes": "contentType"}
PERFORMANCE_FILTERS = ("instanceIds", "campaignIds", "platform", "contentType", "dateBasis")
PAGE_PARAMS = ("pageNumber", "pageSize")      # Help Center generation
CURSOR_PARAMS = ("limit", "nextCursor")       # current generation
SORT_PARAMS = ("sortProperty", "sortDirection")


@dataclass(frozen=True)
class Endpoint:
    """One v2 endpoint: what it accepts and what it returns."""

    name: str                                   # catalogue name used in config, e.g. "campaigns/performance"
    path: str                                   # canonical path, e.g. "/v2/campaigns/performance"
    summary: str
    data_shape: str                             # "list" | "summary" ({metrics}) | "instances" ({instanceIds})
    alias_paths: tuple[str, ...] = ()           # other documented spellings (/v2/networks/...)
    requires_dates: bool = True
    metrics: tuple[str, ...] = ()               # allowed values of `metrics`; () = no metrics parameter
    fixed_fields: tuple[str, ...] = ()          # fixed top-level numbers (ROI) when there is no `metrics`
    sort_properties: tuple[str, ...] = ()       # () = the endpoint cannot sort
    filters: tuple[str, ...] = PERFORMANCE_FILTERS
    paginated: bool = True
    granularity: bool = False
    identity_fields: tuple[str, ...] = ()       # top-level fields in API order, before metrics
    notes: tuple[str, ...] = field(default=())

    @property
    def aliases(self) -> tuple[str, ...]:
        """Catalogue names this endpoint is also known by (the /networks/ spelling)."""
        return tuple(p.removeprefix("/v2/") for p in self.alias_paths)

    @property
    def can_sort(self) -> bool:
        return bool(self.sort_properties)

    @property
    def has_metrics_param(self) -> bool:
        return bool(self.metrics)

    def params(self) -> tuple[str, ...]:
        """Every query parameter the current generation accepts (pagination shown in cursor style)."""
        out: list[str] = []
        if self.requires_dates:
            out += ["startDate", "endDate"]
        if self.metrics:
            out.append("metrics")
        out += list(self.filters)
        if self.granularity:
            out.append("granularity")
        if self.sort_properties:
            out += list(SORT_PARAMS)
        if self.paginated:
            out += list(CURSOR_PARAMS)
        return tuple(out)

    def field_paths(self, metrics: Sequence[str] | None = None, version: str = "v2") -> tuple[str, ...]:
        """Every path a column can read from this endpoint's rows, in column order.

        Identity fields (an object of known shape as itself and as each member; the parent of a
        dotted field, such as `creator`, too), the fixed fields, then `metrics.NAME` for each of
        `metrics` (None: every metric the endpoint has); with `version` "v1", without the fields v1
        lacks and with the fields only v1 sends.
        """
        paths: list[str] = []
        for name in self.identity_fields:
            parent = name.rpartition(".")[0]
            if parent and parent not in paths:
                paths.append(parent)
            paths.append(name)
            paths += [f"{name}.{member}" for member in OBJECT_MEMBERS.get(name, ())]
        paths += list(self.fixed_fields)
        paths += [METRICS_PREFIX + m for m in (self.metrics if metrics is None else metrics)]
        if version == "v1":
            missing = V2_ONLY_FIELDS.get(self.name, ())
            paths = [p for p in paths if p not in missing] + list(V1_FIELDS.get(self.name, ()))
        return tuple(paths)

    def metrics_for(self, content_types: frozenset[str] | None) -> tuple[str, ...]:
        """Metrics valid when rows are restricted to `content_types` (None = no filter)."""
        if content_types is None:
            return self.metrics
        return tuple(m for m in self.metrics
                     if m not in METRIC_CONTENT_TYPES or METRIC_CONTENT_TYPES[m] & content_types)


ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint(
        name="instances", path="/v2/instances", summary="Instance ids bound to the credentials.",
        data_shape="instances", requires_dates=False, filters=(), identity_fields=("instanceId",),
        notes=("data is {instanceIds: [...]}; the list inside is what pages.",),
    ),
    Endpoint(
        name="instances/performance", path="/v2/instances/performance",
        summary="One aggregate of every metric over the instances, filters and dates.",
        data_shape="summary", metrics=INSTANCE_SUMMARY_METRICS, paginated=False,
        notes=("Not paginated: nextCursor is always null; limit/nextCursor are rejected.",),
    ),
    Endpoint(
        name="instances/performance-over-time", path="/v2/instances/performance-over-time",
        summary="Time series of metrics, one row per day/week/month/quarter/year bucket.",
        data_shape="list", metrics=TIME_SERIES_METRICS, granularity=True,
        identity_fields=("startDate", "endDate"),
        notes=("Buckets without activity are omitted by the API; sheets-sync fills them (fill_gaps).",
               "Weeks are ISO weeks (Monday to Sunday); granularity defaults to month."),
    ),
    Endpoint(
        name="campaigns", path="/v2/campaigns", summary="Campaign roster (no metrics).",
        data_shape="list", requires_dates=False, filters=("instanceIds",),
        identity_fields=("campaignId", "campaignName", "instanceId", "description", "status", "startDate",
                         "firstPostDate", "lastPostDate"),
        notes=("instanceIds is accepted by the page-number generation only.",),
    ),
    Endpoint(
        name="campaigns/performance", path="/v2/campaigns/performance",
        summary="Campaigns with their metadata and requested metrics.",
        data_shape="list", metrics=CAMPAIGN_METRICS,
        sort_properties=CAMPAIGN_METRICS + ("firstPostDate", "lastPostDate"),
        identity_fields=("campaignId", "campaignName", "instanceId", "description", "status", "startDate",
                         "firstPostDate", "lastPostDate", "platforms"),
    ),
    Endpoint(
        name="platforms/performance", path="/v2/platforms/performance",
        alias_paths=("/v2/networks/performance",),
        summary="Metrics per platform content type (channel mix).",
        data_shape="list", metrics=PLATFORM_METRICS, sort_properties=PLATFORM_METRICS,
        identity_fields=("contentType",),
    ),
    Endpoint(
        name="platforms/return-on-investment", path="/v2/platforms/return-on-investment",
        alias_paths=("/v2/networks/return-on-investment",),
        summary="Fixed value/ROI breakdown per content type (no metrics parameter).",
        data_shape="list", fixed_fields=ROI_FIELDS, identity_fields=("contentType",),
        notes=("The seven value fields sit at the item's top level, not under metrics.",),
    ),
    Endpoint(
        name="creators/performance", path="/v2/creators/performance",
        summary="Creators (influencers) with their profiles and requested metrics.",
        data_shape="list", metrics=CREATOR_METRICS, sort_properties=CREATOR_METRICS,
        identity_fields=("creator.creatorId", "creator.fullName", "creator.profilePictureUrl",
                         "creator.profiles"),
    ),
    Endpoint(
        name="posts/performance", path="/v2/posts/performance",
        summary="Individual posts with metadata, creator profile and requested metrics.",
        data_shape="list", metrics=POST_METRICS, sort_properties=POST_METRICS + ("postDate",),
        identity_fields=("postId", "creatorId", "campaignId", "instanceId", "contentType", "postDate",
                         "contentUrl", "contentImageUrl", "caption", "creatorProfile"),
        notes=("All posts in range are returned, including posts whose metrics are all zero.",),
    ),
)

ENDPOINTS_BY_NAME: dict[str, Endpoint] = {}
for _endpoint in ENDPOINTS:
    ENDPOINTS_BY_NAME[_endpoint.name] = _endpoint
    for _alias in _endpoint.aliases:
        ENDPOINTS_BY_NAME[_alias] = _endpoint

# Legacy v1 routes and their v2 successors (Help Center migration table, docs/decisions.md#v1-migration).
V1_MIGRATION: dict[str, str | None] = {
    "v1/reporting-api/instance": "instances",
    "v1/reporting-api/campaign": "campaigns",
    "v1/reporting-api/reporting-group": None,
    "v1/reporting-api/report": "campaigns/performance or instances/performance",
    "v1/reporting/instances": "instances",
    "v1/reporting/instance/details": "instances",
    "v1/reporting/instances/details": "instances",
    "v1/reporting/instance/performance": "instances/performance",
    "v1/reporting/instance/performance-over-time": "instances/performance-over-time",
    "v1/reporting/campaign/performance": "campaigns/performance",
    "v1/reporting/network/performance": "platforms/performance",
    "v1/reporting/network/return-on-investment": "platforms/return-on-investment",
    "v1/reporting/influencer/performance": "creators/performance",
    "v1/reporting/post/performance": "posts/performance",
}

# v2 endpoint name -> v1 path used when `api.version: v1` (same report model, legacy routes).
V1_PATHS: dict[str, str] = {
    "instances": "/v1/reporting/instances",
    "instances/performance": "/v1/reporting/instance/performance",
    "instances/performance-over-time": "/v1/reporting/instance/performance-over-time",
    "campaigns/performance": "/v1/reporting/campaign/performance",
    "platforms/performance": "/v1/reporting/network/performance",
    "platforms/return-on-investment": "/v1/reporting/network/return-on-investment",
    "creators/performance": "/v1/reporting/influencer/performance",
    "posts/performance": "/v1/reporting/post/performance",
}


def get_endpoint(name: str) -> Endpoint | None:
    """Look an endpoint up by catalogue name, alias or path (leading slash and /v2/ optional)."""
    key = name.strip().lstrip("/")
    key = key.removeprefix("v2/")
    return ENDPOINTS_BY_NAME.get(key)


def content_types_for(platform: list[str] | None, content_type: list[str] | None) -> frozenset[str] | None:
    """The content types a platform/contentType filter selects (None = no filter)."""
    if content_type:
        return frozenset(content_type)
    if platform:
        return frozenset(ct for p in platform for ct in PLATFORM_CONTENT_TYPES.get(p, ()))
    return None

# Metrics each v1 route can return, in v2 names (the v1→v2 renames of sheets_sync/api/v1.py applied).
# From the published v1 OpenAPI document (docs/decisions.md#v1): the `metrics` enum of the influencer
# and post routes (which take `metrics`); for the routes without it, the numeric fields of the response
# DTO. A v2 metric outside these lists is answered by v1 with a 400 (or never filled).
V1_METRICS: dict[str, tuple[str, ...]] = {
    "instances/performance": (
        "engagements", "impressions", "engagementRate", "postsCount", "estimatedValueGenerated",
        "returnOnInvestment", "estimatedContentCost", "campaignsCost", "trackingLinksConversionValue",
    ),
    "instances/performance-over-time": (
        "likes", "comments", "shares", "clicks", "engagements", "impressions", "estimatedValueGenerated",
        "engagementRate", "cpe", "cpm",
    ),
    "campaigns/performance": (
        "postsCount", "influencersCount", "reach", "engagements", "impressions", "clicks", "engagementRate",
        "cpe", "cpm", "impressionsPerPost", "estimatedContentCost", "estimatedValueGenerated", "estimatedRoi",
        "trackingLinksClicks", "trackingLinksConversions", "trackingLinksConversionValue", "affiliateLinksClicks",
        "affiliateLinksConversions", "affiliateLinksConversionRate", "affiliateLinksSales",
        "affiliateLinksCommissionEarned", "affiliateLinksRoi",
    ),
    "platforms/performance": (
        "postsCount", "impressions", "impressionsPerPost", "engagements", "engagementsPerPost", "engagementRate",
    ),
    "creators/performance": (
        "engagements", "impressions", "engagementRate", "estimatedValueGenerated", "estimatedRoi", "cpe", "cpm",
        "estimatedContentCost", "paidCost", "postsCount", "trackingLinksClicks", "trackingLinksConversions",
        "trackingLinksConversionValue", "affiliateLinksClicks", "affiliateLinksConversions",
        "affiliateLinksConversionRate", "affiliateLinksSales", "affiliateLinksCommissionEarned", "affiliateLinksRoi",
    ),
    "posts/performance": ("engagements", "impressions", "engagementRate", "estimatedValueGenerated", "cpe", "cpm"),
}

# Sort properties each v1 route accepts, in v2 names (the client renames the few that differ:
# campaignName, impressionsPerPost, engagementsPerPost, affiliateLinksCommissionEarned).
V1_SORT_PROPERTIES: dict[str, tuple[str, ...]] = {
    "campaigns/performance": (
        "engagements", "impressions", "engagementRate", "impressionsPerPost", "estimatedValueGenerated",
        "estimatedRoi", "reach", "cpe", "cpm", "firstPostDate", "lastPostDate", "estimatedContentCost",
        "campaignName", "postsCount", "influencersCount", "clicks", "trackingLinksClicks",
        "trackingLinksConversions", "trackingLinksConversionValue", "affiliateLinksClicks",
        "affiliateLinksConversions", "affiliateLinksConversionRate", "affiliateLinksSales",
        "affiliateLinksCommissionEarned", "affiliateLinksRoi",
    ),
    "platforms/performance": ("engagements", "impressions", "engagementRate", "impressionsPerPost",
                              "engagementsPerPost", "postsCount"),
    "creators/performance": (
        "engagements", "impressions", "engagementRate", "estimatedValueGenerated", "estimatedContentCost", "cpm",
        "cpe", "estimatedRoi", "postsCount", "trackingLinksClicks", "trackingLinksConversions",
        "trackingLinksConversionValue", "affiliateLinksClicks", "affiliateLinksConversions",
        "affiliateLinksConversionRate", "affiliateLinksSales", "affiliateLinksCommissionEarned", "affiliateLinksRoi",
        "paidCost",
    ),
    "posts/performance": ("engagements", "impressions", "engagementRate", "estimatedValueGenerated", "cpe", "cpm",
                          "postDate"),
}
