"""Logging for the CLI: plain or JSON lines on stderr, redacted, each carrying its run id and report name.

The run id and the report name live in context variables (`run_context`, `report_context`): set once
where a run or a report starts, they reach every log line written inside it, from any module. Worker
threads see them when started through `contextvars.copy_context().run` (the orchestrator and the
page walker do so). Plain lines show them as a `[run 1a2b3c4d report "Campaigns"]` prefix; JSON
lines as the fields `run_id` and `report`.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import json
import logging
import sys
from collections.abc import Iterator
from typing import TextIO

from sheets_sync.redaction import RedactingFilter, redact

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
PLAIN_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(context)s%(message)s"
SHOWN_RUN_ID_CHARS = 8  # as `history` shows it
# Third-party loggers that print full URLs or headers at DEBUG (docs/reliability.md#secrets): never below WARNING.
_NOISY_LOGGERS = ("urllib3", "requests", "http.client", "filelock", "apscheduler.executors")


RUN_ID: contextvars.ContextVar[str | None] = contextvars.ContextVar("sheets_sync_run_id", default=None)
REPORT: contextvars.ContextVar[str | None] = contextvars.ContextVar("sheets_sync_report", default=None)


@contextlib.contextmanager
def run_context(run_id: str) -> Iterator[None]:
    """Every log line written inside the block (in this context) carries `run_id`."""
    token = RUN_ID.set(run_id)
    try:
        yield
    finally:
        RUN_ID.reset(token)


@contextlib.contextmanager
def report_context(report: str) -> Iterator[None]:
    """Every log line written inside the block (in this context) carries the report name."""
    token = REPORT.set(report)
    try:
        yield
    finally:
        REPORT.reset(token)


def current_report() -> str | None:
    """The report whose work the calling thread is doing, if any."""
    return REPORT.get()


class ContextFilter(logging.Filter):
    """Adds `run_id`, `report` and the plain-text `context` prefix to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        run_id, report = RUN_ID.get(), REPORT.get()
        record.run_id, record.report = run_id, report
        parts = []
        if run_id:
            parts.append(f"run {run_id[:SHOWN_RUN_ID_CHARS]}")
        if report:
            parts.append(f"report {json.dumps(report, ensure_ascii=False)}")
        record.context = f"[{' '.join(parts)}] " if parts else ""
        return True


class RedactingFormatter(logging.Formatter):
    """Plain formatter that redacts the finished line, tracebacks included."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message (and the traceback of an error)."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        for name in ("run_id", "report"):
            value = getattr(record, name, None)
            if value:
                entry[name] = redact(str(value))
        # Structured fields a caller passes as `extra={"fields": {...}}` (a config problem's file and line).
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            entry.update({k: redact(v) if isinstance(v, str) else v for k, v in fields.items() if k not in entry})
        if record.exc_info:
            entry["traceback"] = redact(self.formatException(record.exc_info))
        # Redact the fields, not the JSON text: a pattern cut through an escape would break the line.
        return json.dumps(entry, ensure_ascii=False, default=str)


class _CurrentStderrHandler(logging.StreamHandler[TextIO]):
    """Writes to whatever `sys.stderr` is now, so a live progress bar that redirects it stays intact."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, value: TextIO) -> None:
        pass  # always follow sys.stderr


def configure_logging(level: str = "INFO", *, json_logs: bool = False, stream: TextIO | None = None) -> None:
    """Send sheets-sync's logs to `stream` (stderr) at `level`, plain or JSON, always redacted."""
    handler: logging.Handler = logging.StreamHandler(stream) if stream is not None else _CurrentStderrHandler()
    handler.setFormatter(JsonFormatter() if json_logs else RedactingFormatter(PLAIN_FORMAT))
    # On the handler, not a logger: handler filters see records from every module's logger.
    handler.addFilter(RedactingFilter())
    handler.addFilter(ContextFilter())
    root = logging.getLogger()
    for old in list(root.handlers):
        if getattr(old, "_sheets_sync", False):
            root.removeHandler(old)
    handler._sheets_sync = True  # type: ignore[attr-defined]  # lets a second call replace, not duplicate
    root.addHandler(handler)
    root.setLevel(level.upper())
    for name in _NOISY_LOGGERS:
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))
