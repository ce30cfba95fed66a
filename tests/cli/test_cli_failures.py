"""How the CLI reports what failed: the summary, the FAILED lines, the error log, notes; and its quiet edges."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console

from sheets_sync.cli import main
from sheets_sync.orchestrator import ReportOutcome
from sheets_sync.progress import print_summary

ROOT = Path(__file__).resolve().parents[2]
README_PROMISE = ("| exit code 1 | a run failed: the summary table and the error line name the report and the reason; "
                  "`sheets-sync history` keeps it |")

# Campaigns fills the workbook and a CSV; Forbidden (refused by the API: an instance the credentials
# cannot see) fills the same workbook, so the workbook is not written while Campaigns' CSV is.
PARTIAL = """\
timezone: UTC
api:
  base_url: ${LATER_API_URL}
  client_id: ${LATER_CLIENT_ID}
  client_secret: ${LATER_CLIENT_SECRET}
  pagination: page
defaults:
  date_range: {start: 2026-04-01, end: 2026-06-30}
destinations:
  book: {type: excel, output: out/book.xlsx}
  flat: {type: csv, output: "out/{report}.csv"}
reports:
  - name: Campaigns
    endpoint: campaigns/performance
    metrics: [impressions]
    destination: [book, flat]
  - name: Forbidden
    endpoint: platforms/performance
    metrics: [impressions]
    filters: {instance_ids: [instance_zzz]}
    destination: book
"""


def summary_rows(out: str) -> dict[str, list[str]]:
    """The summary table's lines that start a report's row, split on whitespace, by report name."""
    return {line.split()[0]: line.split() for line in out.splitlines()
            if line.strip().startswith(("Campaigns", "Forbidden", "Platforms"))}


def test_readme_promise_holds_word_for_word(failing_config_file: Path, capsys) -> None:
    """The README's exit-1 row is true: the summary names the failed report, a FAILED line names it and the reason."""
    assert README_PROMISE in (ROOT / "README.md").read_text(encoding="utf-8")
    assert main(["run", str(failing_config_file)]) == 1
    captured = capsys.readouterr()
    assert summary_rows(captured.out)["Forbidden"][:2] == ["Forbidden", "failed"]
    failed = [line for line in captured.err.splitlines() if line.startswith("FAILED ")]
    assert failed == ["FAILED Forbidden: creators/performance: the API rejected the request: HTTP 403 "
                      "INTERNAL_ERROR (Forbidden): Access denied to instanceIds: instance_zzz."]


def test_failed_lines_come_after_the_summary_one_per_failed_report(tmp_path: Path, api_env, capsys) -> None:
    """Each failed or partial report gets exactly one `FAILED <report>: <reason>` line on stderr; ok reports none."""
    path = tmp_path / "sync.yaml"
    path.write_text(PARTIAL, encoding="utf-8")
    assert main(["run", str(path)]) == 1
    err = capsys.readouterr().err.splitlines()
    failed = [line for line in err if line.startswith("FAILED ")]
    assert [line.split(":")[0] for line in failed] == ["FAILED Campaigns", "FAILED Forbidden"]
    assert failed[0] == ("FAILED Campaigns: workbook 'book' not written because report 'Forbidden' failed; "
                         "the previous workbook is unchanged")
    assert err.index(failed[0]) > max(i for i, line in enumerate(err) if " INFO " in line or " ERROR " in line)


def test_json_logs_keep_stderr_json_only_when_reports_fail(tmp_path: Path, api_env, capsys) -> None:
    """With --json-logs every stderr line is a JSON object: failures arrive as ERROR records, not FAILED text."""
    import json

    path = tmp_path / "sync.yaml"
    path.write_text(PARTIAL, encoding="utf-8")
    assert main(["--json-logs", "run", str(path)]) == 1
    records = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.strip()]
    errors = [r["message"] for r in records if r["level"] == "ERROR"]
    assert any("Forbidden" in m for m in errors) and any("not written" in m for m in errors)


def test_partial_report_shows_what_was_written_and_what_was_not(tmp_path: Path, api_env, capsys) -> None:
    """A report whose CSV was written but whose workbook was not is `partial`, listing `✗ book (not written)`."""
    path = tmp_path / "sync.yaml"
    path.write_text(PARTIAL, encoding="utf-8")
    assert main(["run", str(path)]) == 1
    out = capsys.readouterr().out
    assert summary_rows(out)["Campaigns"][1] == "partial"
    assert re.search(r"out/campaigns\.csv\s*\n.*✗ book \(not written\)", out)
    assert (tmp_path / "out" / "campaigns.csv").is_file() and not (tmp_path / "out" / "book.xlsx").exists()


def test_every_failure_has_an_error_log_line(tmp_path: Path, api_env, capsys) -> None:
    """The refused report and the workbook not written each have an ERROR line naming them and the reason."""
    path = tmp_path / "sync.yaml"
    path.write_text(PARTIAL, encoding="utf-8")
    assert main(["run", str(path)]) == 1
    errors = [line.split(" ERROR ", 1)[1] for line in capsys.readouterr().err.splitlines() if " ERROR " in line]
    assert len(errors) == 2
    # Each line carries the run id; the report's line also the report it belongs to.
    assert re.match(r'  sheets_sync\.orchestrator: \[run [0-9a-f]{8} report "Forbidden"\] '
                    r"report 'Forbidden' failed: ", errors[0]) and "instance_zzz" in errors[0]
    assert re.fullmatch(r"  sheets_sync\.sinks\.excel\.sink: \[run [0-9a-f]{8}\] destination 'book': not written "
                        r"because report 'Forbidden' failed; the previous workbook is unchanged", errors[1])


def test_broken_template_exits_2_before_any_request(tmp_path: Path, make_emulator, monkeypatch, capsys) -> None:
    """`run` with a template whose table does not match its report prints the problem, exits 2, fetches nothing."""
    emu = make_emulator()
    for key, value in {"LATER_API_URL": emu.url, "LATER_CLIENT_ID": "demo-client",
                       "LATER_CLIENT_SECRET": "demo-secret"}.items():
        monkeypatch.setenv(key, value)
    path = tmp_path / "sync.yaml"
    template = ROOT / "sheets_sync" / "demo" / "demo.xlsx"
    text = PARTIAL.replace("book: {type: excel, output: out/book.xlsx}",
                           f"book: {{type: excel, template: {template}, output: out/book.xlsx}}")
    path.write_text(text.replace("    destination: book\n", "    destination: book\n    tab: Platforms\n"),
                    encoding="utf-8")
    assert main(["run", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("2 config problems\n") and "Traceback" not in err
    assert f"{path}:13:5: reports[0].tab: " in err and "reports[1].tab: " in err  # both tabs mismatch
    assert emu.stats.total == 0


def test_unknown_endpoint_suggests_the_closest_name(capsys) -> None:
    """`endpoints campaigns/performanc` exits 2 with a did-you-mean naming campaigns/performance."""
    assert main(["endpoints", "campaigns/performanc"]) == 2
    assert capsys.readouterr().err == ("sheets-sync: error: unknown endpoint 'campaigns/performanc'; "
                                       "did you mean campaigns/performance?\n")


@pytest.mark.parametrize("command", ["schema", "history"])  # print() and a rich table
def test_a_closed_stdout_ends_quietly(tmp_path: Path, command: str) -> None:
    """A command writing into a pipe its reader already closed prints nothing on stderr and exits 141, like SIGPIPE."""
    process = subprocess.Popen([sys.executable, "-m", "sheets_sync", command], cwd=tmp_path,
                               env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    process.stdout.close()  # before the child has written anything: its first write meets a closed pipe
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=60) == 141
    assert stderr == ""


def test_long_output_paths_fold_at_separators() -> None:
    """In an 80-column terminal an output path breaks only after a `/`, and every path stays whole when rejoined."""
    path = "/srv/reports/influence/monthly-exports/2026/campaign-performance-by-platform.csv"
    outcome = ReportOutcome("Campaigns", ["book"], rows=1234, pages=13, requests=14, retries=2, seconds=4.2,
                            outputs=[path])
    for width in (80, 120):
        stream = io.StringIO()
        print_summary(Console(file=stream, width=width, no_color=True), [outcome])
        text = stream.getvalue()
        pieces = [line.split()[-1] for line in text.splitlines() if "/" in line or line.rstrip().endswith(".csv")]
        assert "".join(pieces) == path, text
        assert all(piece.endswith("/") for piece in pieces[:-1]) and len(pieces) > 1
        assert all(len(line.rstrip()) <= width for line in text.splitlines())


def test_email_that_cannot_be_sent_is_one_note_and_exit_1(config_file: Path, capsys, monkeypatch) -> None:
    """The server offers no STARTTLS: the workbook is written, the run exits 1, one note says why, no password shown."""
    from tests.delivery.smtp_servers import start_smtp

    monkeypatch.setenv("SMTP_PASSWORD", "pw-9z-Secret")
    server = start_smtp("plain")
    try:
        text = config_file.read_text(encoding="utf-8").replace(
            "  book: {type: excel, output: out/book.xlsx}\n",
            "  book:\n    type: excel\n    output: out/book.xlsx\n    email:\n      to: [team@example.com]\n"
            "      subject: Report\n      smtp: {host: 127.0.0.1, port: " + str(server.port)
            + ", username: me@example.com, password: \"${SMTP_PASSWORD}\"}\n")
        config_file.write_text(text, encoding="utf-8")
        assert main(["run", str(config_file)]) == 1
    finally:
        server.stop()
    captured = capsys.readouterr()
    notes = [line for line in captured.out.splitlines() if line.startswith("note:")]
    assert len(notes) == 1 and "email for destination 'book' not sent" in notes[0] and "STARTTLS" in notes[0]
    assert (config_file.parent / "out" / "book.xlsx").is_file()
    assert server.recorder.logins == [] and server.recorder.messages == []
    assert "pw-9z-Secret" not in captured.out + captured.err
