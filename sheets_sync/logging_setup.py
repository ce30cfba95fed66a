"""Logging for the CLI: plain or JSON lines on stderr, every record passed through the redacting filter."""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
from typing import TextIO

from sheets_sync.redaction import RedactingFilter, redact

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
PLAIN_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"
# Third-party loggers that print full URLs or headers at DEBUG (docs/reliability.md#secrets): never below WARNING.
_NOISY_LOGGERS = ("urllib3", "requests", "http.client", "filelock", "apscheduler.executors")


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
    root = logging.getLogger()
    for old in list(root.handlers):
        if getattr(old, "_sheets_sync", False):
            root.removeHandler(old)
    handler._sheets_sync = True  # type: ignore[attr-defined]  # lets a second call replace, not duplicate
    root.addHandler(handler)
    root.setLevel(level.upper())
    for name in _NOISY_LOGGERS:
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))
