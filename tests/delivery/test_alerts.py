"""Failure alerts: real runs against the emulator, real history, a real SMTP server; one alert per change of state."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

from sheets_sync.config import load_config
from sheets_sync.delivery.alerts import send_run_alerts
from sheets_sync.orchestrator import history_for, run_config
from tests.run.run_helpers import NOW, env_for

from .smtp_servers import PASSWORD, USER

FAILING_FILTER = "    filters: {instance_ids: [instance_zzz]}\n"


def config_text(port: int, ca_file: Path, *, failing: bool) -> str:
    return ("timezone: Europe/London\napi:\n  base_url: ${LATER_API_URL}\n  client_id: ${LATER_CLIENT_ID}\n"
            "  client_secret: ${LATER_CLIENT_SECRET}\n  pagination: page\n"
            "defaults:\n  date_range: {start: 2026-04-01, end: 2026-06-30}\n"
            "destinations:\n  files: {type: csv, output: \"out/{report}.csv\"}\n"
            "alerts:\n  to: [ops@example.com]\n"
            f"  smtp: {{host: 127.0.0.1, port: {port}, username: {USER}, password: \"${{SMTP_PASSWORD}}\", "
            f"ca_file: {ca_file}, timeout_seconds: 5}}\n"
            "reports:\n  - name: Campaigns\n    endpoint: campaigns/performance\n    metrics: [impressions]\n"
            "    destination: files\n" + (FAILING_FILTER if failing else ""))


def scheduled_run(folder: Path, emulator, port: int, ca_file: Path, *, failing: bool, dry_run: bool = False):
    """One run as the scheduler makes it: run the config, record history, then call the alerts hook."""
    path = folder / "sync.yaml"
    path.write_text(config_text(port, ca_file, failing=failing), encoding="utf-8")
    cfg = load_config(path, {**env_for(emulator), "SMTP_PASSWORD": PASSWORD})
    history = history_for(cfg)
    summary = run_config(cfg, now=NOW, history=None if dry_run else history, dry_run=dry_run)
    return summary, send_run_alerts(cfg, summary, history=history, sleep=lambda seconds: None)


def test_one_alert_when_a_report_starts_failing_and_one_when_it_recovers(tmp_path, emulator, smtp_server,
                                                                          certificate):
    """good, failed, failed (a retry), good, good: exactly two messages, the failure naming the last good run."""
    server = smtp_server("starttls")
    good, sent = scheduled_run(tmp_path, emulator, server.port, certificate[0], failing=False)
    assert good.exit_code == 0 and sent.failed == sent.recovered == [] and server.recorder.messages == []
    failed, sent = scheduled_run(tmp_path, emulator, server.port, certificate[0], failing=True)
    assert failed.exit_code == 1 and sent.failed == ["Campaigns"] and sent.error is None
    again, sent = scheduled_run(tmp_path, emulator, server.port, certificate[0], failing=True)
    assert again.exit_code == 1 and sent.failed == [] and len(server.recorder.messages) == 1
    _, sent = scheduled_run(tmp_path, emulator, server.port, certificate[0], failing=False)
    assert sent.recovered == ["Campaigns"]
    _, sent = scheduled_run(tmp_path, emulator, server.port, certificate[0], failing=False)
    assert sent.failed == sent.recovered == []

    alert, recovery = (m.message for m in server.recorder.messages)
    assert alert["Subject"] == "[sheets-sync] FAILED: report 'Campaigns' (sync.yaml)"
    body = alert.get_body(("plain",)).get_content()
    assert "Report:        Campaigns" in body and "instance_zzz" in body
    london = good.outcomes[0].started_at.astimezone(ZoneInfo("Europe/London"))
    assert f"Last good run: {london:%Y-%m-%d %H:%M %Z}" in body
    assert recovery["Subject"] == "[sheets-sync] RECOVERED: report 'Campaigns' (sync.yaml)"
    assert "Failing since:" in recovery.get_body(("plain",)).get_content()
    assert [m.recipients for m in server.recorder.messages] == [["ops@example.com"]] * 2


def test_an_alert_that_cannot_be_sent_is_reported_and_tried_again_next_run(tmp_path, emulator, smtp_server,
                                                                           certificate):
    """The alert server offers no STARTTLS: no login, the error comes back (not raised); the next failure alerts."""
    plain = smtp_server("plain")
    _, sent = scheduled_run(tmp_path, emulator, plain.port, certificate[0], failing=True)
    assert sent.failed == [] and sent.error and "does not offer STARTTLS" in sent.error
    assert plain.recorder.logins == [] and plain.recorder.messages == []
    assert PASSWORD not in sent.error
    server = smtp_server("starttls")
    _, sent = scheduled_run(tmp_path, emulator, server.port, certificate[0], failing=True)
    assert sent.failed == ["Campaigns"] and len(server.recorder.messages) == 1


def test_the_same_run_alerted_twice_sends_one_message(tmp_path, emulator, smtp_server, certificate):
    """The hook called again with the same failed run (a retried call): the state and sent log stop a duplicate."""
    server = smtp_server("starttls")
    path = tmp_path / "sync.yaml"
    path.write_text(config_text(server.port, certificate[0], failing=True), encoding="utf-8")
    cfg = load_config(path, {**env_for(emulator), "SMTP_PASSWORD": PASSWORD})
    summary = run_config(cfg, now=NOW)
    first = send_run_alerts(cfg, summary, history=None)
    second = send_run_alerts(cfg, summary, history=None)
    assert first.failed == ["Campaigns"] and second.failed == [] and len(server.recorder.messages) == 1
    assert "Last good run: never" in server.recorder.messages[0].message.get_body(("plain",)).get_content()


def test_a_dry_run_and_a_config_without_alerts_send_nothing(tmp_path, emulator, smtp_server, certificate):
    """--dry-run is no scheduled run; without `alerts:` the hook does nothing."""
    server = smtp_server("starttls")
    _, sent = scheduled_run(tmp_path, emulator, server.port, certificate[0], failing=True, dry_run=True)
    assert sent.failed == [] and server.recorder.messages == []
    path = tmp_path / "plain.yaml"
    path.write_text(config_text(server.port, certificate[0], failing=True).split("alerts:")[0]
                    + "reports:" + config_text(server.port, certificate[0], failing=True).split("reports:")[1],
                    encoding="utf-8")
    cfg = load_config(path, {**env_for(emulator), "SMTP_PASSWORD": PASSWORD})
    summary = run_config(cfg, now=NOW)
    assert summary.exit_code == 1
    assert send_run_alerts(cfg, summary, history=None).failed == [] and server.recorder.messages == []
