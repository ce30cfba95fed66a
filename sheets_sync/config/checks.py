"""Cross-key checks of a validated config against the endpoint catalogue and itself (what pydantic cannot see)."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from typing import Any

from sheets_sync.catalogue import (
    DOCUMENTED_REQUESTS_PER_MINUTE,
    ENDPOINTS,
    FILTER_PARAMS,
    MAX_CAMPAIGN_IDS,
    METRIC_CONTENT_TYPES,
    V1_METRICS,
    V1_MIGRATION,
    V1_PATHS,
    V1_SORT_PROPERTIES,
    content_types_for,
    get_endpoint,
)
from sheets_sync.config.columns import check_columns
from sheets_sync.config.compare import compare_problems
from sheets_sync.config.destinations import AlertsConfig, EmailConfig, check_spreadsheet
from sheets_sync.config.fields import did_you_mean
from sheets_sync.config.models import Config, ReportConfig
from sheets_sync.config.modes import mode_problems
from sheets_sync.config.problems import Finding, warning
from sheets_sync.config.reports import tab_problem
from sheets_sync.config.state import state_problems
from sheets_sync.dates import range_error
from sheets_sync.output_names import period_conflicts
from sheets_sync.paths import (
    COLLISION_SAMPLE_VALUES,
    escape_problem,
    resolve_output_path,
    template_problems,
    uses_placeholder,
)

# (key path, message) is an error; a `Finding` carries its severity (`warning(...)` makes one).
Found = tuple[tuple[str | int, ...], str] | Finding

SORTABLE = ", ".join(e.name for e in ENDPOINTS if e.can_sort)
ENDPOINT_NAMES = tuple(e.name for e in ENDPOINTS)


def endpoint_problem(name: str) -> str | None:
    """Why `name` is not a catalogue endpoint (with a v1 migration hint or a suggestion), or None."""
    if get_endpoint(name) is not None:
        return None
    route = name.strip().strip("/")
    if route in V1_MIGRATION:
        successor = V1_MIGRATION[route]
        if successor is None:
            return (f'"{name}" is a legacy v1 route with no v2 equivalent '
                    "(reporting groups were replaced by campaigns and platforms)")
        return f'"{name}" is a legacy v1 route; its v2 equivalent is {successor}'
    hint = did_you_mean(route, ENDPOINT_NAMES)
    return f'unknown endpoint "{name}"{hint}; expected one of: {", ".join(ENDPOINT_NAMES)}'


def check_config(raw: Config, cfg: Config, now: dt.datetime, *, indexes: list[int] | None = None,
                 broken: set[str] | None = None, invalid: dict[int, set[str | int]] | None = None) -> Iterator[Found]:
    """Problems of `raw` (as written) and `cfg` (defaults merged), each as (key path, message).

    After a failed validation the loader passes a salvaged config: `indexes` maps each kept
    report to its index in the file, `broken` names destinations left out, `invalid` the keys
    left out of each report; those are already reported and are not reported again as missing.
    """
    complete = indexes is None
    indexes = list(range(len(raw.reports))) if indexes is None else indexes
    broken, invalid = broken or set(), invalid or {}
    if not raw.reports and not indexes:
        yield ("reports",), "no reports: add at least one under reports:"
    yield from _check_filter_pair(raw.defaults.platform, raw.defaults.content_type, raw.defaults.campaign_ids,
                                  ("defaults",))
    yield from _check_destinations(cfg)
    yield from state_problems(cfg, state_dir_written=raw.state_dir is not None)
    yield from _check_output_collisions(cfg)
    yield from _check_names(raw, indexes)
    tabs: dict[tuple[str, str], str] = {}
    for index, written, report in zip(indexes, raw.reports, cfg.reports, strict=True):
        for found in [*_check_report(index, written, report, cfg, now),
                      *_check_outputs(index, written, report, cfg, tabs, broken)]:
            # "needs key" after an invalid `key:` would blame the wrong line; the key's own problem says it
            if not (found[1].startswith("mode upsert needs key") and "key" in invalid.get(index, set())):
                yield found
    used = {name for r in cfg.reports for name in r.destinations}
    for name in cfg.destinations:
        if name not in used and complete:
            yield warning(("destinations", name), "no report writes to this destination")
    if complete:
        # one workbook, one name: its reports should share the period
        yield from (warning(path, message) for path, message in period_conflicts(cfg, now))


def _check_filter_pair(platform: list[str] | None, content_type: list[str] | None,
                       campaign_ids: list[int] | None, where: tuple[str | int, ...]) -> Iterator[Found]:
    if platform and content_type:
        yield where + ("content_type",), "platform and content_type cannot be combined (the API takes one or neither)"
    if campaign_ids and len(campaign_ids) > MAX_CAMPAIGN_IDS:
        yield where + ("campaign_ids",), (f"at most {MAX_CAMPAIGN_IDS} campaign ids are allowed (the API's limit); "
                                          f"this list has {len(campaign_ids)}")


def raw_checks(data: Any, cfg: Config) -> Iterator[Found]:
    """Checks of single values that need nothing else valid, run on the data as written.

    When a sibling key is invalid, validation leaves a whole block out (an `email:` with a bad
    address, a `filters:` with a bad platform), and the cross-key checks never see the rest of
    it; these still report its other problems. A problem found both ways is reported once.
    """
    if not isinstance(data, dict):
        return
    destinations = data.get("destinations")
    for name, value in destinations.items() if isinstance(destinations, dict) else ():
        email = value.get("email") if isinstance(value, dict) else None
        if isinstance(email, dict) and isinstance(email.get("subject"), str):
            for problem in template_problems(email["subject"]):
                yield ("destinations", name, "email", "subject"), problem
    defaults = data.get("defaults")
    if isinstance(defaults, dict):
        yield from _raw_campaign_ids(defaults, ("defaults",))
    reports = data.get("reports")
    for index, report in enumerate(reports) if isinstance(reports, list) else ():
        if isinstance(report, dict) and isinstance(report.get("filters"), dict):
            yield from _raw_campaign_ids(report["filters"], ("reports", index, "filters"))


def _raw_campaign_ids(filters: dict[str, Any], where: tuple[str | int, ...]) -> Iterator[Found]:
    ids = filters.get("campaign_ids")
    if isinstance(ids, list) and len(ids) > MAX_CAMPAIGN_IDS:
        yield from _check_filter_pair(None, None, ids, where)


def _check_names(raw: Config, indexes: list[int]) -> Iterator[Found]:
    seen: dict[str, int] = {}
    slugs: dict[str, int] = {}
    for index, report in zip(indexes, raw.reports, strict=True):
        if report.name in seen:
            first = seen[report.name]
            yield ("reports", index, "name"), f'report name "{report.name}" is already used by reports[{first}]'
            continue
        seen[report.name] = index
        if report.slug in slugs:
            other = raw.reports[indexes.index(slugs[report.slug])].name
            yield ("reports", index, "name"), (f'report name "{report.name}" gives the same file name slug '
                                               f'"{report.slug}" as "{other}"; rename one of them')
        slugs.setdefault(report.slug, index)


def _check_v1_options(at: tuple[str | int, ...], written: ReportConfig, report: ReportConfig) -> Iterator[Found]:
    """What the legacy v1 API cannot do: platform/content type filters, post-date basis, v2-only sorts."""
    for key in ("platform", "content_type"):
        if getattr(report.filters, key) is not None:
            where = at + ("filters", key) if getattr(written.filters, key) is not None else ("defaults", key)
            yield where, f"the v1 API has no {key} filter; remove it or use api.version: v2"
    if report.date_basis == "post_date":
        where = at + ("date_basis",) if written.date_basis is not None else ("defaults", "date_basis")
        yield where, "the v1 API reports by performance date only; remove date_basis or use api.version: v2"
    allowed = V1_SORT_PROPERTIES.get(report.endpoint_info.name, ())
    if written.sort is not None and allowed and written.sort.property not in allowed:
        yield at + ("sort", "property"), (f'the v1 API cannot sort {report.endpoint_info.name} by '
                                          f'"{written.sort.property}"; v1 sorts by: {", ".join(allowed)}')


def _check_report(index: int, written: ReportConfig, report: ReportConfig, cfg: Config,
                  now: dt.datetime) -> Iterator[Found]:
    at = ("reports", index)
    problem = endpoint_problem(written.endpoint)
    if problem:
        yield at + ("endpoint",), problem
        return
    endpoint = report.endpoint_info
    if cfg.api.version == "v1" and endpoint.name not in V1_PATHS:
        yield at + ("endpoint",), f"{endpoint.name} has no v1 route; with api.version: v1 use one of: " + \
            ", ".join(V1_PATHS)
    not_here = f"does not apply: {endpoint.name}"
    yield from _check_metrics(at, written, report, cfg.api.version)
    for key, api_name in FILTER_PARAMS.items():
        if getattr(written.filters, key) is not None and api_name not in endpoint.filters:
            yield at + ("filters", key), f"{not_here} does not take this filter"
    yield from _check_filter_pair(report.filters.platform, report.filters.content_type,
                                  written.filters.campaign_ids, at + ("filters",))
    if written.date_basis is not None and "dateBasis" not in endpoint.filters:
        yield at + ("date_basis",), f"{not_here} takes no date_basis"
    if written.granularity is not None and not endpoint.granularity:
        yield at + ("granularity",), "does not apply: only instances/performance-over-time takes a granularity"
    if written.fill_gaps is not None and not endpoint.granularity:
        yield at + ("fill_gaps",), "does not apply: only instances/performance-over-time has gaps to fill"
    if written.sort is not None:
        if not endpoint.can_sort:
            yield at + ("sort",), f"{not_here} cannot sort (these can: {SORTABLE})"
        elif written.sort.property not in endpoint.sort_properties:
            hint = did_you_mean(written.sort.property, endpoint.sort_properties)
            yield at + ("sort", "property"), (f'unknown sort property "{written.sort.property}" '
                                              f"for {endpoint.name}{hint}")
    if cfg.api.version == "v1":
        yield from _check_v1_options(at, written, report)
    if not endpoint.requires_dates and written.date_range is not None:
        yield at + ("date_range",), f"{not_here} takes no dates"
    elif endpoint.requires_dates:
        yield from _check_range(at, written, report, cfg, now)
    yield from mode_problems(at, written, report, endpoint)
    yield from compare_problems(at, report, endpoint)
    # whether each upsert key names a column is checked by sheets_sync.validate, which knows the columns
    yield from check_columns(at, written, report, cfg.api.version)
    headers: dict[str, int] = {}
    for number, column in enumerate(written.columns or ()):
        header = column.effective_header.lower()
        if header in headers:
            yield at + ("columns", number), f'header "{column.effective_header}" is used twice'
        headers.setdefault(header, number)


def _check_metrics(at: tuple[str | int, ...], written: ReportConfig, report: ReportConfig,
                   version: str = "v2") -> Iterator[Found]:
    endpoint = report.endpoint_info
    if not endpoint.has_metrics_param:
        if written.metrics is not None:
            fixed = f" (it always returns {', '.join(endpoint.fixed_fields)})" if endpoint.fixed_fields else ""
            yield at + ("metrics",), f"does not apply: {endpoint.name} takes no metrics{fixed}"
        return
    if not report.metrics:
        yield at + ("metrics",), (f"required key is missing: list the metrics to fetch "
                                  f"(python -m sheets_sync endpoints {endpoint.name} lists them)")
        return
    selected = content_types_for(report.filters.platform, report.filters.content_type)
    available = set(endpoint.metrics_for(selected))
    seen: set[str] = set()
    for number, metric in enumerate(report.metrics):
        where = at + ("metrics", number)
        if metric in seen:
            yield where, f"{metric} is listed twice"
        seen.add(metric)
        if metric not in endpoint.metrics:
            hint = did_you_mean(metric, endpoint.metrics)
            elsewhere = [e.name for e in ENDPOINTS if metric in e.metrics]
            if not hint and elsewhere:
                hint = f" (it exists on {', '.join(elsewhere)})"
            yield where, f'unknown metric "{metric}" for {endpoint.name}{hint}'
        elif metric not in available:
            yield where, (f"{metric} exists only for {', '.join(sorted(METRIC_CONTENT_TYPES[metric]))}, "
                          "which the report's platform/content_type filter excludes")
        elif version == "v1" and endpoint.name in V1_METRICS and metric not in V1_METRICS[endpoint.name]:
            yield where, (f"{metric} is not available from the v1 API for {endpoint.name}; "
                          f"v1 offers: {', '.join(V1_METRICS[endpoint.name])}")


def _check_range(at: tuple[str | int, ...], written: ReportConfig, report: ReportConfig, cfg: Config,
                 now: dt.datetime) -> Iterator[Found]:
    where = at + ("date_range",) if written.date_range is not None else ("defaults", "date_range")
    if report.date_range is None:
        yield at + ("date_range",), "required key is missing: set date_range here or in defaults"
        return
    if isinstance(report.date_range, str) or getattr(report.date_range, "last", None) is not None:
        _, problem = range_error(report.date_range, cfg.timezone, now)
        if problem:
            yield where, problem


def _check_outputs(index: int, written: ReportConfig, report: ReportConfig, cfg: Config,
                   tabs: dict[tuple[str, str], str], broken: set[str]) -> Iterator[Found]:
    at = ("reports", index)
    if not report.destinations:
        yield at + ("destination",), "required key is missing: name a destination here or in defaults"
        return
    names = list(cfg.destinations) + sorted(broken)
    types = set()
    for number, name in enumerate(report.destinations):
        where = at + ("destination",) + ((number,) if written.destination and len(written.destination) > 1 else ())
        if written.destination is None:
            where = ("defaults", "destination")
        if name in broken:
            continue
        if name not in cfg.destinations:
            defined = f"; defined: {', '.join(names)}" if names else "; none are defined under destinations:"
            yield where, f'unknown destination "{name}"{did_you_mean(name, names)}{defined}'
            continue
        types.add(cfg.destinations[name].type)
        if report.schedule is not None and cfg.destinations[name].schedule is not None:
            schedule_at = at + ("schedule",) if written.schedule is not None else ("defaults", "schedule")
            yield warning(schedule_at, f"destination {name} has a schedule of its own, so this report also runs "
                                       "on that one")
        if report.tab and cfg.destinations[name].type != "csv":
            slot = (name, report.tab.lower())
            if slot in tabs:
                tab_at = at + ("tab",) if written.tab is not None else at + ("name",)
                yield tab_at, (f'tab "{report.tab}" of destination {name} is already filled by '
                               f'report "{tabs[slot]}"')
            tabs.setdefault(slot, report.name)
    if types and types <= {"csv"}:
        if written.tab is not None:
            yield at + ("tab",), "does not apply: every destination of this report is a csv file"
        if written.table is not None:
            yield at + ("table",), "does not apply: every destination of this report is a csv file"
    elif written.table is not None and "excel" not in types:
        yield at + ("table",), "does not apply: table needs an excel destination"
    if written.tab is None and report.tab is not None:
        problem = tab_problem(report.tab)
        if problem:
            yield at + ("name",), f"the report name is the tab name (no tab: given), but {problem}"



def _output_key(path: object) -> str:
    """A rendered output path as compared for collisions (case-insensitive: many file systems are)."""
    return os.path.normcase(os.path.normpath(str(path))).casefold()


def _check_output_collisions(cfg: Config) -> Iterator[Found]:
    """Two writers must never share one file: each CSV report and each workbook needs its own path.

    Outputs are rendered with the real report slugs and destination names and sample dates, then
    normalised (`out/./wb.xlsx` is `out/wb.xlsx`), so templates that differ only in spelling collide.
    """
    seen: dict[str, str] = {}
    rendered: dict[str, set[str]] = {}
    for name, destination in cfg.destinations.items():
        output = getattr(destination, "output", None)
        if output is None or template_problems(output):
            continue
        at = ("destinations", name, "output")
        members = cfg.reports_for(name)
        if destination.type == "csv" and len(members) > 1 and not uses_placeholder(output, "report"):
            yield at, (f"{len(members)} reports write to this csv destination but output has no {{report}} "
                       "placeholder, so they would overwrite one file; add {report}, e.g. reports/{report}.csv")
            continue
        slugs = [r.slug for r in members] if destination.type == "csv" else [members[0].slug if members else "report"]
        for slug in dict.fromkeys(slugs):
            try:
                path = resolve_output_path(output, cfg.base_dir, COLLISION_SAMPLE_VALUES, report=slug,
                                           destination=name)
            except (ValueError, OSError):
                continue  # reported by the path checks
            key = _output_key(path)
            other = seen.setdefault(key, name)
            if other != name:
                case = "" if str(path) in rendered[other] else \
                    "; names differing only in case are one file on Windows and macOS"
                yield at, (f"writes the same file as destination {other} "
                           f"({os.path.relpath(path, cfg.base_dir)}{case}); give each destination a file of its own")
                break
            rendered.setdefault(name, set()).add(str(path))


def _mail_problems(cfg: Config, at: tuple[str | int, ...], mail: EmailConfig | AlertsConfig) -> Iterator[Found]:
    """What would stop an email block (a destination's `email` or `alerts`) from sending."""
    if mail.smtp.security == "none" and mail.smtp.password is not None:
        yield at + ("smtp", "security"), "security none would send the password unencrypted; use starttls or ssl"
    if mail.sender is None and not mail.smtp.username:
        yield at + ("from",), "required key is missing: set from, or smtp.username"
    ca_file = mail.smtp.ca_file
    if ca_file is not None and not (ca_file if ca_file.is_absolute() else cfg.base_dir / ca_file).is_file():
        yield at + ("smtp", "ca_file"), f"file not found: {ca_file}"


def _check_destinations(cfg: Config) -> Iterator[Found]:
    for name, destination in cfg.destinations.items():
        at = ("destinations", name)
        output = getattr(destination, "output", None)  # google_sheets has none
        for problem in [*template_problems(output), escape_problem(output, cfg.base_dir)] if output else ():
            if problem:
                yield at + ("output",), problem
        if destination.type == "excel" and not destination.output.lower().endswith((".xlsx", ".xlsm")):
            yield at + ("output",), "an excel output must end in .xlsx or .xlsm"
        if destination.type == "csv" and not destination.output.lower().endswith(".csv"):
            yield at + ("output",), "a csv output must end in .csv"
        if destination.type == "google_sheets":
            spreadsheet_problem = check_spreadsheet(destination.spreadsheet)
            if spreadsheet_problem:
                yield at + ("spreadsheet",), spreadsheet_problem
        email = getattr(destination, "email", None)
        if email is not None:
            for problem in template_problems(email.subject):
                yield at + ("email", "subject"), problem
            yield from _mail_problems(cfg, at + ("email",), email)
    if cfg.alerts is not None:
        yield from _mail_problems(cfg, ("alerts",), cfg.alerts)
    if cfg.api.requests_per_minute > DOCUMENTED_REQUESTS_PER_MINUTE:
        limit = DOCUMENTED_REQUESTS_PER_MINUTE
        yield warning(("api", "requests_per_minute"), f"above the documented limit of {limit} "
                                                      "requests per minute; the API may answer 429")
