"""Turns a validated config as written into the config as run: defaults merged into reports, paths made absolute."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sheets_sync.catalogue import FILTER_PARAMS, get_endpoint
from sheets_sync.config.models import DEFAULT_STATE_DIR, Config, DefaultsConfig, FiltersConfig, ReportConfig

_TABBED = ("excel", "google_sheets")
DEFAULT_GRANULARITY = "month"   # the API's own default; made explicit here, the one place it is applied


def _filters(report: ReportConfig, defaults: DefaultsConfig, accepted: tuple[str, ...]) -> FiltersConfig:
    own = report.filters
    # platform and content_type are one choice (the API takes one or neither): inherit them together
    own_choice = own.platform is not None or own.content_type is not None
    values: dict[str, Any] = {
        "instance_ids": own.instance_ids if own.instance_ids is not None else defaults.instance_ids,
        "campaign_ids": own.campaign_ids if own.campaign_ids is not None else defaults.campaign_ids,
        "platform": own.platform if own_choice else defaults.platform,
        "content_type": own.content_type if own_choice else defaults.content_type,
    }
    # an inherited filter the endpoint does not take is dropped; one written on the report is a problem
    values = {k: v for k, v in values.items() if FILTER_PARAMS[k] in accepted or getattr(own, k) is not None}
    return FiltersConfig.model_construct(**values)


def resolve_report(report: ReportConfig, cfg: Config) -> ReportConfig:
    """`report` with defaults applied and derived defaults (mode, granularity, fill_gaps, tab) made explicit."""
    endpoint = get_endpoint(report.endpoint)
    if endpoint is None:
        return report
    defaults = cfg.defaults
    destination = report.destination if report.destination is not None else defaults.destination
    types = {getattr(cfg.destinations.get(name), "type", None) for name in destination or ()}
    update: dict[str, Any] = {
        "endpoint": endpoint.name,
        "filters": _filters(report, defaults, endpoint.filters),
        "date_range": (report.date_range if report.date_range is not None else defaults.date_range)
        if endpoint.requires_dates or report.date_range is not None else None,
        "date_basis": (report.date_basis if report.date_basis is not None else defaults.date_basis)
        if "dateBasis" in endpoint.filters or report.date_basis is not None else None,
        "destination": destination,
        "schedule": report.schedule if report.schedule is not None else defaults.schedule,
        "mode": report.mode or "replace",
        "granularity": report.granularity or (DEFAULT_GRANULARITY if endpoint.granularity else None),
        "fill_gaps": report.fill_gaps if report.fill_gaps is not None else endpoint.granularity,
        "tab": report.tab if report.tab is not None else (report.name if types & set(_TABBED) else None),
    }
    resolved = report.model_copy(update=update)
    resolved._endpoint = endpoint  # looked up once here; everything after the load reads this one
    return resolved


def _absolute(base_dir: Path, path: Any) -> Any:
    return None if path is None else base_dir / Path(path)


def _sqlite_url_beside(base_dir: Path, url: str | None) -> str | None:
    """A SQLite `url` with a relative file path made absolute against `base_dir`, as every relative path of a
    config is (SQLite alone would read it against the current folder, so cron and `history` would disagree)."""
    if url is None:
        return None
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):  # reported by the state checks
        return url
    database = parsed.database or ""
    if (parsed.get_backend_name() != "sqlite" or database in ("", ":memory:") or database.startswith("file:")
            or Path(database).is_absolute()):
        return url
    return parsed.set(database=str(base_dir / database)).render_as_string(hide_password=False)


def resolve_config(cfg: Config, base_dir: Path) -> Config:
    """The config as run: resolved reports, destination paths and state_dir absolute (relative to `base_dir`)."""
    base_dir = base_dir.resolve()
    destinations = {}
    for name, destination in cfg.destinations.items():
        output = getattr(destination, "output", None)  # google_sheets has none
        update: dict[str, Any] = {"output": str(base_dir / output)} if output is not None else {}
        for key in ("template", "credentials"):
            if getattr(destination, key, None) is not None:
                update[key] = _absolute(base_dir, getattr(destination, key))
        destinations[name] = destination.model_copy(update=update)
    return cfg.model_copy(update={
        "reports": [resolve_report(r, cfg) for r in cfg.reports],
        "destinations": destinations,
        "state_dir": _absolute(base_dir, cfg.state_dir or DEFAULT_STATE_DIR),
        "state_url": _sqlite_url_beside(base_dir, cfg.state_url),
    })
