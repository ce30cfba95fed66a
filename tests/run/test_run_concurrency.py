"""Tests of concurrent reports: one client, requests in flight bounded in all, per-report counts, logs with context."""

from __future__ import annotations

import io
import json
import logging
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from sheets_sync.config import Config, load_config
from sheets_sync.emulator import RunningEmulator
from sheets_sync.logging_setup import configure_logging
from sheets_sync.orchestrator import RunSummary, run_config

from .run_helpers import (
    ENDPOINTS,
    NOW,
    ONE_PAGE_ENDPOINTS,
    config_text,
    env_for,
    write_config,
)

CSV = '  flat: {type: csv, output: "out/{report}.csv"}\n'


class InFlight:
    """The emulator's latency sleep, counting how many requests sit in it at once.

    Each request waits (up to 0.2 s) for `expect` requests to be in flight together, so the
    highest count reached is what the client allows, not what the scheduler happened to produce.
    """

    def __init__(self, expect: int) -> None:
        self.expect = expect
        self.now = 0
        self.highest = 0
        self._cond = threading.Condition()

    def __call__(self, seconds: float) -> None:
        with self._cond:
            self.now += 1
            self.highest = max(self.highest, self.now)
            self._cond.notify_all()
            self._cond.wait_for(lambda: self.now >= self.expect, timeout=0.2)
        time.sleep(seconds)
        with self._cond:
            self.now -= 1


@pytest.fixture
def restore_root_logger() -> Iterator[None]:
    """Leave the root logger as the test found it."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def _six_reports(tmp_path: Path, emu: RunningEmulator, max_concurrency: int, page_size: int = 100) -> Config:
    reports = [(f"R{i}", endpoint, "flat") for i, endpoint in enumerate(ENDPOINTS)]
    text = config_text(reports, destinations=CSV, max_concurrency=max_concurrency, page_size=page_size)
    return load_config(write_config(tmp_path, text), env_for(emu))


def test_reports_share_the_max_concurrency_budget(tmp_path: Path, make_emulator) -> None:
    """Six multi-page reports at max_concurrency 3: three requests in flight at once, never more, in all."""
    in_flight = InFlight(expect=4)  # asks for one more than allowed: the client must not give it
    emu = make_emulator(latency_ms=20, sleep=in_flight)
    cfg = _six_reports(tmp_path, emu, max_concurrency=3, page_size=20)
    summary = run_config(cfg, now=NOW)
    assert summary.exit_code == 0, [o.error for o in summary.outcomes]
    assert sum(o.pages for o in summary.outcomes) > 6  # pages of one report were fetched in parallel too
    assert in_flight.highest == 3
    assert emu.stats.tokens_issued == 1  # one client, one token


def test_one_report_worker_fetches_report_after_report(tmp_path: Path, make_emulator) -> None:
    """With report_workers=1 and one-page reports, never two requests in flight (the bench's sequential baseline)."""
    in_flight = InFlight(expect=2)
    emu = make_emulator(latency_ms=10, sleep=in_flight)
    reports = [(f"R{i}", endpoint, "flat") for i, endpoint in enumerate(ONE_PAGE_ENDPOINTS)]
    cfg = load_config(write_config(tmp_path, config_text(reports, destinations=CSV)), env_for(emu))
    summary = run_config(cfg, now=NOW, report_workers=1)
    assert summary.exit_code == 0 and in_flight.highest == 1


def test_request_counts_belong_to_their_report(tmp_path: Path, make_emulator) -> None:
    """Concurrent reports each count their own requests: together they are every request the API saw."""
    emu = make_emulator()
    cfg = _six_reports(tmp_path, emu, max_concurrency=4, page_size=20)
    summary = run_config(cfg, now=NOW)
    assert emu.stats.total == sum(o.requests for o in summary.outcomes)
    first, *others = summary.outcomes
    assert first.requests == first.pages + 1  # the token exchange is made in the first report's name
    assert all(o.requests == o.pages for o in others)


def test_every_log_line_carries_the_run_id_and_report(tmp_path: Path, emulator, restore_root_logger) -> None:
    """In --json-logs every line of a run has its run_id; lines of a report's work (page threads too) its name."""
    stream = io.StringIO()
    configure_logging("INFO", json_logs=True, stream=stream)
    cfg = _six_reports(tmp_path, emulator, max_concurrency=4, page_size=20)
    summary = run_config(cfg, now=NOW)
    entries = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert entries and all(entry.get("run_id") == summary.run_id for entry in entries)
    requests = [e for e in entries if e["logger"] == "sheets_sync.api.transport" and "GET" in e["message"]]
    assert len(requests) == emulator_requests(summary)
    endpoint_of = {f"R{i}": endpoint for i, endpoint in enumerate(ENDPOINTS)}
    assert all(e["message"].startswith(f"GET /v2/{endpoint_of[e['report']]} ") for e in requests)
    wrote = [e for e in entries if e["message"].startswith("wrote ")]
    assert len(wrote) == 6 and all("report" not in e for e in wrote)  # destination work has no report


def emulator_requests(summary: RunSummary) -> int:
    """Data requests of a run: every request but the token exchange."""
    return sum(o.requests for o in summary.outcomes) - 1


def test_plain_log_lines_show_run_and_report(tmp_path: Path, emulator, restore_root_logger) -> None:
    """Plain lines carry a `[run 1a2b3c4d report "R0"]` prefix after the logger name."""
    stream = io.StringIO()
    configure_logging("INFO", stream=stream)
    cfg = _six_reports(tmp_path, emulator, max_concurrency=4)
    summary = run_config(cfg, report_names=["R0"], now=NOW)
    lines = stream.getvalue().splitlines()
    assert all(f"[run {summary.run_id[:8]}" in line for line in lines)
    assert any(f'[run {summary.run_id[:8]} report "R0"] GET /v2/campaigns/performance' in line for line in lines)
