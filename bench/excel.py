"""Benchmark the Excel sink against XlsxWriter constant_memory and openpyxl load → append → save.

    python bench/excel.py                        # 10k and 100k rows for all writers, 1M for ours
    python bench/excel.py --rows 10000 --big 0   # a quick run

Shape: N rows × 20 columns, half text ("Campaign 123 col 4") and half numbers, into a template
with one table, a KPI formula and a chart (openpyxl fills the same template; XlsxWriter writes the
same cells into a blank workbook). Each measurement runs in a fresh child process so its peak RSS
(ru_maxrss) is its own; rows are generated inside the timed region for every writer alike.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "bench" / "out"
COLUMNS = 20
WRITERS = ("data-only", "ours", "ours-plain", "xlsxwriter", "openpyxl")


def headers() -> list[str]:
    return [f"Text {c}" if c % 2 == 0 else f"Number {c}" for c in range(COLUMNS)]


def rows(n: int):
    """N rows: even columns text, odd columns numbers (alternating int and float)."""
    for r in range(n):
        yield [f"Campaign {r} col {c}" if c % 2 == 0 else (r * c if c % 4 == 1 else r * 0.25 + c)
               for c in range(COLUMNS)]


def build_template(path: Path) -> Path:
    """A template like a user's: a data table with one prototype row, a KPI sheet and a chart."""
    import xlsxwriter
    wb = xlsxwriter.Workbook(str(path))
    summary, data = wb.add_worksheet("Summary"), wb.add_worksheet("Data")
    number = wb.add_format({"num_format": "#,##0.00"})
    data.add_table(0, 0, 1, COLUMNS - 1, {"name": "tblData", "columns": [
        {"header": h, "format": number if i % 2 else None} for i, h in enumerate(headers())]})
    summary.write_formula("A1", "=SUM(tblData[Number 1])")
    chart = wb.add_chart({"type": "line"})
    chart.add_series({"values": ["Data", 1, 1, 1, 1]})
    summary.insert_chart("C3", chart)
    wb.close()
    return path


def run_child(writer: str, n: int, template: Path) -> dict:
    """Write n rows with one writer in this process; return seconds, peak RSS and file size."""
    out = OUT / f"{writer}-{n}.xlsx"
    start = time.perf_counter()
    if writer == "data-only":
        for _ in rows(n):
            pass
        out = None
    elif writer in ("ours", "ours-plain"):
        sys.path.insert(0, str(REPO))
        from sheets_sync.report import Column, ColumnKind, Table, TableMeta
        from sheets_sync.sinks.excel import ExcelTab, write_workbook
        cols = [Column(h, h, ColumnKind.TEXT if i % 2 == 0 else ColumnKind.DECIMAL) for i, h in enumerate(headers())]
        tab = ExcelTab(Table(cols, rows(n), TableMeta("bench", "campaigns")), "Data")
        write_workbook(out, [tab], template=template if writer == "ours" else None,
                       now=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    elif writer == "xlsxwriter":
        import xlsxwriter
        wb = xlsxwriter.Workbook(str(out), {"constant_memory": True, "strings_to_formulas": False})
        ws = wb.add_worksheet("Data")
        ws.write_row(0, 0, headers())
        for i, row in enumerate(rows(n), 1):
            ws.write_row(i, 0, row)
        wb.close()
    elif writer == "openpyxl":
        import openpyxl
        wb = openpyxl.load_workbook(template)
        ws = wb["Data"]
        ws.delete_rows(2)
        for row in rows(n):
            ws.append(row)
        table = ws.tables["tblData"]
        table.ref = table.autoFilter.ref = f"A1:{openpyxl.utils.get_column_letter(COLUMNS)}{n + 1}"
        wb.save(out)
    seconds = time.perf_counter() - start
    return {"writer": writer, "rows": n, "seconds": round(seconds, 2),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "file_mb": round(out.stat().st_size / 1e6, 2) if out else None}


def measure(writer: str, n: int, template: Path) -> dict:
    """Run one measurement in a fresh interpreter."""
    done = subprocess.run([sys.executable, __file__, "--child", writer, str(n), str(template)],
                          check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default="10000,100000", help="row counts for every writer")
    parser.add_argument("--big", type=int, default=1_000_000, help="row count for ours only (0 = skip)")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    if args.child:
        writer, n, template = args.child
        print(json.dumps(run_child(writer, int(n), Path(template))))
        return
    template = build_template(OUT / "template.xlsx")
    results = []
    for n in [int(x) for x in args.rows.split(",")]:
        for writer in WRITERS:
            results.append(measure(writer, n, template))
            print(json.dumps(results[-1]), flush=True)
    if args.big:
        for writer in ("data-only", "ours"):
            results.append(measure(writer, args.big, template))
            print(json.dumps(results[-1]), flush=True)
    print("\n| rows | writer | time (s) | peak RSS (MB) | file (MB) | time vs XlsxWriter | openpyxl time / ours |")
    print("|---|---|---|---|---|---|---|")
    by = {(r["writer"], r["rows"]): r for r in results}
    for r in results:
        xw, ours, opx = by.get(("xlsxwriter", r["rows"])), by.get(("ours", r["rows"])), by.get(("openpyxl", r["rows"]))
        vs_xw = f"{r['seconds'] / xw['seconds']:.2f}×" if xw and r["writer"] != "data-only" else ""
        speedup = f"{opx['seconds'] / ours['seconds']:.1f}×" if r["writer"] == "ours" and opx else ""
        print(f"| {r['rows']:,} | {r['writer']} | {r['seconds']} | {r['peak_rss_mb']} | {r['file_mb'] or ''} "
              f"| {vs_xw} | {speedup} |")


if __name__ == "__main__":
    main()
