"""The config file's root model (`Config`) with its `api` and `defaults` sections; re-exports the other models."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, PrivateAttr
from pydantic_core import PydanticCustomError

from sheets_sync.config.destinations import (
    AlertsConfig,
    CsvDestinationConfig,
    Destination,
    EmailConfig,
    ExcelDestinationConfig,
    GoogleSheetsDestinationConfig,
    SmtpConfig,
)
from sheets_sync.config.fields import (
    FilePath,
    Name,
    Number,
    OneOrMany,
    PositiveId,
    Secret,
    StrictModel,
    Text,
    WholeNumber,
    did_you_mean,
)
from sheets_sync.config.ranges import (
    DateBasis,
    DateRangeSpec,
    EveryScheduleConfig,
    FixedRangeConfig,
    LastPeriodConfig,
    ScheduleSpec,
)
from sheets_sync.config.reports import ColumnConfig, ContentType, FiltersConfig, Platform, ReportConfig, SortConfig
from sheets_sync.errors import ConfigProblem
from sheets_sync.origin import parse_base_url

DEFAULT_BASE_URL = "https://reporting.api.later.com"
DEFAULT_STATE_DIR = ".sheets-sync"


def _time_zone(value: str) -> str:
    from zoneinfo import ZoneInfo, available_timezones

    try:
        ZoneInfo(value)
    except (ValueError, KeyError, OSError):
        hint = did_you_mean(value, available_timezones())
        raise PydanticCustomError("timezone", 'unknown time zone "{value}"{hint}; use an IANA name such as '
                                  "Europe/London or UTC", {"value": value, "hint": hint}) from None
    return value


def _base_url(value: str) -> str:
    try:
        parse_base_url(value)  # the same rule the API client enforces
    except ValueError as exc:
        error = str(exc).removeprefix("api.base_url ")  # the key is already in the problem's path
        raise PydanticCustomError("base_url", "{error}", {"error": error}) from None
    return value.rstrip("/")


TimeZone = Annotated[Text, AfterValidator(_time_zone)]


class ApiConfig(StrictModel):
    """How to reach the Later Influence Reporting API."""

    base_url: Annotated[Text, AfterValidator(_base_url),
                        Field(description="API origin; the Help Center's v2 host by default.")] = DEFAULT_BASE_URL
    version: Annotated[Literal["v2", "v1"],
                       Field(description="v2 (default) or v1 (legacy api.mavrck.co routes).")] = "v2"
    client_id: Annotated[Text | None, Field(description="Client id; default: $LATER_CLIENT_ID.")] = None
    client_secret: Annotated[Secret | None, Field(description="Client secret; must be ${VARIABLE}; "
                                                              "default: $LATER_CLIENT_SECRET.")] = None
    pagination: Annotated[Literal["auto", "page", "cursor"], Field(description="auto, page or cursor.")] = "auto"
    page_size: Annotated[WholeNumber, Field(ge=1, le=100, description="Rows per page (1-100).")] = 100
    max_concurrency: Annotated[WholeNumber, Field(ge=1, le=32, description="Parallel page fetches.")] = 4
    requests_per_minute: Annotated[WholeNumber, Field(ge=1, description="Client-side request budget shared by "
                                                                        "all reports; above 120 warns.")] = 120
    timeout_seconds: Annotated[Number, Field(gt=0, le=600, description="Per-request timeout.")] = 30


class DefaultsConfig(StrictModel):
    """Values every report inherits unless it sets its own."""

    instance_ids: Annotated[OneOrMany[Name] | None,
                            Field(description="Instance ids; omit for every instance the credentials reach.")] = None
    campaign_ids: Annotated[OneOrMany[PositiveId] | None,
                            Field(description="Campaign ids (at most 50).")] = None
    platform: Annotated[OneOrMany[Platform] | None, Field(description="Platforms.")] = None
    content_type: Annotated[OneOrMany[ContentType] | None,
                            Field(description="Content types.")] = None
    date_range: Annotated[DateRangeSpec | None, Field(description="Date range of every report.")] = None
    date_basis: Annotated[DateBasis | None, Field(description="performance_date (default) or post_date.")] = None
    destination: Annotated[OneOrMany[Name] | None,
                           Field(description="Destination name(s) of reports that name none.")] = None
    schedule: Annotated[ScheduleSpec | None, Field(description="Schedule of reports that have none.")] = None


class Config(StrictModel):
    """A sheets-sync config file."""

    timezone: Annotated[TimeZone, Field(description="IANA time zone for schedules and relative dates.")] = "UTC"
    api: Annotated[ApiConfig, Field(description="How to reach the Reporting API.")] = ApiConfig()
    defaults: Annotated[DefaultsConfig, Field(description="Values every report inherits.")] = DefaultsConfig()
    # pydantic copies a field's default for each instance; ruff's RUF012 only recognises direct BaseModel subclasses
    destinations: Annotated[
        dict[str, Destination], Field(description="Named outputs reports write to.")
    ] = {}  # noqa: RUF012 - pydantic copies the default per instance
    reports: Annotated[
        list[ReportConfig], Field(description="The reports to sync.")
    ] = []  # noqa: RUF012 - pydantic copies the default per instance
    state_dir: Annotated[FilePath | None, Field(description="Run history, scheduler jobs and locks; "
                                                            "default .sheets-sync/ beside the config file.")] = None
    state_url: Annotated[Text | None, Field(description="SQLAlchemy URL for history and jobs "
                                                        "(default: SQLite in state_dir).")] = None
    alerts: Annotated[AlertsConfig | None, Field(description="Email when a scheduled run fails, and once more "
                                                             "when it recovers.")] = None

    _source: Path | None = PrivateAttr(default=None)
    _marks: dict[tuple[str | int, ...], tuple[int, int]] = PrivateAttr(default_factory=dict)
    _warnings: tuple[ConfigProblem, ...] = PrivateAttr(default=())
    _written: dict[tuple[str | int, ...], str] = PrivateAttr(default_factory=dict)

    @property
    def source(self) -> Path | None:
        """The config file this was loaded from."""
        return self._source

    @property
    def base_dir(self) -> Path:
        """The folder relative paths in the config resolve against."""
        return self._source.parent if self._source is not None else Path.cwd()

    @property
    def warnings(self) -> tuple[ConfigProblem, ...]:
        """Things worth saying that do not stop a run (e.g. requests_per_minute above 120)."""
        return self._warnings

    def location(self, path: tuple[str | int, ...]) -> tuple[int, int]:
        """(line, column) of a key path such as ("reports", 0, "tab"), or of its nearest ancestor."""
        while path and path not in self._marks:
            path = path[:-1]
        return self._marks.get(path, (1, 1))

    def as_written(self, path: tuple[str | int, ...]) -> str | None:
        """A path value (template, output, ...) as the file gives it (after ${VAR}), before it was made absolute."""
        return self._written.get(path)

    def written_paths(self) -> dict[tuple[str | int, ...], str]:
        """Every destination path value (template, output, credentials) as written, by key path."""
        return dict(self._written)

    def report(self, name: str) -> ReportConfig:
        """The report called `name`."""
        for report in self.reports:
            if report.name == name:
                return report
        raise KeyError(name)

    def reports_for(self, destination: str) -> list[ReportConfig]:
        """Reports writing to `destination`, in config order."""
        return [r for r in self.reports if destination in r.destinations]


__all__ = [
    "AlertsConfig", "ApiConfig", "ColumnConfig", "Config", "CsvDestinationConfig", "DefaultsConfig", "Destination",
    "EmailConfig",
    "EveryScheduleConfig", "ExcelDestinationConfig", "FiltersConfig", "FixedRangeConfig",
    "GoogleSheetsDestinationConfig", "LastPeriodConfig", "ReportConfig", "SmtpConfig", "SortConfig",
]

