"""Config model of one report (endpoint, metrics, filters, dates, output) and what the orchestrator asks of it."""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, Field, PrivateAttr, model_validator
from pydantic_core import PydanticCustomError

from sheets_sync.catalogue import (
    CONTENT_TYPES,
    GRANULARITIES,
    PLATFORMS,
    Endpoint,
    get_endpoint,
)
from sheets_sync.config.fields import Flag, Name, OneOrMany, PositiveId, StrictModel, Text, WholeNumber, choice
from sheets_sync.config.modes import Lookback
from sheets_sync.config.ranges import DateBasis, DateRangeSpec, ScheduleSpec

EXCEL_TAB_MAX = 31
_TAB_FORBIDDEN = set('\\/?*[]:')
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def tab_problem(name: str) -> str | None:
    """Why `name` cannot be a sheet name in both Excel and Google Sheets, or None."""
    if not name.strip():
        return "a tab name must not be blank"
    if len(name) > EXCEL_TAB_MAX:
        return f"a tab name may have at most {EXCEL_TAB_MAX} characters (Excel's limit); this one has {len(name)}"
    bad = sorted({c for c in name if c in _TAB_FORBIDDEN})
    if bad:
        return f"a tab name cannot contain {' '.join(bad)} (Excel forbids \\ / ? * [ ] :)"
    if _CONTROL.search(name):
        return "a tab name cannot contain control characters"
    if name.startswith("'") or name.endswith("'"):
        return "a tab name cannot start or end with an apostrophe (')"
    if name.lower() == "history":
        return '"History" is a sheet name Excel reserves'
    return None


def _tab(value: str) -> str:
    problem = tab_problem(value)
    if problem:
        raise PydanticCustomError("tab", problem)
    return value


SLUG_MAX = 80


def slugify(name: str) -> str:
    """A file-name-safe slug: "Campaign ROI" → "campaign-roi", "Café Über" → "café-über", "日本" → "日本".

    NFC-normalised; Unicode letters and digits are kept (lower-cased), every run of anything else
    (path separators, dots, control characters, spaces, punctuation) becomes one "-", so a slug
    never holds a folder, `..` or a leading dot. At most `SLUG_MAX` characters; "report" when empty.
    """
    text = unicodedata.normalize("NFC", name).lower()
    slug = "".join(c if c.isalnum() or unicodedata.category(c).startswith("M") else "-" for c in text)
    slug = re.sub(r"-{2,}", "-", slug).strip("-")[:SLUG_MAX].rstrip("-")
    return unicodedata.normalize("NFC", slug) or "report"


TabName = Annotated[Text, AfterValidator(_tab)]
if TYPE_CHECKING:
    # What the type checker sees: a choice is text; at run time it also checks the value and lists the choices.
    Platform = str
    ContentType = str
    Granularity = str
else:
    Platform = choice(PLATFORMS, "platform")
    ContentType = choice(CONTENT_TYPES, "content type")
    Granularity = choice(GRANULARITIES, "granularity")


def _upper(value: Any) -> Any:
    return value.upper() if isinstance(value, str) and value.lower() in ("asc", "desc") else value


class FiltersConfig(StrictModel):
    """Which rows the API returns; omitted filters select everything the credentials reach."""

    instance_ids: Annotated[OneOrMany[Name] | None,
                            Field(description="Instance ids (e.g. instance_abc); default: all.")] = None
    campaign_ids: Annotated[OneOrMany[PositiveId] | None,
                            Field(description="Campaign ids (numbers), at most 50.")] = None
    platform: Annotated[OneOrMany[Platform] | None,
                        Field(description="Platforms; not together with content_type.")] = None
    content_type: Annotated[OneOrMany[ContentType] | None,
                            Field(description="Content types; not together with platform.")] = None


class SortConfig(StrictModel):
    """Server-side ordering (only on ranking endpoints)."""

    property: Annotated[Name, Field(description="A sort property of the endpoint (e.g. a metric).")]
    direction: Annotated[Literal["ASC", "DESC"], BeforeValidator(_upper), Field(description="ASC or DESC.")] = "DESC"


class ColumnConfig(StrictModel):
    """One output column: which field, under which header, in which number format."""

    field: Annotated[Name, Field(description="Dotted field path, e.g. campaignName or metrics.impressions.")]
    header: Annotated[Name | None, Field(description="Header text; default: the field without metrics.")] = None
    format: Annotated[Text | None, Field(description='Number format, e.g. "0.00" or "#,##0".')] = None
    extra: Annotated[Flag, Field(description="true for a field the API sends beyond the endpoint catalogue: "
                                             "not checked (other fields must be ones the endpoint returns).")] = False

    @model_validator(mode="before")
    @classmethod
    def _field_only(cls, data: Any) -> Any:
        return {"field": data} if isinstance(data, str) else data

    @property
    def effective_header(self) -> str:
        """The header written in row 1."""
        return self.header if self.header is not None else self.field.removeprefix("metrics.")


# a column may be written as just its field path; the schema says so for editors
ColumnItem = Annotated[ColumnConfig,
                       BeforeValidator(lambda value: value, json_schema_input_type=str | ColumnConfig)]


class ReportConfig(StrictModel):
    """One report: an endpoint with its filters, written to one or more destinations."""

    name: Annotated[Name, Field(description="Unique report name; its slug (lower-case letters and digits of any "
                                         "script, - between words) is the {report} placeholder.")]
    endpoint: Annotated[Name, Field(description="Catalogue endpoint, e.g. campaigns/performance.")]
    metrics: Annotated[OneOrMany[Name] | None,
                       Field(description="Metrics to fetch, in column order.")] = None
    filters: Annotated[FiltersConfig, Field(description="instance_ids, campaign_ids, platform, content_type.")] = \
        FiltersConfig()
    date_range: Annotated[DateRangeSpec | None, Field(description="Default: defaults.date_range.")] = None
    date_basis: Annotated[DateBasis | None, Field(description="performance_date or post_date.")] = None
    granularity: Annotated[Granularity | None,
                           Field(description="day, week, month, quarter or year "
                                             "(time series only; default month).")] = None
    fill_gaps: Annotated[Flag | None, Field(description="Insert empty buckets with zero metrics (time series "
                                                        "only; default true).")] = None
    sort: Annotated[SortConfig | None, Field(description="{property, direction}; ranking endpoints only.")] = None
    max_rows: Annotated[WholeNumber | None, Field(ge=1, description="Stop after this many rows.")] = None
    columns: Annotated[list[ColumnItem] | None, Field(description="Pick, order, rename and format columns.")] = None
    destination: Annotated[OneOrMany[Name] | None,
                           Field(description="Destination name, or a list of names.")] = None
    tab: Annotated[TabName | None, Field(description="Sheet/tab to fill; default: the report name.")] = None
    table: Annotated[Name | None, Field(description="Excel Table to fill on the tab (templates only).")] = None
    mode: Annotated[Literal["replace", "append", "upsert"] | None,
                    Field(description="replace (default): each run writes the fetched rows; append: new "
                                      "periods below the kept ones; upsert: rows updated by key, new keys added "
                                      "(docs/modes.md).")] = None
    key: Annotated[OneOrMany[Name] | None,
                   Field(description="Columns identifying a row, for mode: upsert (each one of the report's "
                                             "columns; a time series defaults to startDate).")] = None
    lookback: Annotated[Lookback | None,
                        Field(description="With append/upsert on a time series: re-fetch this many days (7d) or "
                                          "weeks (2w) before the last fetched period, for restated numbers.")] = None
    compare: Annotated[Literal["previous_period", "previous_year"] | None,
                       Field(description="Add, after each metric, its value in the previous period (same length "
                                         "just before) or the same dates a year earlier, and the change in "
                                         "percent (docs/comparison.md).")] = None
    schedule: Annotated[ScheduleSpec | None, Field(description='Cron ("0 6 * * *") or {every: 15m}.')] = None

    # The catalogue entry, set once when the config is resolved (config/resolve.py).
    _endpoint: Endpoint | None = PrivateAttr(default=None)

    # --- what a run asks of a report (sheets_sync/resolved.py builds the run's view from these) ---

    @property
    def slug(self) -> str:
        """The report name as a file-name-safe slug."""
        return slugify(self.name)

    @property
    def destinations(self) -> tuple[str, ...]:
        """Names of the destinations this report writes to."""
        return tuple(self.destination or ())

    @property
    def endpoint_info(self) -> Endpoint:
        """The catalogue entry of `endpoint`: the one resolved at load, else looked up (LookupError if unknown)."""
        if self._endpoint is not None:
            return self._endpoint
        found = get_endpoint(self.endpoint)
        if found is None:
            raise LookupError(f"unknown endpoint {self.endpoint!r}")
        return found
