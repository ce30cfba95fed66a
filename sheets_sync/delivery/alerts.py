"""Failure alerts after a scheduled run: one message when a report starts failing, one when it recovers.

The scheduler calls `send_run_alerts(cfg, summary, history=...)` after each scheduled run. Whether a
report is "currently failing" is kept per report in `state_dir/delivery.sqlite`, so a report that
fails run after run (or is retried) alerts once, and its first good run sends one recovery message.
The state changes only after the alert was sent: an alert the server refused is tried again after
the next run. A run that was interrupted or only a dry run says nothing either way.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol
from zoneinfo import ZoneInfo

import filelock

from sheets_sync.delivery.alert_message import (
    Failure,
    Recovery,
    failure_subject,
    failure_text,
    recovery_subject,
    recovery_text,
)
from sheets_sync.delivery.message import Envelope, base_message, message_id
from sheets_sync.delivery.sent_log import AlertState, SentLog
from sheets_sync.delivery.smtp import send
from sheets_sync.errors import DeliveryError, SheetsSyncError
from sheets_sync.redaction import redact

if TYPE_CHECKING:
    from sheets_sync.config import Config
    from sheets_sync.config.destinations import AlertsConfig

logger = logging.getLogger(__name__)
FAILING_STATUSES = frozenset({"failed", "partial"})
GOOD_STATUS = "ok"
HISTORY_LOOKBACK = 500  # history rows searched for a report's last good run
DEFAULT_STATE_DIR = ".sheets-sync"


class Outcome(Protocol):
    """What alerts read of one report's outcome (`sheets_sync.orchestrator.ReportOutcome`)."""

    report: str
    status: str
    error: str | None
    started_at: dt.datetime


class Summary(Protocol):
    """What alerts read of a run (`sheets_sync.orchestrator.RunSummary`)."""

    run_id: str
    dry_run: bool

    @property
    def outcomes(self) -> Sequence[Outcome]: ...


class Record(Protocol):
    """What alerts read of a history row (`sheets_sync.history.RunRecord`)."""

    @property
    def run_id(self) -> str: ...

    @property
    def report(self) -> str: ...

    @property
    def status(self) -> str: ...

    @property
    def started_at(self) -> dt.datetime: ...


class History(Protocol):
    """The run history (`sheets_sync.history.RunHistory`): its most recent rows, newest first."""

    def recent(self, limit: int = ...) -> Sequence[Record]: ...


@dataclass
class AlertsSent:
    """What `send_run_alerts` did: reports alerted as failing, as recovered, and an error if a send failed."""

    failed: list[str] = field(default_factory=list)
    recovered: list[str] = field(default_factory=list)
    error: str | None = None


def state_dir_of(cfg: Config) -> Path:
    """`state_dir` (default .sheets-sync/ beside the config file), where the alert state lives."""
    given = Path(cfg.state_dir or DEFAULT_STATE_DIR)
    return given if given.is_absolute() else Path(cfg.base_dir) / given


def send_run_alerts(cfg: Config, summary: Summary, *, history: History | None,
                    sleep: Callable[[float], None] | None = None) -> AlertsSent:
    """After a scheduled run: alert once for reports that started failing, once for those that recovered.

    Never raises for a send or state problem (the scheduler must go on): it is logged and returned.
    """
    done = AlertsSent()
    alerts = cfg.alerts
    if alerts is None or summary.dry_run:
        return done
    state_dir = state_dir_of(cfg)
    log = SentLog(state_dir)
    tz = ZoneInfo(str(cfg.timezone))
    config_name = cfg.source.name if cfg.source else "config"
    source = str(cfg.source.resolve()) if cfg.source else config_name
    try:
        with _alerts_lock(state_dir):
            failures, recoveries = _changes(log, summary, history, tz, source)
            sender = alerts.sender or alerts.smtp.username or ""
            domain = sender.rpartition("@")[2]
            now = dt.datetime.now(tz)

            def announce(kind: str, subject: str, text: str) -> None:
                envelope = Envelope(sender, tuple(alerts.to), tuple(alerts.cc), subject,
                                    message_id(summary.run_id, kind, domain), now)
                _send(alerts, cfg.base_dir, log, summary.run_id, envelope, text, sleep)

            if failures:
                announce("alert-failed", failure_subject(alerts.subject_prefix, config_name, failures),
                         failure_text(config_name, summary.run_id, failures, tz))
                for failure in failures:
                    log.set_alert_state(_job(source, failure.report), AlertState(True, failure.at), failure.error, now)
                done.failed = [f.report for f in failures]
            if recoveries:
                announce("alert-recovered", recovery_subject(alerts.subject_prefix, config_name, recoveries),
                         recovery_text(config_name, summary.run_id, recoveries, tz))
                for recovery in recoveries:
                    log.set_alert_state(_job(source, recovery.report), AlertState(False), None, now)
                done.recovered = [r.report for r in recoveries]
    except SheetsSyncError as exc:
        done.error = redact(f"alert not sent: {exc.message}")
        logger.error("%s", done.error)
    return done


def _job(source: str, report: str) -> str:
    """The alert state's key: configs beside each other share a state_dir, and may share report names."""
    return f"{source}::{report}"


def _alerts_lock(state_dir: Path) -> filelock.FileLock:
    locks = state_dir / "locks"
    try:
        locks.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DeliveryError(f"cannot create {locks}: {exc.strerror or exc}") from None
    return filelock.FileLock(str(locks / "alerts.lock"), timeout=300)


def _changes(log: SentLog, summary: Summary, history: History | None, tz: dt.tzinfo,
             summary_source: str) -> tuple[list[Failure], list[Recovery]]:
    """Reports that started failing with this run, and reports that ran fine after failing."""
    failures: list[Failure] = []
    recoveries: list[Recovery] = []
    records: Sequence[Record] | None = None
    for outcome in summary.outcomes:
        state = log.alert_state(_job(summary_source, outcome.report))
        if outcome.status in FAILING_STATUSES and not state.failing:
            if records is None:
                records = _recent(history)
            last_good = next((r.started_at for r in records if r.report == outcome.report
                              and r.status == GOOD_STATUS and r.run_id != summary.run_id), None)
            failures.append(Failure(outcome.report, outcome.status, outcome.error or "unknown error",
                                    outcome.started_at.astimezone(tz), last_good))
        elif outcome.status == GOOD_STATUS and state.failing:
            recoveries.append(Recovery(outcome.report, outcome.started_at.astimezone(tz), state.since))
    return failures, recoveries


def _recent(history: History | None) -> Sequence[Record]:
    if history is None:
        return []
    try:
        return history.recent(HISTORY_LOOKBACK)
    except SheetsSyncError as exc:
        logger.warning("alert: cannot read the run history for the last good run: %s", exc.message)
        return []


def _send(alerts: AlertsConfig, base_dir: Path, log: SentLog, run_id: str, envelope: Envelope, text: str,
          sleep: Callable[[float], None] | None) -> None:
    """Send one alert unless the sent log already has it (the same run alerted twice)."""
    ca_file = alerts.smtp.ca_file
    if ca_file is not None and not ca_file.is_absolute():
        ca_file = Path(base_dir) / ca_file
    message = base_message(envelope, text)
    ident = envelope.message_id
    if send(message, alerts.smtp, envelope.recipients, sender=envelope.sender, ca_file=ca_file,
            already_sent=lambda: log.was_sent(ident), sleep=sleep):
        log.record_sent(ident, "alerts", run_id, "", dt.datetime.now(dt.UTC))
        logger.info("alert sent to %d recipient(s): %s", len(envelope.recipients), envelope.subject)
