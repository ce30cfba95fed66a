"""The seeded dataset: instances, campaigns, creators and posts with per-post metric totals.

Nothing daily is materialised: each post carries lifetime totals and an activity window, and
`curves.py` turns them into exact integer values for any date range.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sheets_sync.catalogue import CONTENT_TYPE_PLATFORM, METRIC_CONTENT_TYPES, PLATFORM_CONTENT_TYPES
from sheets_sync.emulator import text
from sheets_sync.emulator.options import DEFAULT_ANCHOR_DATE

# Metrics stored per post as lifetime totals that accrue day by day. Money is in integer cents so
# sums over any set of posts stay exact.
BASE_METRICS: tuple[str, ...] = (
    "likes", "comments", "shares", "clicks", "saves", "impressions", "reach", "organicReach", "views",
    "replies", "reposts", "videoViewTotalTime", "crosspostedViews", "crosspostedFacebookOnlyViews",
    "navigationTapExit", "navigationTapBack", "navigationTapForward", "navigationSwipeForward",
    "trackingLinksClicks", "trackingLinksConversions", "trackingLinksConversionValue",
    "affiliateLinksClicks", "affiliateLinksConversions", "affiliateLinksSales",
    "affiliateLinksCommissionEarned", "paidLikes", "paidComments", "paidShares", "paidClicks",
    "paidImpressions", "paidViews", "paidReach", "paidSaves", "paidInitialPlays", "paidAdSpend",
    "reelWatchTime", "reelViews",
)
BASE_INDEX: dict[str, int] = {name: i for i, name in enumerate(BASE_METRICS)}
CENTS_METRICS = frozenset({"trackingLinksConversionValue", "affiliateLinksSales",
                           "affiliateLinksCommissionEarned", "paidAdSpend"})

POSTS_PER_SCALE = 5000
CAMPAIGNS_PER_SCALE = 60
CREATORS_PER_SCALE = 500
INSTANCES_PER_SCALE = 3
DRAFT_CAMPAIGNS_PER_SCALE = 4
SPAN_DAYS = 760  # a little over two years of posting before the anchor date
INSTANCE_NAMES = ("instance_abc", "instance_def", "instance_ghi")
PAID_SHARE = 0.25
ZERO_SHARE = 0.02


@dataclass(frozen=True)
class Profile:
    """One social profile of a creator."""

    handleName: str
    network: str
    fullName: str | None
    profileImage: str | None
    profileLink: str | None

    def as_json(self) -> dict:
        return {"handleName": self.handleName, "network": self.network, "fullName": self.fullName,
                "profileImage": self.profileImage, "profileLink": self.profileLink}


@dataclass
class Creator:
    """A creator (influencer) with profiles on one to three platforms."""

    creator_id: int
    full_name: str | None
    picture_url: str | None
    profiles: list[Profile]


@dataclass
class Campaign:
    """A campaign inside one instance; drafts have no posts."""

    campaign_id: int
    instance_id: str
    name: str
    description: str | None
    status: str
    start_day: int
    budget_cents: int
    post_ids: list[int] = field(default_factory=list)
    platforms: list[str] = field(default_factory=list)
    first_post: str | None = None
    last_post: str | None = None


@dataclass
class Post:
    """One post: who, where, when, whether it was boosted, and its lifetime metric totals."""

    post_id: int
    creator_id: int
    campaign_id: int
    instance_id: str
    content_type: str
    platform: str
    post_day: int          # date.toordinal() of the publication day (UTC)
    post_date: str         # e.g. 2025-03-01T14:05:00Z
    window: int            # days over which the totals accrue, publication day included
    paid: bool
    totals: tuple[int, ...]
    cost_cents: int        # the creator payment attributed to this post
    followers: int
    caption: str
    content_url: str
    image_url: str
    profile: Profile | None


@dataclass
class Dataset:
    """Everything the emulator serves, generated from a seed."""

    seed: int
    anchor_day: int
    instances: list[str]
    campaigns: dict[int, Campaign]
    creators: dict[int, Creator]
    posts: list[Post]

    @property
    def first_day(self) -> int:
        return min(p.post_day for p in self.posts)


def _iso_midnight(day: int) -> str:
    return date.fromordinal(day).isoformat() + "T00:00:00.000Z"


def _totals(rng: random.Random, content_type: str, paid: bool, zero: bool) -> tuple[int, ...]:
    if zero:
        return (0,) * len(BASE_METRICS)
    impressions = int(rng.lognormvariate(8.5, 1.2))
    likes = int(impressions * rng.uniform(0.01, 0.08))
    v: dict[str, int] = {
        "impressions": impressions,
        "likes": likes,
        "comments": int(likes * rng.uniform(0.02, 0.15)),
        "shares": int(likes * rng.uniform(0.0, 0.1)),
        "clicks": int(impressions * rng.uniform(0.0, 0.01)),
        "reach": int(impressions * rng.uniform(0.5, 0.9)),
        "views": int(impressions * rng.uniform(0.3, 1.1)),
        "trackingLinksClicks": int(impressions * rng.uniform(0.0, 0.005)),
        "affiliateLinksClicks": int(impressions * rng.uniform(0.0, 0.004)),
    }
    v["organicReach"] = int(v["reach"] * rng.uniform(0.6, 1.0)) if paid else v["reach"]
    v["trackingLinksConversions"] = int(v["trackingLinksClicks"] * rng.uniform(0.0, 0.1))
    v["trackingLinksConversionValue"] = v["trackingLinksConversions"] * rng.randint(1500, 9000)
    v["affiliateLinksConversions"] = int(v["affiliateLinksClicks"] * rng.uniform(0.0, 0.12))
    v["affiliateLinksSales"] = v["affiliateLinksConversions"] * rng.randint(2000, 12000)
    v["affiliateLinksCommissionEarned"] = v["affiliateLinksSales"] * rng.randint(5, 20) // 100
    applies = {m: content_type in types for m, types in METRIC_CONTENT_TYPES.items()}
    if applies["saves"]:
        v["saves"] = int(likes * rng.uniform(0.01, 0.2))
    if applies["replies"]:
        v["replies"] = int(likes * rng.uniform(0.0, 0.05))
    if applies["reposts"]:
        v["reposts"] = int(likes * rng.uniform(0.0, 0.05))
    if applies["videoViewTotalTime"]:
        v["videoViewTotalTime"] = v["views"] * rng.randint(2000, 30000)
    if content_type == "instagram_reel":
        v["crosspostedViews"] = int(v["views"] * rng.uniform(0.0, 0.4))
        v["crosspostedFacebookOnlyViews"] = int(v["crosspostedViews"] * rng.uniform(0.0, 0.6))
        v["reelWatchTime"] = v["videoViewTotalTime"]
        v["reelViews"] = v["views"]
    if content_type == "instagram_story":
        for name in ("navigationTapExit", "navigationTapBack", "navigationTapForward", "navigationSwipeForward"):
            v[name] = int(impressions * rng.uniform(0.01, 0.3))
    if paid:
        v["paidImpressions"] = int(impressions * rng.uniform(0.2, 2.0))
        v["paidLikes"] = int(v["paidImpressions"] * rng.uniform(0.005, 0.04))
        v["paidComments"] = int(v["paidLikes"] * rng.uniform(0.01, 0.1))
        v["paidShares"] = int(v["paidLikes"] * rng.uniform(0.0, 0.1))
        v["paidClicks"] = int(v["paidImpressions"] * rng.uniform(0.0, 0.01))
        v["paidViews"] = int(v["paidImpressions"] * rng.uniform(0.3, 1.0))
        v["paidReach"] = int(v["paidImpressions"] * rng.uniform(0.4, 0.9))
        v["paidInitialPlays"] = int(v["paidViews"] * rng.uniform(0.5, 1.0))
        v["paidAdSpend"] = rng.randint(5000, 500000)
        if applies["paidSaves"]:
            v["paidSaves"] = int(v["paidLikes"] * rng.uniform(0.01, 0.2))
    return tuple(v.get(name, 0) for name in BASE_METRICS)


def generate(seed: int = 1, scale: int = 1, anchor: date | None = None) -> Dataset:
    """Build the dataset for `seed`; `scale` multiplies every count."""
    rng = random.Random(f"sheets-sync-emulator:{seed}")
    anchor_day = (anchor or DEFAULT_ANCHOR_DATE).toordinal()
    first_day = anchor_day - SPAN_DAYS + 1
    instances = [INSTANCE_NAMES[i] if i < len(INSTANCE_NAMES) else f"instance_{i:03d}"
                 for i in range(INSTANCES_PER_SCALE * scale)]

    creators: dict[int, Creator] = {}
    for i in range(CREATORS_PER_SCALE * scale):
        cid = 700001 + i
        name = text.person_name(rng, i)
        networks = rng.sample(list(PLATFORM_CONTENT_TYPES), rng.choice((1, 1, 2, 2, 3)))
        profiles = []
        for network in networks:
            h = text.handle(rng, i, network)
            profiles.append(Profile(h, network, name if rng.random() < 0.9 else None,
                                    f"https://cdn.example.com/avatars/{cid}-{network}.jpg",
                                    f"https://{network}.example.com/{h}"))
        picture = f"https://cdn.example.com/avatars/{cid}.jpg" if rng.random() < 0.85 else None
        creators[cid] = Creator(cid, name if i % 37 != 5 else None, picture, profiles)

    campaigns: dict[int, Campaign] = {}
    n_campaigns = CAMPAIGNS_PER_SCALE * scale
    for i in range(n_campaigns):
        cid = 49761 + i
        # The first campaign opens on the first day so the data always spans the whole period.
        start = first_day if i == 0 else rng.randint(first_day, anchor_day - 30)
        draft = i >= n_campaigns - DRAFT_CAMPAIGNS_PER_SCALE * scale
        status = "draft" if draft else ("live" if start > anchor_day - 200 else "completed")
        description = None if rng.random() < 0.25 else text.description(rng)
        campaigns[cid] = Campaign(cid, instances[i % len(instances)],
                                  text.campaign_name(rng, i, date.fromordinal(start).year), description,
                                  status, start, rng.randint(500000, 20000000))
        campaigns[cid].platforms = rng.sample(list(PLATFORM_CONTENT_TYPES), rng.choice((1, 2, 2, 3)))
    active = [c for c in campaigns.values() if c.status != "draft"]
    by_platform: dict[str, list[Creator]] = {p: [] for p in PLATFORM_CONTENT_TYPES}
    for creator in creators.values():
        for profile in creator.profiles:
            by_platform[profile.network].append(creator)

    posts: list[Post] = []
    for i in range(POSTS_PER_SCALE * scale):
        campaign = active[i % len(active)] if i < len(active) else rng.choice(active)
        # Campaigns run on one to three platforms, with creators who have a profile there.
        network = rng.choice(campaign.platforms)
        creator = rng.choice(by_platform[network])
        profile = next(p for p in creator.profiles if p.network == network)
        content_type = rng.choice(PLATFORM_CONTENT_TYPES[profile.network])
        day = first_day if i == 0 else rng.randint(max(campaign.start_day, first_day), anchor_day)
        minute = rng.randint(0, 24 * 60 - 1)
        paid = rng.random() < PAID_SHARE
        post_id = 900001 + i
        moment = datetime.fromordinal(day).replace(tzinfo=UTC) + timedelta(minutes=minute)
        posts.append(Post(
            post_id=post_id, creator_id=creator.creator_id, campaign_id=campaign.campaign_id,
            instance_id=campaign.instance_id, content_type=content_type,
            platform=CONTENT_TYPE_PLATFORM[content_type], post_day=day,
            post_date=moment.strftime("%Y-%m-%dT%H:%M:%SZ"), window=rng.randint(7, 60), paid=paid,
            totals=_totals(rng, content_type, paid, zero=rng.random() < ZERO_SHARE),
            cost_cents=rng.randint(5000, 300000), followers=int(rng.lognormvariate(9.5, 1.3)),
            caption=text.caption(rng, i), content_url=f"https://{profile.network}.example.com/p/{post_id}",
            image_url=f"https://cdn.example.com/posts/{post_id}.jpg",
            profile=profile if rng.random() < 0.98 else None,
        ))
        campaign.post_ids.append(post_id)

    order = list(PLATFORM_CONTENT_TYPES)
    by_id = {p.post_id: p for p in posts}
    for campaign in campaigns.values():
        own = [by_id[pid] for pid in campaign.post_ids]
        campaign.platforms = sorted({p.platform for p in own}, key=order.index)
        if own:
            campaign.first_post = _iso_midnight(min(p.post_day for p in own))
            campaign.last_post = _iso_midnight(max(p.post_day for p in own))
    return Dataset(seed, anchor_day, instances, campaigns, creators, posts)


def campaign_start(campaign: Campaign) -> str:
    """The campaign's start as the API writes it (`2024-06-01T00:00:00.000Z`)."""
    return _iso_midnight(campaign.start_day)
