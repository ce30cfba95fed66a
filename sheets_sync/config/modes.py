"""Write modes of a report (replace, append, upsert) and its look-back window: the config types and their checks.

What each mode does to the stored rows is `sheets_sync.merge`; this module only says which combinations
make sense for an endpoint (docs/modes.md). Whether an upsert key names one of the report's columns needs
the column model and is checked by `sheets_sync.validate`.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Annotated

from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

from sheets_sync.catalogue import Endpoint
from sheets_sync.config.fields import Text

if TYPE_CHECKING:
    from sheets_sync.config.reports import ReportConfig

MODES = ("replace", "append", "upsert")
MAX_LOOKBACK_DAYS = 366
_LOOKBACK = re.compile(r"([0-9]+)\s*([dw])")
# The columns `mode: append` adds in front of an aggregate report's rows: the period each snapshot covers.
PERIOD_FIELDS = ("periodStart", "periodEnd")
PERIOD_LABELS = {"periodStart": "Period start", "periodEnd": "Period end"}
# A time series keys its rows on the bucket start when `key:` is not given.
BUCKET_START = "startDate"


def lookback_days(text: str | None) -> int:
    """The look-back in days: "7d" → 7, "2w" → 14, None → 0."""
    if not text:
        return 0
    match = _LOOKBACK.fullmatch(text.strip().lower())
    if match is None:
        raise ValueError(f"not a look-back: {text!r}")
    count, unit = int(match.group(1)), match.group(2)
    return count * (7 if unit == "w" else 1)


def _lookback(value: str) -> str:
    try:
        days = lookback_days(value)
    except ValueError:
        raise PydanticCustomError("lookback", 'expected a number of days or weeks such as 7d or 2w, not "{value}"',
                                  {"value": value}) from None
    if days > MAX_LOOKBACK_DAYS:
        raise PydanticCustomError("lookback", "a look-back of at most {most} days (a year) is supported; "
                                              "this one is {days} days", {"most": MAX_LOOKBACK_DAYS, "days": days})
    return value


Lookback = Annotated[Text, AfterValidator(_lookback)]


def is_time_series(endpoint: Endpoint) -> bool:
    """Whether the endpoint answers one row per time bucket (its rows are known by their bucket start)."""
    return endpoint.granularity


def snapshots_need_period(endpoint: Endpoint) -> bool:
    """Whether `mode: append` adds the period columns: an aggregate over a period (not a time series)."""
    return endpoint.requires_dates and not is_time_series(endpoint)


def mode_problems(at: tuple[str | int, ...], written: ReportConfig, report: ReportConfig,
                  endpoint: Endpoint) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """What does not fit in a report's mode, key and lookback, as (key path, message)."""
    series = is_time_series(endpoint)
    if report.mode == "upsert" and not report.key and not series:
        yield at + ("mode",), "mode upsert needs key: the columns that identify a row"
    if written.key is not None and report.mode != "upsert":
        yield at + ("key",), "does not apply: key is used only with mode: upsert"
    if report.mode == "append" and not endpoint.requires_dates:
        yield at + ("mode",), (f"mode append needs a period to tell one run's rows from the next, and "
                               f"{endpoint.name} takes no dates; use mode: upsert with key: (e.g. its id column)")
    if report.mode == "append" and report.max_rows is not None and series:
        yield at + ("max_rows",), ("does not apply with mode append on a time series: a capped fetch would drop "
                                   "the kept buckets it did not reach; remove max_rows")
    if written.lookback is not None:
        if report.mode not in ("append", "upsert"):
            yield at + ("lookback",), "does not apply: lookback is used only with mode: append or upsert"
        elif not series:
            yield at + ("lookback",), (f"does not apply: {endpoint.name} answers one total per period, so every "
                                       "run fetches its whole date_range; lookback re-fetches the last buckets of "
                                       "a time series (instances/performance-over-time)")


def period_fields(mode: str | None, endpoint: Endpoint) -> tuple[str, ...]:
    """The columns a run adds in front of the report's own: the snapshot period under `mode: append`."""
    return PERIOD_FIELDS if mode == "append" and snapshots_need_period(endpoint) else ()


def bucket_start_missing(report: ReportConfig, columns: list[tuple[str, str]]) -> str | None:
    """Why a time-series report in append/upsert mode cannot tell its rows apart, or None.

    Its rows are known by their bucket start (the default key): with `columns:` that leave startDate out
    and no `key:` of its own, a run could not tell which stored row a fetched bucket replaces.
    """
    try:
        endpoint = report.endpoint_info
    except LookupError:
        return None
    if not is_time_series(endpoint) or report.mode not in ("append", "upsert"):
        return None
    if report.mode == "upsert" and report.key:
        return None
    if any(BUCKET_START in (path, header) for path, header in columns):
        return None
    return (f"mode {report.mode} on a time series knows each row by its bucket start: add {BUCKET_START} "
            "to columns" + (" (or give key:)" if report.mode == "upsert" else ""))


def row_shape_fingerprint(report: ReportConfig) -> str:
    """A digest of what shapes a report's rows: endpoint, filters, metrics, columns, granularity, key, mode.

    Not the date range or the look-back: moving the period on keeps the history; changing what a row is
    starts a new one (the kept rows are dropped, with a warning).
    """
    shape = {
        "endpoint": report.endpoint, "filters": report.filters.model_dump(mode="json"),
        "metrics": list(report.metrics or ()), "granularity": report.granularity,
        "columns": None if report.columns is None else [c.model_dump(mode="json") for c in report.columns],
        "date_basis": report.date_basis, "fill_gaps": report.fill_gaps, "key": list(report.key or ()),
        "mode": report.mode,
    }
    return hashlib.sha256(json.dumps(shape, sort_keys=True, default=str).encode("utf-8")).hexdigest()


def effective_key(report: ReportConfig, endpoint: Endpoint) -> tuple[str, ...]:
    """The columns an upsert keys on: `key:`, else the bucket start of a time series; () for other modes."""
    if report.mode != "upsert":
        return ()
    if report.key:
        return tuple(report.key)
    return (BUCKET_START,) if is_time_series(endpoint) else ()


# The config reference's section on modes (sheets_sync/config/reference.py renders it; docs/modes.md has the rest).
MODES_GUIDE = """\
`mode: replace` (the default) writes what the run fetched. `append` and `upsert` keep the report's rows in
the state database beside the run history and write the whole merged table every run, so tables, chart
ranges, named ranges and filters follow the row count, a failed write catches up on the next run, and a
rerun doubles nothing. A cell edited by hand inside the written table is overwritten by the next run;
what is outside it is kept as with replace. Changing what shapes the rows (endpoint, filters, metrics,
columns, granularity, key, mode) drops the kept rows, with a warning. More in docs/modes.md.

```yaml
reports:
  - name: Campaign snapshots          # append: one snapshot of every campaign per run period,
    endpoint: campaigns/performance   # with periodStart/periodEnd columns in front
    metrics: [impressions, engagements]
    date_range: yesterday
    mode: append
  - name: Creators to date            # upsert: a creator's row is updated in place, new ones added below,
    endpoint: creators/performance    # creators no longer returned kept
    metrics: [impressions]
    date_range: month_to_date
    mode: upsert
    key: [creator.creatorId]
  - name: Daily history               # a time series keys on startDate; lookback re-fetches the last
    endpoint: instances/performance-over-time   # 7 days every run, so restated numbers are corrected
    metrics: [impressions, engagements]
    granularity: day
    date_range: yesterday
    mode: upsert
    lookback: 7d                      # any count of days (7d) or weeks (2w); default 0
```

The first run fetches the whole `date_range`; later runs of a time series fetch from the bucket holding
(last fetched end - lookback) to the range's end. `append` on a time series replaces the kept buckets the
run fetched again; on an aggregate it replaces a snapshot of the same period (a rerun on one day)."""
