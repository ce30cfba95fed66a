"""append / upsert / lookback on the whole path: config → Later emulator (restating late data) → Excel and CSV."""

from __future__ import annotations

import csv
import datetime as dt
import re
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import xlsxwriter
from python_calamine import CalamineWorkbook

from sheets_sync.config import load_config
from sheets_sync.config.modes import MODES_GUIDE
from sheets_sync.orchestrator import RunSummary, history_for, run_config
from sheets_sync.row_store import RowStore
from sheets_sync.sinks.base import ReportTable, SinkContext, SinkResult
from sheets_sync.sinks.registry import registered, sink_for
from sheets_sync.validate import validate_config
from tests.run.run_helpers import env_for, write_config

FIRST_RUN = dt.datetime(2026, 6, 10, 9, 0, tzinfo=dt.UTC)
RESTATE_DAYS = 3
HEAD = """\
timezone: UTC
api: {base_url: "${LATER_API_URL}", client_id: "${LATER_CLIENT_ID}", client_secret: "${LATER_CLIENT_SECRET}",
      pagination: page, page_size: 100}
destinations:
  book: {type: excel, output: out/book.xlsx, template: daily.xlsx}
  plain: {type: excel, output: out/plain.xlsx}
  flat: {type: csv, output: "out/{report}.csv"}
reports:
"""
HISTORY = """\
  - name: Daily
    endpoint: instances/performance-over-time
    metrics: [impressions, engagements]
    granularity: day
    date_range: {range}
    destination: [book, plain, flat]
    mode: {mode}
"""


class Clock:
    """The one fake clock of a test: the run's `now` and the emulator's clock read it."""

    def __init__(self, start: dt.datetime) -> None:
        self.now = start

    def timestamp(self) -> float:
        return self.now.timestamp()


def daily_template(path: Path) -> Path:
    """A template whose Daily sheet holds one table of the report's four columns, two sample rows, a named range."""
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Daily")
    sheet.add_table(0, 0, 2, 3, {"name": "tblDaily", "columns": [{"header": h} for h in
                                                                 ("startDate", "endDate", "impressions",
                                                                  "engagements")],
                                 "data": [["2000-01-01", "2000-01-01", 1, 1], ["2000-01-02", "2000-01-02", 2, 2]]})
    book.define_name("DailyImpressions", "=Daily!$C$2:$C$3")
    book.add_worksheet("Notes").write("A1", "kept outside the managed table")
    book.close()
    return path


def make_config(folder: Path, emu: Any, *, mode: str = "upsert", date_range: str = "yesterday",
                extra: str = "") -> Any:
    """A config of the Daily report (and `extra` YAML lines) in `folder`, with the Daily template beside it."""
    folder.mkdir(parents=True, exist_ok=True)
    daily_template(folder / "daily.xlsx")
    text = HEAD + HISTORY.format(range=date_range, mode=mode) + extra
    return load_config(write_config(folder, text), env_for(emu))


def run_at(cfg: Any, clock: Clock, when: dt.datetime) -> RunSummary:
    """One run of `cfg` with the clock at `when`; it must succeed."""
    clock.now = when
    summary = run_config(cfg, now=when, history=history_for(cfg))
    assert summary.exit_code == 0, [o.error for o in summary.outcomes]
    return summary


def runs_on_days(cfg: Any, clock: Clock, days: int, start: dt.datetime = FIRST_RUN) -> None:
    """A run every morning for `days` days."""
    for number in range(days):
        run_at(cfg, clock, start + dt.timedelta(days=number))


def csv_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def sheet_rows(path: Path, sheet: str) -> list[list[Any]]:
    return [list(row) for row in CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()]


def outputs(folder: Path) -> dict[str, Any]:
    """What the three destinations hold: the template table, the clean workbook's tab, the CSV rows."""
    return {"book": sheet_rows(folder / "out" / "book.xlsx", "Daily"),
            "plain": sheet_rows(folder / "out" / "plain.xlsx", "Daily"),
            "csv": csv_rows(folder / "out" / "daily.csv")}


def fresh_fetch(folder: Path, emu: Any, first: str, last: str) -> dict[str, Any]:
    """The same report fetched whole, once, in replace mode, at the clock as it stands."""
    cfg = make_config(folder, emu, mode="replace", date_range=f"{{start: {first}, end: {last}}}")
    summary = run_config(cfg, now=dt.datetime.now(dt.UTC), history=None)
    assert summary.exit_code == 0, [o.error for o in summary.outcomes]
    return outputs(folder)


def test_daily_upserts_with_lookback_equal_one_fresh_fetch_of_the_period(tmp_path: Path, make_emulator) -> None:
    """Ten daily runs with lookback 7d build, in every sink, the table one full fetch gives at the end clock."""
    clock = Clock(FIRST_RUN)
    emu = make_emulator(restate_days=RESTATE_DAYS, clock=clock.timestamp)
    cfg = make_config(tmp_path / "daily", emu, extra="")
    (tmp_path / "daily" / "sync.yaml").write_text((tmp_path / "daily" / "sync.yaml").read_text()
                                                  + "    lookback: 7d\n", encoding="utf-8")
    cfg = load_config(tmp_path / "daily" / "sync.yaml", env_for(emu))
    runs_on_days(cfg, clock, 10)
    built = outputs(tmp_path / "daily")
    expected = fresh_fetch(tmp_path / "fresh", emu, "2026-06-09", "2026-06-18")
    assert built == expected
    assert len(built["csv"]) == 11 and built["csv"][1][0] == "2026-06-09" and built["csv"][-1][0] == "2026-06-18"


def test_without_lookback_the_restated_numbers_stay_stale(tmp_path: Path, make_emulator) -> None:
    """The same runs without lookback keep the partial numbers of days the API restated afterwards."""
    clock = Clock(FIRST_RUN)
    emu = make_emulator(restate_days=RESTATE_DAYS, clock=clock.timestamp)
    cfg = make_config(tmp_path / "daily", emu)
    runs_on_days(cfg, clock, 10)
    built = csv_rows(tmp_path / "daily" / "out" / "daily.csv")
    expected = fresh_fetch(tmp_path / "fresh", emu, "2026-06-09", "2026-06-18")["csv"]
    assert [row[0] for row in built] == [row[0] for row in expected]  # the same days, once each
    stale = [row[0] for row, fresh in zip(built, expected, strict=True) if row != fresh]
    assert len(stale) >= 5, stale
    assert built[-1] == expected[-1]  # the day fetched last is as fresh in both


def test_the_managed_table_and_its_named_range_follow_the_history(tmp_path: Path, make_emulator) -> None:
    """After 4 runs the template's table and the named range reading it span the 4 rows; the other sheet is kept."""
    clock = Clock(FIRST_RUN)
    emu = make_emulator(restate_days=RESTATE_DAYS, clock=clock.timestamp)
    cfg = make_config(tmp_path, emu)
    runs_on_days(cfg, clock, 4)
    with zipfile.ZipFile(tmp_path / "out" / "book.xlsx") as book:
        table = next(book.read(n).decode() for n in book.namelist() if n.startswith("xl/tables/"))
        workbook = book.read("xl/workbook.xml").decode()
    assert 'ref="A1:D5"' in table
    assert re.search(r"Daily!\$C\$2:\$C\$5", workbook), workbook
    assert sheet_rows(tmp_path / "out" / "book.xlsx", "Notes")[0][0] == "kept outside the managed table"


def test_append_on_consecutive_days_adds_only_the_new_snapshot(tmp_path: Path, make_emulator) -> None:
    """append on an aggregate adds one snapshot per day (periodStart/periodEnd in front); a rerun adds nothing."""
    clock = Clock(FIRST_RUN)
    emu = make_emulator(clock=clock.timestamp)
    extra = ("  - name: Platforms\n    endpoint: platforms/performance\n    metrics: [impressions]\n"
             "    date_range: yesterday\n    destination: flat\n    mode: append\n")
    cfg = make_config(tmp_path, emu, extra=extra)
    run_at(cfg, clock, FIRST_RUN)
    first = csv_rows(tmp_path / "out" / "platforms.csv")
    run_at(cfg, clock, FIRST_RUN + dt.timedelta(days=1))
    second = csv_rows(tmp_path / "out" / "platforms.csv")
    run_at(cfg, clock, FIRST_RUN + dt.timedelta(days=1))
    assert csv_rows(tmp_path / "out" / "platforms.csv") == second
    assert first[0][:3] == ["periodStart", "periodEnd", "contentType"]
    added = second[len(first):]
    assert second[:len(first)] == first and added
    assert {row[0] for row in first[1:]} == {"2026-06-09"} and {row[0] for row in added} == {"2026-06-10"}


def test_append_on_a_time_series_adds_the_new_days_only(tmp_path: Path, make_emulator) -> None:
    """Three daily runs of an appending series hold each day once, in order."""
    clock = Clock(FIRST_RUN)
    emu = make_emulator(clock=clock.timestamp)
    cfg = make_config(tmp_path, emu, mode="append")
    runs_on_days(cfg, clock, 3)
    days = [row[0] for row in csv_rows(tmp_path / "out" / "daily.csv")[1:]]
    assert days == ["2026-06-09", "2026-06-10", "2026-06-11"]


def test_the_same_run_twice_gives_byte_identical_outputs(tmp_path: Path, make_emulator) -> None:
    """Rerunning with the same clock rewrites the template workbook, clean workbook and CSV byte for byte."""
    clock = Clock(FIRST_RUN)
    emu = make_emulator(restate_days=RESTATE_DAYS, clock=clock.timestamp)
    cfg = make_config(tmp_path, emu)
    runs_on_days(cfg, clock, 2)
    names = ("book.xlsx", "plain.xlsx", "daily.csv")
    before = {name: (tmp_path / "out" / name).read_bytes() for name in names}
    run_at(cfg, clock, clock.now)
    assert {name: (tmp_path / "out" / name).read_bytes() for name in names} == before


def test_a_hand_edit_inside_the_managed_table_is_overwritten(tmp_path: Path, make_emulator) -> None:
    """A value typed into the written CSV is replaced by the stored one on the next run (docs/modes.md)."""
    clock = Clock(FIRST_RUN)
    emu = make_emulator(clock=clock.timestamp)
    cfg = make_config(tmp_path, emu)
    run_at(cfg, clock, FIRST_RUN)
    path = tmp_path / "out" / "daily.csv"
    written = path.read_text(encoding="utf-8")
    path.write_text(written.replace("2026-06-09,2026-06-09,", "2026-06-09,2026-06-09,999", 1), encoding="utf-8")
    run_at(cfg, clock, FIRST_RUN)
    assert path.read_text(encoding="utf-8") == written


def test_a_hand_edit_in_the_template_table_is_overwritten(tmp_path: Path, make_emulator) -> None:
    """A number edited inside the workbook's managed table comes back as stored after the next run."""
    clock = Clock(FIRST_RUN)
    emu = make_emulator(clock=clock.timestamp)
    cfg = make_config(tmp_path, emu)
    run_at(cfg, clock, FIRST_RUN)
    book = tmp_path / "out" / "book.xlsx"
    expected = sheet_rows(book, "Daily")
    edited = _edit_first_number(book, 424242)
    assert 424242.0 in sheet_rows(edited, "Daily")[1]
    run_at(cfg, clock, FIRST_RUN)
    assert sheet_rows(book, "Daily") == expected


def _edit_first_number(book: Path, value: int) -> Path:
    """Write `value` into C2 of Daily as a user would (openpyxl), in place."""
    import openpyxl

    workbook = openpyxl.load_workbook(book)
    workbook["Daily"]["C2"] = value
    workbook.save(book)
    return book


class FailingSink:
    """The registered CSV sink, except that its writes fail (a full disk, a locked file)."""

    def __init__(self, real: Any) -> None:
        self.real = real

    def check(self, name: str, destination: Any, reports: Sequence[Any], context: SinkContext) -> None:
        self.real.check(name, destination, reports, context)

    def write(self, name: str, destination: Any, tables: Sequence[ReportTable], context: SinkContext) -> SinkResult:
        return SinkResult(failures={t.report.name: "disk full" for t in tables})


def test_a_failed_write_keeps_the_old_file_and_the_next_run_catches_up(tmp_path: Path, make_emulator) -> None:
    """A CSV write that fails leaves yesterday's file; the next run writes the full history, nothing doubled."""
    clock = Clock(FIRST_RUN)
    emu = make_emulator(clock=clock.timestamp)
    cfg = make_config(tmp_path, emu)
    run_at(cfg, clock, FIRST_RUN)
    path = tmp_path / "out" / "daily.csv"
    before = path.read_bytes()
    with registered("csv", FailingSink(sink_for("csv"))):
        clock.now = FIRST_RUN + dt.timedelta(days=1)
        failed = run_config(cfg, now=clock.now, history=history_for(cfg))
    assert failed.exit_code == 1 and path.read_bytes() == before
    run_at(cfg, clock, FIRST_RUN + dt.timedelta(days=2))
    assert [row[0] for row in csv_rows(path)[1:]] == ["2026-06-09", "2026-06-10", "2026-06-11"]
    assert sheet_rows(tmp_path / "out" / "plain.xlsx", "Daily")[1:] == [
        [_as_date(r[0]), _as_date(r[1]), float(r[2]), float(r[3])] for r in csv_rows(path)[1:]]


def _as_date(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def test_a_failed_fetch_changes_neither_the_outputs_nor_the_kept_rows(tmp_path: Path, make_emulator) -> None:
    """With the API unreachable the run fails; the files and the stored rows are those of the last good run."""
    clock = Clock(FIRST_RUN)
    emu = make_emulator(clock=clock.timestamp)
    cfg = make_config(tmp_path, emu)
    run_at(cfg, clock, FIRST_RUN)
    store = RowStore(f"sqlite:///{tmp_path / '.sheets-sync' / 'history.sqlite'}")
    kept = store.load("Daily")
    files = {name: (tmp_path / "out" / name).read_bytes() for name in ("book.xlsx", "plain.xlsx", "daily.csv")}
    emu.stop()
    failed = run_config(cfg, now=FIRST_RUN + dt.timedelta(days=1), history=history_for(cfg))
    assert failed.exit_code == 1
    assert store.load("Daily") == kept
    assert {name: (tmp_path / "out" / name).read_bytes() for name in files} == files


def test_changing_what_shapes_the_rows_starts_the_history_again(tmp_path: Path, make_emulator, caplog) -> None:
    """A new granularity drops the kept daily rows with a warning saying why; the run fetches the whole range."""
    clock = Clock(FIRST_RUN)
    emu = make_emulator(clock=clock.timestamp)
    cfg = make_config(tmp_path, emu, date_range="{start: 2026-06-01, end: 2026-06-05}")
    run_at(cfg, clock, FIRST_RUN)
    assert len(csv_rows(tmp_path / "out" / "daily.csv")) == 6
    text = (tmp_path / "sync.yaml").read_text().replace("granularity: day", "granularity: week")
    (tmp_path / "sync.yaml").write_text(text, encoding="utf-8")
    changed = load_config(tmp_path / "sync.yaml", env_for(emu))
    summary = run_at(changed, clock, FIRST_RUN)
    assert "metrics, columns, granularity, key or mode changed" in caplog.text
    assert summary.outcomes[0].start_date == dt.date(2026, 6, 1)
    assert [row[:2] for row in csv_rows(tmp_path / "out" / "daily.csv")[1:]] == [["2026-06-01", "2026-06-05"]]


def test_a_sink_gets_the_merged_table_like_a_replace(tmp_path: Path, make_emulator) -> None:
    """A sink registered for a type sees the whole merged table on each run, with nothing mode-specific."""
    clock = Clock(FIRST_RUN)
    emu = make_emulator(clock=clock.timestamp)
    seen: list[int] = []

    class Recording:
        def check(self, *args: Any) -> None:
            return None

        def write(self, name: str, destination: Any, tables: Sequence[ReportTable],
                  context: SinkContext) -> SinkResult:
            seen.extend(len(list(t.table.rows)) for t in tables if t.table is not None)
            return SinkResult()

    folder = tmp_path / "c"
    cfg = make_config(folder, emu)
    text = (folder / "sync.yaml").read_text().replace("flat: {type: csv", "sheet: {type: google_sheets, "
                                                      "spreadsheet: abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGH, "
                                                      "credentials: creds.json}\n  flat: {type: csv")
    text = text.replace("destination: [book, plain, flat]", "destination: [sheet]")
    (folder / "sync.yaml").write_text(text, encoding="utf-8")
    (folder / "creds.json").write_text("{}", encoding="utf-8")
    with registered("google_sheets", Recording()):
        cfg = load_config(folder / "sync.yaml", env_for(emu))
        runs_on_days(cfg, clock, 3)
    assert seen == [1, 2, 3]


def test_the_reference_example_of_each_mode_validates(tmp_path: Path) -> None:
    """The append, upsert+key and lookback example in the config reference passes `validate`."""
    example = MODES_GUIDE.split("```yaml\n")[1].split("```")[0]
    text = ("api: {client_id: x, client_secret: \"${S}\"}\ndestinations:\n  out: {type: csv, output: "
            "\"r/{report}.csv\"}\ndefaults: {destination: out}\n" + example)
    path = tmp_path / "c.yaml"
    path.write_text(text, encoding="utf-8")
    result = validate_config(path, {"S": "s"}, now=dt.datetime(2026, 6, 10, tzinfo=dt.UTC))
    assert [p.message for p in result.problems] == []

