"""One workbook, one name: which report's period names an output that several reports fill.

An output shared by several reports (a workbook, or a CSV destination written to one file) takes
the report slug and the period of the FIRST report of its destination in config order that covers a
period, whichever reports a run selects. So `run --report X` refreshes the file the full run wrote,
and a period in the name (`{end_date:%Y-%m}`) is the same for every tab. When the reports of such a
destination resolve different periods the name cannot be true for all of them: `period_conflict`
says so (a validate warning). Pure logic: periods are resolved by the caller or by `report_period`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING

from sheets_sync import dates
from sheets_sync.errors import SheetsSyncError
from sheets_sync.paths import uses_placeholder

if TYPE_CHECKING:
    from sheets_sync.config import Config, ReportConfig

Period = tuple[dt.date | None, dt.date | None]
PERIOD_PLACEHOLDERS = frozenset({"start_date", "end_date"})


def uses_period(template: str) -> bool:
    """True when an output template names the period ({start_date} or {end_date}, with or without a format)."""
    try:
        return uses_placeholder(template, *PERIOD_PLACEHOLDERS)
    except ValueError:  # bad braces: reported by the path checks
        return False


def report_period(report: ReportConfig, timezone: str, now: dt.datetime) -> Period:
    """The period `report` asks the API for at `now`; (None, None) for an endpoint that takes no dates."""
    try:
        endpoint = report.endpoint_info
    except LookupError:  # an unknown endpoint: reported by the config checks
        endpoint = None
    if endpoint is not None and not endpoint.requires_dates:
        return None, None
    start, end = dates.resolve_date_range(report.date_range, timezone, now)
    return start, end


def config_periods(cfg: Config, now: dt.datetime) -> dict[str, Period]:
    """Every report's period at `now` (a report whose range cannot be resolved is left out)."""
    periods: dict[str, Period] = {}
    for report in cfg.reports:
        try:
            periods[report.name] = report_period(report, str(cfg.timezone), now)
        except (SheetsSyncError, ValueError, TypeError, AttributeError):
            continue  # its own config problem, reported where the range is checked
    return periods


def naming_report(members: Sequence[ReportConfig], periods: Mapping[str, Period]) -> ReportConfig:
    """The report that names a shared output: the first of `members` (config order) with a period, else the first."""
    for report in members:
        if periods.get(report.name, (None, None))[1] is not None:
            return report
    return members[0]


def period_conflict(destination: str, output: str, members: Sequence[ReportConfig],
                    periods: Mapping[str, Period]) -> str | None:
    """Why the name of a shared output that shows the period is wrong for some of its reports, or None."""
    if not uses_period(output):
        return None
    dated = [(r.name, periods[r.name]) for r in members if periods.get(r.name, (None, None))[1] is not None]
    if len({period for _, period in dated}) < 2:
        return None
    (first, (start, end)), *_ = dated
    others = [f'"{name}" ({s} to {e})' for name, (s, e) in dated if (s, e) != (start, end)]
    return (f"the reports of destination {destination} resolve different periods, but its output name shows "
            f'one: the file is named after "{first}" ({start} to {end}), not after {", ".join(others)}; '
            "give them the same date_range, or remove {start_date}/{end_date} from output")


def shared_output(destination_type: str, output: str) -> bool:
    """True when every report of the destination writes one file (a workbook, or a CSV output without {report})."""
    if destination_type != "csv":
        return True
    try:
        return not uses_placeholder(output, "report")
    except ValueError:
        return False


def period_conflicts(cfg: Config, now: dt.datetime) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """Each shared output whose name shows a period its reports do not share, as (key path, message): a warning."""
    periods = config_periods(cfg, now)
    for name, destination in cfg.destinations.items():
        output = getattr(destination, "output", None)
        members = cfg.reports_for(name)
        if output is None or len(members) < 2 or not shared_output(destination.type, output):
            continue
        problem = period_conflict(name, output, members, periods)
        if problem:
            yield ("destinations", name, "output"), problem
