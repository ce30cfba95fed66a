"""Plain-text rendering of the endpoint catalogue for `python -m sheets_sync endpoints [NAME]` and the README."""

from __future__ import annotations

import difflib
import textwrap

from sheets_sync import catalogue
from sheets_sync.catalogue import Endpoint
from sheets_sync.errors import UsageError

_WIDTH = 100


def render_catalogue(name: str | None = None) -> str:
    """Every endpoint with its summary, or everything about one endpoint; UsageError for an unknown name."""
    if name is None:
        return _render_index()
    endpoint = catalogue.get_endpoint(name)
    if endpoint is None:
        raise UsageError(_unknown(name))
    return _render_one(endpoint)


def _render_index() -> str:
    width = max(len(e.name) for e in catalogue.ENDPOINTS)
    lines = ["Reporting API v2 endpoints (details: endpoints NAME)", ""]
    for endpoint in catalogue.ENDPOINTS:
        lines.append(f"  {endpoint.name:<{width}}  {endpoint.summary}")
        for alias in endpoint.aliases:
            lines.append(f"  {alias:<{width}}  (alias of {endpoint.name})")
    return "\n".join(lines) + "\n"


def _render_one(endpoint: Endpoint) -> str:
    lines = [endpoint.name, "=" * len(endpoint.name), endpoint.summary, ""]
    lines.append(f"path: GET {endpoint.path}")
    lines += [f"alias: GET {alias}" for alias in endpoint.alias_paths]
    v1 = catalogue.V1_PATHS.get(endpoint.name)
    lines.append(f"v1 path: GET {v1}" if v1 else "v1 path: none (v2 only)")
    lines += ["", "parameters:"]
    lines += _rows(_parameter_rows(endpoint))
    if endpoint.metrics:
        lines += ["", f"metrics ({len(endpoint.metrics)}; `metrics` is required, only requested ones are returned), "
                      "by kind:"]
        lines += _by_kind(endpoint.metrics)
        limited = [m for m in endpoint.metrics if m in catalogue.METRIC_CONTENT_TYPES]
        if limited:
            lines += _rows([("only for some content types (null elsewhere)",
                             "; ".join(f"{m} ({', '.join(sorted(catalogue.METRIC_CONTENT_TYPES[m]))})"
                                       for m in limited))], key_width=0)
    if endpoint.fixed_fields:
        lines += ["", "fields (fixed set, at the top level of each row; no `metrics` parameter), by kind:"]
        lines += _by_kind(endpoint.fixed_fields)
    lines += ["", "sort properties:" if endpoint.sort_properties else "sort properties: none (cannot sort)"]
    if endpoint.sort_properties:
        lines += _wrapped(endpoint.sort_properties)
        lines.append(f"  sortDirection: {' | '.join(catalogue.SORT_DIRECTIONS)} (default DESC)")
    lines += ["", "filters:" if endpoint.filters else "filters: none"]
    lines += _rows(_filter_rows(endpoint))
    lines += ["", "columns (field paths for `columns:`, default order; the label heads a clean workbook's column):"]
    lines += _rows(_column_rows(endpoint), key_width=28)
    notes = list(endpoint.notes)
    if endpoint.paginated:
        notes.append("Pagination is handled by sheets-sync (api.pagination: auto | page | cursor).")
    if notes:
        lines += ["", "notes:"]
        for note in notes:
            lines += textwrap.wrap(note, _WIDTH, initial_indent="  - ", subsequent_indent="    ")
    return "\n".join(lines) + "\n"


def _by_kind(names: tuple[str, ...]) -> list[str]:
    """Metric names grouped under their declared kind (count, money, ratio ...), in catalogue order."""
    groups: dict[str, list[str]] = {kind.value: [] for kind in catalogue.FieldKind if kind.is_metric}
    for name in names:
        info = catalogue.METRICS.get(name)
        groups.setdefault(info.kind.value if info else "undeclared", []).append(name)
    return _rows([(kind, ", ".join(members)) for kind, members in groups.items() if members], key_width=10)


def _column_rows(endpoint: Endpoint) -> list[tuple[str, str]]:
    """Each non-metric field path with its label and kind, then the metrics' `metrics.NAME` form."""
    rows = []
    paths = endpoint.field_paths(metrics=())
    for path in paths:
        info = catalogue.field_info(path)
        text = f"{info.label} ({info.kind.value})" if info else ""
        if any(other.startswith(path + ".") for other in paths):
            text += "; the whole object as one text, not a default column"
        if path in catalogue.V2_ONLY_FIELDS.get(endpoint.name, ()):
            text += "; not from the v1 API"
        rows.append((path, text))
    for path in catalogue.V1_FIELDS.get(endpoint.name, ()):
        info = catalogue.field_info(path)
        rows.append((path, f"{info.label} ({info.kind.value}); only from the v1 API" if info else "v1 only"))
    if endpoint.metrics:
        rows.append(("metrics.NAME", "each requested metric; its label is its name in words (metrics.cpe: CPE, "
                                     "metrics.estimatedRoi: Est. ROI)"))
    rows.append(("(anything else)", "refused by validate; a field the API sends beyond this list needs extra: true"))
    return rows


def _parameter_rows(endpoint: Endpoint) -> list[tuple[str, str]]:
    rows = []
    if endpoint.requires_dates:
        rows.append(("startDate, endDate", "required, YYYY-MM-DD, inclusive, UTC; at most "
                                           f"{catalogue.MAX_RANGE_YEARS} years apart"))
    if endpoint.metrics:
        rows.append(("metrics", "required list (see below)"))
    if endpoint.granularity:
        rows.append(("granularity", f"{' | '.join(catalogue.GRANULARITIES)} (default month)"))
    if endpoint.sort_properties:
        rows.append(("sortProperty", "see sort properties; sortDirection ASC | DESC"))
    if endpoint.paginated:
        rows.append(("limit, nextCursor", f"cursor generation (limit 1-{catalogue.PAGE_SIZE_MAX})"))
        rows.append(("pageNumber, pageSize", f"page-number generation (pageSize 1-{catalogue.PAGE_SIZE_MAX}, "
                                             f"default {catalogue.PAGE_SIZE_DEFAULT}; pageNumber 1-"
                                             f"{catalogue.PAGE_NUMBER_MAX})"))
    else:
        rows.append(("(pagination)", "none: limit/nextCursor are rejected and nextCursor is always null"))
    return rows


def _filter_rows(endpoint: Endpoint) -> list[tuple[str, str]]:
    described = {
        "instanceIds": "list of instance ids; omit = every instance the credentials reach",
        "campaignIds": f"list of numbers, at most {catalogue.MAX_CAMPAIGN_IDS}",
        "platform": f"{', '.join(catalogue.PLATFORMS)} (not with contentType)",
        "contentType": f"{', '.join(catalogue.CONTENT_TYPES)} (not with platform; older docs: platformTypes)",
        "dateBasis": f"{' | '.join(catalogue.DATE_BASIS_VALUES)} (default performance_date; camelCase "
                     "performanceDate/postDate accepted)",
    }
    return [(name, described.get(name, "")) for name in endpoint.filters]


def _rows(rows: list[tuple[str, str]], key_width: int = 22) -> list[str]:
    """`key  text` rows, the text wrapped under itself so no line passes the width."""
    out: list[str] = []
    for key, text in rows:
        head = f"  {key:<{key_width}}  " if key_width else f"  {key}: "
        indent = " " * (len(head) if key_width else 4)
        out += textwrap.wrap(text, _WIDTH, initial_indent=head, subsequent_indent=indent) or [head.rstrip()]
    return out


def _wrapped(names: tuple[str, ...]) -> list[str]:
    return textwrap.wrap(", ".join(names), _WIDTH, initial_indent="  ", subsequent_indent="  ")


def _unknown(name: str) -> str:
    known = sorted(catalogue.ENDPOINTS_BY_NAME)
    close = difflib.get_close_matches(name.strip().lstrip("/").removeprefix("v2/"), known, n=1, cutoff=0.5)
    hint = f"; did you mean {close[0]}?" if close else f"; known endpoints: {', '.join(known)}"
    return f"unknown endpoint {name!r}{hint}"
