"""Tests of the orchestrator against the real emulator: fetch once, write each destination, record history."""

from __future__ import annotations

import csv
import datetime as dt
import logging
import sqlite3
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from sheets_sync.config import load_config
from sheets_sync.errors import UsageError
from sheets_sync.orchestrator import history_for, run_config

# The emulator's data ends on its default anchor date (2026-06-30); fixed ranges keep the tests
# independent of today's date.
NOW = dt.datetime(2026, 7, 1, 9, 0, tzinfo=dt.UTC)

BASE = """\
timezone: UTC
api:
  base_url: ${LATER_API_URL}
  client_id: ${LATER_CLIENT_ID}
  client_secret: ${LATER_CLIENT_SECRET}
  pagination: page
  page_size: 20
defaults:
  date_range: {start: 2026-04-01, end: 2026-06-30}
destinations:
  book: {type: excel, output: out/book.xlsx}
  flat: {type: csv, output: "out/{report}-{end_date:%Y-%m}.csv"}
reports:
  - name: Campaign ROI
    endpoint: campaigns/performance
    metrics: [impressions, engagements]
    destination: [book, flat]
    tab: Campaigns
  - name: Platforms
    endpoint: platforms/performance
    metrics: [impressions]
    destination: book
"""


def write_config(folder: Path, text: str = BASE, extra_reports: str = "") -> Path:
    """Write a config file into `folder` and return its path."""
    path = folder / "sync.yaml"
    path.write_text(text + extra_reports, encoding="utf-8")
    return path


def env_for(emu) -> dict[str, str]:
    """The environment a config needs to reach `emu` with its default credentials."""
    return {"LATER_API_URL": emu.url, "LATER_CLIENT_ID": "demo-client", "LATER_CLIENT_SECRET": "demo-secret"}


def files_under(folder: Path) -> set[str]:
    """Every file below `folder`, relative."""
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}


FORBIDDEN_REPORT = """\
  - name: Forbidden
    endpoint: platforms/performance
    metrics: [impressions]
    filters: {instance_ids: [instance_zzz]}
    destination: book
"""


def test_each_report_is_written_to_each_of_its_destinations(tmp_path: Path, emulator) -> None:
    """The workbook gets one tab per report; the CSV destination gets one file per report routed to it."""
    cfg = load_config(write_config(tmp_path), env_for(emulator))
    summary = run_config(cfg, now=NOW, history=history_for(cfg))
    assert summary.exit_code == 0, [o.error for o in summary.outcomes]
    book = CalamineWorkbook.from_path(str(tmp_path / "out" / "book.xlsx"))
    assert {"Campaigns", "Platforms"} <= set(book.sheet_names)
    campaigns = summary.outcomes[0]
    with (tmp_path / "out" / "campaign-roi-2026-06.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][:2] == ["campaignId", "campaignName"] and len(rows) - 1 == campaigns.rows > 0
    # a clean workbook is headed by the catalogue's labels; the CSV keeps the field paths
    assert book.get_sheet_by_name("Campaigns").to_python()[0][:2] == ["Campaign ID", "Campaign Name"]
    assert len(campaigns.outputs) == 2 and campaigns.pages >= 1 and campaigns.requests >= campaigns.pages
    # Locks and history live in the state folder: the output folder holds only what the reports wrote.
    assert all(name.endswith((".xlsx", ".csv")) for name in files_under(tmp_path / "out"))


def test_one_fetch_serves_several_destinations(tmp_path: Path, make_emulator) -> None:
    """A report routed to two destinations is fetched once: the API sees one request per page, plus the token."""
    emu = make_emulator()
    cfg = load_config(write_config(tmp_path), env_for(emu))
    summary = run_config(cfg, report_names=["Campaign ROI"], now=NOW)
    outcome = summary.outcomes[0]
    assert len(outcome.outputs) == 2
    assert emu.stats.count(path="/v2/campaigns/performance") == outcome.pages


def test_failed_report_does_not_stop_the_others(tmp_path: Path, emulator) -> None:
    """A 403 on one report fails it and its workbook (left as it was); another report's CSV is written (partial)."""
    path = write_config(tmp_path, extra_reports=FORBIDDEN_REPORT)
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "book.xlsx").write_bytes(b"yesterday's workbook")
    cfg = load_config(path, env_for(emulator))
    summary = run_config(cfg, now=NOW, history=history_for(cfg))
    by_name = {o.report: o for o in summary.outcomes}
    assert summary.exit_code == 1
    assert by_name["Forbidden"].status == "failed" and "instance_zzz" in by_name["Forbidden"].error
    # Its CSV was written, its workbook was not: partial, with the workbook named as not written.
    assert by_name["Campaign ROI"].status == "partial" and "not written" in by_name["Campaign ROI"].error
    assert by_name["Campaign ROI"].outputs[0].endswith("campaign-roi-2026-06.csv")
    assert by_name["Campaign ROI"].failed_destinations == ["book"]
    assert (tmp_path / "out" / "book.xlsx").read_bytes() == b"yesterday's workbook"
    with sqlite3.connect(tmp_path / ".sheets-sync" / "history.sqlite") as conn:
        stored = dict(conn.execute("select report, status from runs").fetchall())
    assert stored == {"Campaign ROI": "partial", "Platforms": "failed", "Forbidden": "failed"}


def test_dry_run_fetches_but_writes_nothing(tmp_path: Path, emulator) -> None:
    """--dry-run returns the fetched tables and leaves the config folder exactly as it was."""
    path = write_config(tmp_path)
    before = files_under(tmp_path)
    cfg = load_config(path, env_for(emulator))
    summary = run_config(cfg, dry_run=True, now=NOW, history=None)
    assert files_under(tmp_path) == before
    assert [o.status for o in summary.outcomes] == ["dry_run", "dry_run"]
    assert summary.exit_code == 0 and len(list(summary.tables["Campaign ROI"].rows)) > 0


def test_max_rows_caps_what_is_fetched(tmp_path: Path, emulator) -> None:
    """A preview-sized run (max_rows) fetches at most that many rows."""
    cfg = load_config(write_config(tmp_path), env_for(emulator))
    summary = run_config(cfg, report_names=["Campaign ROI"], dry_run=True, max_rows=3, now=NOW)
    assert summary.outcomes[0].rows == 3


def test_unknown_report_name_is_a_usage_error(tmp_path: Path, emulator) -> None:
    """Asking for a report the config lacks names the reports it has."""
    cfg = load_config(write_config(tmp_path), env_for(emulator))
    with pytest.raises(UsageError, match="'Campaign ROI'"):
        run_config(cfg, report_names=["Nope"], now=NOW)


def test_partial_run_keeps_the_other_tabs_of_a_workbook(tmp_path: Path, emulator) -> None:
    """Running one report of a workbook refreshes its tab and keeps the other tab's last data."""
    cfg = load_config(write_config(tmp_path), env_for(emulator))
    assert run_config(cfg, now=NOW).exit_code == 0
    platforms_before = CalamineWorkbook.from_path(str(tmp_path / "out" / "book.xlsx")) \
        .get_sheet_by_name("Platforms").to_python()
    assert run_config(cfg, report_names=["Campaign ROI"], now=NOW).exit_code == 0
    platforms_after = CalamineWorkbook.from_path(str(tmp_path / "out" / "book.xlsx")) \
        .get_sheet_by_name("Platforms").to_python()
    assert platforms_after == platforms_before and len(platforms_after) > 1


def test_weekly_time_series_has_every_week(tmp_path: Path, emulator) -> None:
    """A weekly performance-over-time report has one row per ISO week of its range, gaps filled."""
    text = BASE.replace("reports:\n", """reports:
  - name: Trend
    endpoint: instances/performance-over-time
    granularity: week
    date_range: {start: 2026-01-05, end: 2026-06-28}
    metrics: [impressions]
    destination: flat
""")
    cfg = load_config(write_config(tmp_path, text), env_for(emulator))
    summary = run_config(cfg, report_names=["Trend"], now=NOW)
    assert summary.outcomes[0].rows == 25  # 2026-01-05 .. 2026-06-28 is exactly 25 Monday-Sunday weeks


def test_google_sheets_destination_is_written_by_its_sink(tmp_path: Path, emulator, sheets_emulator,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """A google_sheets destination is checked and written through the registry (the Sheets emulator here)."""
    monkeypatch.setenv("SHEETS_EMULATOR_HOST", sheets_emulator.host)
    sheets_emulator.service.create_spreadsheet("1AbCdEfGhIjKlMnOp")
    text = BASE.replace("destinations:\n", "destinations:\n  sheet: {type: google_sheets, spreadsheet: "
                        "1AbCdEfGhIjKlMnOp}\n").replace("destination: book\n", "destination: sheet\n")
    env = env_for(emulator) | {"SHEETS_EMULATOR_HOST": sheets_emulator.host}  # no credentials file needed with it
    cfg = load_config(write_config(tmp_path, text), env)
    summary = run_config(cfg, report_names=["Platforms"], now=NOW)
    assert summary.outcomes[0].status == "ok", summary.outcomes[0].error
    assert summary.outcomes[0].outputs == ["Google Sheets 1AbCdEfGhIjKlMnOp \u203a Platforms"]


def test_refused_credentials_fail_every_report_without_leaking_the_secret(tmp_path: Path, emulator) -> None:
    """A wrong client secret fails the run; the secret appears neither in the outcome nor in the history file."""
    env = env_for(emulator) | {"LATER_CLIENT_SECRET": "wrong-secret-5f3a9"}
    cfg = load_config(write_config(tmp_path), env)
    summary = run_config(cfg, now=NOW, history=history_for(cfg))
    assert summary.exit_code == 1 and all(o.status == "failed" for o in summary.outcomes)
    assert all("wrong-secret-5f3a9" not in (o.error or "") for o in summary.outcomes)
    assert b"wrong-secret-5f3a9" not in (tmp_path / ".sheets-sync" / "history.sqlite").read_bytes()


def test_state_url_sends_the_history_to_any_sqlalchemy_database(tmp_path: Path, emulator) -> None:
    """With `state_url`, run history goes to that database and no SQLite history file is created."""
    db = tmp_path / "elsewhere" / "team-history.db"
    db.parent.mkdir()
    text = BASE.replace("defaults:\n", f"state_url: sqlite:///{db}\ndefaults:\n")
    cfg = load_config(write_config(tmp_path, text), env_for(emulator))
    summary = run_config(cfg, report_names=["Platforms"], now=NOW, history=history_for(cfg))
    assert summary.exit_code == 0
    with sqlite3.connect(db) as conn:
        row = conn.execute("select report, status, destinations, rows, pages, requests, retries, error, output, "
                           "started_at <= finished_at, start_date, end_date from runs").fetchone()
    assert row[:3] == ("Platforms", "ok", "book") and row[3] == summary.outcomes[0].rows > 0
    assert row[4] >= 1 and row[5] >= row[4] and row[6] == 0 and row[7] is None
    assert row[8].endswith("book.xlsx") and row[9] == 1
    assert row[10:] == ("2026-04-01", "2026-06-30")  # the resolved period is kept with the run
    assert not (tmp_path / ".sheets-sync" / "history.sqlite").exists()


def test_retries_are_counted_even_when_a_report_fails(tmp_path: Path, make_emulator) -> None:
    """A report whose every request fails is recorded with its attempts and retries, not zeros."""
    emu = make_emulator(error_rate=1.0)
    cfg = load_config(write_config(tmp_path), env_for(emu))
    waits: list[float] = []
    summary = run_config(cfg, report_names=["Platforms"], now=NOW, history=history_for(cfg), sleep=waits.append)
    outcome = summary.outcomes[0]
    assert outcome.status == "failed" and outcome.retries >= 1 and outcome.requests > outcome.retries
    assert len(waits) == outcome.retries  # backed off before each retry (instantly, in this test)


def test_unwritable_history_fails_the_run_after_writing_outputs(tmp_path: Path, emulator) -> None:
    """When the history cannot be written the outputs are still written, and the run's exit code is 1."""
    text = BASE.replace("defaults:\n", "state_dir: blocker/state\ndefaults:\n")
    cfg = load_config(write_config(tmp_path, text), env_for(emulator))
    # after loading: a state folder that cannot be made is a config problem when it is so beforehand
    (tmp_path / "blocker").write_text("a file where the state folder should be")
    summary = run_config(cfg, report_names=["Platforms"], now=NOW, history=history_for(cfg))
    assert summary.outcomes[0].status == "ok" and (tmp_path / "out" / "book.xlsx").is_file()
    assert summary.exit_code == 1 and "run history" in summary.history_error


REPO = Path(__file__).resolve().parents[1]
BROKEN_TEMPLATE = f"""\
timezone: UTC
api:
  base_url: ${{LATER_API_URL}}
  client_id: ${{LATER_CLIENT_ID}}
  client_secret: ${{LATER_CLIENT_SECRET}}
  pagination: page
defaults:
  date_range: {{start: 2026-04-01, end: 2026-06-30}}
destinations:
  flat: {{type: csv, output: "out/{{report}}.csv"}}
  branded: {{type: excel, template: {REPO / 'sheets_sync' / 'demo' / 'demo.xlsx'}, output: out/branded.xlsx}}
reports:
  - name: Campaign ROI
    endpoint: campaigns/performance
    metrics: [impressions]
    destination: flat
  - name: Platforms
    endpoint: platforms/performance
    metrics: [impressions]
    destination: branded
    tab: Platforms
    table: tblPlatforms
"""


def test_a_broken_template_stops_the_run_before_any_request(tmp_path: Path, make_emulator) -> None:
    """A template whose table columns do not match its report is a ConfigError raised before the API is called."""
    from sheets_sync.errors import ConfigError

    emu = make_emulator()
    cfg = load_config(write_config(tmp_path, BROKEN_TEMPLATE), env_for(emu))
    with pytest.raises(ConfigError) as raised:
        run_config(cfg, now=NOW, history=history_for(cfg))
    assert raised.value.exit_code == 2
    assert [p.path for p in raised.value.problems] == ["reports[1].table"]
    assert "Content Type" in raised.value.problems[0].message  # the table's headers are listed
    assert emu.stats.total == 0 and files_under(tmp_path) == {"sync.yaml"}


def test_a_broken_template_does_not_stop_a_run_that_does_not_fill_it(tmp_path: Path, emulator) -> None:
    """`--report` on a report that only writes CSV runs even though another destination's template is broken."""
    cfg = load_config(write_config(tmp_path, BROKEN_TEMPLATE), env_for(emulator))
    summary = run_config(cfg, report_names=["Campaign ROI"], now=NOW)
    assert summary.exit_code == 0 and summary.outcomes[0].rows > 0


THIRD_REPORT = """\
  - name: Creators
    endpoint: creators/performance
    metrics: [impressions]
    destination: flat
"""


def test_refused_credentials_skip_the_remaining_reports_without_asking_again(tmp_path: Path,
                                                                              make_emulator) -> None:
    """After the token exchange is refused once, later reports fail as skipped with that reason; no new request."""
    emu = make_emulator()
    env = env_for(emu) | {"LATER_CLIENT_SECRET": "wrong-secret-77aa"}
    cfg = load_config(write_config(tmp_path, extra_reports=THIRD_REPORT), env)
    summary = run_config(cfg, now=NOW, sleep=lambda seconds: None)
    first, *rest = summary.outcomes
    assert first.status == "failed" and "refused the credentials" in first.error
    assert emu.stats.count(path="/oauth/token") == 1 and emu.stats.total == 1
    assert [o.report for o in rest] == ["Platforms", "Creators"]
    for outcome in rest:
        assert outcome.status == "failed" and outcome.requests == 0
        assert outcome.error == f"skipped: {first.error} (see report 'Campaign ROI')"


def test_an_unreachable_origin_skips_the_remaining_reports(tmp_path: Path, unused_port: int) -> None:
    """When nothing listens at base_url, only the first report spends its attempts; the others are skipped."""
    env = {"LATER_API_URL": f"http://127.0.0.1:{unused_port}", "LATER_CLIENT_ID": "demo-client",
           "LATER_CLIENT_SECRET": "demo-secret"}
    cfg = load_config(write_config(tmp_path, extra_reports=THIRD_REPORT), env)
    waits: list[float] = []
    summary = run_config(cfg, now=NOW, sleep=waits.append)
    first, *rest = summary.outcomes
    assert first.status == "failed" and first.requests == 5 and len(waits) == 4
    assert all(o.status == "failed" and o.requests == 0 and o.error.startswith("skipped: ") and
               o.error.endswith("(see report 'Campaign ROI')") for o in rest)
    assert len(rest) == 2 and summary.exit_code == 1


def test_a_failing_api_does_not_skip_the_other_reports(tmp_path: Path, make_emulator) -> None:
    """5xx until the retries run out is not run-wide: every report still tries (the API answers, it may recover)."""
    emu = make_emulator(error_rate=1.0)
    cfg = load_config(write_config(tmp_path), env_for(emu))
    summary = run_config(cfg, now=NOW, sleep=lambda seconds: None)
    assert [o.status for o in summary.outcomes] == ["failed", "failed"]
    assert all(o.requests > 1 and not o.error.startswith("skipped") for o in summary.outcomes)


def test_every_failure_is_one_error_log_line_naming_it(tmp_path: Path, emulator, caplog) -> None:
    """The refused report and the workbook it kept from being written each get one ERROR line with the reason."""
    caplog.set_level(logging.INFO)
    cfg = load_config(write_config(tmp_path, extra_reports=FORBIDDEN_REPORT), env_for(emulator))
    run_config(cfg, now=NOW)
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 2
    assert errors[0].startswith("report 'Forbidden' failed: ") and "instance_zzz" in errors[0]
    assert errors[1] == ("destination 'book': not written because report 'Forbidden' failed; "
                         "the previous workbook is unchanged")


EMAILED_BOOK = """\
  book:
    type: excel
    output: out/book.xlsx
    email:
      to: [team@example.com]
      subject: Influence report
      smtp: {host: localhost, username: me, password: "${SMTP_PASSWORD}"}
"""


def test_dry_run_does_not_warn_about_email(tmp_path: Path, emulator) -> None:
    """A dry run sends and writes nothing, so it carries no email note (sending: tests/delivery)."""
    text = BASE.replace("  book: {type: excel, output: out/book.xlsx}\n", EMAILED_BOOK)
    cfg = load_config(write_config(tmp_path, text), env_for(emulator) | {"SMTP_PASSWORD": "pw-0k"})
    assert run_config(cfg, dry_run=True, now=NOW).notes == []


@pytest.fixture
def unused_port() -> int:
    """A loopback port nothing listens on (bound, read, released)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
