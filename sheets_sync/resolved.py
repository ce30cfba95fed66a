"""A report as one run sees it: resolved once (endpoint, API parameters for its period, columns, outputs).

`resolve_reports` turns the config's reports into `ResolvedReport`s at the start of a run; the API
client (endpoint, parameters), records (endpoint, metrics, columns), gap filling (granularity) and
the sinks (tab, table, destinations, period) all read the same object, so nothing downstream looks
the endpoint up again or applies a default of its own. The config has already merged `defaults:`
and made the derived defaults explicit (granularity, fill_gaps, tab); this module only adds what
depends on the moment of the run: the period and the API parameters for it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from sheets_sync.catalogue import FILTER_PARAMS, Endpoint
from sheets_sync.comparison import planned_period
from sheets_sync.config.modes import effective_key, lookback_days, row_shape_fingerprint
from sheets_sync.output_names import report_period
from sheets_sync.report import ColumnSpec

if TYPE_CHECKING:
    from sheets_sync.config import Config, ReportConfig


@dataclass(frozen=True)
class ResolvedReport:
    """Everything a run needs of one report, fixed for the run; every reader sees the same values."""

    name: str
    slug: str                                   # the report name as a file-name-safe slug ({report})
    endpoint: Endpoint                          # the catalogue entry, looked up once
    params: Mapping[str, Any]                   # API query parameters for the period (pagination: the client's)
    metrics: tuple[str, ...]
    columns: tuple[ColumnSpec, ...] | None      # None: the endpoint's default columns
    granularity: str | None                     # time series only
    fill_gaps: bool
    max_rows: int | None
    tab: str | None
    table: str | None
    destinations: tuple[str, ...]
    start: dt.date | None                       # the period, in `timezone`; None for endpoints without dates
    end: dt.date | None
    timezone: str
    mode: str = "replace"                       # append/upsert: merged into the kept rows (sheets_sync.kept)
    key: tuple[str, ...] = ()                   # upsert: the key columns (a time series: startDate by default)
    lookback_days: int = 0
    fingerprint: str = ""                       # what shapes the rows (config.modes.row_shape_fingerprint)
    compare: str | None = None                  # previous_period | previous_year (sheets_sync.comparison)
    compare_period: tuple[dt.date, dt.date] | None = None  # the dates the comparison columns hold

    def row_limit(self, cap: int | None = None) -> int | None:
        """The smaller of the report's `max_rows` and a run-wide `cap` (preview, --rows); None = no limit."""
        limits = [x for x in (self.max_rows, cap) if x]
        return min(limits) if limits else None


def resolve_reports(cfg: Config, reports: Sequence[ReportConfig], now: dt.datetime) -> list[ResolvedReport]:
    """The run's reports, resolved for the moment `now` in the config's time zone (config order kept)."""
    tz = str(cfg.timezone)
    return [resolve_report(report, tz, now) for report in reports]


def resolve_report(report: ReportConfig, tz: str, now: dt.datetime) -> ResolvedReport:
    """One report of a loaded (validated and resolved) config, for the moment `now` in time zone `tz`."""
    endpoint = report.endpoint_info
    start, end = report_period(report, tz, now)
    columns = None
    if report.columns is not None:
        columns = tuple(ColumnSpec(c.field, c.effective_header, c.format) for c in report.columns)
    return ResolvedReport(
        name=report.name, slug=report.slug, endpoint=endpoint,
        params=MappingProxyType(api_params(report, endpoint, start, end)),
        metrics=tuple(report.metrics or ()) if endpoint.has_metrics_param else (),
        columns=columns, granularity=report.granularity if endpoint.granularity else None,
        fill_gaps=bool(report.fill_gaps) and endpoint.granularity, max_rows=report.max_rows,
        tab=report.tab, table=report.table, destinations=report.destinations, start=start, end=end, timezone=tz,
        mode=report.mode or "replace", key=effective_key(report, endpoint),
        lookback_days=lookback_days(report.lookback), fingerprint=row_shape_fingerprint(report),
        compare=report.compare if endpoint.requires_dates else None,
        compare_period=planned_period(report.compare, report.date_range, start, end)
        if endpoint.requires_dates else None)


def api_params(report: ReportConfig, endpoint: Endpoint, start: dt.date | None,
               end: dt.date | None) -> dict[str, Any]:
    """Query parameters in the API's names and spellings, only those `endpoint` takes."""
    params: dict[str, Any] = {}
    if endpoint.requires_dates and start is not None and end is not None:
        params["startDate"], params["endDate"] = start.isoformat(), end.isoformat()
    if endpoint.has_metrics_param and report.metrics:
        params["metrics"] = list(report.metrics)
    values: dict[str, Any] = {name: getattr(report.filters, key) for key, name in FILTER_PARAMS.items()}
    values["dateBasis"] = report.date_basis  # already in its one canonical spelling (config validation)
    for name, value in values.items():
        if value and name in endpoint.filters:
            params[name] = list(value) if isinstance(value, list) else value
    if endpoint.granularity and report.granularity:
        params["granularity"] = report.granularity
    if endpoint.can_sort and report.sort is not None:
        params["sortProperty"], params["sortDirection"] = report.sort.property, report.sort.direction
    return params
