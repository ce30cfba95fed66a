"""Aggregates of posts and the public metrics derived from them.

Rules (one place): counts are ints; money is summed in cents and served as dollars with two
decimals; rates are derived from the summed counts and rounded to four decimals; engagementRate is
a percentage. A metric is null when it does not apply to the aggregated rows: paid metrics when no
row was boosted, content-type metrics (catalogue.METRIC_CONTENT_TYPES) when no row has that
content type, and ratios whose denominator is zero.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from sheets_sync.catalogue import METRIC_CONTENT_TYPES, PAID_METRICS
from sheets_sync.emulator.dataset import BASE_INDEX, BASE_METRICS, CENTS_METRICS, Post

# Earned-media value rates in cents per action.
VALUE_RATES_CENTS = {"likes": 10, "comments": 50, "shares": 100, "impressions": 1}

# Which stored totals each public metric needs.
DEPENDENCIES: dict[str, tuple[str, ...]] = {
    "engagements": ("likes", "comments", "shares", "saves", "clicks"),
    "totalInteractions": ("likes", "comments", "shares", "saves"),
    "engagementRate": ("likes", "comments", "shares", "saves", "clicks", "impressions"),
    "impressionsPerPost": ("impressions",),
    "impressionsPerPosts": ("impressions",),
    "engagementsPerPost": ("likes", "comments", "shares", "saves", "clicks"),
    "engagementsPerPosts": ("likes", "comments", "shares", "saves", "clicks"),
    "valueOfLikes": ("likes",), "valueOfComments": ("comments",), "valueOfShares": ("shares",),
    "valueOfImpressions": ("impressions",),
    "valueGenerated": ("likes", "comments", "shares", "impressions"),
    "estimatedValueGenerated": ("likes", "comments", "shares", "impressions"),
    "returnOnInvestment": ("likes", "comments", "shares", "impressions"),
    "estimatedRoi": ("likes", "comments", "shares", "impressions"),
    "cpe": ("likes", "comments", "shares", "saves", "clicks"),
    "cpm": ("impressions",),
    "avgWatchTime": ("reelWatchTime", "reelViews"),
    "paidEngagements": ("paidLikes", "paidComments", "paidShares", "paidClicks", "paidSaves"),
    "paidEngagementRate": ("paidLikes", "paidComments", "paidShares", "paidClicks", "paidSaves",
                           "paidImpressions"),
    "paidCpe": ("paidAdSpend", "paidLikes", "paidComments", "paidShares", "paidClicks", "paidSaves"),
    "paidCpm": ("paidAdSpend", "paidImpressions"),
    "paidCost": ("paidAdSpend",),
    "paidReturnOnAdSpend": ("paidAdSpend", "paidLikes", "paidComments", "paidShares", "paidImpressions"),
    "affiliateLinksConversionRate": ("affiliateLinksConversions", "affiliateLinksClicks"),
    "affiliateLinksRoi": ("affiliateLinksCommissionEarned",),
    "affiliateLinksComissionEarned": ("affiliateLinksCommissionEarned",),
    "conversionValue": ("trackingLinksConversionValue",),
}


def base_indexes(metrics: Iterable[str]) -> tuple[int, ...]:
    """Indexes of the stored totals needed to compute `metrics`."""
    needed: set[str] = set()
    for m in metrics:
        if m in BASE_INDEX:
            needed.add(m)
        needed.update(DEPENDENCIES.get(m, ()))
    return tuple(sorted(BASE_INDEX[n] for n in needed))


class Aggregate:
    """Running sums over a set of posts for one date range."""

    __slots__ = (
        "budgets",
        "campaigns",
        "content_types",
        "cost_cents",
        "creators",
        "followers",
        "paid_creators",
        "paid_posts",
        "posts",
        "sums",
    )

    def __init__(self) -> None:
        self.sums = [0] * len(BASE_METRICS)
        self.posts = 0
        self.paid_posts = 0
        self.creators: set[int] = set()
        self.paid_creators: set[int] = set()
        self.campaigns: set[int] = set()
        self.content_types: set[str] = set()
        self.cost_cents = 0
        self.followers = 0
        self.budgets: dict[int, int] = {}

    def add(self, post: Post, indexes: tuple[int, ...], num_end: int, num_start: int, den: int,
            budget_cents: int) -> None:
        """Add `post`'s values between the two curve numerators."""
        sums = self.sums
        totals = post.totals
        for i in indexes:
            t = totals[i]
            if t:
                sums[i] += t * num_end // den - t * num_start // den
        self.posts += 1
        self.creators.add(post.creator_id)
        self.campaigns.add(post.campaign_id)
        self.content_types.add(post.content_type)
        self.cost_cents += post.cost_cents
        self.followers += post.followers
        self.budgets[post.campaign_id] = budget_cents
        if post.paid:
            self.paid_posts += 1
            self.paid_creators.add(post.creator_id)

    def get(self, name: str) -> int:
        return self.sums[BASE_INDEX[name]]

    def metric(self, name: str) -> int | float | None:
        """The public value of metric `name` (None where it does not apply)."""
        if name in PAID_METRICS and not self.paid_posts:
            return None
        types = METRIC_CONTENT_TYPES.get(name)
        if types is not None and not (types & self.content_types):
            return None
        if name in BASE_INDEX:
            value = self.get(name)
            return _money(value) if name in CENTS_METRICS else value
        return DERIVED[name](self)


def _money(cents: int) -> float:
    return round(cents / 100, 2)


def _ratio(num: float, den: float, scale: float = 1.0) -> float | None:
    return round(num * scale / den, 4) if den else None


def _engagements(a: Aggregate) -> int:
    return a.get("likes") + a.get("comments") + a.get("shares") + a.get("saves") + a.get("clicks")


def _paid_engagements(a: Aggregate) -> int:
    return (a.get("paidLikes") + a.get("paidComments") + a.get("paidShares") + a.get("paidClicks")
            + a.get("paidSaves"))


def _value_cents(a: Aggregate, prefix: str = "") -> int:
    def g(name: str) -> int:
        return a.get(prefix + name[0].upper() + name[1:] if prefix else name)
    return sum(g(k) * rate for k, rate in VALUE_RATES_CENTS.items())


DERIVED: dict[str, Callable[[Aggregate], int | float | None]] = {
    "engagements": _engagements,
    "totalInteractions": lambda a: a.get("likes") + a.get("comments") + a.get("shares") + a.get("saves"),
    "engagementRate": lambda a: _ratio(_engagements(a), a.get("impressions"), 100),
    "postsCount": lambda a: a.posts,
    "influencersCount": lambda a: len(a.creators),
    "impressionsPerPost": lambda a: _ratio(a.get("impressions"), a.posts),
    "impressionsPerPosts": lambda a: _ratio(a.get("impressions"), a.posts),
    "engagementsPerPost": lambda a: _ratio(_engagements(a), a.posts),
    "engagementsPerPosts": lambda a: _ratio(_engagements(a), a.posts),
    "potentialReach": lambda a: a.followers,
    "followersAtPostDate": lambda a: a.followers,
    "valueOfLikes": lambda a: _money(a.get("likes") * VALUE_RATES_CENTS["likes"]),
    "valueOfComments": lambda a: _money(a.get("comments") * VALUE_RATES_CENTS["comments"]),
    "valueOfShares": lambda a: _money(a.get("shares") * VALUE_RATES_CENTS["shares"]),
    "valueOfImpressions": lambda a: _money(a.get("impressions") * VALUE_RATES_CENTS["impressions"]),
    "valueGenerated": lambda a: _money(_value_cents(a)),
    "estimatedValueGenerated": lambda a: _money(_value_cents(a)),
    "estimatedContentCost": lambda a: _money(a.cost_cents),
    "campaignsCost": lambda a: _money(sum(a.budgets.values())),
    "returnOnInvestment": lambda a: _ratio(_value_cents(a), a.cost_cents),
    "estimatedRoi": lambda a: _ratio(_value_cents(a), a.cost_cents),
    "cpe": lambda a: _ratio(a.cost_cents, _engagements(a), 0.01),
    "cpm": lambda a: _ratio(a.cost_cents, a.get("impressions"), 10),
    "avgWatchTime": lambda a: _ratio(a.get("reelWatchTime"), a.get("reelViews")),
    "paidEngagements": _paid_engagements,
    "paidEngagementRate": lambda a: _ratio(_paid_engagements(a), a.get("paidImpressions"), 100),
    "paidCpe": lambda a: _ratio(a.get("paidAdSpend"), _paid_engagements(a), 0.01),
    "paidCpm": lambda a: _ratio(a.get("paidAdSpend"), a.get("paidImpressions"), 10),
    "paidPostsCount": lambda a: a.paid_posts,
    "paidInfluencersCount": lambda a: len(a.paid_creators),
    "paidCost": lambda a: _money(a.get("paidAdSpend")),
    "paidReturnOnAdSpend": lambda a: _ratio(_value_cents(a, "paid"), a.get("paidAdSpend")),
    "affiliateLinksConversionRate": lambda a: _ratio(a.get("affiliateLinksConversions"),
                                                     a.get("affiliateLinksClicks")),
    "affiliateLinksRoi": lambda a: _ratio(a.get("affiliateLinksCommissionEarned"), a.cost_cents),
    "affiliateLinksComissionEarned": lambda a: _money(a.get("affiliateLinksCommissionEarned")),
    "conversionValue": lambda a: _money(a.get("trackingLinksConversionValue")),
}
