"""Emails a destination's workbook once per run, after it was written: decide, build, send, remember.

One message per run and destination: its Message-ID is fixed by the run id and the destination,
checked against the sent log before every attempt and recorded right after the server accepted
it. A lock per destination (in `state_dir/locks`) orders two runs that finish at once, so each sends
its own message and `send_when: changed` compares against the one sent just before.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

import filelock

from sheets_sync.config.destinations import EmailConfig
from sheets_sync.delivery.digest import data_digest
from sheets_sync.delivery.message import Envelope, message_id, render_subject, summarise, workbook_message
from sheets_sync.delivery.sent_log import SentLog
from sheets_sync.delivery.smtp import send
from sheets_sync.errors import DeliveryError
from sheets_sync.redaction import redact
from sheets_sync.report import Table

logger = logging.getLogger(__name__)
LOCK_TIMEOUT_SECONDS = 300  # another run's send (with its retries) finishes well within this


@dataclass(frozen=True)
class WorkbookEmail:
    """One destination's email for one run: what to send and where the state lives."""

    destination: str
    email: EmailConfig
    workbook: Path
    tabs: Sequence[tuple[str, Table]]   # (tab name, table) for each report of this run, config order
    run_id: str
    now: dt.datetime                    # the run's clock, in the config's time zone
    state_dir: Path
    base_dir: Path                      # relative smtp.ca_file paths resolve against it
    report_slug: str = ""               # {report} in the subject: the destination's first report


@dataclass(frozen=True)
class Delivered:
    """What happened: sent, or why not (send_when, or an earlier attempt of this run got it through)."""

    sent: bool
    note: str


def sender_of(email_config: EmailConfig) -> str:
    """`from`, else the SMTP login name (config checks make sure one of them is set)."""
    return email_config.sender or email_config.smtp.username or ""


def deliver_workbook(job: WorkbookEmail, *, sleep: Callable[[float], None] | None = None) -> Delivered:
    """Send the workbook email of `job` unless `send_when` says not to (`sleep` waits between attempts).

    Raises:
        DeliveryError: the message could not be sent (the workbook stays written).
    """
    email_config = job.email
    sender = sender_of(email_config)
    digest = data_digest(job.tabs)
    log = SentLog(job.state_dir)
    ident = message_id(job.run_id, job.destination, sender.rpartition("@")[2])
    lock_name = "email-" + hashlib.sha256(job.destination.encode("utf-8")).hexdigest()[:16] + ".lock"
    lock_dir = job.state_dir / "locks"
    try:
        lock_dir.mkdir(parents=True, exist_ok=True)
        lock = filelock.FileLock(str(lock_dir / lock_name), timeout=LOCK_TIMEOUT_SECONDS)
        lock.acquire()
    except filelock.Timeout:
        raise DeliveryError(f"email for destination {job.destination!r}: another run kept sending for over "
                            f"{LOCK_TIMEOUT_SECONDS} s") from None
    except OSError as exc:
        raise DeliveryError(f"email for destination {job.destination!r}: cannot lock in {lock_dir}: "
                            f"{exc.strerror or exc}") from None
    try:
        skip = _skip_reason(email_config, job, log, digest)
        if skip:
            return Delivered(sent=False, note=f"email for destination {job.destination!r} not sent: {skip}")
        message = _build(job, sender, ident)
        ca_file = email_config.smtp.ca_file
        if ca_file is not None and not ca_file.is_absolute():
            ca_file = job.base_dir / ca_file
        recipients = [*email_config.to, *email_config.cc]
        sent = send(message, email_config.smtp, recipients, sender=sender, ca_file=ca_file,
                    already_sent=lambda: log.was_sent(ident), sleep=sleep)
        if sent:
            log.record_sent(ident, job.destination, job.run_id, digest, dt.datetime.now(dt.UTC))
            logger.info("emailed %s to %d recipient(s) (destination %r)", job.workbook.name, len(recipients),
                        job.destination)
            return Delivered(sent=True, note="")
        return Delivered(sent=False, note=f"email for destination {job.destination!r} was already sent by this run")
    except DeliveryError as exc:
        raise DeliveryError(redact(f"email for destination {job.destination!r} not sent: {exc.message}")) from None
    finally:
        lock.release()


def _skip_reason(email_config: EmailConfig, job: WorkbookEmail, log: SentLog, digest: str) -> str | None:
    if email_config.send_when == "has_rows" and not any(_rows(table) for _, table in job.tabs):
        return "no report has rows (send_when: has_rows)"
    if email_config.send_when == "changed" and log.last_digest(job.destination) == digest:
        return "the data is the same as in the last email (send_when: changed)"
    return None


def _rows(table: Table) -> int:
    rows = table.rows
    return len(rows) if isinstance(rows, list) else 0


def _build(job: WorkbookEmail, sender: str, ident: str) -> EmailMessage:
    tabs = [summarise(name, table) for name, table in job.tabs]
    first = next((t for t in tabs if t.start_date is not None), None)
    subject = render_subject(job.email.subject, {
        "report": job.report_slug, "destination": job.destination, "run_date": job.now.date(),
        "start_date": first.start_date if first else None, "end_date": first.end_date if first else None})
    envelope = Envelope(sender=sender, to=tuple(job.email.to), cc=tuple(job.email.cc), subject=subject,
                        message_id=ident, date=job.now)
    intro = (f"{job.workbook.name} was refreshed on {job.now:%Y-%m-%d %H:%M} ({job.now.tzname()}): "
             f"{len(tabs)} tab{'s' if len(tabs) != 1 else ''} below.")
    try:
        workbook = job.workbook.read_bytes()
    except OSError as exc:
        raise DeliveryError(f"cannot read {job.workbook}: {exc.strerror or exc}") from None
    return workbook_message(envelope, intro, tabs, job.workbook.name, workbook)
