"""Tests of the CLI's logging: plain and JSON lines, levels, and redaction of every record."""

from __future__ import annotations

import io
import json
import logging

import pytest

from sheets_sync.logging_setup import configure_logging
from sheets_sync.redaction import register_secret


@pytest.fixture
def restore_root_logger():
    """Leave the root logger as the test found it."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def test_plain_lines_mask_registered_secrets_and_tokens(restore_root_logger) -> None:
    """A registered secret and a bearer token logged by any module come out masked."""
    register_secret("logging-test-secret-77")
    stream = io.StringIO()
    configure_logging("INFO", stream=stream)
    logging.getLogger("sheets_sync.api.somewhere").info("login with %s, header Bearer abc.def.ghi",
                                                        "logging-test-secret-77")
    line = stream.getvalue()
    assert "logging-test-secret-77" not in line and "abc.def.ghi" not in line
    assert "INFO" in line and "sheets_sync.api.somewhere" in line and "***" in line


def test_json_lines_are_objects_with_redacted_tracebacks(restore_root_logger) -> None:
    """--json-logs gives one JSON object per line; an exception's text in the traceback is masked."""
    stream = io.StringIO()
    configure_logging("INFO", json_logs=True, stream=stream)
    try:
        raise ValueError("client_secret=hunter22")
    except ValueError:
        logging.getLogger("x").exception("failed for %s", "r1")
    entry = json.loads(stream.getvalue().strip())
    assert entry["level"] == "ERROR" and entry["message"] == "failed for r1" and entry["logger"] == "x"
    assert "hunter22" not in entry["traceback"] and "ValueError" in entry["traceback"]


def test_level_filters_lower_records(restore_root_logger) -> None:
    """At WARNING, INFO records are not written."""
    stream = io.StringIO()
    configure_logging("WARNING", stream=stream)
    logging.getLogger("x").info("quiet")
    logging.getLogger("x").warning("loud")
    assert "quiet" not in stream.getvalue() and "loud" in stream.getvalue()


def test_configuring_twice_does_not_duplicate_lines(restore_root_logger) -> None:
    """A second configure_logging replaces the first handler rather than adding another."""
    first, second = io.StringIO(), io.StringIO()
    configure_logging("INFO", stream=first)
    configure_logging("INFO", stream=second)
    logging.getLogger("x").info("once")
    assert first.getvalue() == "" and second.getvalue().count("once") == 1


def test_urllib3_debug_is_never_enabled(restore_root_logger) -> None:
    """Even at DEBUG, urllib3 (which logs full URLs) stays at WARNING."""
    configure_logging("DEBUG", stream=io.StringIO())
    assert logging.getLogger("urllib3").getEffectiveLevel() == logging.WARNING
