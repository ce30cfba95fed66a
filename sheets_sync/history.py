"""Run history: one row per report per run, in SQLite by default or any SQLAlchemy database."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError

from sheets_sync.config.state import HISTORY_FILE
from sheets_sync.errors import SheetsSyncError
from sheets_sync.redaction import redact

MAX_ERROR_CHARS = 500
MAX_LIMIT = 2**31 - 1  # fits every SQL database's LIMIT

_metadata = sa.MetaData()
runs_table = sa.Table(
    "runs", _metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("run_id", sa.String(64), nullable=False, index=True),
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=False, index=True),
    sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("report", sa.String(200), nullable=False),
    sa.Column("start_date", sa.Date, nullable=True),
    sa.Column("end_date", sa.Date, nullable=True),
    sa.Column("destinations", sa.String(500), nullable=False, default=""),
    # ok, partial (some destinations written, others failed), failed, or interrupted (the run was stopped by
    # Ctrl-C or SIGTERM before this report had finished). The scheduler adds two: `late` (a row beside the
    # run's own, same run_id, at the scheduled time; error says how late the run started) and `skipped` (a
    # scheduled run that did not happen: missed past the misfire grace; error says why). Both take no time.
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("rows", sa.Integer, nullable=False, default=0),
    sa.Column("pages", sa.Integer, nullable=False, default=0),
    sa.Column("requests", sa.Integer, nullable=False, default=0),
    sa.Column("retries", sa.Integer, nullable=False, default=0),
    sa.Column("error", sa.String(MAX_ERROR_CHARS), nullable=True),
    sa.Column("output", sa.Text, nullable=True),
)


STATUS_LATE, STATUS_SKIPPED = "late", "skipped"  # written by the scheduler only (sheets_sync/schedule)


class HistoryError(SheetsSyncError):
    """The run history database could not be opened, read or written."""


@dataclass(frozen=True)
class RunRecord:
    """What one report did in one run."""

    run_id: str
    started_at: dt.datetime
    finished_at: dt.datetime
    report: str
    status: str
    destinations: str = ""
    rows: int = 0
    pages: int = 0
    requests: int = 0
    retries: int = 0
    error: str | None = None
    output: str | None = None
    start_date: dt.date | None = None      # the resolved date range the report asked the API for
    end_date: dt.date | None = None


def one_line_error(text: str | None) -> str | None:
    """An error message as it may be stored: redacted, on one line, bounded in length."""
    if not text:
        return None
    line = " ".join(redact(text).split())
    return line if len(line) <= MAX_ERROR_CHARS else line[: MAX_ERROR_CHARS - 1] + "…"


def sqlite_url(state_dir: Path) -> str:
    """The default history URL: a SQLite file inside the state folder."""
    return f"sqlite:///{(Path(state_dir) / HISTORY_FILE).resolve()}"


def _as_utc(value: dt.datetime) -> dt.datetime:
    # SQLite stores datetimes without an offset; we always write UTC, so naive values read back are UTC.
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def _database_error(exc: SQLAlchemyError) -> str | None:
    """The database's own message where SQLAlchemy wraps one (only statement errors carry `orig`), on one line."""
    return one_line_error(str(getattr(exc, "orig", None) or exc))


def open_database(url_text: str, metadata: sa.MetaData, *, create: bool, what: str,
                  error: type[SheetsSyncError]) -> sa.Engine | None:
    """An engine on `url_text` with `metadata`'s tables created, or None when reading (`create` False) a SQLite
    file that was never written (nothing to show, create nothing). Every failure is one `error` line naming
    `what` (the run history, the kept rows), never the URL's password."""
    try:
        url = sa.make_url(url_text)
    except (SQLAlchemyError, ValueError):
        raise error(f"cannot open {what}: state_url is not a SQLAlchemy database URL") from None
    shown = url.render_as_string(hide_password=True)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        path = Path(url.database)
        try:
            if not create and not path.exists():
                return None
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise error(f"cannot create the {what} folder {path.parent}: {exc.strerror or exc}") from None
    try:
        engine = sa.create_engine(url)
        metadata.create_all(engine)
    except SQLAlchemyError as exc:
        raise error(f"cannot open {what} {shown}: {_database_error(exc)}") from None
    except ImportError as exc:  # the URL's database driver is not installed (validate says so first)
        raise error(f"cannot open {what} {shown}: its database driver is not installed "
                    f"(Python module {exc.name or exc})") from None
    return engine


class RunHistory:
    """Reads and writes the `runs` table; the table is created on first use."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._engine: sa.Engine | None = None

    def _connect(self, *, create: bool) -> sa.Engine | None:
        if self._engine is None:
            self._engine = open_database(self.url, _metadata, create=create, what="run history", error=HistoryError)
        return self._engine

    def record(self, records: list[RunRecord]) -> None:
        """Append `records` (one per report) in one transaction."""
        if not records:
            return
        engine = self._connect(create=True)
        assert engine is not None
        rows = []
        for rec in records:
            row = asdict(rec)
            row["started_at"] = _as_utc(rec.started_at)
            row["finished_at"] = _as_utc(rec.finished_at)
            row["report"] = redact(rec.report)  # a name holding a secret is masked here as in the logs
            row["error"] = one_line_error(rec.error)
            row["output"] = redact(rec.output) if rec.output else None
            rows.append(row)
        try:
            with engine.begin() as conn:
                conn.execute(sa.insert(runs_table), rows)
        except SQLAlchemyError as exc:
            raise HistoryError(f"cannot write run history: {_database_error(exc)}") from None

    def recent(self, limit: int = 20) -> list[RunRecord]:
        """The `limit` most recent records, newest first."""
        engine = self._connect(create=False)
        if engine is None:
            return []
        # A limit beyond what a database integer holds (`--limit 99999999999999999999`) means "all of them".
        query = (sa.select(runs_table).order_by(runs_table.c.started_at.desc(), runs_table.c.id.desc())
                 .limit(min(limit, MAX_LIMIT)))
        try:
            with engine.connect() as conn:
                result = conn.execute(query).mappings().all()
        except SQLAlchemyError as exc:
            raise HistoryError(f"cannot read run history: {_database_error(exc)}") from None
        return [_record_of(row) for row in result]

    def latest_per_report(self) -> list[RunRecord]:
        """The newest result of every report (a `late` note is not a result: the run's own row is)."""
        engine = self._connect(create=False)
        if engine is None:
            return []
        newest = (sa.select(sa.func.max(runs_table.c.id)).where(runs_table.c.status != STATUS_LATE)
                  .group_by(runs_table.c.report))
        try:
            with engine.connect() as conn:
                result = conn.execute(sa.select(runs_table).where(runs_table.c.id.in_(newest))).mappings().all()
        except SQLAlchemyError as exc:
            raise HistoryError(f"cannot read run history: {_database_error(exc)}") from None
        return [_record_of(row) for row in result]

    def close(self) -> None:
        """Release the database connections."""
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None


def _record_of(row: sa.RowMapping) -> RunRecord:
    fields = RunRecord.__dataclass_fields__
    values = {k: v for k, v in row.items() if k in fields}
    values["started_at"] = _as_utc(values["started_at"])
    values["finished_at"] = _as_utc(values["finished_at"])
    return RunRecord(**values)
