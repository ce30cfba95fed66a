"""Which posts a query counts, and their aggregates grouped by any key or by time bucket.

dateBasis decides which posts count and with which values:
- performance_date (default): posts whose activity window overlaps the range, with the activity
  that happened inside the range (a March post still counts in April while it accrues).
- post_date: posts published inside the range, with everything they accrued up to the data end.
Values never run past the dataset's anchor date (analytics are current through that day). With
`restate_days` the values of the last days before the query's `as_of` day are reported in part
(`curves.withheld`), as an API whose late data keeps arriving for a few days would report them.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from datetime import date, timedelta
from typing import TypeVar

from sheets_sync.emulator.curves import active, progress, range_factors, withheld
from sheets_sync.emulator.dataset import Dataset, Post
from sheets_sync.emulator.metrics import Aggregate, base_indexes
from sheets_sync.emulator.queries import Query

# The grouping key of `grouped`: a campaign id, a creator id, a content type, ...
K = TypeVar("K", bound=Hashable)


def matching_posts(ds: Dataset, q: Query) -> Iterator[Post]:
    """Posts passing the instance, campaign and content-type filters (dates not applied)."""
    instances = set(q.instance_ids)
    campaigns = set(q.campaign_ids) if q.campaign_ids is not None else None
    types = q.content_types
    for post in ds.posts:
        if post.instance_id not in instances:
            continue
        if campaigns is not None and post.campaign_id not in campaigns:
            continue
        if types is not None and post.content_type not in types:
            continue
        yield post


def counted(ds: Dataset, q: Query, start: int, end: int) -> Iterator[tuple[Post, int, int, int]]:
    """(post, numerator at end, numerator before start, denominator) for each counted post."""
    anchor = ds.anchor_day
    last = min(end, anchor)
    if q.date_basis == "performance_date" and last < start:
        return
    for post in matching_posts(ds, q):
        w = post.window
        if q.date_basis == "post_date":
            if start <= post.post_day <= end:
                yield post, progress(w, anchor - post.post_day + 1), 0, w * w
        elif active(post.post_day, w, start, last):
            yield (post, *range_factors(post.post_day, w, start, last))


def _withhold(agg: Aggregate, post: Post, indexes: tuple[int, ...], first: int, last: int, q: Query) -> None:
    """Take from `agg` what of `post`'s activity on days first..last the API has not reported yet (restating)."""
    if not q.restate_days or q.as_of is None:
        return
    for i in indexes:
        total = post.totals[i]
        if total:
            agg.sums[i] -= withheld(total, post.post_day, post.window, first, last, q.as_of, q.restate_days)


def grouped(ds: Dataset, q: Query, key: Callable[[Post], K],
            extra_metrics: tuple[str, ...] = ()) -> dict[K, Aggregate]:
    """One aggregate per key value, over the query's range."""
    indexes = base_indexes(q.metrics + extra_metrics)
    groups: dict[K, Aggregate] = {}
    budgets = {c.campaign_id: c.budget_cents for c in ds.campaigns.values()}
    assert q.start is not None and q.end is not None
    for post, n_end, n_start, den in counted(ds, q, q.start, q.end):
        k = key(post)
        agg = groups.get(k)
        if agg is None:
            agg = groups[k] = Aggregate()
        agg.add(post, indexes, n_end, n_start, den, budgets[post.campaign_id])
        if q.date_basis == "post_date":
            _withhold(agg, post, indexes, post.post_day, ds.anchor_day, q)
        else:
            _withhold(agg, post, indexes, q.start, min(q.end, ds.anchor_day), q)
    return groups


def buckets(start: int, end: int, granularity: str) -> list[tuple[int, int]]:
    """Inclusive (first, last) day ordinals of each bucket, clipped to the range; weeks are ISO."""
    out = []
    day = start
    while day <= end:
        d = date.fromordinal(day)
        if granularity == "day":
            last = d
        elif granularity == "week":
            last = d + timedelta(days=6 - d.weekday())
        elif granularity == "month":
            nxt = date(d.year + (d.month == 12), d.month % 12 + 1, 1)
            last = nxt - timedelta(days=1)
        elif granularity == "quarter":
            q_end_month = ((d.month - 1) // 3 + 1) * 3
            nxt = date(d.year + (q_end_month == 12), q_end_month % 12 + 1, 1)
            last = nxt - timedelta(days=1)
        else:
            last = date(d.year, 12, 31)
        last_day = min(last.toordinal(), end)
        out.append((day, last_day))
        day = last_day + 1
    return out


def over_time(ds: Dataset, q: Query) -> list[tuple[int, int, Aggregate]]:
    """Non-empty buckets in order; a bucket is empty when no post counts in it."""
    assert q.start is not None and q.end is not None
    spans = buckets(q.start, q.end, q.granularity)
    firsts = [s for s, _ in spans]
    aggs: dict[int, Aggregate] = {}
    indexes = base_indexes(q.metrics)
    budgets = {c.campaign_id: c.budget_cents for c in ds.campaigns.values()}
    anchor = ds.anchor_day

    def into(i: int) -> Aggregate:
        agg = aggs.get(i)
        if agg is None:
            agg = aggs[i] = Aggregate()
        return agg

    from bisect import bisect_right
    for post, n_end, n_start, den in counted(ds, q, q.start, q.end):
        budget = budgets[post.campaign_id]
        if q.date_basis == "post_date":
            agg = into(bisect_right(firsts, post.post_day) - 1)
            agg.add(post, indexes, n_end, n_start, den, budget)
            _withhold(agg, post, indexes, post.post_day, anchor, q)
            continue
        w = post.window
        first = max(post.post_day, q.start)
        last = min(post.post_day + w - 1, q.end, anchor)
        i = bisect_right(firsts, first) - 1
        while i < len(spans) and spans[i][0] <= last:
            s, e = spans[i]
            into(i).add(post, indexes, progress(w, min(e, anchor) - post.post_day + 1),
                        progress(w, s - post.post_day), den, budget)
            _withhold(into(i), post, indexes, s, min(e, anchor), q)
            i += 1
    return [(spans[i][0], spans[i][1], aggs[i]) for i in sorted(aggs)]
