"""Tests of the sink seam: the orchestrator reaches sinks through the registry, and the sinks own the write rules."""

from __future__ import annotations

import ast
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from python_calamine import CalamineWorkbook

from sheets_sync.config import load_config
from sheets_sync.errors import SinkError
from sheets_sync.orchestrator import history_for, run_config
from sheets_sync.sinks.base import ReportTable, SinkContext, SinkResult
from sheets_sync.sinks.registry import SINKS, registered, sink_for
from sheets_sync.validate import validate_config

from .run_helpers import NOW, config_text, env_for, files_under, write_config

SHEET = "  sheet: {type: google_sheets, spreadsheet: 1AbCdEfGhIjKlMnOp}\n"
SHEETS_ENV = {"SHEETS_EMULATOR_HOST": "127.0.0.1:9"}  # no credentials file needed with it


class RecordingSink:
    """An in-memory sink: remembers what it was asked to check and write, writes no file."""

    def __init__(self, emu: Any) -> None:
        self.emu = emu
        self.checked: list[tuple[str, list[str], int]] = []
        self.written: dict[str, list[tuple[str, int]]] = {}

    def check(self, destination_name: str, destination_config: Any, reports: Sequence[Any],
              context: SinkContext) -> None:
        self.checked.append((destination_name, [r.name for r in reports], self.emu.stats.total))

    def write(self, destination_name: str, destination_config: Any, tables: Sequence[ReportTable],
              context: SinkContext) -> SinkResult:
        result = SinkResult()
        self.written[destination_name] = [(t.report.name, len(t.table.rows)) for t in tables if t.table]
        for item in tables:
            if item.table is not None:
                result.wrote(item.report.name, f"memory://{destination_name}/{item.report.name}", len(item.table.rows))
        return result


def test_a_registered_sink_gets_the_run_and_no_file_is_written(tmp_path: Path, make_emulator) -> None:
    """An in-memory sink registered for a type is checked before any request and handed every table in config order."""
    emu = make_emulator()
    reports = [("Campaigns", "campaigns/performance", "sheet"), ("Platforms", "platforms/performance", "sheet")]
    cfg = load_config(write_config(tmp_path, config_text(reports, destinations=SHEET)), env_for(emu) | SHEETS_ENV)
    before = files_under(tmp_path)
    sink = RecordingSink(emu)
    previous = sink_for("google_sheets")
    with registered("google_sheets", sink):
        summary = run_config(cfg, now=NOW)
    assert sink_for("google_sheets") is previous  # the registration ended with the block
    assert sink.checked == [("sheet", ["Campaigns", "Platforms"], 0)]  # checked before the first request
    assert [name for name, _ in sink.written["sheet"]] == ["Campaigns", "Platforms"]
    assert all(rows > 0 for _, rows in sink.written["sheet"])
    assert [o.outputs for o in summary.outcomes] == [["memory://sheet/Campaigns"], ["memory://sheet/Platforms"]]
    assert summary.exit_code == 0 and files_under(tmp_path) == before


def test_the_orchestrator_has_no_branch_on_a_destination_type() -> None:
    """orchestrator.py names no destination type and compares no `.type`: every sink is reached by the registry."""
    from sheets_sync import orchestrator

    tree = ast.parse(Path(orchestrator.__file__).read_text(encoding="utf-8"))
    literals = {node.value for node in ast.walk(tree) if isinstance(node, ast.Constant)}
    assert not literals & {"excel", "csv", "google_sheets"}
    compared = [ast.unparse(node) for node in ast.walk(tree) if isinstance(node, ast.Compare)]
    assert not [text for text in compared if ".type" in text]


def test_an_unregistered_destination_type_fails_as_not_available(tmp_path: Path, emulator,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """A destination type with no sink fails its reports with "not available yet"; the others are written."""
    monkeypatch.delitem(SINKS, "google_sheets")  # as a build without the Sheets sink would be
    reports = [("Campaigns", "campaigns/performance", "sheet"), ("Platforms", "platforms/performance", "flat")]
    text = config_text(reports, destinations=SHEET + '  flat: {type: csv, output: "out/{report}.csv"}\n')
    cfg = load_config(write_config(tmp_path, text), env_for(emulator) | SHEETS_ENV)
    summary = run_config(cfg, now=NOW)
    assert summary.outcomes[0].status == "failed" and "not available yet" in summary.outcomes[0].error
    assert summary.outcomes[1].status == "ok" and (tmp_path / "out" / "platforms.csv").is_file()


MONTHLY_BOOK = '  book: {type: excel, output: "out/book-{end_date:%Y-%m}.xlsx"}\n'
TWO_PERIODS = [("Spring", "campaigns/performance", "book"), ("June", "platforms/performance", "book")]


def _two_periods(tmp_path: Path) -> Path:
    text = config_text(TWO_PERIODS, destinations=MONTHLY_BOOK).replace(
        "    endpoint: platforms/performance\n",
        "    endpoint: platforms/performance\n    date_range: {start: 2026-06-01, end: 2026-06-30}\n")
    text = text.replace("date_range: {start: 2026-04-01, end: 2026-06-30}",
                        "date_range: {start: 2026-04-01, end: 2026-05-31}")
    return write_config(tmp_path, text)


def test_a_partial_run_refreshes_the_file_the_full_run_named(tmp_path: Path, emulator) -> None:
    """`--report June` writes the workbook the full run named after its first report's period, not a second file."""
    cfg = load_config(_two_periods(tmp_path), env_for(emulator))
    assert run_config(cfg, now=NOW).exit_code == 0
    assert files_under(tmp_path / "out") == {"book-2026-05.xlsx"}
    spring = CalamineWorkbook.from_path(str(tmp_path / "out" / "book-2026-05.xlsx")).get_sheet_by_name("Spring")
    summary = run_config(cfg, report_names=["June"], now=NOW)
    assert summary.exit_code == 0 and summary.outcomes[0].outputs[0].endswith("book-2026-05.xlsx")
    assert files_under(tmp_path / "out") == {"book-2026-05.xlsx"}
    book = CalamineWorkbook.from_path(str(tmp_path / "out" / "book-2026-05.xlsx"))
    assert book.get_sheet_by_name("Spring").to_python() == spring.to_python()  # the other tab kept its data


def test_validate_warns_when_a_workbook_name_shows_one_of_several_periods(tmp_path: Path) -> None:
    """validate names the destination, both periods and the report the file is named after (a warning)."""
    env = {"LATER_API_URL": "http://127.0.0.1:9", "LATER_CLIENT_ID": "i", "LATER_CLIENT_SECRET": "s"}
    problems = validate_config(_two_periods(tmp_path), env).problems
    found = [p for p in problems if p.path == "destinations.book.output"]
    assert len(found) == 1 and getattr(found[0], "severity", None) == "warning"
    assert '"Spring" (2026-04-01 to 2026-05-31)' in found[0].message
    assert '"June" (2026-06-01 to 2026-06-30)' in found[0].message


def test_validate_is_quiet_when_a_workbook_shares_one_period(tmp_path: Path) -> None:
    """Reports of one monthly workbook with the same date range draw no period warning."""
    env = {"LATER_API_URL": "http://127.0.0.1:9", "LATER_CLIENT_ID": "i", "LATER_CLIENT_SECRET": "s"}
    path = write_config(tmp_path, config_text(TWO_PERIODS, destinations=MONTHLY_BOOK))
    assert not [p for p in validate_config(path, env).problems if p.path == "destinations.book.output"]


def test_an_output_folder_that_cannot_be_made_stops_the_run_before_any_request(tmp_path: Path,
                                                                             make_emulator) -> None:
    """A file where the output folder should be is a SinkError from the sink's check; the API is not called."""
    emu = make_emulator()
    (tmp_path / "out").write_text("a file, not a folder")
    reports = [("Campaigns", "campaigns/performance", "flat")]
    text = config_text(reports, destinations='  flat: {type: csv, output: "out/sub/{report}.csv"}\n')
    cfg = load_config(write_config(tmp_path, text), env_for(emu))
    with pytest.raises(SinkError, match=r"destination 'flat': cannot create folder .*out/sub.* is not a folder"):
        run_config(cfg, now=NOW, history=history_for(cfg))
    assert emu.stats.total == 0 and not (tmp_path / ".sheets-sync").exists()


def test_an_output_folder_no_one_may_create_stops_the_run_before_any_request(tmp_path: Path,
                                                                           make_emulator) -> None:
    """A folder under /proc, where not even root can make one, is found by the check (tried, not read from modes)."""
    emu = make_emulator()
    reports = [("Campaigns", "campaigns/performance", "flat")]
    text = config_text(reports, destinations='  flat: {type: csv, output: "/proc/sheets-sync-out/{report}.csv"}\n')
    cfg = load_config(write_config(tmp_path, text), env_for(emu))
    with pytest.raises(SinkError, match=r"destination 'flat': cannot create folder /proc/sheets-sync-out"):
        run_config(cfg, now=NOW, history=history_for(cfg))
    assert emu.stats.total == 0


@pytest.mark.parametrize("destination", ['  flat: {type: csv, output: "out/{report}.csv"}\n',
                                         "  flat: {type: excel, output: out/campaigns.xlsx}\n"])
def test_an_output_that_is_a_folder_stops_the_run_before_any_request(tmp_path: Path, make_emulator,
                                                                    destination: str) -> None:
    """A folder where the output file should go is a SinkError from the sink's check; the API is not called."""
    emu = make_emulator()
    (tmp_path / "out" / "campaigns.csv").mkdir(parents=True)
    (tmp_path / "out" / "campaigns.xlsx").mkdir()
    reports = [("Campaigns", "campaigns/performance", "flat")]
    cfg = load_config(write_config(tmp_path, config_text(reports, destinations=destination)), env_for(emu))
    with pytest.raises(SinkError, match=r"destination 'flat': .*out/campaigns\.(csv|xlsx) is a folder, not a file"):
        run_config(cfg, now=NOW, history=history_for(cfg))
    assert emu.stats.total == 0


def test_a_run_whose_reports_all_return_no_rows_says_so(tmp_path: Path, emulator) -> None:
    """Every report empty (a period before the data): a note under the summary names the period to check."""
    reports = [("Campaigns", "campaigns/performance", "flat"), ("Platforms", "platforms/performance", "flat")]
    text = config_text(reports, destinations='  flat: {type: csv, output: "out/{report}.csv"}\n',
                       date_range="{start: 2019-01-01, end: 2019-01-31}")
    cfg = load_config(write_config(tmp_path, text), env_for(emulator))
    summary = run_config(cfg, now=NOW, history=history_for(cfg))
    assert [o.rows for o in summary.outcomes] == [0, 0] and summary.exit_code == 0
    assert summary.notes == [("every report returned 0 rows: check the date range (2019-01-01 to 2019-01-31) "
                             "and the filters; the API has no data for them")]


def test_zero_rows_note_ignores_filled_buckets_and_an_all_zero_aggregate(tmp_path: Path, emulator) -> None:
    """No data in the period: gap-filled zero buckets and a summary endpoint's all-zero row do not hide the note."""
    reports = [("Campaigns", "campaigns/performance", "flat"), ("Trend", "instances/performance-over-time", "flat"),
               ("Total", "instances/performance", "flat")]
    text = config_text(reports, destinations='  flat: {type: csv, output: "out/{report}.csv"}\n',
                       date_range="{start: 2019-01-01, end: 2019-03-31}")
    cfg = load_config(write_config(tmp_path, text), env_for(emulator))
    summary = run_config(cfg, now=NOW, history=history_for(cfg))
    assert [o.rows for o in summary.outcomes] == [0, 3, 1] and summary.exit_code == 0
    assert summary.notes == [("every report returned 0 rows: check the date range (2019-01-01 to 2019-03-31) "
                             "and the filters; the API has no data for them")]


def test_a_run_with_rows_carries_no_zero_rows_note(tmp_path: Path, emulator) -> None:
    """One report with rows is enough: no note about empty results."""
    reports = [("Campaigns", "campaigns/performance", "flat")]
    cfg = load_config(write_config(tmp_path, config_text(
        reports, destinations='  flat: {type: csv, output: "out/{report}.csv"}\n')), env_for(emulator))
    summary = run_config(cfg, now=NOW)
    assert summary.outcomes[0].rows > 0 and summary.notes == []


def test_history_keeps_config_order_with_concurrent_reports(tmp_path: Path, emulator) -> None:
    """Six reports fetched at once: summary and history rows come back in config order."""
    from .run_helpers import ENDPOINTS

    reports = [(f"R{i} {endpoint}", endpoint, "flat") for i, endpoint in enumerate(ENDPOINTS)]
    text = config_text(reports, destinations='  flat: {type: csv, output: "out/{report}.csv"}\n')
    cfg = load_config(write_config(tmp_path, text), env_for(emulator))
    summary = run_config(cfg, now=NOW, history=history_for(cfg))
    assert summary.exit_code == 0, [o.error for o in summary.outcomes]
    assert [o.report for o in summary.outcomes] == [name for name, _, _ in reports]
    with sqlite3.connect(tmp_path / ".sheets-sync" / "history.sqlite") as conn:
        stored = [row[0] for row in conn.execute("select report from runs order by id")]
    assert stored == [name for name, _, _ in reports]


def test_v1_default_columns_leave_out_fields_the_v1_api_never_sends(tmp_path: Path, emulator) -> None:
    """api.version: v1 without columns: no column that is empty in every row (v2-only status, startDate, caption)."""
    import csv

    reports = [("Campaigns", "campaigns/performance", "flat"), ("Posts", "posts/performance", "flat")]
    text = config_text(reports, destinations='  flat: {type: csv, output: "out/{report}.csv"}\n')
    text = text.replace("  pagination: page\n", "  pagination: page\n  version: v1\n")
    cfg = load_config(write_config(tmp_path, text), env_for(emulator))
    summary = run_config(cfg, now=NOW)
    assert summary.exit_code == 0, [o.error for o in summary.outcomes]
    for name in ("campaigns", "posts"):
        with (tmp_path / "out" / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle))
        assert len(rows) > 1
        empty = [header for i, header in enumerate(rows[0]) if not any(row[i] for row in rows[1:])]
        assert empty == [], (name, empty)
