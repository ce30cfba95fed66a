"""Jobs planned from a config: the one rule for defaults, reports and destinations; weekdays; --list."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from sheets_sync.cli import main
from sheets_sync.config import load_config
from sheets_sync.schedule.plan import JobPlan, cron_weekdays, fire_times, plan_jobs, reports_at_tick
from sheets_sync.schedule.views import job_list

CONFIG = """\
timezone: Europe/Berlin
api:
  base_url: "https://api.example.com"
  client_id: "${{LATER_CLIENT_ID}}"
  client_secret: "${{LATER_CLIENT_SECRET}}"
defaults:
  date_range: last_7_days
{defaults}
destinations:
  book:
    type: excel
    output: out/book.xlsx
{book}
  flat: {{type: csv, output: "out/{{report}}.csv"}}
reports:
  - name: Campaigns
    endpoint: campaigns/performance
    metrics: [impressions]
    destination: book
  - name: Platforms
    endpoint: platforms/performance
    metrics: [impressions]
    destination: [book, flat]
  - name: Creators
    endpoint: creators/performance
    metrics: [impressions]
    destination: flat
{creators}
"""


ENV = {"LATER_CLIENT_ID": "id", "LATER_CLIENT_SECRET": "plan-test-secret"}


def load(tmp_path: Path, *, defaults: str = "", book: str = "", creators: str = ""):
    path = tmp_path / "sync.yaml"
    path.write_text(CONFIG.format(defaults=defaults, book=book, creators=creators), encoding="utf-8")
    return load_config(path, ENV)


def test_defaults_schedule_makes_one_job_of_every_report(tmp_path: Path) -> None:
    """defaults.schedule alone: one job running every report, in config order."""
    cfg = load(tmp_path, defaults='  schedule: "0 6 * * *"')
    assert plan_jobs(cfg) == [JobPlan("cron 0 6 * * *", ("Campaigns", "Platforms", "Creators"), ("defaults",))]


def test_a_destination_schedule_refreshes_the_whole_workbook(tmp_path: Path) -> None:
    """A workbook's schedule runs every report that writes to it, in one job; a report's own schedule is another."""
    cfg = load(tmp_path, book="    schedule: {every: 15m}", creators='    schedule: "30 7 * * 1-5"')
    assert plan_jobs(cfg) == [
        JobPlan("cron 30 7 * * 1-5", ("Creators",), ("report Creators",)),
        JobPlan("every 15m", ("Campaigns", "Platforms"), ("destination book",)),
    ]


def test_same_schedule_from_two_places_is_one_job(tmp_path: Path) -> None:
    """A report and a destination on the same cron (spaces aside) share one job: the report runs once per tick."""
    cfg = load(tmp_path, book='    schedule: "0  6 * * *"', creators='    schedule: "0 6 * * *"')
    assert plan_jobs(cfg) == [JobPlan("cron 0 6 * * *", ("Campaigns", "Platforms", "Creators"),
                                      ("destination book", "report Creators"))]


def test_a_report_in_two_jobs_firing_together_runs_in_the_first_only(tmp_path: Path) -> None:
    """At 06:00 the hourly book job and the daily job both fire: Platforms runs in one of them, not both."""
    cfg = load(tmp_path, defaults='  schedule: "0 6 * * *"', book='    schedule: "0 * * * *"')
    jobs = plan_jobs(cfg)
    six = dt.datetime(2026, 12, 7, 6, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    seven = six + dt.timedelta(hours=1)
    daily, hourly = reports_at_tick(jobs, "cron 0 6 * * *", six, "Europe/Berlin"), \
        reports_at_tick(jobs, "cron 0 * * * *", six, "Europe/Berlin")
    assert sorted(daily + hourly) == ["Campaigns", "Creators", "Platforms"]  # each exactly once
    assert reports_at_tick(jobs, "cron 0 * * * *", seven, "Europe/Berlin") == ("Campaigns", "Platforms")


@pytest.mark.parametrize(("field", "names"), [
    ("1-5", "mon,tue,wed,thu,fri"), ("0", "sun"), ("7", "sun"), ("0,6", "sun,sat"), ("*/2", "sun,tue,thu,sat"),
    ("mon-fri", "mon-fri"), ("*", "*"),
])
def test_cron_weekday_numbers_count_from_sunday(field: str, names: str) -> None:
    """Cron's 0 is Sunday (APScheduler's 0 is Monday): numbers become day names before APScheduler sees them."""
    assert cron_weekdays(field) == names


def test_weekday_cron_runs_monday_to_friday() -> None:
    """"0 7 * * 1-5" from Friday evening: next runs are Monday, Tuesday, Wednesday 07:00."""
    friday = dt.datetime(2026, 12, 4, 20, 0, tzinfo=dt.UTC)
    times = fire_times("cron 0 7 * * 1-5", "UTC", friday, 3)
    assert [t.strftime("%a %H:%M") for t in times] == ["Mon 07:00", "Tue 07:00", "Wed 07:00"]


def test_job_list_shows_reports_sources_and_next_three_runs(tmp_path: Path) -> None:
    """--list text: each job with where its schedule comes from, its reports, three next runs; unscheduled last."""
    cfg = load(tmp_path, book='    schedule: "0 6 * * *"')
    now = dt.datetime(2026, 12, 4, 12, 0, tzinfo=dt.UTC)
    assert job_list(cfg, now) == [
        "1 job (time zone Europe/Berlin):",
        "  0 6 * * *  (from destination book)",
        "    reports: Campaigns, Platforms",
        "    next: 2026-12-05 06:00 CET, 2026-12-06 06:00 CET, 2026-12-07 06:00 CET",
        "not scheduled (only `run` runs them): Creators",
    ]


def test_schedule_list_command_prints_and_exits(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """`schedule CONFIG --list` prints the jobs and exits 0 without starting a scheduler or creating state."""
    load(tmp_path, defaults="  schedule: {every: 2h}")
    for key, value in ENV.items():
        monkeypatch.setenv(key, value)
    assert main(["schedule", str(tmp_path / "sync.yaml"), "--list"]) == 0
    out = capsys.readouterr().out
    assert "{every: 2h}  (from defaults)" in out and "reports: Campaigns, Platforms, Creators" in out
    assert not (tmp_path / ".sheets-sync").exists()


def test_validate_says_who_uses_schedule(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """validate does not silently accept schedule:; it says `sheets-sync schedule` uses it and `run` ignores it."""
    load(tmp_path, defaults='  schedule: "0 6 * * *"')
    for key, value in ENV.items():
        monkeypatch.setenv(key, value)
    assert main(["validate", str(tmp_path / "sync.yaml")]) == 0
    assert "schedule: is used by `sheets-sync schedule" in capsys.readouterr().out


def test_schedule_without_any_schedule_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """A scheduler with nothing to run would sit idle forever: exit 2 with one line saying what to add."""
    load(tmp_path)
    for key, value in ENV.items():
        monkeypatch.setenv(key, value)
    assert main(["schedule", str(tmp_path / "sync.yaml")]) == 2
    assert "no report has a schedule: set schedule: on a report, a destination or defaults" in capsys.readouterr().err
    assert not (tmp_path / ".sheets-sync").exists()


def test_run_says_schedule_is_for_the_scheduler(tmp_path: Path, emulator, capsys: pytest.CaptureFixture[str],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """`run` on a scheduled config runs once, now, and its log says `schedule:` is used by `sheets-sync schedule`."""
    path = tmp_path / "sync.yaml"
    defaults = '  schedule: "0 6 * * *"\n  date_range: {start: 2026-04-01, end: 2026-06-30}'
    text = CONFIG.format(defaults=defaults, book="", creators="").replace("  date_range: last_7_days\n", "")
    path.write_text(text.replace('"https://api.example.com"', emulator.url), encoding="utf-8")
    monkeypatch.setenv("LATER_CLIENT_ID", "demo-client")
    monkeypatch.setenv("LATER_CLIENT_SECRET", "demo-secret")
    assert main(["run", str(path), "--report", "Creators", "--log-level", "INFO"]) == 0
    assert "is used by `sheets-sync schedule`; `run` runs the reports once, now" in capsys.readouterr().err


def test_day_and_weekday_together_mean_either_as_in_cron() -> None:
    """"0 6 1 * 1" runs on the 1st of the month and on every Monday (cron's OR), not only on Mondays the 1st."""
    times = fire_times("cron 0 6 1 * 1", "UTC", dt.datetime(2026, 11, 27, tzinfo=dt.UTC), 4)
    assert [t.strftime("%a %d") for t in times] == ["Mon 30", "Tue 01", "Mon 07", "Mon 14"]
