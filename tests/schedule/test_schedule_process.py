"""A real scheduler process on a real SQLite store against the bundled emulator: restarts lose and double nothing."""

from __future__ import annotations

import datetime as dt
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore

from sheets_sync.schedule.service import JOBS_TABLE

REPO = Path(__file__).resolve().parents[2]
JOB = "cron 0 6 * * *"
CONFIG = """\
timezone: UTC
api:
  base_url: ${LATER_API_URL}
  client_id: ${LATER_CLIENT_ID}
  client_secret: ${LATER_CLIENT_SECRET}
  pagination: page
defaults:
  date_range: {start: 2026-04-01, end: 2026-06-30}
  schedule: "0 6 * * *"
destinations:
  flat: {type: csv, output: "out/{report}.csv"}
reports:
  - name: Campaigns
    endpoint: campaigns/performance
    metrics: [impressions]
    destination: flat
"""


@pytest.fixture
def setup(tmp_path: Path, emulator) -> tuple[Path, dict[str, str]]:
    """A scheduled config in tmp_path and the environment pointing at the session emulator."""
    path = tmp_path / "sync.yaml"
    path.write_text(CONFIG, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(REPO), "LATER_API_URL": emulator.url, "LATER_CLIENT_ID": "demo-client",
           "LATER_CLIENT_SECRET": "demo-secret"}
    return path, env


def start(path: Path, env: dict[str, str]) -> subprocess.Popen[str]:
    """Start `schedule CONFIG` (grace 1 h) and wait until it says it has started."""
    child = subprocess.Popen([sys.executable, "-m", "sheets_sync", "schedule", str(path), "--misfire-grace", "1h",
                              "--log-level", "INFO"], cwd=path.parent, env=env, stderr=subprocess.PIPE,
                             stdout=subprocess.DEVNULL, text=True)
    assert child.stderr is not None
    for line in child.stderr:
        if "scheduler started" in line:
            return child
    raise AssertionError(f"the scheduler did not start (exit {child.wait()})")


def command(path: Path, env: dict[str, str], name: str) -> subprocess.CompletedProcess[str]:
    """`sheets-sync NAME CONFIG` to its end (the exit code is the test's to check)."""
    return subprocess.run([sys.executable, "-m", "sheets_sync", name, str(path)], cwd=path.parent, env=env,
                          capture_output=True, text=True, timeout=60, check=False)


def stop(child: subprocess.Popen[str]) -> str:
    """SIGTERM; the scheduler must exit 0; returns the rest of its log."""
    child.send_signal(signal.SIGTERM)
    _, rest = child.communicate(timeout=60)
    assert child.returncode == 0, rest
    return rest


def rows(path: Path) -> list[tuple[str, str, str]]:
    """(run_id, report, status) of every history row, in insertion order."""
    database = path.parent / ".sheets-sync" / "history.sqlite"
    if not database.exists():
        return []
    with sqlite3.connect(database) as conn:
        return conn.execute("select run_id, report, status from runs order by id").fetchall()


def wait_for(path: Path, count: int) -> list[tuple[str, str, str]]:
    """The history rows once there are at least `count` (polled, at most 60 s)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        found = rows(path)
        if len(found) >= count:
            return found
        time.sleep(0.2)
    raise AssertionError(f"expected {count} history rows, found {rows(path)}")


def move_next_run(path: Path, ago: dt.timedelta) -> None:
    """While no scheduler runs: the stored job's next run becomes `ago` in the past (as if we were down then)."""
    store = SQLAlchemyJobStore(url=f"sqlite:///{path.parent / '.sheets-sync' / 'scheduler.sqlite'}",
                               tablename=JOBS_TABLE)
    store.start(None, "default")
    job = store.lookup_job(JOB)
    assert job is not None
    job.next_run_time = dt.datetime.now(dt.UTC) - ago
    store.update_job(job)
    store.shutdown()


def test_restarts_run_a_missed_tick_once_late_and_skip_one_past_the_grace(setup) -> None:
    """Down over a tick: the restart runs it once, recorded late; past the grace: recorded skipped; never twice."""
    path, env = setup
    first = start(path, env)
    second = command(path, env, "schedule")
    status = command(path, env, "status")
    stop(first)
    assert second.returncode == 1
    own_lines = [line for line in second.stderr.splitlines() if not line.startswith("20")]  # logs start with a date
    assert len(own_lines) == 1 and "another scheduler (pid" in own_lines[0] and "stop it first" in own_lines[0]
    assert f"scheduler: running (pid {first.pid}" in status.stdout
    assert "Campaigns: never run" in status.stdout
    assert rows(path) == []  # the next 06:00 is in the future: nothing ran

    move_next_run(path, dt.timedelta(minutes=10))
    restarted = start(path, env)
    ran = wait_for(path, 2)
    log = stop(restarted)
    assert sorted(status for _, _, status in ran) == ["late", "ok"]
    assert len({run_id for run_id, _, _ in ran}) == 1  # the late note belongs to the run it describes
    assert "ran late: scheduled for" in log
    assert (path.parent / "out").is_dir()

    move_next_run(path, dt.timedelta(hours=2))
    again = start(path, env)
    skipped = wait_for(path, 3)
    stop(again)
    assert skipped[2][1:] == ("Campaigns", "skipped")

    quiet = start(path, env)
    time.sleep(1)  # a heartbeat: a stored job due in the future must not run on start
    stop(quiet)
    assert len(rows(path)) == 3

    status = command(path, env, "status")
    assert "scheduler: stopped" in status.stdout
    assert "Campaigns: skipped at" in status.stdout and "more than the misfire grace of 1h" in status.stdout


def first_run(path: Path, env: dict[str, str], *extra: str) -> subprocess.Popen[str]:
    """Store the job, make its tick a minute ago, restart: the job starts at once. Returns once it is fetching."""
    stop(start(path, env))
    move_next_run(path, dt.timedelta(minutes=1))
    child = subprocess.Popen([sys.executable, "-m", "sheets_sync", "schedule", str(path), "--log-level", "INFO",
                              *extra], cwd=path.parent, env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL,
                             text=True)
    assert child.stderr is not None
    for line in child.stderr:
        if "fetching" in line:
            return child
    raise AssertionError(f"the job did not start (exit {child.wait()})")


def test_sigterm_lets_the_running_job_finish(setup, make_emulator) -> None:
    """SIGTERM during a run: the run finishes and is recorded ok, then the scheduler exits 0."""
    path, env = setup
    env["LATER_API_URL"] = make_emulator(latency_ms=1500).url
    child = first_run(path, env)
    log = stop(child)
    assert "SIGTERM received: stopping after the running job" in log
    assert [status for _, _, status in rows(path)] == ["ok", "late"]
    assert list((path.parent / "out").glob("*.csv"))


def test_sigterm_cancels_a_job_past_the_stop_timeout(setup, make_emulator) -> None:
    """--stop-timeout 1s and a slow API: the job is cancelled, recorded interrupted, no file left; exit 0."""
    path, env = setup
    env["LATER_API_URL"] = make_emulator(latency_ms=4000).url
    child = first_run(path, env, "--stop-timeout", "1s")
    log = stop(child)
    assert "did not finish within 1 s: cancelling it" in log
    assert [status for _, _, status in rows(path)] == ["interrupted"]
    assert not [p for p in path.parent.rglob("*") if p.suffix in (".csv", ".tmp")]
