"""Query-string parsing and request validation, in the order of docs/decisions.md#validation-order.

Order: unknown parameters → dates → campaignIds → platform XOR contentType → metrics → instanceIds
scope (403) → sortProperty (ANL_00422) → pagination values. Arrays arrive in any of the three
documented encodings: `a=1,2`, `a=1&a=2`, `a[]=1&a[]=2`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from urllib.parse import parse_qsl

from sheets_sync.catalogue import (
    CONTENT_TYPES,
    CURSOR_PARAMS,
    DATE_BASIS_ALIASES,
    DATE_BASIS_VALUES,
    GRANULARITIES,
    LEGACY_PARAM_NAMES,
    MAX_CAMPAIGN_IDS,
    METRIC_CONTENT_TYPES,
    PAGE_NUMBER_MAX,
    PAGE_PARAMS,
    PAGE_SIZE_DEFAULT,
    PAGE_SIZE_MAX,
    PLATFORMS,
    SORT_DIRECTIONS,
    Endpoint,
    content_types_for,
)
from sheets_sync.emulator.problems import Problem, problem

ARRAY_PARAMS = frozenset({"instanceIds", "campaignIds", "platform", "contentType", "platformTypes",
                          "metrics", "reportingGroupIds"})
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DATETIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}(T[0-9:.]+(Z|[+-]\d{2}:?\d{2})?)?$")


def parse_query(query_string: str) -> dict[str, list[str]]:
    """Raw query string → name → values, folding the three array encodings together."""
    out: dict[str, list[str]] = {}
    for key, value in parse_qsl(query_string, keep_blank_values=True):
        name = key[:-2] if key.endswith("[]") else key
        if name in ARRAY_PARAMS:
            out.setdefault(name, []).extend(v for v in value.split(",") if v != "")
        else:
            out.setdefault(name, []).append(value)
    return out


@dataclass(frozen=True)
class Query:
    """A validated request to a data endpoint."""

    endpoint: Endpoint
    start: int | None
    end: int | None
    metrics: tuple[str, ...]
    instance_ids: tuple[str, ...]
    campaign_ids: tuple[int, ...] | None
    content_types: frozenset[str] | None
    date_basis: str
    granularity: str
    sort_property: str | None
    sort_direction: str
    page_number: int
    page_size: int
    cursor: str | None
    restate_days: int = 0          # the last N days before `as_of` are not final yet (EmulatorOptions.restate_days)
    as_of: int | None = None       # the emulator clock's day (ordinal) the values are reported on

    def cache_key(self) -> tuple:
        """Everything that changes the full (unpaginated) result."""
        return (self.endpoint.name, self.start, self.end, self.metrics, self.instance_ids,
                self.campaign_ids, tuple(sorted(self.content_types)) if self.content_types else None,
                self.date_basis, self.granularity, self.sort_property, self.sort_direction, self.restate_days,
                self.as_of)

    def binding(self) -> tuple:
        """What a cursor is bound to: the query plus the page size."""
        return self.cache_key() + (self.page_size,)


def allowed_params(endpoint: Endpoint, generation: str) -> set[str]:
    """Parameters the endpoint accepts in this generation (page or cursor)."""
    names = set(endpoint.params()) - set(CURSOR_PARAMS)
    if endpoint.paginated:
        names |= set(CURSOR_PARAMS if generation == "cursor" else PAGE_PARAMS)
    if endpoint.name == "campaigns" and generation == "cursor":
        names.discard("instanceIds")  # the current roster accepts pagination only
    if "contentType" in names:
        names |= set(LEGACY_PARAM_NAMES)
    return names


def add_years(day: date, years: int) -> date:
    """`day` moved by whole calendar years (29 February → 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


class Validator:
    """Validates one request's parameters for one endpoint and generation."""

    def __init__(self, endpoint: Endpoint, generation: str, bound: tuple[str, ...], *,
                 strict: bool = True, v1: bool = False) -> None:
        self.endpoint = endpoint
        self.generation = generation
        self.bound = bound
        self.strict = strict
        self.v1 = v1

    def fail(self, kind: str, detail: str) -> Problem:
        return problem(kind, detail, self.generation)

    def one(self, params: dict[str, list[str]], name: str) -> str | None:
        values = params.get(name)
        return values[-1] if values else None

    def validate(self, params: dict[str, list[str]], allowed: set[str] | None = None) -> Query:
        """Return the Query, or raise the first Problem in the documented order."""
        ep = self.endpoint
        allowed = allowed if allowed is not None else allowed_params(ep, self.generation)
        if self.strict:
            for name in params:
                if name not in allowed:
                    raise self.fail("validation", f"Unknown query parameter '{name}'.")
        start, end = self._dates(params) if ep.requires_dates else (None, None)
        basis = self._date_basis(params)
        granularity = self._granularity(params)
        campaign_ids = self._campaign_ids(params)
        content_types = self._content_types(params)
        metrics = self._metrics(params, content_types)
        instance_ids = self._instances(params)
        sort_property, sort_direction = self._sort(params, content_types)
        page_number, page_size, cursor = self._paging(params)
        return Query(ep, start, end, metrics, instance_ids, campaign_ids, content_types, basis, granularity,
                     sort_property, sort_direction, page_number, page_size, cursor)

    def _dates(self, params: dict[str, list[str]]) -> tuple[int, int]:
        days = []
        pattern = DATETIME_RE if self.v1 else DATE_RE
        for name in ("startDate", "endDate"):
            raw = self.one(params, name)
            if raw is None or raw == "":
                raise self.fail("validation", f"{name} is required (YYYY-MM-DD).")
            try:
                if not pattern.match(raw):
                    raise ValueError(raw)
                days.append(date.fromisoformat(raw[:10]))
            except ValueError:
                raise self.fail("validation", f"{name} must be a date in YYYY-MM-DD format, got '{raw}'.") from None
        start, end = days
        if end < start:
            raise self.fail("validation", "endDate must be on or after startDate.")
        if end > add_years(start, 2):
            raise self.fail("validation", "Date range exceeds two years.")
        return start.toordinal(), end.toordinal()

    def _date_basis(self, params: dict[str, list[str]]) -> str:
        raw = self.one(params, "dateBasis")
        if raw is None:
            return "performance_date"
        value = DATE_BASIS_ALIASES.get(raw, raw)
        if value not in DATE_BASIS_VALUES:
            raise self.fail("validation", "dateBasis must be one of performance_date, post_date "
                                          f"(performanceDate, postDate also accepted), got '{raw}'.")
        return value

    def _granularity(self, params: dict[str, list[str]]) -> str:
        raw = self.one(params, "granularity")
        if raw is None:
            return "month"
        if raw not in GRANULARITIES:
            raise self.fail("validation", f"granularity must be one of {', '.join(GRANULARITIES)}, got '{raw}'.")
        return raw

    def _campaign_ids(self, params: dict[str, list[str]]) -> tuple[int, ...] | None:
        raw = params.get("campaignIds")
        if not raw:
            return None
        if len(raw) > MAX_CAMPAIGN_IDS:
            raise self.fail("validation", f"Maximum of {MAX_CAMPAIGN_IDS} campaignIds allowed.")
        try:
            return tuple(sorted({int(v) for v in raw}))
        except ValueError:
            raise self.fail("validation", "campaignIds must be numbers.") from None

    def _content_types(self, params: dict[str, list[str]]) -> frozenset[str] | None:
        platform = params.get("platform") or None
        content_type = (params.get("contentType") or []) + (params.get("platformTypes") or []) or None
        if platform and content_type:
            raise self.fail("validation", "platform and contentType cannot be combined; provide one or neither.")
        for name, values, valid in (("platform", platform, PLATFORMS), ("contentType", content_type, CONTENT_TYPES)):
            for v in values or ():
                if v not in valid:
                    raise self.fail("validation", f"Invalid {name} '{v}'. Valid values are: {', '.join(valid)}.")
        return content_types_for(platform, content_type)

    def _metrics(self, params: dict[str, list[str]], content_types: frozenset[str] | None) -> tuple[str, ...]:
        ep = self.endpoint
        if not ep.metrics:
            return ep.fixed_fields
        valid = ep.metrics_for(content_types)
        requested = params.get("metrics") or []
        if not requested:
            if self.generation == "cursor" and not self.v1:
                raise self.fail("validation", f"metrics is required. Valid metrics are: {', '.join(sorted(valid))}.")
            return valid  # the earlier generation returns every metric
        bad = [m for m in requested if m not in valid]
        if bad:
            where = " for the selected platform/contentType" if content_types is not None else ""
            raise self.fail("validation", f"Invalid metrics for {_shown_path(ep.path)}{where}: "
                                          f"{', '.join(bad)}. Valid metrics are: {', '.join(sorted(valid))}.")
        return tuple(dict.fromkeys(requested))

    def _instances(self, params: dict[str, list[str]]) -> tuple[str, ...]:
        raw = params.get("instanceIds")
        if not raw:
            return self.bound
        outside = [i for i in dict.fromkeys(raw) if i not in self.bound]
        if outside:
            raise self.fail("forbidden", f"Access denied to instanceIds: {', '.join(outside)}.")
        return tuple(i for i in self.bound if i in raw)

    def _sort(self, params: dict[str, list[str]], content_types: frozenset[str] | None) -> tuple[str | None, str]:
        ep = self.endpoint
        prop = self.one(params, "sortProperty")
        if prop is not None and ep.sort_properties:
            valid = sorted(p for p in ep.sort_properties if content_types is None
                           or p not in METRIC_CONTENT_TYPES or METRIC_CONTENT_TYPES[p] & content_types)
            if prop not in valid:
                raise self.fail("sort", f"Invalid sortProperty '{prop}' for /{ep.name}. "
                                        f"Valid values are: {', '.join(valid)}")
        direction = (self.one(params, "sortDirection") or "DESC")
        if direction.upper() not in SORT_DIRECTIONS:
            raise self.fail("validation", f"sortDirection must be one of ASC, DESC, got '{direction}'.")
        return prop if ep.sort_properties else None, direction.upper()

    def _paging(self, params: dict[str, list[str]]) -> tuple[int, int, str | None]:
        size_name = "limit" if self.generation == "cursor" and not self.v1 else "pageSize"
        page_size = self._int(params, size_name, PAGE_SIZE_DEFAULT, 1, PAGE_SIZE_MAX)
        page_number = self._int(params, "pageNumber", 1, 1, PAGE_NUMBER_MAX)
        cursor = self.one(params, "nextCursor")
        if cursor in ("", "null"):
            cursor = None
        return page_number, page_size, cursor

    def _int(self, params: dict[str, list[str]], name: str, default: int, low: int, high: int) -> int:
        raw = self.one(params, name)
        if raw is None:
            return default
        try:
            value = int(raw)
        except ValueError:
            raise self.fail("validation", f"{name} must be an integer between {low} and {high}, got '{raw}'.") from None
        if not low <= value <= high:
            raise self.fail("validation", f"{name} must be an integer between {low} and {high}, got '{raw}'.")
        return value


def _shown_path(path: str) -> str:
    """The route as error details name it: `/campaigns/performance` for v2, `/v1/reporting/...` for v1."""
    return "/" + path.lstrip("/").removeprefix("v2/")
