"""The scheduler's row in its store: who holds it (one scheduler per store), its heartbeat and what it runs.

A second scheduler on the same store would run every job twice, so the first one to start holds a lock
row and refreshes its heartbeat every few seconds; another one refuses to start while that heartbeat is
fresh. A heartbeat older than `STALE_AFTER` belongs to a scheduler that died (kill -9, a crashed host):
the next one takes the row over. `status` reads the same row.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError

from sheets_sync.errors import SheetsSyncError

JOBS_FILE = "scheduler.sqlite"
HEARTBEAT_EVERY = dt.timedelta(seconds=5)
STALE_AFTER = dt.timedelta(seconds=30)
_ROW = "scheduler"

_metadata = sa.MetaData()
state_table = sa.Table(
    "sheets_sync_scheduler", _metadata,
    sa.Column("name", sa.String(32), primary_key=True),
    sa.Column("owner", sa.String(64), nullable=False),   # a random id per scheduler process
    sa.Column("pid", sa.Integer, nullable=False),
    sa.Column("host", sa.String(200), nullable=False),
    sa.Column("config", sa.Text, nullable=False),
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("running_job", sa.String(200), nullable=True),
    sa.Column("running_since", sa.DateTime(timezone=True), nullable=True),
    sa.Column("next_runs", sa.Text, nullable=False, default="[]"),  # JSON [[job id, ISO time], ...]
    sa.Column("stopped_at", sa.DateTime(timezone=True), nullable=True),
)


class SchedulerBusyError(SheetsSyncError):
    """Another scheduler holds the store (its heartbeat is fresh)."""


class SchedulerStoreError(SheetsSyncError):
    """The scheduler's store could not be opened, read or written."""


@dataclass(frozen=True)
class SchedulerState:
    """The scheduler row as `status` shows it."""

    owner: str
    pid: int
    host: str
    config: str
    started_at: dt.datetime
    heartbeat_at: dt.datetime
    running_job: str | None
    running_since: dt.datetime | None
    next_runs: list[tuple[str, str]]
    stopped_at: dt.datetime | None

    def alive(self, now: dt.datetime) -> bool:
        """Whether a scheduler is holding the store now (not stopped, heartbeat fresh)."""
        return self.stopped_at is None and now - self.heartbeat_at <= STALE_AFTER


def jobs_url(state_url: str | None, state_dir: Path) -> str:
    """The store of jobs and the scheduler row: `state_url`, else `state_dir/scheduler.sqlite`."""
    return state_url or f"sqlite:///{(state_dir / JOBS_FILE).resolve()}"


def open_store(url: str) -> sa.Engine:
    """An engine on the store, its folder and tables created."""
    try:
        parsed = sa.make_url(url)
        if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(parsed)
        _metadata.create_all(engine)
    except (SQLAlchemyError, ValueError, OSError) as exc:
        raise SchedulerStoreError(f"cannot open the scheduler store: {type(exc).__name__}") from None
    return engine


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    # SQLite returns naive datetimes; we only ever write UTC.
    if value is None:
        return None
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def read_state(engine: sa.Engine) -> SchedulerState | None:
    """The scheduler row, or None when no scheduler ever ran on this store."""
    with engine.connect() as conn:
        row = conn.execute(sa.select(state_table).where(state_table.c.name == _ROW)).mappings().first()
    if row is None:
        return None
    started, beat = _utc(row["started_at"]), _utc(row["heartbeat_at"])
    assert started is not None and beat is not None
    return SchedulerState(row["owner"], row["pid"], row["host"], row["config"], started, beat, row["running_job"],
                          _utc(row["running_since"]), [tuple(pair) for pair in json.loads(row["next_runs"] or "[]")],
                          _utc(row["stopped_at"]))


def acquire(engine: sa.Engine, owner: str, config: str, now: dt.datetime) -> None:
    """Hold the store for `owner`, or raise SchedulerBusyError naming the scheduler that holds it."""
    values = {"owner": owner, "pid": os.getpid(), "host": socket.gethostname(), "config": config,
              "started_at": now, "heartbeat_at": now, "running_job": None, "running_since": None,
              "next_runs": "[]", "stopped_at": None}
    with engine.begin() as conn:
        current = conn.execute(sa.select(state_table).where(state_table.c.name == _ROW)).mappings().first()
        if current is None:
            conn.execute(sa.insert(state_table).values(name=_ROW, **values))
            return
        beat = _utc(current["heartbeat_at"])
        assert beat is not None
        if current["stopped_at"] is None and now - beat <= STALE_AFTER:
            raise SchedulerBusyError(
                f"another scheduler (pid {current['pid']} on {current['host']}) is running on this store; "
                f"its last heartbeat was {int((now - beat).total_seconds())} s ago: stop it first")
        # Taken over only if nobody else took it since we read it (two starting at once: one wins).
        taken = conn.execute(sa.update(state_table).where(state_table.c.name == _ROW,
                                                          state_table.c.owner == current["owner"],
                                                          state_table.c.heartbeat_at == current["heartbeat_at"])
                             .values(**values))
        if taken.rowcount != 1:
            raise SchedulerBusyError("another scheduler started on this store at the same moment")


def beat(engine: sa.Engine, owner: str, now: dt.datetime, *, running_job: str | None,
         running_since: dt.datetime | None, next_runs: list[tuple[str, str]]) -> bool:
    """Refresh the heartbeat; False when the row is no longer ours (another scheduler took it over)."""
    with engine.begin() as conn:
        done = conn.execute(sa.update(state_table).where(state_table.c.name == _ROW, state_table.c.owner == owner)
                            .values(heartbeat_at=now, running_job=running_job, running_since=running_since,
                                    next_runs=json.dumps(next_runs)))
    return bool(done.rowcount == 1)


def release(engine: sa.Engine, owner: str, now: dt.datetime) -> None:
    """Mark the row stopped, so the next scheduler starts at once."""
    with engine.begin() as conn:
        conn.execute(sa.update(state_table).where(state_table.c.name == _ROW, state_table.c.owner == owner)
                     .values(stopped_at=now, heartbeat_at=now, running_job=None, running_since=None))
