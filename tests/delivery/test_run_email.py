"""`run` with an emailed workbook: against the API emulator and a real SMTP server, one message per run."""

from __future__ import annotations

import io
import logging
import threading
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from sheets_sync.config import load_config
from sheets_sync.delivery.workbook_email import WorkbookEmail, deliver_workbook
from sheets_sync.orchestrator import STATUS_OK, STATUS_PARTIAL, history_for, run_config
from tests.run.run_helpers import NOW, config_text, env_for, write_config

from .smtp_servers import PASSWORD, USER, RunningSmtp

REPORTS = [("Campaigns", "campaigns/performance", "book"), ("Platforms", "platforms/performance", "book")]


def book(port: int, *, ca_file: Path | None, send_when: str = "always", security: str = "starttls") -> str:
    ca = f"\n        ca_file: {ca_file}" if ca_file else ""
    return (f"  book:\n    type: excel\n    output: out/influence-{{end_date:%Y-%m}}.xlsx\n    email:\n"
            f"      to: [team@example.com]\n      cc: [boss@example.com]\n"
            f'      subject: "Influence {{end_date:%B %Y}}"\n      send_when: {send_when}\n'
            f"      smtp:\n        host: 127.0.0.1\n        port: {port}\n        username: {USER}\n"
            f"        password: ${{SMTP_PASSWORD}}\n        security: {security}\n"
            f"        timeout_seconds: 5{ca}\n")


def load(tmp_path: Path, emulator, server: RunningSmtp, certificate, **options: object):
    text = config_text(REPORTS, destinations=book(server.port, ca_file=certificate[0], **options))
    return load_config(write_config(tmp_path, text), {**env_for(emulator), "SMTP_PASSWORD": PASSWORD})


def test_a_run_emails_the_written_workbook_once_and_it_opens(tmp_path, emulator, smtp_server, certificate):
    """One message after the write: subject rendered, both bodies list each tab, the attachment is the workbook."""
    server = smtp_server("starttls")
    cfg = load(tmp_path, emulator, server, certificate)
    summary = run_config(cfg, now=NOW, history=history_for(cfg))
    assert summary.exit_code == 0 and [o.status for o in summary.outcomes] == [STATUS_OK, STATUS_OK]
    [received] = server.recorder.messages
    assert received.tls and sorted(received.recipients) == ["boss@example.com", "team@example.com"]
    message = received.message
    assert message["Subject"] == "Influence June 2026"
    assert summary.run_id in message["Message-ID"]
    written = tmp_path / "out" / "influence-2026-06.xlsx"
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == written.name
    assert attachment.get_content_type() == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    content = attachment.get_content()
    assert content == written.read_bytes()
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
    assert workbook.sheet_names[:2] == ["Campaigns", "Platforms"]
    rows = {name: len(workbook.get_sheet_by_name(name).to_python()) - 1 for name in ("Campaigns", "Platforms")}
    text, html = message.get_body(("plain",)), message.get_body(("html",))
    assert text is not None and html is not None
    for name, count in rows.items():
        assert f"== {name} ==" in text.get_content() and f"{count:,} rows" in text.get_content()
        assert f">{name}</h2>" in html.get_content()
    assert "2026-04-01 to 2026-06-30" in text.get_content()
    assert summary.notes == []


def test_send_when_changed_skips_a_run_with_the_same_data(tmp_path, emulator, smtp_server, certificate):
    """The second run fetches the same data: the workbook is written again, no second email, a note says why."""
    server = smtp_server("starttls")
    cfg = load(tmp_path, emulator, server, certificate, send_when="changed")
    first = run_config(cfg, now=NOW)
    second = run_config(cfg, now=NOW)
    assert first.exit_code == second.exit_code == 0
    assert len(server.recorder.messages) == 1
    assert second.notes == ["email for destination 'book' not sent: the data is the same as in the last email "
                            "(send_when: changed)"]


def test_send_when_changed_sends_again_when_the_data_differs(tmp_path, emulator, smtp_server, certificate):
    """Another period gives other numbers: the second run sends its own message."""
    server = smtp_server("starttls")
    cfg = load(tmp_path, emulator, server, certificate, send_when="changed")
    assert run_config(cfg, now=NOW).exit_code == 0
    text = config_text(REPORTS, destinations=book(server.port, ca_file=certificate[0], send_when="changed"),
                       date_range="{start: 2026-05-01, end: 2026-06-30}")
    other = load_config(write_config(tmp_path, text), {**env_for(emulator), "SMTP_PASSWORD": PASSWORD})
    second = run_config(other, now=NOW)
    assert second.exit_code == 0 and second.notes == []
    assert len(server.recorder.messages) == 2


def test_send_when_has_rows_skips_a_run_without_rows(tmp_path, emulator, smtp_server, certificate):
    """A period with no data: the workbook is written, nothing is sent, and the note says which rule held it back."""
    server = smtp_server("starttls")
    text = config_text(REPORTS, destinations=book(server.port, ca_file=certificate[0], send_when="has_rows"),
                       date_range="{start: 2019-01-01, end: 2019-01-31}")
    cfg = load_config(write_config(tmp_path, text), {**env_for(emulator), "SMTP_PASSWORD": PASSWORD})
    summary = run_config(cfg, now=NOW)
    assert all(o.rows == 0 for o in summary.outcomes) and summary.exit_code == 0
    assert server.recorder.messages == []
    assert "email for destination 'book' not sent: no report has rows (send_when: has_rows)" in summary.notes


def test_a_failed_send_fails_the_run_keeps_the_workbook_and_leaks_no_password(tmp_path, emulator, smtp_server,
                                                                                certificate, caplog):
    """A server without STARTTLS: no login, reports `partial` with the reason in history, exit 1, file written."""
    server = smtp_server("plain")
    cfg = load(tmp_path, emulator, server, certificate)
    history = history_for(cfg)
    with caplog.at_level(logging.DEBUG):
        summary = run_config(cfg, now=NOW, history=history)
    assert summary.exit_code == 1
    assert [o.status for o in summary.outcomes] == [STATUS_PARTIAL, STATUS_PARTIAL]
    assert (tmp_path / "out" / "influence-2026-06.xlsx").is_file()
    assert server.recorder.logins == [] and server.recorder.messages == []
    rows = history.recent()
    assert {r.status for r in rows} == {STATUS_PARTIAL}
    assert all(r.error and "email for destination 'book' not sent" in r.error and "STARTTLS" in r.error
               for r in rows)
    assert any("the workbook is written" in note for note in summary.notes)
    assert PASSWORD not in caplog.text and all(PASSWORD not in (r.error or "") for r in rows)


def test_a_dry_run_sends_nothing(tmp_path, emulator, smtp_server, certificate):
    """--dry-run fetches only: no workbook, no email."""
    server = smtp_server("starttls")
    cfg = load(tmp_path, emulator, server, certificate)
    run_config(cfg, now=NOW, dry_run=True)
    assert server.recorder.messages == [] and server.recorder.logins == []
    assert not (tmp_path / "out").exists()


def test_two_runs_at_once_send_one_message_each(tmp_path, emulator, smtp_server, certificate):
    """Two runs of one config finishing together: two messages, each with its own run's Message-ID."""
    server = smtp_server("starttls")
    cfg = load(tmp_path, emulator, server, certificate)
    summaries: list = []
    threads = [threading.Thread(target=lambda: summaries.append(run_config(cfg, now=NOW))) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [s.exit_code for s in summaries] == [0, 0]
    ids = sorted(m.message["Message-ID"] for m in server.recorder.messages)
    assert len(ids) == 2 and len(set(ids)) == 2
    assert all(any(s.run_id in i for i in ids) for s in summaries)


def test_delivering_the_same_run_again_sends_no_duplicate(tmp_path, emulator, smtp_server, certificate):
    """The same run and destination delivered twice (a retried step): the sent log stops the second message."""
    server = smtp_server("starttls")
    cfg = load(tmp_path, emulator, server, certificate)
    summary = run_config(cfg, now=NOW)
    assert len(server.recorder.messages) == 1
    job = WorkbookEmail(destination="book", email=cfg.destinations["book"].email,
                        workbook=tmp_path / "out" / "influence-2026-06.xlsx",
                        tabs=list(summary.tables.items()), run_id=summary.run_id, now=NOW,
                        state_dir=tmp_path / ".sheets-sync", base_dir=tmp_path)
    again = deliver_workbook(job)
    assert not again.sent and "already sent by this run" in again.note
    assert len(server.recorder.messages) == 1


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_an_untrusted_certificate_fails_the_send_not_the_workbook(tmp_path, emulator, smtp_server, certificate,
                                                                  security):
    """Without smtp.ca_file the self-signed server is refused (verified TLS); the workbook is still written."""
    server = smtp_server(security)
    text = config_text(REPORTS, destinations=book(server.port, ca_file=None, security=security))
    cfg = load_config(write_config(tmp_path, text), {**env_for(emulator), "SMTP_PASSWORD": PASSWORD})
    summary = run_config(cfg, now=NOW)
    assert summary.exit_code == 1 and server.recorder.messages == [] and server.recorder.logins == []
    assert any("certificate not trusted" in (o.error or "") for o in summary.outcomes)
    assert (tmp_path / "out" / "influence-2026-06.xlsx").is_file()
