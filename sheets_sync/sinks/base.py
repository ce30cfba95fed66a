"""The one interface every sink implements: check a destination before the run, write its tables after the fetch.

A sink receives a destination's name and config, the run's reports routed to it (config order, each a
`sheets_sync.resolved.ResolvedReport`) and a `SinkContext` (the config, the run's clock, each report's
period, the lock folder). `check` runs
before any Reporting API request and raises what would make the write fail anyway (a folder that
cannot be made, an output that is a folder; Excel templates are checked against the reports'
columns by `sheets_sync.validate`, which knows them). `write` never raises for a destination's own trouble: it
returns a `SinkResult` naming what went where, and why each report that was not written there was not.
Each sink logs its own lines (the wording is its business); the orchestrator only applies results.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from sheets_sync.config import Config
    from sheets_sync.report import Table
    from sheets_sync.resolved import ResolvedReport

Period = tuple[dt.date | None, dt.date | None]


class NamedReport(Protocol):
    """What a file name needs of a report, resolved for the run or as configured: its name and its slug."""

    @property
    def name(self) -> str: ...

    @property
    def slug(self) -> str: ...


@dataclass(frozen=True)
class SinkContext:
    """What a sink may know about the run beyond its own destination."""

    config: Config
    now: dt.datetime                                      # the run's clock, in the config's timezone
    periods: Mapping[str, Period] = field(default_factory=dict)  # report name → resolved (start, end)
    lock_dir: Path | None = None                          # where output locks live (None: beside the output)

    @property
    def base_dir(self) -> Path:
        """The folder relative paths of the config are read against."""
        return Path(self.config.base_dir)

    def period(self, report: NamedReport) -> Period:
        """The period `report` covers in this run ((None, None) for an endpoint that takes no dates)."""
        return self.periods.get(report.name, (None, None))


@dataclass(frozen=True)
class ReportTable:
    """One report routed to a destination, with its fetched table (None: the fetch failed, nothing to write)."""

    report: ResolvedReport
    table: Table | None


@dataclass
class SinkResult:
    """What one destination's write did, per report."""

    outputs: dict[str, list[str]] = field(default_factory=dict)   # report → where its table went (as shown)
    rows: dict[str, int] = field(default_factory=dict)            # report → rows written
    warnings: list[str] = field(default_factory=list)             # already logged; for callers that collect them
    failures: dict[str, str] = field(default_factory=dict)        # report → why it was not written here

    def wrote(self, report: str, output: str, rows: int) -> None:
        """Record that `report`'s table went to `output`."""
        self.outputs.setdefault(report, []).append(output)
        self.rows[report] = self.rows.get(report, 0) + rows


class Sink(Protocol):
    """A kind of destination (Excel workbook, CSV files, ...): registered by destination type."""

    def check(self, destination_name: str, destination_config: Any, reports: Sequence[ResolvedReport],
              context: SinkContext) -> None:
        """Raise ConfigError / SinkError if writing `reports` here cannot succeed (before any request is sent)."""

    def write(self, destination_name: str, destination_config: Any, tables: Sequence[ReportTable],
              context: SinkContext) -> SinkResult:
        """Write the tables of this destination; failures are returned in the result, not raised."""
