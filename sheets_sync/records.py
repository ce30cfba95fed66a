"""API records → a typed `Table`: default columns, dotted paths, creator profiles as text, null ≠ 0, types.

Pure: no I/O. Rules from docs/decisions.md#columns and #values: identity fields in API order, then the
requested metrics in requested order, then whatever else the API sent; headers are API names
without `metrics.`; nested objects flatten with dots; lists of creator profiles become one text
(`instagram:@handle, tiktok:@handle`); numbers stay exactly as given; `*Date` strings become dates
(`YYYY-MM-DD`) or naive date-times in the report's time zone. `startDate`/`endDate` (a campaign's dates,
a time-series bucket's bounds) are calendar dates even when sent as date-times: `2024-06-01T00:00:00Z`
and `2025-01-31T23:59:59.999Z` become their UTC dates, never shifted into the report's zone.

The default column set is a function of the endpoint, the requested metrics and any fields the API
adds beyond the catalogue, never of which records hold null: a post's `creatorProfile` is always the
five `creatorProfile.*` columns of its documented shape (empty cells when it is null), so a run of 5
rows, a full run and `validate` (no records at all) agree. Columns of fields the API adds beyond the
catalogue are marked `passthrough` (a template without a column for them drops them with a warning).

A column's kind is the one the catalogue declares for its field (catalogue.METRICS and FIELDS: count,
money, ratio, percent, identifier, ...), never guessed from its name; only a field beyond the catalogue
takes its kind from its values. Identifier columns (`campaignId`, `creator.creatorId`) get the number
format "0": 49761, not 49,761; among fields beyond the catalogue, the API's naming rule (`id`, `…Id`,
`…Ids`) marks identifiers. Each column carries the catalogue's readable label ("Creator ID") when config
gave no header of its own, for sinks that show labels (the clean workbook).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from sheets_sync.catalogue import METRICS_PREFIX, OBJECT_MEMBERS, V2_ONLY_FIELDS, Endpoint, FieldKind, field_info
from sheets_sync.report import Column, ColumnKind, ColumnSpec, Table, TableMeta

_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATE_NAME = re.compile(r"(Date|At)$")
# Identifiers are printed as 49761, never 49,761.
_ID_FORMAT = "0"
_UTC = ZoneInfo("UTC")
# Fields that are calendar dates whatever the API sends: campaign start/end, time-series bucket bounds.
_CALENDAR_DATES = frozenset({"startDate", "endDate"})
# The column kind of each declared field kind (identifiers and dates also look at the values).
_COLUMN_KIND: dict[FieldKind, ColumnKind] = {
    FieldKind.COUNT: ColumnKind.INTEGER,
    FieldKind.MONEY: ColumnKind.DECIMAL,
    FieldKind.UNIT_COST: ColumnKind.DECIMAL,
    FieldKind.AVERAGE: ColumnKind.DECIMAL,
    FieldKind.PERCENT: ColumnKind.PERCENT,
    FieldKind.RATIO: ColumnKind.RATIO,
    FieldKind.TEXT: ColumnKind.TEXT,
    FieldKind.DATE: ColumnKind.DATE,
    FieldKind.DATETIME: ColumnKind.DATETIME,
}


def default_columns(endpoint: Endpoint, metrics: Sequence[str], records: Sequence[dict[str, Any]],
                    version: str = "v2") -> list[Column]:
    """Identity fields (those of the API `version`), then requested metrics, then fields the API added, each with
    an inferred kind.

    The set depends on the endpoint, the metrics and fields the API sends beyond the catalogue, never on
    which records hold null: a null object yields empty cells in its member columns, and the columns
    without records (what `validate` checks templates against) equal those with them.
    """
    fields: list[str] = []
    never_sent = V2_ONLY_FIELDS.get(endpoint.name, ()) if version == "v1" else ()
    for name in endpoint.identity_fields:
        if name not in never_sent:
            fields += _expand(name, records)
    fields += list(endpoint.fixed_fields)
    fields += [METRICS_PREFIX + m for m in metrics]
    # Catalogue fields: all of the above except members the API added to an object of known shape.
    catalogue = {path for path in fields if not _added_member(path)}
    known = set(fields)
    extra: list[str] = []
    for record in records:
        for path in _leaf_paths(record):
            if path not in known:
                known.add(path)
                extra.append(path)
    # A path that is an object elsewhere (null here, members there) or a prefix of a known column is
    # not a column of its own; a member of a known leaf column is already shown inside that column.
    fields += [path for path in extra
               if not any(other.startswith(path + ".") for other in known)
               and not any(path.startswith(other + ".") for other in fields)]
    headers: set[str] = set()
    columns = []
    for path in fields:
        header = _header(path)
        if header in headers:  # a top-level field and a metric of the same name: keep both distinct
            header = path
        headers.add(header)
        kind = infer_kind(path, (field_value(r, path) for r in records))
        declared = field_info(path)
        columns.append(Column(path, header, kind, _default_format(path, kind), passthrough=path not in catalogue,
                              identifier=is_identifier(path), label=declared.label if declared else None))
    return columns


def build_table(endpoint: Endpoint, records: Iterable[dict[str, Any]], *, metrics: Sequence[str],
                columns: Sequence[ColumnSpec] | None, meta: TableMeta, timezone: str = "UTC",
                version: str = "v2") -> Table:
    """The sink-ready table of `records`; `columns` picks, orders, renames and formats (None = defaults)."""
    records = list(records)
    tz = ZoneInfo(timezone)
    if columns:
        chosen = []
        for spec in columns:
            kind = infer_kind(spec.field, (field_value(r, spec.field) for r in records))
            default_header = _header(spec.field)
            info = field_info(spec.field)
            # a header of the user's own stays as written everywhere; the catalogue label replaces only the default
            label = info.label if info and spec.header in (None, default_header) else None
            chosen.append(Column(spec.field, spec.header or default_header, kind,
                                 spec.format if spec.format is not None else _default_format(spec.field, kind),
                                 identifier=is_identifier(spec.field), label=label))
    else:
        chosen = default_columns(endpoint, metrics, records, version)
    rows = [tuple(convert(column.field, field_value(record, column.field), tz) for column in chosen)
            for record in records]
    return Table(columns=chosen, rows=rows, meta=meta)


def convert(path: str, value: Any, tz: ZoneInfo) -> Any:
    """One API value as a cell value: None stays None, numbers unchanged, dates parsed, objects as text."""
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, str):
        leaf = path.rsplit(".", 1)[-1]
        if leaf in _CALENDAR_DATES:
            return _parse_calendar_date(value)
        if _DATE_NAME.search(leaf):
            return _parse_date(value, tz)
        return value
    if isinstance(value, list):
        if all(isinstance(v, dict) for v in value):
            return ", ".join(profile_text(v) for v in value)
        return ", ".join("" if v is None else str(v) for v in value)
    if isinstance(value, dict):
        return profile_text(value)
    return str(value)


def profile_text(profile: dict[str, Any]) -> str:
    """`instagram:@handle` for a creator profile; compact JSON for any other object."""
    network = profile.get("network") or profile.get("platform") or profile.get("contentType")
    handle = profile.get("handleName") or profile.get("handle") or profile.get("username")
    if network and handle:
        return f"{network}:@{str(handle).lstrip('@')}"
    if handle:
        return f"@{str(handle).lstrip('@')}"
    return json.dumps(profile, sort_keys=True, separators=(",", ":"), default=str)


def infer_kind(path: str, values: Iterable[Any]) -> ColumnKind:
    """Column kind: the catalogue's declared kind of a known field; from the values for a field beyond it."""
    leaf = path.rsplit(".", 1)[-1]
    present = [v for v in values if v is not None]
    info = field_info(path)
    if info is not None:
        if info.kind is FieldKind.IDENTIFIER:
            numeric = present and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in present)
            return ColumnKind.INTEGER if numeric else ColumnKind.TEXT
        if info.kind in (FieldKind.DATE, FieldKind.DATETIME) and all(isinstance(v, str) for v in present):
            return _date_kind(leaf, present, _COLUMN_KIND[info.kind])
        return _COLUMN_KIND[info.kind]
    seen = {type(v) for v in present}
    if seen and seen <= {bool}:
        return ColumnKind.BOOLEAN
    if seen and seen <= {int, float}:
        return ColumnKind.DECIMAL if float in seen else ColumnKind.INTEGER
    if _DATE_NAME.search(leaf) and seen <= {str}:
        return _date_kind(leaf, present, ColumnKind.DATE if leaf in _CALENDAR_DATES else ColumnKind.DATETIME)
    if seen:
        return ColumnKind.TEXT
    # a metric the API added that is null in every row is still a number
    return ColumnKind.INTEGER if path.startswith(METRICS_PREFIX) else ColumnKind.TEXT


def _date_kind(leaf: str, present: Sequence[str], empty: ColumnKind) -> ColumnKind:
    """DATE or DATETIME from what the date strings parse to (`empty` when there are none); TEXT when mixed."""
    if not present:
        return empty
    parse = _parse_calendar_date if leaf in _CALENDAR_DATES else (lambda v: _parse_date(v, _UTC))
    parsed = {type(parse(v)) for v in present}
    if parsed <= {dt.date}:
        return ColumnKind.DATE
    if parsed <= {dt.datetime}:
        return ColumnKind.DATETIME
    return ColumnKind.TEXT


def is_identifier(path: str) -> bool:
    """Whether a field holds identifiers: declared so in the catalogue, or beyond it named `id`/`…Id`/`…Ids`."""
    info = field_info(path)
    if info is not None:
        return info.kind is FieldKind.IDENTIFIER
    leaf = path.rsplit(".", 1)[-1]
    return not path.startswith(METRICS_PREFIX) and (leaf == "id" or leaf.endswith(("Id", "Ids")))


def _default_format(path: str, kind: ColumnKind) -> str | None:
    """"0" for numeric identifier columns (49761, not 49,761); None = the kind's default format."""
    if kind in (ColumnKind.INTEGER, ColumnKind.DECIMAL) and is_identifier(path):
        return _ID_FORMAT
    return None


def _parse_date(text: str, tz: ZoneInfo) -> Any:
    """A date stays a date; a date-time becomes the naive wall time in `tz` (the API speaks UTC)."""
    parsed = _parse_iso(text)
    if not isinstance(parsed, dt.datetime):
        return parsed
    return parsed.astimezone(tz).replace(tzinfo=None)


def _parse_calendar_date(text: str) -> Any:
    """A date, or a date-time standing for one, as its UTC calendar date (`...T23:59:59.999Z` stays that day)."""
    parsed = _parse_iso(text)
    return parsed.astimezone(dt.UTC).date() if isinstance(parsed, dt.datetime) else parsed


def _parse_iso(text: str) -> Any:
    """A date, an aware date-time (naive ones are UTC), or `text` itself when it is not a date."""
    try:
        if _DATE_ONLY.match(text):
            return dt.date.fromisoformat(text)
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return text  # not a date after all: keep the API's text rather than guess
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def field_value(record: Mapping[str, Any], path: str) -> Any:
    """The value at dotted `path` in an API record (`creator.creatorId`), or None where the path stops."""
    value: Any = record
    for part in path.split("."):
        if not isinstance(value, dict):  # API records are JSON objects; dict is the cheap check on a hot path
            return None
        value = value.get(part)
    return value


def _added_member(path: str) -> bool:
    """Whether `path` is a member the API added to an object of known shape (`creatorProfile.new`)."""
    parent, _, member = path.rpartition(".")
    return parent in OBJECT_MEMBERS and member not in OBJECT_MEMBERS[parent]


def _expand(path: str, records: Sequence[dict[str, Any]]) -> list[str]:
    """A field holding an object becomes one column per member (`creatorProfile.handleName` ...).

    Members of a known object come from its known shape, then any member the records add; null objects
    contribute nothing, so a run whose records all hold null has the same columns as one that has none.
    """
    members: list[str] = [f"{path}.{key}" for key in OBJECT_MEMBERS.get(path, ())]
    for record in records:
        value = field_value(record, path)
        if isinstance(value, dict):
            for key in value:
                sub = f"{path}.{key}"
                if sub not in members:
                    members.append(sub)
    return members or [path]


def _leaf_paths(record: dict[str, Any], prefix: str = "") -> list[str]:
    out = []
    for key, value in record.items():
        path = prefix + key
        if isinstance(value, dict):  # an empty object has no leaves, so no column of its own
            out += _leaf_paths(value, path + ".")
        else:
            out.append(path)
    return out


def _header(path: str) -> str:
    return path.removeprefix(METRICS_PREFIX)
