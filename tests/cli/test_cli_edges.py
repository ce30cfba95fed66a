"""Tests of the CLI's edges: the real entry point, error lines, the bug path, progress and the summary table."""

from __future__ import annotations

import argparse
import io
import logging
import os
import subprocess
import sys
from pathlib import Path

from sheets_sync.cli import run_command
from sheets_sync.errors import ApiUnavailableError
from sheets_sync.orchestrator import ReportOutcome
from sheets_sync.progress import RunProgress, make_console, print_summary
from sheets_sync.redaction import register_secret

ROOT = Path(__file__).resolve().parents[2]


def run_module(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run `python -m sheets_sync ARGS` as a user would."""
    full_env = {**os.environ, **(env or {}), "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "sheets_sync", *args], cwd=cwd, env=full_env,
                          capture_output=True, text=True, timeout=60, check=False)


def test_entry_point_reports_a_missing_config_on_one_line(tmp_path: Path) -> None:
    """`python -m sheets_sync run missing.yaml` exits 2 with a short message and no traceback."""
    result = run_module("run", "missing.yaml", cwd=tmp_path)
    assert result.returncode == 2
    assert "missing.yaml" in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) <= 2


def test_entry_point_runs_a_config_and_exits_1_when_a_report_fails(failing_config_file: Path) -> None:
    """The real entry point prints the summary to stdout, log lines to stderr, and exits 1 on a failed report."""
    result = run_module("run", str(failing_config_file), cwd=failing_config_file.parent)
    assert result.returncode == 1
    assert "Summary" in result.stdout and "Forbidden" in result.stdout
    assert "report 'Campaigns'" in result.stderr  # plain INFO progress lines when stderr is not a terminal
    assert "demo-secret" not in result.stdout + result.stderr


def test_our_errors_become_one_line_with_their_exit_code(capsys) -> None:
    """A SheetsSyncError from a command prints `sheets-sync: error: ...` once and returns its exit code."""
    def handler(args, extra):
        raise ApiUnavailableError("campaigns/performance: retries exhausted (HTTP 503)")

    assert run_command(handler, argparse.Namespace(), []) == 1
    assert capsys.readouterr().err == "sheets-sync: error: campaigns/performance: retries exhausted (HTTP 503)\n"


def test_a_bug_shows_a_redacted_traceback_and_says_it_is_a_bug(capsys) -> None:
    """Any other exception prints its traceback with secrets masked, asks for a report, and exits 1."""
    register_secret("edge-test-secret-31")

    def handler(args, extra):
        raise KeyError("edge-test-secret-31")

    assert run_command(handler, argparse.Namespace(), []) == 1
    err = capsys.readouterr().err
    assert "Traceback" in err and "KeyError" in err and "this is a bug, please report it" in err
    assert "edge-test-secret-31" not in err


def test_progress_bar_shows_pages_and_rows_per_report() -> None:
    """With a bar, a report's line shows its name, pages fetched of the total and the row count."""
    stream = io.StringIO()
    with RunProgress(stream, bar=True) as progress:
        progress.report_started("Campaigns")
        progress.pages_fetched("Campaigns", 2, 150, total_pages=3)
        progress.report_finished("Campaigns", "ok", 230, 3)
    text = stream.getvalue()
    line = next(line for line in text.splitlines() if "Campaigns" in line)
    assert "3/3" in line and "230 rows" in line and line.rstrip().endswith("ok")


def test_without_a_terminal_progress_is_plain_log_lines(caplog) -> None:
    """Without a bar, a report's start and end are INFO log lines with rows and pages."""
    caplog.set_level(logging.INFO, logger="sheets_sync.progress")
    with RunProgress(io.StringIO(), bar=False) as progress:
        progress.report_started("Creators")
        progress.report_finished("Creators", "ok", 100, 1)
    messages = [r.getMessage() for r in caplog.records]
    assert messages == ["report 'Creators': fetching", "report 'Creators': ok, 100 row(s) in 1 page(s)"]


def test_summary_table_has_every_column_and_row() -> None:
    """The summary shows report, status, rows, pages, requests, retries, seconds and the outputs or error."""
    stream = io.StringIO()
    outcomes = [ReportOutcome("Campaigns", ["book"], rows=1234, pages=13, requests=14, retries=2, seconds=4.25,
                              outputs=["reports/book.xlsx"]),
                ReportOutcome("Trend", ["book"], status="failed", error="HTTP 403: Access denied")]
    print_summary(make_console(stream), outcomes)
    lines = stream.getvalue().splitlines()
    header = next(line for line in lines if "report" in line and "status" in line)
    assert header.split() == ["report", "status", "rows", "pages", "requests", "retries", "seconds", "output"]
    campaigns = next(line for line in lines if line.strip().startswith("Campaigns")).split()
    assert campaigns == ["Campaigns", "ok", "1,234", "13", "14", "2", "4.2", "reports/book.xlsx"]
    assert any("Trend" in line and "failed" in line and "Access denied" in line for line in lines)


def test_a_terminal_gets_a_progress_bar_instead_of_log_lines(tmp_path: Path) -> None:
    """With stderr on a terminal (a pty), the demo draws bars with pages and rows and prints no INFO lines."""
    import pty

    controller, terminal = pty.openpty()
    try:
        result = subprocess.run([sys.executable, "-m", "sheets_sync", "demo", "--output-dir", str(tmp_path)],
                                cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE,
                                stderr=terminal, text=True, timeout=60, check=False)
        os.close(terminal)
        chunks = []
        while True:
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # Linux reports EIO once the terminal side is closed and drained
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(controller)
    screen = b"".join(chunks).decode("utf-8", "replace")
    assert result.returncode == 0
    assert "Weekly trend" in screen and "pages" in screen and "26 rows" in screen
    assert " INFO " not in screen


def test_emulator_command_serves_through_the_main_entry_point(tmp_path: Path) -> None:
    """`python -m sheets_sync emulator --port 0` prints its URL first and stops cleanly on SIGTERM."""
    process = subprocess.Popen([sys.executable, "-m", "sheets_sync", "emulator", "--port", "0"], cwd=tmp_path,
                               env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE, text=True)
    try:
        first = process.stdout.readline().strip()
    finally:
        process.terminate()
        code = process.wait(timeout=10)
        process.stdout.close()
    assert first.startswith("Listening on http://127.0.0.1:") and code == 0
