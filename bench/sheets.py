"""Benchmark one Google Sheets refresh: our sink against gspread-dataframe and a row-by-row append loop.

    pip install -r bench/requirements.txt   # gspread-dataframe and pandas, for the baselines only
    python bench/sheets.py                   # 1, 10 and 10,000-row tabs and a 10-tab refresh
    python bench/sheets.py --rows 1 10       # a quick run
    python bench/sheets.py --update-doc      # also rewrite the section in docs/benchmarks.md

Every writer refreshes the same table (10 columns: text, whole numbers, decimals, a percentage and a
date) into a tab that already holds a longer previous refresh, against the same in-process Sheets API
emulator over loopback HTTP (quota raised so that no writer is throttled: the quota cost is what the
"write requests" column shows; at Google's default 60 writes a minute per user, a writer needing more
than 60 waits whole minutes). Measured per refresh: write requests, all requests, bytes of request
bodies sent, and wall time (median of --repeat runs). The baselines are the usual ways people fill a
sheet with gspread: gspread-dataframe's `set_with_dataframe(resize=True)` (one values.update after a
resize, USER_ENTERED as its default) and a `worksheet.append_row` loop (one request a row).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import gspread  # noqa: E402 - after the sys.path line, so the script runs from a checkout

from sheets_sync.config import Config, load_config  # noqa: E402 - after the sys.path line
from sheets_sync.report import Column, ColumnKind, Table, TableMeta  # noqa: E402 - after the sys.path line
from sheets_sync.resolved import resolve_reports  # noqa: E402 - after the sys.path line
from sheets_sync.sheets_emulator.client_session import loopback_session  # noqa: E402 - after the sys.path line
from sheets_sync.sheets_emulator.quota import QuotaLimits  # noqa: E402 - after the sys.path line
from sheets_sync.sheets_emulator.server import start_sheets_emulator  # noqa: E402 - after the sys.path line
from sheets_sync.sinks.base import ReportTable, SinkContext  # noqa: E402 - after the sys.path line
from sheets_sync.sinks.google_sheets.sink import GoogleSheetsSink  # noqa: E402 - after the sys.path line

HEADERS = ["Campaign", "Creator", "Platform", "Status", "Impressions", "Engagements", "Spend", "ROI",
           "Engagement rate", "Day"]
KEY = "bench-sheet"
PREVIOUS_ROWS = 50  # every refresh replaces a longer (or shorter) previous one, as a daily refresh does


def table_rows(n: int, salt: int = 0) -> list[list[Any]]:
    """n rows of the benchmark's shape; `salt` changes the numbers so each refresh writes new values."""
    day = dt.date(2026, 11, 1)
    return [[f"Campaign {r % 97}", f"@creator_{r}", ("instagram", "tiktok", "youtube")[r % 3],
             "active" if r % 5 else "ended", 1000 + r * 7 + salt, 50 + r % 400, round(12.5 * (r % 80) + salt, 2),
             round(1.5 + (r % 9) / 10, 2), round((r % 100) / 1000, 4), day + dt.timedelta(days=r % 30)]
            for r in range(n)]


Writer = Callable[[gspread.Spreadsheet, str, list[list[Any]]], None]


def write_set_with_dataframe(book: gspread.Spreadsheet, tab: str, rows: list[list[Any]]) -> None:
    """gspread-dataframe: a DataFrame written with resize=True (its defaults otherwise)."""
    import pandas as pd
    from gspread_dataframe import set_with_dataframe

    sheet = book.worksheet(tab)
    set_with_dataframe(sheet, pd.DataFrame(rows, columns=HEADERS), resize=True)


def write_append_rows(book: gspread.Spreadsheet, tab: str, rows: list[list[Any]]) -> None:
    """The loop many scripts use: clear, header, then one append_row per row."""
    sheet = book.worksheet(tab)
    sheet.clear()
    sheet.append_row(HEADERS)
    for row in rows:
        sheet.append_row([v.isoformat() if isinstance(v, dt.date) else v for v in row])


KINDS = [ColumnKind.TEXT] * 4 + [ColumnKind.INTEGER, ColumnKind.INTEGER, ColumnKind.DECIMAL, ColumnKind.RATIO,
                                  ColumnKind.PERCENT, ColumnKind.DATE]


def ours_config(folder: Path, tabs: Sequence[str]) -> Config:
    """A config whose reports write `tabs` of the benchmark spreadsheet (the sink reads tab and name from it)."""
    reports = "".join(f"  - {{name: {tab!r}, endpoint: campaigns/performance, metrics: [impressions], "
                      f"destination: sheet, tab: {tab!r}}}\n" for tab in tabs)
    path = folder / "bench-sheets.yaml"
    path.write_text("api: {client_id: bench, client_secret: \"${BENCH_SECRET}\"}\n"
                    "defaults: {date_range: last_30_days}\n"
                    f"destinations:\n  sheet: {{type: google_sheets, spreadsheet: {KEY}}}\nreports:\n{reports}",
                    encoding="utf-8")
    return load_config(path, env={"SHEETS_EMULATOR_HOST": "127.0.0.1:1", "BENCH_SECRET": "unused"})


def write_ours(host: str, folder: Path, tabs: Sequence[str], n: int) -> None:
    """sheets-sync's Google Sheets sink: every tab of the refresh in one batchUpdate (or staged + one swap)."""
    cfg = ours_config(folder, tabs)
    now = dt.datetime.now(dt.UTC)
    resolved = resolve_reports(cfg, cfg.reports, now)
    columns = [Column(f"c{i}", header, kind) for i, (header, kind) in enumerate(zip(HEADERS, KINDS, strict=True))]
    tables = [ReportTable(report, Table(columns, table_rows(n), TableMeta(report.name, report.endpoint.name)))
              for report in resolved]
    sink = GoogleSheetsSink(env={"SHEETS_EMULATOR_HOST": host})
    result = sink.write("sheet", cfg.destinations["sheet"], tables,
                        SinkContext(cfg, now, {r.name: (r.start, r.end) for r in resolved}, lock_dir=folder))
    if result.failures:
        raise SystemExit(f"the sink failed: {result.failures}")


WRITERS: dict[str, Writer | None] = {"sheets-sync": None, "set_with_dataframe": write_set_with_dataframe,
                                     "append_row loop": write_append_rows}


def measure(writer: str, tabs: Sequence[str], n: int, repeat: int, append_cap: int) -> dict[str, Any]:
    """Median figures of `repeat` refreshes of `tabs` (n rows each) by `writer`, each on a fresh emulator."""
    if writer == "append_row loop" and n * len(tabs) > append_cap:
        writes = len(tabs) * (n + 2)  # clear, header, one per row: by construction, not measured
        return {"skipped": f"not run (over --append-cap): {writes:,} write requests, "
                           f"{writes / 60:,.0f} min at 60 writes/min"}
    runs = []
    folder = Path(tempfile.mkdtemp(prefix="bench-sheets-"))
    for attempt in range(repeat):
        limits = QuotaLimits(None, None, None, None)  # no throttling: the write count shows the quota cost
        with start_sheets_emulator(seed=attempt, quota_limits=limits) as emulator:
            emulator.service.create_spreadsheet(KEY, "Benchmark")
            client = gspread.Client(None, session=loopback_session(emulator.url))
            client.set_timeout((10, 600))
            book = client.open_by_key(KEY)
            for tab in tabs:  # the previous refresh, written the same way by every writer
                sheet = book.add_worksheet(tab, rows=PREVIOUS_ROWS + 1, cols=len(HEADERS))
                sheet.update([HEADERS] + [[str(v) for v in r] for r in table_rows(PREVIOUS_ROWS, 1)], "A1")
            before = len(emulator.service.requests_log)
            started = time.perf_counter()
            if writer == "sheets-sync":
                write_ours(emulator.host, folder, tabs, n)
            else:
                write = WRITERS[writer]
                assert write is not None
                for tab in tabs:
                    write(book, tab, table_rows(n))
            seconds = time.perf_counter() - started
            log = emulator.service.requests_log[before:]
            runs.append({"seconds": seconds, "writes": sum(1 for r in log if r.method != "GET"),
                         "requests": len(log), "bytes": sum(r.body_bytes for r in log)})
    return {key: statistics.median(run[key] for run in runs) for key in runs[0]}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="*", default=[1, 10, 10_000])
    parser.add_argument("--tabs", type=int, default=10, help="tabs of the multi-tab refresh (100 rows each)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--append-cap", type=int, default=1_000, help="most rows the append_row loop writes")
    parser.add_argument("--update-doc", action="store_true")
    args = parser.parse_args(argv)
    import gspread_dataframe  # noqa: F401 - imported before timing, so no writer pays pandas' import
    cases = [(f"1 tab × {n:,} rows", ["Data"], n) for n in args.rows]
    if args.tabs:
        cases.append((f"{args.tabs} tabs × 100 rows", [f"Tab {i + 1}" for i in range(args.tabs)], 100))
    lines = ["| refresh | writer | write requests | all requests | bytes sent | seconds |",
             "|---|---|---:|---:|---:|---:|"]
    for label, tabs, n in cases:
        for writer in WRITERS:
            figures = measure(writer, tabs, n, args.repeat, args.append_cap)
            if "skipped" in figures:
                line = f"| {label} | {writer} | – | – | – | {figures['skipped']} |"
            else:
                line = (f"| {label} | {writer} | {figures['writes']:,.0f} | {figures['requests']:,.0f} | "
                        f"{figures['bytes']:,.0f} | {figures['seconds']:.3f} |")
            print(line, flush=True)
            lines.append(line)
    if args.update_doc:
        from benchdoc import write_section

        body = "\n".join([
            "The baselines need `pip install -r bench/requirements.txt` (gspread-dataframe, pandas).",
            "",
            f"Run {dt.date.today()} on {platform.python_implementation()} {platform.python_version()}, "
            f"{os.cpu_count()} cores; median of {args.repeat}; in-process emulator over loopback, no quota.",
            "",
            "How to read it: *write requests* is what counts against Google's quota (60 a minute per user by "
            "default), and the number of moments a reader can see a half-written tab. sheets-sync sends one "
            "batchUpdate per spreadsheet whatever the number of tabs (plus, per run, one read and one no-op write "
            "to check access before fetching, not counted here); a refresh over about 2 MB of JSON is staged in "
            "hidden tabs in batches of at most 2 MB and swapped in with one more batchUpdate. The baselines send "
            "one (set_with_dataframe) or one per row (append_row) write per tab and leave readers a half-written "
            "tab between them. sheets-sync sends more bytes: typed cells (CellData) cost about five times the "
            "JSON of plain value arrays, the price of one atomic request with types, formats, filter, note and "
            "named range in it.",
            "",
            *lines])
        write_section("## Google Sheets refresh", "bench/sheets.py", body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
