"""`compare:` on the whole path: config → Later emulator → CSV and Excel, checked against separate runs."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

import xlsxwriter
from python_calamine import CalamineWorkbook

from sheets_sync.cli import main
from sheets_sync.config import load_config
from sheets_sync.orchestrator import RunSummary, run_config
from sheets_sync.validate import validate_config
from tests.run.run_helpers import NOW, env_for, write_config

HEAD = """\
timezone: UTC
api: {base_url: "${LATER_API_URL}", client_id: "${LATER_CLIENT_ID}", client_secret: "${LATER_CLIENT_SECRET}",
      pagination: page, page_size: 100}
destinations:
  flat: {type: csv, output: "out/{report}.csv"}
  plain: {type: excel, output: out/plain.xlsx}
reports:
"""


def report_yaml(name: str, endpoint: str, date_range: str, *, compare: str | None = None,
                extra: str = "") -> str:
    lines = [f"  - name: {name}", f"    endpoint: {endpoint}", "    metrics: [impressions, engagementRate]",
             f"    date_range: {date_range}", "    destination: [flat, plain]"]
    if compare:
        lines.append(f"    compare: {compare}")
    return "\n".join(lines) + "\n" + extra


def run_reports(folder: Path, emu: Any, reports: str) -> RunSummary:
    """Load and run a config of `reports` in `folder`; the run must succeed."""
    folder.mkdir(parents=True, exist_ok=True)
    cfg = load_config(write_config(folder, HEAD + reports), env_for(emu))
    summary = run_config(cfg, now=NOW, history=None)
    assert summary.exit_code == 0, [o.error for o in summary.outcomes]
    return summary


def csv_table(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def sheet_rows(path: Path, sheet: str) -> list[list[Any]]:
    return [list(row) for row in CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()]


def number(text: str) -> float | None:
    return None if text == "" else float(text)


def test_campaign_comparison_equals_a_separate_run_over_the_previous_period(tmp_path: Path, emulator: Any) -> None:
    """previous_period on campaigns: each campaign's previous value is what a run over May returns for it."""
    run_reports(tmp_path / "june", emulator, report_yaml("Campaigns", "campaigns/performance",
                                                         "{start: 2026-06-01, end: 2026-06-30}",
                                                         compare="previous_period"))
    run_reports(tmp_path / "may", emulator, report_yaml("Campaigns", "campaigns/performance",
                                                        "{start: 2026-05-01, end: 2026-05-31}"))
    june = csv_table(tmp_path / "june" / "out" / "campaigns.csv")
    may = {row["campaignId"]: row for row in csv_table(tmp_path / "may" / "out" / "campaigns.csv")}
    previous, change = "impressions (2026-05-01 – 2026-05-31)", "impressions Δ% vs 2026-05-01 – 2026-05-31"
    assert list(june[0])[-6:] == ["impressions", previous, change, "engagementRate",
                                  "engagementRate (2026-05-01 – 2026-05-31)",
                                  "engagementRate Δ% vs 2026-05-01 – 2026-05-31"]
    compared = 0
    for row in june:
        before = may.get(row["campaignId"])
        assert row[previous] == (before["impressions"] if before else "")
        now, then = number(row["impressions"]), number(row[previous])
        if now is None or not then:
            assert row[change] == ""
            assert now is None or then in (None, 0.0)
        else:
            assert abs(float(row[change]) - (now - then) / abs(then) * 100) < 1e-6
            compared += 1
    assert compared  # campaigns with a May counterpart exist in the emulator's data
    book = sheet_rows(tmp_path / "june" / "out" / "plain.xlsx", "Campaigns")
    assert book[0][9:12] == ["Impressions", "Impressions (2026-05-01 – 2026-05-31)",
                             "Impressions Δ% vs 2026-05-01 – 2026-05-31"]
    assert [[number(row[previous]), number(row[change])] for row in june] == \
        [[None if cell == "" else cell for cell in line[10:12]] for line in book[1:]]


def test_over_time_previous_period_pairs_bucket_i_with_bucket_i_of_a_separate_run(tmp_path: Path,
                                                                                   emulator: Any) -> None:
    """Daily June buckets hold May's buckets 1..30 (from a run over May); 0 or null before gives an empty Δ%."""
    extra = "    granularity: day\n"
    run_reports(tmp_path / "june", emulator, report_yaml("Daily", "instances/performance-over-time",
                                                         "{start: 2026-06-01, end: 2026-06-30}",
                                                         compare="previous_period", extra=extra))
    run_reports(tmp_path / "may", emulator, report_yaml("Daily", "instances/performance-over-time",
                                                        "{start: 2026-05-01, end: 2026-05-31}", extra=extra))
    june = csv_table(tmp_path / "june" / "out" / "daily.csv")
    may = csv_table(tmp_path / "may" / "out" / "daily.csv")
    previous = "engagementRate (2026-05-01 – 2026-05-31)"
    change = "engagementRate Δ% vs 2026-05-01 – 2026-05-31"
    assert len(june) == 30 and len(may) == 31
    for bucket, (now, before) in enumerate(zip(june, may[:30], strict=True), start=1):
        assert now["startDate"] == f"2026-06-{bucket:02d}"
        assert now["impressions (2026-05-01 – 2026-05-31)"] == before["impressions"]
        assert now[previous] == before["engagementRate"]
        then = number(before["engagementRate"])
        expected = None if not then or now["engagementRate"] == "" else \
            (float(now["engagementRate"]) - then) / abs(then) * 100
        assert (number(now[change]) is None) == (expected is None)
        if expected is not None:
            assert abs(float(now[change]) - expected) < 1e-6


def test_previous_year_over_a_leap_february_compares_29_february_with_28_february(tmp_path: Path,
                                                                                   make_emulator: Any) -> None:
    """Daily February 2028 with previous_year: each day holds the same date of 2027, the 29th the 28th's."""
    emu = make_emulator(anchor_date=dt.date(2028, 3, 31))
    extra = "    granularity: day\n"
    run_reports(tmp_path / "leap", emu, report_yaml("Daily", "instances/performance-over-time",
                                                    "{start: 2028-02-01, end: 2028-02-29}",
                                                    compare="previous_year", extra=extra))
    run_reports(tmp_path / "before", emu, report_yaml("Daily", "instances/performance-over-time",
                                                      "{start: 2027-02-01, end: 2027-02-28}", extra=extra))
    leap = csv_table(tmp_path / "leap" / "out" / "daily.csv")
    before = {row["startDate"]: row["impressions"] for row in csv_table(tmp_path / "before" / "out" / "daily.csv")}
    header = "impressions (2027-02-01 – 2027-02-28)"
    assert len(leap) == 29
    for row in leap[:28]:
        assert row[header] == before[row["startDate"].replace("2028", "2027")]
    assert leap[28]["startDate"] == "2028-02-29" and leap[28][header] == before["2027-02-28"]


def test_rows_without_a_counterpart_have_empty_comparison_cells(tmp_path: Path, emulator: Any) -> None:
    """Creators of June 2024 against June 2023 (before the data begins): previous and Δ% empty, never 0."""
    run_reports(tmp_path / "early", emulator, report_yaml("Creators", "creators/performance",
                                                          "{start: 2024-06-01, end: 2024-06-30}",
                                                          compare="previous_year"))
    rows = csv_table(tmp_path / "early" / "out" / "creators.csv")
    assert rows
    assert {(row["impressions (2023-06-01 – 2023-06-30)"], row["impressions Δ% vs 2023-06-01 – 2023-06-30"])
            for row in rows} == {("", "")}


def test_comparison_requests_go_through_the_same_client_budget_and_tally(tmp_path: Path,
                                                                         make_emulator: Any) -> None:
    """A compared one-page report sends two data requests; the report's tally counts every request sent."""
    emu = make_emulator()
    summary = run_reports(tmp_path / "tally", emu, report_yaml("Mix", "platforms/performance",
                                                               "{start: 2026-06-01, end: 2026-06-30}",
                                                               compare="previous_period"))
    outcome = summary.outcomes[0]
    assert emu.stats.count("/v2/platforms/performance") == 2
    assert outcome.requests == emu.stats.total and outcome.pages == 2



def test_validate_refuses_compare_where_it_has_no_meaning_naming_file_line_and_key(tmp_path: Path,
                                                                                   emulator: Any) -> None:
    """compare on posts, on an endpoint without dates, or with mode upsert is an error at reports[i].compare."""
    reports = (report_yaml("Posts", "posts/performance", "last_month", compare="previous_period")
               + "  - name: Roster\n    endpoint: campaigns\n    destination: flat\n    compare: previous_year\n"
               + report_yaml("Kept", "campaigns/performance", "last_month", compare="previous_period",
                             extra="    mode: upsert\n    key: [campaignId]\n"))
    path = write_config(tmp_path, HEAD + reports)
    result = validate_config(path, env_for(emulator), now=NOW)
    errors = {p.path: p for p in result.errors}
    assert set(errors) >= {"reports[0].compare", "reports[1].compare", "reports[2].compare"}
    lines = path.read_text(encoding="utf-8").splitlines()
    for key, wanted in (("reports[0].compare", "posts/performance"), ("reports[1].compare", "takes no dates"),
                        ("reports[2].compare", "mode upsert")):
        problem = errors[key]
        assert wanted in problem.message and problem.file == str(path)
        assert lines[problem.line - 1].strip().startswith("compare:")


def compared_template(path: Path, headers: list[str]) -> Path:
    """A template whose Mix sheet holds one table `tblMix` with `headers`."""
    book = xlsxwriter.Workbook(str(path))
    book.add_worksheet("Mix").add_table(0, 0, 1, len(headers) - 1, {"name": "tblMix", "columns": [
        {"header": header} for header in headers]})
    book.close()
    return path


def test_a_template_with_the_comparison_headers_validates_and_is_filled(tmp_path: Path, emulator: Any) -> None:
    """report_headers include the dated comparison columns: a template naming them validates; one without fails."""
    headers = ["contentType", "impressions", "impressions (2026-05-01 – 2026-05-31)",
               "impressions Δ% vs 2026-05-01 – 2026-05-31"]
    compared_template(tmp_path / "mix.xlsx", headers)
    compared_template(tmp_path / "old.xlsx", headers[:2])
    head = HEAD.replace("reports:\n", "  book: {type: excel, output: out/book.xlsx, template: mix.xlsx}\n"
                                      "  old: {type: excel, output: out/old.xlsx, template: old.xlsx}\n"
                                      "reports:\n")
    mix = ("  - name: Mix\n    endpoint: platforms/performance\n    metrics: [impressions]\n"
           "    date_range: {start: 2026-06-01, end: 2026-06-30}\n    compare: previous_period\n"
           "    columns: [contentType, metrics.impressions]\n    table: tblMix\n    destination: [{dest}, flat]\n")
    good = write_config(tmp_path, head + mix.replace("{dest}", "book"))
    assert validate_config(good, env_for(emulator), now=NOW).errors == []
    summary = run_config(load_config(good, env_for(emulator)), now=NOW, history=None)
    assert summary.exit_code == 0, [o.error for o in summary.outcomes]
    book = sheet_rows(tmp_path / "out" / "book.xlsx", "Mix")
    flat = csv_table(tmp_path / "out" / "mix.csv")
    assert book[0] == headers and len(book) == len(flat) + 1
    assert [line[2] for line in book[1:]] == [float(row[headers[2]]) for row in flat]
    bad = write_config(tmp_path, head + mix.replace("{dest}", "old"))
    problems = [p.message for p in validate_config(bad, env_for(emulator), now=NOW).errors]
    assert any("impressions (2026-05-01 – 2026-05-31)" in message for message in problems), problems


def test_dry_run_prints_the_comparison_period_above_the_table(tmp_path: Path, emulator: Any, capsys: Any,
                                                              monkeypatch: Any) -> None:
    """`run --dry-run` names the period and the period it is compared with, and writes no file."""
    path = write_config(tmp_path, HEAD + report_yaml("Mix", "platforms/performance",
                                                     "{start: 2026-06-01, end: 2026-06-30}",
                                                     compare="previous_period"))
    for name, value in env_for(emulator).items():
        monkeypatch.setenv(name, value)
    assert main(["run", str(path), "--dry-run", "--rows", "2"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "2026-06-01 to 2026-06-30, compared with 2026-05-01 to 2026-05-31" in out
    assert not (tmp_path / "out").exists()
