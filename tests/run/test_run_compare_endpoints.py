"""`compare:` on every endpoint it works on, through the Later emulator, checked against separate runs; failures
and the run's budgets (rate and concurrency) apply to the comparison fetch too."""

from __future__ import annotations

import datetime as dt
import json
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sheets_sync.api.rate import shared_budget
from sheets_sync.config import load_config
from sheets_sync.orchestrator import run_config
from tests.api.api_scripted_server import Reply, Seen, problem_reply, start_scripted
from tests.run.run_helpers import NOW, env_for, write_config
from tests.run.test_run_compare import HEAD, csv_table, number, run_reports
from tests.run.test_run_concurrency import InFlight

# NOW is 1 July 2026: last_30_days is 1..30 June, a whole month, yet its previous period is the 30 days before.
JUNE = "2026-06-01", "2026-06-30"
BEFORE = "2026-05-02", "2026-05-31"
DATES = f"{BEFORE[0]} – {BEFORE[1]}"
IDENTITY = {"campaigns/performance": ("campaignId",), "creators/performance": ("creator.creatorId",),
            "platforms/performance": ("contentType",), "platforms/return-on-investment": ("contentType",),
            "instances/performance": ()}


def report(name: str, endpoint: str, date_range: str, compare: str | None = None, extra: str = "") -> str:
    metrics = "" if endpoint == "platforms/return-on-investment" else "    metrics: [impressions, engagementRate]\n"
    text = (f"  - name: {name}\n    endpoint: {endpoint}\n{metrics}    date_range: {date_range}\n"
            "    destination: [flat, plain]\n")
    return text + (f"    compare: {compare}\n" if compare else "") + extra


def key_of(row: dict[str, str], fields: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(row[field] for field in fields)


@pytest.mark.parametrize("endpoint", list(IDENTITY))
def test_each_aggregate_endpoint_compares_each_row_with_a_separate_run_over_the_30_days_before(
        tmp_path: Path, emulator: Any, endpoint: str) -> None:
    """last_30_days vs previous_period: every metric's previous value is a May 2-31 run's value for that row."""
    run_reports(tmp_path / "now", emulator, report("R", endpoint, "last_30_days", "previous_period"))
    run_reports(tmp_path / "then", emulator, report("R", endpoint, f"{{start: {BEFORE[0]}, end: {BEFORE[1]}}}"))
    now, then = csv_table(tmp_path / "now/out/r.csv"), csv_table(tmp_path / "then/out/r.csv")
    fields = IDENTITY[endpoint]
    earlier = {key_of(row, fields): row for row in then}
    metrics = [header for header in then[0] if f"{header} ({DATES})" in now[0]]
    assert metrics and set(then[0]) <= set(now[0])  # every column kept, at least one compared
    assert len(now[0]) == len(then[0]) + 2 * len(metrics)
    compared = 0
    for row in now:
        before = earlier.get(key_of(row, fields))
        for metric in metrics:
            previous, change = row[f"{metric} ({DATES})"], row[f"{metric} Δ% vs {DATES}"]
            assert previous == (before[metric] if before else "")
            current, past = number(row[metric]), number(previous)
            if current is None or not past:
                assert change == ""  # empty where there is no previous value or it is 0: never 0, never an error
            else:
                assert float(change) == pytest.approx((current - past) / abs(past) * 100, abs=1e-5)
                compared += 1
    assert compared


def test_monthly_buckets_of_a_quarter_compare_with_the_months_of_the_quarter_before(tmp_path: Path,
                                                                                      emulator: Any) -> None:
    """Monthly Q2 2026 vs previous_period: April holds January, May February, June March (a separate Q1 run)."""
    extra = "    granularity: month\n"
    run_reports(tmp_path / "q2", emulator, report("M", "instances/performance-over-time",
                                                  "{start: 2026-04-01, end: 2026-06-30}", "previous_period", extra))
    run_reports(tmp_path / "q1", emulator, report("M", "instances/performance-over-time",
                                                  "{start: 2026-01-01, end: 2026-03-31}", extra=extra))
    q2, q1 = csv_table(tmp_path / "q2/out/m.csv"), csv_table(tmp_path / "q1/out/m.csv")
    assert [row["startDate"][:7] for row in q2] == ["2026-04", "2026-05", "2026-06"]
    assert [row["startDate"][:7] for row in q1] == ["2026-01", "2026-02", "2026-03"]
    assert [row["impressions (2026-01-01 – 2026-03-31)"] for row in q2] == [row["impressions"] for row in q1]


def test_weekly_buckets_compare_with_the_week_holding_the_same_date_a_year_earlier(tmp_path: Path,
                                                                                   emulator: Any) -> None:
    """Weekly with previous_year: each week's previous value is the 2025 week (separate run) holding its date."""
    extra = "    granularity: week\n"
    run_reports(tmp_path / "now", emulator, report("W", "instances/performance-over-time",
                                                   "{start: 2026-04-06, end: 2026-06-28}", "previous_year", extra))
    run_reports(tmp_path / "then", emulator, report("W", "instances/performance-over-time",
                                                    "{start: 2025-04-06, end: 2025-06-28}", extra=extra))
    now, then = csv_table(tmp_path / "now/out/w.csv"), csv_table(tmp_path / "then/out/w.csv")
    starts = [dt.date.fromisoformat(row["startDate"][:10]) for row in then]
    assert len(now) == 12 and len(then) >= 12
    for row in now:
        day = dt.date.fromisoformat(row["startDate"][:10]).replace(year=2025)
        holding = max(index for index, start in enumerate(starts) if start <= day)
        assert row["impressions (2025-04-06 – 2025-06-28)"] == then[holding]["impressions"], row["startDate"]


def test_comparison_requests_draw_on_the_origins_rate_budget_and_the_concurrency_limit(
        tmp_path: Path, make_emulator: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Three compared reports at max_concurrency 1: every comparison request takes a start from the one rate
    budget of the API origin, and never two requests are in flight."""
    in_flight = InFlight(expect=2)
    emu = make_emulator(latency_ms=5, sleep=in_flight)
    budget = shared_budget(emu.url, 120)  # the budget every client of this origin draws on
    starts: list[float] = []
    original = budget.acquire

    def counted(cancelled: Any = None) -> float:
        starts.append(1)
        return original(cancelled)

    monkeypatch.setattr(budget, "acquire", counted)
    head = HEAD.replace("page_size: 100}", "page_size: 100, max_concurrency: 1}")
    reports = "".join(report(f"R{i}", endpoint, "last_30_days", "previous_period")
                      for i, endpoint in enumerate(("platforms/performance", "instances/performance",
                                                    "platforms/return-on-investment")))
    cfg = load_config(write_config(tmp_path, head + reports), env_for(emu))
    summary = run_config(cfg, now=NOW, history=None)
    assert summary.exit_code == 0, [o.error for o in summary.outcomes]
    data = emu.stats.total - emu.stats.count(path="/oauth/token")
    assert data == 6 and sum(o.pages for o in summary.outcomes) == 6  # each report: its period and the one before
    assert len(starts) == emu.stats.total  # every request (token, data, comparison) took a start from the budget
    assert in_flight.highest == 1


@pytest.fixture
def failing_before(emulator: Any) -> Iterator[Any]:
    """A loopback API that answers like the emulator, except a 400 for any request starting on 2 May 2026."""
    token = json.loads(urllib.request.urlopen(urllib.request.Request(  # noqa: S310 - loopback emulator URL
        f"{emulator.url}/oauth/token", data=json.dumps({"clientId": "demo-client",
                                                         "clientSecret": "demo-secret"}).encode(),
        headers={"Content-Type": "application/json"})).read())["jwt"]

    def script(seen: Seen) -> Reply:
        if seen.query.get("startDate") == [BEFORE[0]]:
            return problem_reply(400, "validation", "startDate refused (scripted)")
        query = urllib.parse.urlencode(seen.query, doseq=True)
        request = urllib.request.Request(f"{emulator.url}{seen.path}?{query}",  # noqa: S310 - loopback emulator
                                         headers={"Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(request) as answer:  # noqa: S310 - loopback emulator URL
            return answer.status, {"Content-Type": answer.headers["Content-Type"]}, answer.read()

    server, stop = start_scripted(script)
    yield server
    stop()


def test_a_failed_comparison_fetch_fails_its_report_and_writes_nothing_of_it(tmp_path: Path,
                                                                              failing_before: Any) -> None:
    """The comparison request is refused: that report fails with the API's reason, its CSV is not written,
    and a report without compare in the same run is written as usual."""
    text = HEAD
    text += report("Compared", "platforms/performance", "last_30_days", "previous_period").replace(
        "[flat, plain]", "flat")
    text += report("Plain", "platforms/performance", "last_30_days").replace("[flat, plain]", "flat")
    env = {"LATER_API_URL": failing_before.url, "LATER_CLIENT_ID": "demo-client",
           "LATER_CLIENT_SECRET": "demo-secret"}
    summary = run_config(load_config(write_config(tmp_path, text), env), now=NOW, history=None)
    outcomes = {o.report: o for o in summary.outcomes}
    assert summary.exit_code != 0
    assert outcomes["Compared"].status == "failed" and "startDate refused" in (outcomes["Compared"].error or "")
    assert outcomes["Plain"].status != "failed"
    assert not (tmp_path / "out/compared.csv").exists()
    assert csv_table(tmp_path / "out/plain.csv")
    asked = [seen.query.get("startDate") for seen in failing_before.data_requests()]
    assert [BEFORE[0]] in asked and [JUNE[0]] in asked
