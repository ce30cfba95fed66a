"""What was sent and what is failing: a small SQLite file in `state_dir` (`delivery.sqlite`).

`sent` has one row per message the SMTP server accepted (Message-ID, destination, run, data digest),
written right after the server said yes and checked before every attempt, so a retry never sends a
message twice. `alerts` holds, per scheduled job, whether it is failing and since when: a failure
alert goes out once, the recovery alert once. SMTP passwords never reach this file.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sheets_sync.errors import DeliveryError

FILE_NAME = "delivery.sqlite"
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS sent (message_id TEXT PRIMARY KEY, destination TEXT NOT NULL, "
    "run_id TEXT NOT NULL, digest TEXT, sent_at TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS sent_by_destination ON sent (destination, sent_at)",
    "CREATE TABLE IF NOT EXISTS alerts (job TEXT PRIMARY KEY, failing INTEGER NOT NULL, since TEXT, "
    "error TEXT, updated_at TEXT NOT NULL)",
)


@dataclass(frozen=True)
class AlertState:
    """Whether a job is failing (an alert was sent for it) and since when."""

    failing: bool
    since: dt.datetime | None = None


class SentLog:
    """The delivery state of one `state_dir`."""

    def __init__(self, state_dir: Path) -> None:
        self.path = Path(state_dir) / FILE_NAME

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self.path, timeout=30)
        except (OSError, sqlite3.Error) as exc:
            raise DeliveryError(f"cannot open the delivery state {self.path}: {exc}") from None
        try:
            with connection:  # one transaction: committed on success, rolled back on error
                for statement in _SCHEMA:
                    connection.execute(statement)
                yield connection
        except sqlite3.Error as exc:
            raise DeliveryError(f"cannot use the delivery state {self.path}: {exc}") from None
        finally:
            connection.close()

    def was_sent(self, message_id: str) -> bool:
        """True when the server already accepted the message with this Message-ID."""
        with self._connect() as db:
            return db.execute("SELECT 1 FROM sent WHERE message_id = ?", (message_id,)).fetchone() is not None

    def last_digest(self, destination: str) -> str | None:
        """The data digest of the last message sent for `destination`, or None (never sent)."""
        with self._connect() as db:
            row = db.execute("SELECT digest FROM sent WHERE destination = ? ORDER BY sent_at DESC, rowid DESC "
                             "LIMIT 1", (destination,)).fetchone()
        return None if row is None else str(row[0])

    def record_sent(self, message_id: str, destination: str, run_id: str, digest: str, when: dt.datetime) -> None:
        """Remember that the server accepted `message_id`."""
        with self._connect() as db:
            db.execute("INSERT OR IGNORE INTO sent (message_id, destination, run_id, digest, sent_at) "
                       "VALUES (?, ?, ?, ?, ?)", (message_id, destination, run_id, digest, _text(when)))

    def alert_state(self, job: str) -> AlertState:
        """Whether `job` is currently failing (as far as alerts are concerned)."""
        with self._connect() as db:
            row = db.execute("SELECT failing, since FROM alerts WHERE job = ?", (job,)).fetchone()
        if row is None:
            return AlertState(failing=False)
        return AlertState(failing=bool(row[0]), since=dt.datetime.fromisoformat(row[1]) if row[1] else None)

    def set_alert_state(self, job: str, state: AlertState, error: str | None, when: dt.datetime) -> None:
        """Store `job`'s state after an alert was sent (or a failure first seen)."""
        with self._connect() as db:
            db.execute("INSERT INTO alerts (job, failing, since, error, updated_at) VALUES (?, ?, ?, ?, ?) "
                       "ON CONFLICT (job) DO UPDATE SET failing = excluded.failing, since = excluded.since, "
                       "error = excluded.error, updated_at = excluded.updated_at",
                       (job, int(state.failing), _text(state.since) if state.since else None, error, _text(when)))


def _text(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).isoformat()
