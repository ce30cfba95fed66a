"""Comparison periods (`compare:`): which endpoints compare, how their rows are known, and the config checks.

The join itself is `sheets_sync.comparison`; this module says where a comparison has a meaning
(docs/comparison.md has the table) and refuses it, naming the key, everywhere else.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from sheets_sync.catalogue import Endpoint

if TYPE_CHECKING:
    from sheets_sync.config.reports import ReportConfig

COMPARE_KINDS = ("previous_period", "previous_year")
# What identifies a row of each endpoint a comparison works on; () = the endpoint answers one row.
ROW_IDENTITY: dict[str, tuple[str, ...]] = {
    "campaigns/performance": ("campaignId",),
    "creators/performance": ("creator.creatorId",),
    "platforms/performance": ("contentType",),
    "platforms/return-on-investment": ("contentType",),
    "instances/performance": (),
}
# A time series is matched by its buckets (sheets_sync.comparison).
TIME_SERIES = "instances/performance-over-time"
COMPARABLE = (*ROW_IDENTITY, TIME_SERIES)
# Why `compare:` is refused on the other endpoints.
REFUSED: dict[str, str] = {
    "instances": "it lists instance ids and takes no dates",
    "campaigns": "it lists campaigns and takes no dates",
    "posts/performance": ("it lists the posts of the period, one row each: a post of this period has no row in "
                          "the period before, so every comparison cell would be empty; compare creators/performance "
                          "or instances/performance-over-time instead"),
}


def compare_problems(at: tuple[str | int, ...], report: ReportConfig,
                     endpoint: Endpoint) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """Where `compare:` has no meaning, as (key path, message)."""
    if report.compare is None:
        return
    if endpoint.name not in COMPARABLE:
        why = REFUSED.get(endpoint.name, "its rows cannot be matched across periods")
        yield at + ("compare",), (f"does not apply to {endpoint.name}: {why}. compare works on "
                                  f"{', '.join(COMPARABLE)}")
    elif report.mode in ("append", "upsert"):
        yield at + ("compare",), (f"does not combine with mode {report.mode}: the comparison columns' headers "
                                  "name the comparison dates, which move with every period, so the kept rows "
                                  "could not keep their columns; use mode: replace")


# The config reference's section on comparison periods (sheets_sync/config/reference.py renders it).
COMPARE_GUIDE = """\
`compare: previous_period` or `compare: previous_year` adds, right after each metric column, the
metric's value in the comparison period and the change in percent, (current - previous) / |previous|,
formatted as a percentage in every sink. Headers name the comparison dates, e.g.
`impressions (2026-05-01 – 2026-05-31)` and `impressions Δ% vs 2026-05-01 – 2026-05-31`. The change is
empty (not 0) where the previous value is 0 or null or the row has no counterpart; the previous value is
empty where there is none.

```yaml
reports:
  - name: Campaigns vs last month
    endpoint: campaigns/performance
    metrics: [impressions, engagements]
    date_range: last_month
    compare: previous_period        # whole months → the month(s) before; other ranges, and last_N_days
                                    # always, → as many days just before
  - name: Daily vs last year
    endpoint: instances/performance-over-time
    metrics: [impressions]
    granularity: day
    date_range: last_30_days
    compare: previous_year          # the same dates a year earlier (29 February → 28 February)
```

Works on campaigns/performance (rows matched by campaignId), creators/performance (creator.creatorId),
platforms/performance and platforms/return-on-investment (contentType), instances/performance (its one
row) and instances/performance-over-time (previous_period: bucket i with bucket i; previous_year: the
bucket holding the same date a year earlier). Refused on endpoints without dates, on posts/performance
and with mode append/upsert. The comparison is fetched with the same filters through the same client,
budget and concurrency, and counts in the report's requests; if it fails, the report fails and none
of it is written. More in
docs/comparison.md."""
