"""The scheduler reconciles its jobs with the config at start and on each valid edit; a broken edit changes nothing."""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from sheets_sync.config import load_config
from sheets_sync.schedule.service import SchedulerService
from sheets_sync.schedule.state import SchedulerBusyError, open_store, read_state

ENV = {"LATER_CLIENT_ID": "id", "LATER_CLIENT_SECRET": "reload-test-secret"}
CONFIG = """\
timezone: UTC
api:
  base_url: "https://api.example.com"
  client_id: ${{LATER_CLIENT_ID}}
  client_secret: ${{LATER_CLIENT_SECRET}}
defaults:
  date_range: last_7_days
  schedule: "{schedule}"
destinations:
  flat: {{type: csv, output: "out/{{report}}.csv"}}
reports:
  - name: Campaigns
    endpoint: campaigns/performance
    metrics: [impressions]
    destination: flat
"""


def write(path: Path, schedule: str) -> None:
    path.write_text(CONFIG.format(schedule=schedule), encoding="utf-8")


def eventually(check: Callable[[], bool], seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)


@pytest.fixture
def service(tmp_path: Path) -> Iterator[SchedulerService]:
    """A scheduler for tmp_path/sync.yaml running in a thread (heartbeat 0.1 s), stopped at teardown."""
    path = tmp_path / "sync.yaml"
    write(path, "0 6 * * *")
    running = SchedulerService(path, load_config(path, ENV), grace=dt.timedelta(hours=12), env=ENV,
                               heartbeat=dt.timedelta(seconds=0.1))
    thread = threading.Thread(target=running.run)
    thread.start()
    eventually(lambda: running._scheduler is not None and running._scheduler.running
               and bool(running._scheduler.get_jobs(jobstore="default")))
    yield running
    running.stop.set()
    thread.join(30)
    assert not thread.is_alive()


def stored(service: SchedulerService) -> dict[str, list[str]]:
    assert service._scheduler is not None
    return {job.id: job.args[2] for job in service._scheduler.get_jobs(jobstore="default")}


def test_a_valid_edit_replaces_the_jobs_and_says_so(service: SchedulerService, caplog) -> None:
    """Changing the cron in the file: the old job is removed, the new one added, both logged; no restart."""
    caplog.set_level(logging.INFO, logger="sheets_sync.schedule")
    assert stored(service) == {"cron 0 6 * * *": ["Campaigns"]}
    write(service.path, "15 7 * * 1-5")
    eventually(lambda: "cron 15 7 * * 1-5" in stored(service))
    assert stored(service) == {"cron 15 7 * * 1-5": ["Campaigns"]}
    text = caplog.text
    assert "job removed: cron 0 6 * * *" in text and "job added: 15 7 * * 1-5 (reports: Campaigns)" in text


def test_an_invalid_edit_keeps_the_old_jobs_and_logs_lines(service: SchedulerService, caplog) -> None:
    """A broken cron in the file: the problem is logged with file:line:col, the stored job stays as it was."""
    caplog.set_level(logging.INFO, logger="sheets_sync.schedule")
    write(service.path, "0 25 * * *")
    eventually(lambda: "keep running" in caplog.text)
    assert "sync.yaml:8:3: defaults.schedule: invalid cron expression" in caplog.text
    assert stored(service) == {"cron 0 6 * * *": ["Campaigns"]}


def test_heartbeat_and_next_runs_are_written(service: SchedulerService) -> None:
    """The scheduler row holds this process, a fresh heartbeat and the job's next run (what `status` reads)."""
    engine = service._engine
    assert engine is not None
    eventually(lambda: bool((found := read_state(engine)) and found.next_runs))
    state = read_state(engine)
    assert state is not None and state.owner == service.owner
    assert state.next_runs[0][0] == "cron 0 6 * * *" and state.next_runs[0][1].endswith("06:00:00+00:00")


def test_a_second_scheduler_on_the_store_is_refused(service: SchedulerService, tmp_path: Path) -> None:
    """Another SchedulerService on the same state folder stops at start with one clear message."""
    other = SchedulerService(service.path, service.cfg, grace=dt.timedelta(hours=1), env=ENV)
    with pytest.raises(SchedulerBusyError, match=r"another scheduler \(pid \d+ on .*\) is running on this store"):
        other.run()
    engine = open_store(f"sqlite:///{tmp_path / '.sheets-sync' / 'scheduler.sqlite'}")
    state = read_state(engine)
    engine.dispose()
    assert state is not None and state.owner == service.owner  # the refused one took nothing over
