"""Config value types for "when": date ranges (preset, last N, fixed) and schedules (cron or every)."""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Discriminator, Field, Tag, model_validator
from pydantic_core import PydanticCustomError

from sheets_sync.catalogue import DATE_BASIS_ALIASES, DATE_BASIS_VALUES
from sheets_sync.config.fields import Flag, StrictModel, Text, WholeNumber, choice, to_date
from sheets_sync.config.yamlread import Ambiguous
from sheets_sync.dates import PRESETS, UNITS, parse_iso_date, range_problem

_EVERY = re.compile(r"([1-9][0-9]*)(m|h|d)")
_EVERY_SECONDS = {"m": 60, "h": 3600, "d": 86400}

if TYPE_CHECKING:
    Unit = str  # for the type checker a choice is text; at run time it also checks the value and lists the choices
else:
    Unit = choice(UNITS, "unit")

# Far enough for any range the API's two-year cap allows (which the checks then apply exactly),
# near enough that resolving `last` can never leave the calendar (year 1 to 9999).
MAX_LAST = {"days": 1000, "weeks": 143, "months": 33}


class LastPeriodConfig(StrictModel):
    """`{last: N, unit: days|weeks|months, include_today: false}`."""

    last: Annotated[WholeNumber, Field(ge=1, description="How many units (at most two years' worth).")]
    unit: Annotated[Unit, Field(description="days, weeks (ISO) or months.")] = "days"
    include_today: Annotated[Flag, Field(description="End today instead of at the last complete unit.")] = False

    @model_validator(mode="after")
    def _bounded(self) -> LastPeriodConfig:
        cap = MAX_LAST.get(self.unit)
        if cap is not None and self.last > cap:
            raise PydanticCustomError(
                "last_too_long", "{last} {unit} is longer than the API's two-year limit allows",
                {"last": self.last, "unit": self.unit})
        return self


def _calendar_date(value: Any) -> dt.date:
    """A quote-free or quoted `2025-01-31`; a date that does not exist (`2026-02-30`) is named as such."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and not isinstance(value, Ambiguous):
        try:
            return parse_iso_date(value)
        except ValueError as exc:
            raise PydanticCustomError("date", "{reason}", {"reason": str(exc)}) from None
    return to_date(value)  # its message for what is not text at all


CalendarDate = Annotated[dt.date, BeforeValidator(_calendar_date)]


class FixedRangeConfig(StrictModel):
    """`{start: YYYY-MM-DD, end: YYYY-MM-DD}`, both inclusive."""

    start: Annotated[CalendarDate, Field(description="First day, inclusive.")]
    end: Annotated[CalendarDate, Field(description="Last day, inclusive.")]

    @model_validator(mode="after")
    def _within_api_limits(self) -> FixedRangeConfig:
        problem = range_problem(self.start, self.end)
        if problem:
            raise PydanticCustomError("date_range", problem)
        return self


def _range_kind(value: Any) -> str | None:
    if isinstance(value, str):
        return "preset"
    if isinstance(value, dict):
        if "last" in value:
            return "last"
        return "fixed" if "start" in value or "end" in value else None
    if isinstance(value, (LastPeriodConfig, FixedRangeConfig)):
        return "last" if isinstance(value, LastPeriodConfig) else "fixed"
    return None


if TYPE_CHECKING:
    Preset = str  # for the type checker a choice is text; at run time it also checks the value and lists the choices
else:
    Preset = choice(PRESETS, "date range")

DateRangeSpec = Annotated[
    Annotated[Preset, Tag("preset")] | Annotated[LastPeriodConfig, Tag("last")]
    | Annotated[FixedRangeConfig, Tag("fixed")],
    Discriminator(_range_kind, custom_error_type="date_range_form",
                  custom_error_message="expected a preset such as last_30_days, {last: N, unit: days}, "
                                       "or {start: YYYY-MM-DD, end: YYYY-MM-DD}"),
]


def _check_cron(expr: str) -> str:
    fields = expr.split()
    if len(fields) != 5:
        raise PydanticCustomError(
            "cron", "a cron expression has 5 fields (minute hour day month weekday); this one has {count}",
            {"count": len(fields)})
    from apscheduler.triggers.cron import CronTrigger  # lazily: APScheduler is slow to import

    try:
        trigger = CronTrigger.from_crontab(expr, timezone="UTC")
    except ValueError as exc:
        raise PydanticCustomError("cron", "invalid cron expression: {error}", {"error": str(exc)}) from None
    if not _fires_within(trigger, CRON_HORIZON_YEARS):
        raise PydanticCustomError("cron", "this cron expression never fires: no date in the next {years} years matches "
                                  "it (like 31 February)", {"years": CRON_HORIZON_YEARS})
    return " ".join(fields)


CRON_HORIZON_YEARS = 5


def _fires_within(trigger: Any, years: int) -> bool:
    """Whether `trigger` has a fire time in the next `years` years (bounded work: the trigger's end date)."""
    now = dt.datetime.now(dt.UTC)
    bounded = type(trigger)(**{**_cron_fields(trigger), "timezone": dt.UTC,
                               "start_date": now, "end_date": now + dt.timedelta(days=366 * years)})
    return bounded.get_next_fire_time(None, now) is not None


def _cron_fields(trigger: Any) -> dict[str, str]:
    names = ("year", "month", "day", "week", "day_of_week", "hour", "minute", "second")
    return {name: str(field) for name, field in zip(trigger.FIELD_NAMES, trigger.fields, strict=True) if name in names}


class EveryScheduleConfig(StrictModel):
    """`{every: 15m}`: a fixed interval in minutes (m), hours (h) or days (d)."""

    every: Annotated[Text, Field(description="Interval such as 15m, 2h or 1d.", pattern=r"^[1-9][0-9]*(m|h|d)$")]

    @model_validator(mode="before")
    @classmethod
    def _interval_form(cls, data: Any) -> Any:
        if not isinstance(data, dict) or "every" not in data:
            return data
        value = data["every"]
        if not isinstance(value, str) or isinstance(value, Ambiguous) or not _EVERY.fullmatch(value):
            raise PydanticCustomError("every", 'expected an interval such as 15m, 2h or 1d, not "{value}"',
                                      {"value": value})
        return data

    @property
    def interval(self) -> dt.timedelta:
        """The interval as a timedelta."""
        match = _EVERY.fullmatch(self.every)
        assert match is not None  # validated above
        return dt.timedelta(seconds=int(match.group(1)) * _EVERY_SECONDS[match.group(2)])


def _schedule_kind(value: Any) -> str | None:
    if isinstance(value, (str, EveryScheduleConfig)):
        return "every" if isinstance(value, EveryScheduleConfig) else "cron"
    return "every" if isinstance(value, dict) else None


CronText = Annotated[Text, AfterValidator(_check_cron)]

ScheduleSpec = Annotated[
    Annotated[CronText, Tag("cron")] | Annotated[EveryScheduleConfig, Tag("every")],
    Discriminator(_schedule_kind, custom_error_type="schedule_form",
                  custom_error_message='expected a cron expression such as "0 6 * * *" or {every: 15m}'),
]

# Every accepted spelling → the canonical one, from the catalogue's one table; the config is the one place
# a spelling is normalised (the client and the API parameters see only canonical values).
DATE_BASIS_SPELLINGS = {**{value: value for value in DATE_BASIS_VALUES}, **DATE_BASIS_ALIASES}


def _date_basis(value: str) -> str:
    if value not in DATE_BASIS_SPELLINGS:
        from sheets_sync.config.fields import did_you_mean

        raise PydanticCustomError(
            "one_of", 'unknown date basis "{value}"{hint}; expected one of: performance_date, post_date',
            {"value": value, "hint": did_you_mean(value, DATE_BASIS_SPELLINGS)})
    return DATE_BASIS_SPELLINGS[value]


DateBasis = Annotated[Text, AfterValidator(_date_basis)]
