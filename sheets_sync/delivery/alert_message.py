"""Builds failure and recovery alerts (pure): which report, what went wrong, when, and the last good run."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sheets_sync.delivery.message import one_line

WHEN_FORMAT = "%Y-%m-%d %H:%M %Z"


@dataclass(frozen=True)
class Failure:
    """One report that failed in the run being alerted about."""

    report: str
    status: str
    error: str
    at: dt.datetime                       # when the failed run started, in the config's time zone
    last_good: dt.datetime | None         # the report's last successful run, None when it never had one


@dataclass(frozen=True)
class Recovery:
    """One report that ran fine again after failing."""

    report: str
    at: dt.datetime
    failing_since: dt.datetime | None


def _when(value: dt.datetime | None, tz: dt.tzinfo) -> str:
    return value.astimezone(tz).strftime(WHEN_FORMAT).strip() if value else "never"


def failure_subject(prefix: str, config_name: str, failures: Sequence[Failure]) -> str:
    """"[sheets-sync] FAILED: report 'X' (sync.yaml)" or "... FAILED: 3 reports (sync.yaml)"."""
    what = f"report {failures[0].report!r}" if len(failures) == 1 else f"{len(failures)} reports"
    return one_line(f"{prefix} FAILED: {what} ({config_name})")


def recovery_subject(prefix: str, config_name: str, recoveries: Sequence[Recovery]) -> str:
    """"[sheets-sync] RECOVERED: report 'X' (sync.yaml)"."""
    what = f"report {recoveries[0].report!r}" if len(recoveries) == 1 else f"{len(recoveries)} reports"
    return one_line(f"{prefix} RECOVERED: {what} ({config_name})")


def failure_text(config_name: str, run_id: str, failures: Sequence[Failure], tz: dt.tzinfo) -> str:
    """The body of a failure alert: one block per failed report; later failures of it send nothing."""
    lines = [f"A scheduled run of {config_name} failed (run {run_id[:8]}).", ""]
    for failure in failures:
        lines += [f"Report:        {failure.report}",
                  f"Status:        {failure.status}",
                  f"Error:         {one_line(failure.error)}",
                  f"Time:          {_when(failure.at, tz)}",
                  f"Last good run: {_when(failure.last_good, tz)}", ""]
    lines.append("You will get one more message when it runs fine again; further failures send nothing. "
                 "`sheets-sync history` shows every run.")
    return "\n".join(lines) + "\n"


def recovery_text(config_name: str, run_id: str, recoveries: Sequence[Recovery], tz: dt.tzinfo) -> str:
    """The body of a recovery alert."""
    lines = [f"A scheduled run of {config_name} succeeded again (run {run_id[:8]}).", ""]
    for recovery in recoveries:
        lines += [f"Report:        {recovery.report}",
                  f"Recovered at:  {_when(recovery.at, tz)}",
                  f"Failing since: {_when(recovery.failing_since, tz)}", ""]
    return "\n".join(lines) + "\n"

