"""Tests of interrupted runs: SIGTERM like Ctrl-C, temp files removed, `interrupted` in history, leftovers cleaned."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from sheets_sync.config import load_config
from sheets_sync.orchestrator import history_for, run_config
from sheets_sync.signals import Terminated
from sheets_sync.sinks.atomic import atomic_output, pending_path, temp_path
from sheets_sync.sinks.base import ReportTable, SinkContext, SinkResult
from sheets_sync.sinks.registry import registered

from .run_helpers import NOW, config_text, env_for, write_config

REPO = Path(__file__).resolve().parents[2]
REPORTS = [("Campaigns", "campaigns/performance", "flat"), ("Platforms", "platforms/performance", "flat"),
           ("Creators", "creators/performance", "flat")]
CSV = '  flat: {type: csv, output: "out/{report}.csv"}\n'


def history_rows(folder: Path) -> dict[str, str]:
    """report → status of every history row under `folder`'s default state folder."""
    with sqlite3.connect(folder / ".sheets-sync" / "history.sqlite") as conn:
        return dict(conn.execute("select report, status from runs").fetchall())


def test_sigterm_stops_a_run_like_ctrl_c(tmp_path: Path, make_emulator) -> None:
    """SIGTERM mid-fetch: exit 143, one line on stderr, `interrupted` history rows, no file and no temp file."""
    emu = make_emulator(latency_ms=3000)
    path = write_config(tmp_path, config_text(REPORTS, destinations=CSV))
    env = {**os.environ, **env_for(emu), "PYTHONPATH": str(REPO)}
    child = subprocess.Popen([sys.executable, "-m", "sheets_sync", "run", str(path), "--log-level", "INFO"],
                             cwd=tmp_path, env=env, stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    started = 0
    assert child.stderr is not None
    for line in child.stderr:  # every report is fetching: its first request sits in the emulator's 3 s latency
        started += "fetching" in line
        if started == len(REPORTS):
            break
    child.send_signal(signal.SIGTERM)
    _, rest = child.communicate(timeout=60)
    assert child.returncode == 143
    tail = [line for line in rest.splitlines() if not line.startswith("20")]  # log lines start with the date
    assert tail == ["sheets-sync: interrupted by SIGTERM"]
    assert "Traceback" not in rest
    assert history_rows(tmp_path) == {name: "interrupted" for name, _, _ in REPORTS}
    assert not [p for p in tmp_path.rglob("*") if p.name.endswith(".tmp") or p.suffix == ".csv"]


def test_sigterm_during_a_rate_budget_wait_stops_the_run_at_once(tmp_path: Path, emulator) -> None:
    """SIGTERM while a report waits a minute for the rate budget: the wait is abandoned, exit 143 well before it
    would have ended (a container stop sends SIGKILL a few seconds later)."""
    text = config_text(REPORTS, destinations=CSV).replace("  pagination: page\n",
                                                          "  pagination: page\n  requests_per_minute: 1\n")
    path = write_config(tmp_path, text)
    env = {**os.environ, **env_for(emulator), "PYTHONPATH": str(REPO)}
    child = subprocess.Popen([sys.executable, "-m", "sheets_sync", "run", str(path), "--log-level", "INFO"],
                             cwd=tmp_path, env=env, stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert child.stderr is not None
    for line in child.stderr:  # the token exchange took the one request of this minute
        if "rate budget of 1 requests per 60 s used up" in line:
            break
    child.send_signal(signal.SIGTERM)
    try:
        _, rest = child.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        child.kill()
        child.communicate()
        pytest.fail("the run kept waiting for the rate budget after SIGTERM")
    assert child.returncode == 143 and "Traceback" not in rest
    assert set(history_rows(tmp_path).values()) == {"interrupted"}


def test_sigterm_under_json_logs_keeps_stderr_json(tmp_path: Path, make_emulator) -> None:
    """With --json-logs the interruption line is a JSON record too (stderr holds only JSON), exit 143."""
    import json

    emu = make_emulator(latency_ms=3000)
    path = write_config(tmp_path, config_text(REPORTS, destinations=CSV))
    env = {**os.environ, **env_for(emu), "PYTHONPATH": str(REPO)}
    child = subprocess.Popen([sys.executable, "-m", "sheets_sync", "--json-logs", "run", str(path)],
                             cwd=tmp_path, env=env, stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert child.stderr is not None
    started = 0
    for line in child.stderr:
        started += "fetching" in line
        if started == len(REPORTS):
            break
    child.send_signal(signal.SIGTERM)
    _, rest = child.communicate(timeout=60)
    assert child.returncode == 143
    records = [json.loads(line) for line in rest.splitlines()]  # every line is JSON
    assert records[-1]["level"] == "ERROR" and records[-1]["message"] == "interrupted by SIGTERM"


class InterruptedSink:
    """A sink that dies mid-write the way a signal would end it: a temp file is open, half written."""

    def __init__(self) -> None:
        self.temps: list[Path] = []

    def check(self, destination_name: str, destination_config: Any, reports: Sequence[Any],
              context: SinkContext) -> None:
        return None

    def write(self, destination_name: str, destination_config: Any, tables: Sequence[ReportTable],
              context: SinkContext) -> SinkResult:
        output = context.base_dir / "out" / "book.xlsx"
        with atomic_output(output, lock_dir=context.lock_dir) as handle:
            handle.write(b"half a workbook")
            self.temps.append(Path(handle.name))
            raise Terminated(signal.SIGTERM)
        return SinkResult()


def test_an_interrupted_write_leaves_the_previous_file_and_records_who_finished(tmp_path: Path, emulator) -> None:
    """Interrupted while writing the second destination: its temp file is gone, the old file intact, history honest."""
    reports = [("Campaigns", "campaigns/performance", "flat"), ("Platforms", "platforms/performance", "sheet")]
    text = config_text(reports, destinations=CSV + "  sheet: {type: google_sheets, spreadsheet: 1AbCdEfGhIjKlMnOp}\n")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "book.xlsx").write_bytes(b"yesterday")
    cfg = load_config(write_config(tmp_path, text), env_for(emulator) | {"SHEETS_EMULATOR_HOST": "127.0.0.1:9"})
    sink = InterruptedSink()
    with registered("google_sheets", sink), pytest.raises(Terminated):
        run_config(cfg, now=NOW, history=history_for(cfg))
    assert sink.temps and not sink.temps[0].exists()
    assert (tmp_path / "out" / "book.xlsx").read_bytes() == b"yesterday"
    assert (tmp_path / "out" / "campaigns.csv").is_file()
    assert history_rows(tmp_path) == {"Campaigns": "ok", "Platforms": "interrupted"}


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_successful_write_removes_a_killed_writers_temp_and_pending_files(tmp_path: Path) -> None:
    """A fresh temp file of a process that is gone, and the .pending file, disappear with the next good write."""
    output = tmp_path / "report.csv"
    killed = temp_path(output).with_name(temp_path(output).name.replace(f"-{os.getpid()}-", f"-{_dead_pid()}-"))
    killed.write_bytes(b"half a file")
    pending_path(output).write_bytes(b"the file a blocked run could not put in place")
    with atomic_output(output) as handle:
        handle.write(b"fresh")
    assert output.read_bytes() == b"fresh"
    assert not killed.exists() and not pending_path(output).exists()


def test_a_live_writers_temp_file_is_kept(tmp_path: Path) -> None:
    """A fresh temp file whose writer still runs (another live process) stays: it may still be renamed into place."""
    output = tmp_path / "report.csv"
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        live = temp_path(output).with_name(temp_path(output).name.replace(f"-{os.getpid()}-", f"-{sleeper.pid}-"))
        live.write_bytes(b"being written")
        with atomic_output(output) as handle:
            handle.write(b"fresh")
        assert live.exists()
    finally:
        sleeper.kill()
        sleeper.wait()


def test_a_failed_write_keeps_the_pending_file(tmp_path: Path) -> None:
    """Only a successful write removes .pending: after a failed one it is still the newest data there is."""
    output = tmp_path / "report.csv"
    pending_path(output).write_bytes(b"newest data")

    def write_then_fail() -> None:
        with atomic_output(output) as handle:
            handle.write(b"partial")
            raise RuntimeError("the writer failed")

    with pytest.raises(RuntimeError, match="the writer failed"):
        write_then_fail()
    assert pending_path(output).read_bytes() == b"newest data" and not output.exists()
