"""A scheduled job's run ends in the alerts hook: a failing report alerts once, through a real SMTP server."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sheets_sync.config import load_config
from sheets_sync.schedule import runner
from tests.delivery.conftest import certificate, smtp_server  # noqa: F401 - fixtures used by name
from tests.delivery.smtp_servers import PASSWORD
from tests.delivery.test_alerts import config_text
from tests.run.run_helpers import env_for

JOB = "cron 0 6 * * *"


def test_a_failing_scheduled_run_sends_one_alert(tmp_path: Path, emulator, smtp_server, certificate) -> None:  # noqa: F811 - pytest fixtures
    """run_job (what the store calls) on a failing report: history says failed, and one alert is sent."""
    server = smtp_server("starttls")
    path = tmp_path / "sync.yaml"
    text = config_text(server.port, certificate[0], failing=True).replace(
        "defaults:\n", 'defaults:\n  schedule: "0 6 * * *"\n')
    path.write_text(text, encoding="utf-8")
    cfg = load_config(path, {**env_for(emulator), "SMTP_PASSWORD": PASSWORD})
    tick = dt.datetime(2026, 12, 7, 6, 0, tzinfo=dt.UTC)
    runner.activate(str(path), runner.JobContext(config=lambda: cfg, clock=lambda: tick + dt.timedelta(seconds=5)))
    try:
        runner.run_job(str(path), JOB, ["Campaigns"])
        runner.run_job(str(path), JOB, ["Campaigns"])  # still failing: no second alert
    finally:
        runner.deactivate(str(path))
    assert len(server.recorder.messages) == 1
    assert server.recorder.messages[0].message["Subject"] == "[sheets-sync] FAILED: report 'Campaigns' (sync.yaml)"
