"""The CLI says what it does: --rows only with --dry-run, DEBUG request lines, progress totals under a row cap,
an 80-column history, JSON config problems under --json-logs, and one masking for logs, summary, history and files."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import sqlite3
from pathlib import Path

import pytest
from rich.console import Console

from sheets_sync.cli import main
from sheets_sync.history import RunRecord
from sheets_sync.progress import RunProgress, print_history

BASE = """\
timezone: UTC
api:
  base_url: ${LATER_API_URL}
  client_id: ${LATER_CLIENT_ID}
  client_secret: ${LATER_CLIENT_SECRET}
  pagination: page
  page_size: 10
defaults:
  date_range: {start: 2026-04-01, end: 2026-06-30}
destinations:
  flat: {type: csv, output: "out/{report}.csv"}
reports:
"""


def write_config(folder: Path, reports: str, base: str = BASE) -> Path:
    path = folder / "sync.yaml"
    path.write_text(base + reports, encoding="utf-8")
    return path


def files_under(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}


class TestRowsOption:
    def test_rows_without_dry_run_is_a_usage_error_naming_dry_run(self, config_file: Path, capsys) -> None:
        """`run --rows 5` would look like a capped run while writing every row: exit 2, nothing fetched or written."""
        before = files_under(config_file.parent)
        assert main(["run", str(config_file), "--rows", "5"]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and "--rows" in err[0] and "--dry-run" in err[0] and "max_rows" in err[0]
        assert files_under(config_file.parent) == before

    def test_rows_with_dry_run_limits_the_printed_rows(self, config_file: Path, capsys) -> None:
        """With --dry-run, --rows 2 prints two rows of Platforms while the summary counts all of its rows."""
        assert main(["run", str(config_file), "--dry-run", "--rows", "2", "--report", "Platforms"]) == 0
        out = capsys.readouterr().out
        shown = [line for line in out.splitlines() if re.match(r"\s*[a-z]+_[a-z_]+\s+\d+\s*$", line)]
        assert len(shown) == 2, out
        summary = next(line for line in out.splitlines() if line.strip().startswith("Platforms "))
        assert int(summary.split()[2]) > 2  # the summary's rows column: the whole fetch


def test_debug_shows_each_request_with_its_query_and_masks_credentials(config_file: Path, capsys) -> None:
    """--log-level DEBUG lists every GET with its query (dates, metrics); no secret or token appears."""
    assert main(["run", str(config_file), "--log-level", "DEBUG"]) == 0
    err = capsys.readouterr().err
    gets = [line for line in err.splitlines() if "DEBUG" in line and "GET /v2/" in line]
    assert any("/v2/campaigns/performance?" in line and "startDate=2026-04-01" in line
               and "metrics=impressions" in line for line in gets)
    assert any("/v2/platforms/performance?" in line for line in gets)
    assert "demo-secret" not in err and "eyJ" not in err


class RecordingProgress(RunProgress):
    """A plain progress that keeps every (pages, total) it was told."""

    def __init__(self) -> None:
        super().__init__(io.StringIO(), bar=False)
        self.events: list[tuple[int, int | None]] = []

    def pages_fetched(self, report: str, pages: int, rows: int, total_pages: int | None = None) -> None:
        self.events.append((pages, total_pages))


@pytest.mark.parametrize("cap_from", ["max_rows", "dry_run_rows"])
def test_progress_total_counts_the_pages_a_row_cap_needs(tmp_path: Path, api_env, cap_from: str) -> None:
    """With 56 campaigns in pages of 10, a 25-row cap (config max_rows or preview --rows) fetches 3 of 6 pages,
    and the progress total is 3, so the bar ends at 100 %."""
    from sheets_sync.config import load_config
    from sheets_sync.orchestrator import run_config

    cap = "    max_rows: 25\n" if cap_from == "max_rows" else ""
    path = write_config(tmp_path, "  - name: Campaigns\n    endpoint: campaigns/performance\n"
                                  "    metrics: [impressions]\n    destination: flat\n" + cap)
    progress = RecordingProgress()
    summary = run_config(load_config(path, api_env), dry_run=True, progress=progress,
                         max_rows=25 if cap_from == "dry_run_rows" else None)
    assert summary.outcomes[0].rows == 25 and summary.outcomes[0].pages == 3
    assert progress.events and all(total == 3 for _, total in progress.events)
    assert max(pages for pages, _ in progress.events) == 3


def history_records() -> list[RunRecord]:
    """A failed report with a long error, a report writing two long paths, and a long report name."""
    start = dt.datetime(2026, 5, 1, 6, 0, tzinfo=dt.UTC)
    return [
        RunRecord("a1b2c3d4e5", start, start + dt.timedelta(seconds=3), "Campaign performance by week", "failed",
                  error="campaigns/performance: gave up after 5 attempts: cannot reach api.later.example:443: "
                        "connection refused (nothing accepts connections at that port)",
                  start_date=dt.date(2026, 4, 1), end_date=dt.date(2026, 4, 30)),
        RunRecord("a1b2c3d4e5", start, start + dt.timedelta(seconds=12), "Creators", "ok", rows=12345, pages=124,
                  requests=125, retries=1, output="reports/monthly/influence-2026-04.xlsx, "
                                                  "reports/csv/very-long-folder-name/creators-2026-04.csv",
                  start_date=dt.date(2026, 4, 1), end_date=dt.date(2026, 4, 30)),
    ]


def column_text(lines: list[str], header: str, next_header: str | None) -> str:
    """Everything shown in one left-aligned column of a printed table, its lines joined without spaces."""
    head = next(line for line in lines if header in line)
    start = head.index(header)
    end = head.index(next_header) if next_header else None
    below = lines[lines.index(head) + 2:]
    return re.sub(r"\s+", "", "".join(line[start:end] for line in below))


def test_history_fits_an_80_column_terminal_without_losing_anything() -> None:
    """At 80 columns no line is wider; report names, statuses, rows, the period, every file name and the whole
    error are still shown (wrapped or folded at separators, never cut off)."""
    stream = io.StringIO()
    print_history(Console(file=stream, width=80, no_color=True), history_records())
    text = stream.getvalue()
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert "…" not in text
    assert "failed" in text and "ok" in text and "12,345" in text
    reports = column_text(lines, "report", "status")
    assert reports == "Campaignperformancebyweek" + "Creators"
    detail = column_text(lines, "output / error", None)
    record_failed, record_ok = history_records()
    expected = ("2026-04-01to2026-04-30" + re.sub(r"\s+", "", record_failed.error)
                + "2026-04-01to2026-04-30" + record_ok.output.replace(", ", ""))
    assert detail == expected
    # Paths fold only at their separators: every file name is whole on one line.
    assert any(line.rstrip().endswith("influence-2026-04.xlsx") for line in lines)
    assert any(line.rstrip().endswith("creators-2026-04.csv") for line in lines)


def test_history_on_a_wide_terminal_shows_every_column() -> None:
    """With room (200 columns) the history keeps run id, pages, requests, retries and seconds as columns."""
    stream = io.StringIO()
    print_history(Console(file=stream, width=200, no_color=True), history_records())
    header = next(line for line in stream.getvalue().splitlines() if "started" in line)
    assert header.split() == ["started", "run", "report", "period", "status", "rows", "pages", "requests", "retries",
                              "seconds", "output", "/", "error"]


def test_history_outside_the_config_folder_hints_at_config(config_file: Path, tmp_path: Path, monkeypatch,
                                                           capsys) -> None:
    """Run from the config's parent folder, `history` finds nothing locally and names --config and the config."""
    assert main(["run", str(config_file), "--report", "Platforms"]) == 0
    workdir = tmp_path / "elsewhere"
    workdir.mkdir()
    (workdir / "configs").mkdir()
    moved = workdir / "configs" / "sync.yaml"
    moved.write_text(config_file.read_text(encoding="utf-8"), encoding="utf-8")
    (config_file.parent / ".sheets-sync").rename(workdir / "configs" / ".sheets-sync")
    monkeypatch.chdir(workdir)
    capsys.readouterr()
    assert main(["history"]) == 0
    out = capsys.readouterr().out
    assert "No runs recorded yet" in out and "--config" in out and "configs/sync.yaml" in out
    assert main(["history", "--config", str(moved)]) == 0
    assert "Platforms" in capsys.readouterr().out


class TestJsonLogs:
    BROKEN = BASE + "  - name: R\n    endpoint: campaigns/performance\n    metrics: [impressions]\n" \
                    "    destination: flat\n    date_range: {start: 2026-01-01, end: 2025-01-01}\n"

    def json_lines(self, text: str) -> list[dict]:
        return [json.loads(line) for line in text.splitlines() if line.strip()]

    def test_validate_problems_are_json_records_on_stderr(self, tmp_path: Path, api_env, capsys) -> None:
        """validate --json-logs: problems still print on stdout, and stderr holds only JSON records with file,
        line and key of each problem."""
        path = tmp_path / "sync.yaml"
        path.write_text(self.BROKEN, encoding="utf-8")
        assert main(["--json-logs", "validate", str(path)]) == 2
        captured = capsys.readouterr()
        assert "reports[0].date_range" in captured.out
        records = self.json_lines(captured.err)  # fails if any stderr line is not JSON
        problems = [r for r in records if r.get("key")]
        assert problems and problems[0]["level"] == "ERROR" and problems[0]["line"] == 17
        assert problems[0]["file"].endswith("sync.yaml") and problems[0]["key"].startswith("reports[0].date_range")

    def test_run_config_errors_are_json_records_on_stderr(self, tmp_path: Path, api_env, capsys) -> None:
        """run --json-logs on a broken config exits 2 with one JSON record per problem and no plain line."""
        path = tmp_path / "sync.yaml"
        path.write_text(self.BROKEN, encoding="utf-8")
        assert main(["run", str(path), "--json-logs"]) == 2
        records = self.json_lines(capsys.readouterr().err)
        assert [r["key"] for r in records if r["level"] == "ERROR"] == ["reports[0].date_range"]

    @pytest.mark.parametrize("argv", [["--json-logs", "run"], ["--json-logs", "run", "x.yaml", "--bogus"],
                                      ["--json-logs", "nonsense"], ["validate", "--json-logs"]])
    def test_argument_errors_are_json_records_too(self, argv: list[str], capsys) -> None:
        """A missing CONFIG, an unknown option or command under --json-logs: exit 2, one JSON ERROR, no usage text."""
        assert main(argv) == 2
        captured = capsys.readouterr()
        records = self.json_lines(captured.err)  # fails if any stderr line is not JSON
        assert len(records) == 1 and records[0]["level"] == "ERROR" and "sheets-sync" in records[0]["message"]
        assert "usage:" not in captured.err and captured.out == ""

    def test_argument_errors_without_json_logs_keep_argparse_usage_text(self, capsys) -> None:
        """Without --json-logs an argument error is argparse's usage text and exit 2, as before."""
        assert main(["run"]) == 2
        assert "usage:" in capsys.readouterr().err

    def test_usage_errors_are_json_records_too(self, config_file: Path, capsys) -> None:
        """An unknown --report under --json-logs is one JSON ERROR record, not a plain line."""
        assert main(["run", str(config_file), "--report", "Nope", "--json-logs"]) == 2
        records = self.json_lines(capsys.readouterr().err)
        assert len(records) == 1 and records[0]["level"] == "ERROR" and "Nope" in records[0]["message"]


def test_a_value_masked_in_logs_is_masked_in_summary_history_and_file_name(tmp_path: Path, api_env,
                                                                           capsys) -> None:
    """A report whose name holds the client secret: logs, summary, history and the CSV's file name all mask it."""
    path = write_config(tmp_path, "  - name: Leak demo-secret check\n    endpoint: platforms/performance\n"
                                  "    metrics: [impressions]\n    destination: flat\n")
    assert main(["run", str(path), "--log-level", "DEBUG"]) == 0
    captured = capsys.readouterr()
    assert "demo-secret" not in captured.err and "demo-secret" not in captured.out
    assert "Leak *** check" in captured.out  # the summary's report column
    written = files_under(tmp_path / "out")
    assert len(written) == 1 and "secret" not in next(iter(written)) and "masked" in next(iter(written))
    assert next(iter(written)) in captured.out  # the summary names the file that exists
    with sqlite3.connect(tmp_path / ".sheets-sync" / "history.sqlite") as conn:
        report, output = conn.execute("select report, output from runs").fetchone()
    assert "demo-secret" not in report + output and "***" in report
    assert main(["history", "--config", str(path)]) == 0
    assert "demo-secret" not in capsys.readouterr().out
