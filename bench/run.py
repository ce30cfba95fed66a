"""Benchmark of a whole run: ten one-page reports fetched concurrently vs report after report.

Ten reports (campaigns/performance, one page each) are run through `run_config` (CSV outputs in a
temporary folder, no history) against two emulators in child processes: one with 300 ms latency per
data request, one with none. Network time is the wall time at 300 ms minus the wall time at 0 ms
(what the latency costs the run; start-up, token, parsing and writing cancel out). The ideal is one
token exchange plus ⌈requests / max_concurrency⌉ rounds of latency; the emulator adds its latency to
data requests only, so the token exchange's share of the ideal is 0 ms here.

    python bench/run.py            # prints the table and rewrites "## Concurrent reports" in docs/benchmarks.md
    python bench/run.py --no-write # prints only
"""

from __future__ import annotations

import argparse
import math
import multiprocessing as mp
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchdoc import write_section

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SECTION = "## Concurrent reports"
CLIENT_ID, CLIENT_SECRET = "demo-client", "demo-secret"


def serve(queue: mp.Queue, latency_ms: int, stop: mp.Event) -> None:
    """Child process: run the emulator until told to stop, reporting its URL first."""
    from sheets_sync.emulator import EmulatorOptions, start_emulator

    with start_emulator(EmulatorOptions(port=0, pagination="page", latency_ms=latency_ms)) as emu:
        queue.put(emu.url)
        stop.wait()


def config_text(reports: int, concurrency: int) -> str:
    """Ten (or `reports`) one-page reports, each to its own CSV file."""
    lines = ["timezone: UTC", "api:", "  base_url: ${LATER_API_URL}", "  client_id: ${LATER_CLIENT_ID}",
             "  client_secret: ${LATER_CLIENT_SECRET}", "  pagination: page", "  page_size: 100",
             f"  max_concurrency: {concurrency}", "  requests_per_minute: 100000",
             "defaults:", "  date_range: {start: 2026-04-01, end: 2026-06-30}",
             "destinations:", '  flat: {type: csv, output: "out/{report}.csv"}', "reports:"]
    for number in range(1, reports + 1):
        lines.append(f"  - name: Report {number}\n    endpoint: campaigns/performance\n"
                     "    metrics: [impressions, engagements]\n    destination: flat")
    return "\n".join(lines) + "\n"


def measure(url: str, reports: int, concurrency: int, workers: int | None) -> tuple[float, int]:
    """(wall seconds, requests) of one run; `workers` 1 fetches report after report."""
    import datetime as dt

    from sheets_sync.config import load_config
    from sheets_sync.orchestrator import run_config

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.yaml"
        path.write_text(config_text(reports, concurrency), encoding="utf-8")
        cfg = load_config(path, {"LATER_API_URL": url, "LATER_CLIENT_ID": CLIENT_ID,
                                 "LATER_CLIENT_SECRET": CLIENT_SECRET})
        started = time.perf_counter()
        summary = run_config(cfg, now=dt.datetime(2026, 7, 1, tzinfo=dt.UTC), report_workers=workers)
        wall = time.perf_counter() - started
    assert summary.exit_code == 0 and all(o.pages == 1 for o in summary.outcomes), summary.outcomes
    return wall, sum(o.requests for o in summary.outcomes)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=10)
    parser.add_argument("--latency-ms", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement; the median is reported")
    parser.add_argument("--no-write", action="store_true", help="do not update docs/benchmarks.md")
    args = parser.parse_args()

    ctx = mp.get_context("spawn")
    stop = ctx.Event()
    urls: dict[int, str] = {}
    children = []
    for latency in (0, args.latency_ms):
        queue = ctx.Queue()
        child = ctx.Process(target=serve, args=(queue, latency, stop), daemon=True)
        child.start()
        children.append(child)
        urls[latency] = queue.get(timeout=120)
    results: dict[tuple[str, int], list[float]] = {}
    requests = 0
    try:
        measure(urls[0], args.reports, args.concurrency, None)  # warm the emulator's cache and our imports
        for mode, workers in (("concurrent", None), ("report after report", 1)):
            for latency, url in urls.items():
                runs = [measure(url, args.reports, args.concurrency, workers) for _ in range(args.repeat)]
                results[(mode, latency)] = [wall for wall, _ in runs]
                requests = runs[0][1]
    finally:
        stop.set()
        for child in children:
            child.join(timeout=10)

    data_requests = requests - 1  # one token exchange
    latency = args.latency_ms / 1000
    # the emulator delays data requests only, so the token exchange adds no round to the ideal
    ideal = math.ceil(data_requests / args.concurrency) * latency
    rows = []
    network: dict[str, float] = {}
    for mode in ("concurrent", "report after report"):
        slow = statistics.median(results[(mode, args.latency_ms)])
        fast = statistics.median(results[(mode, 0)])
        network[mode] = slow - fast
        rows.append(f"| {mode} | {slow:.2f} s | {fast:.2f} s | {network[mode]:.2f} s | "
                    f"{network[mode] / ideal:.2f}× |")
    ratio = network["concurrent"] / ideal
    lines = [
        (f"{args.reports} one-page reports (campaigns/performance) to CSV, {args.latency_ms} ms latency per data "
        f"request, max_concurrency {args.concurrency}, {requests} requests per run (1 token exchange); median of "
        f"{args.repeat} runs (Python {platform.python_version()}, {mp.cpu_count()} CPUs). Emulators in child "
        "processes."),
        "",
        f"| run | wall at {args.latency_ms} ms | wall at 0 ms | network time | vs ideal |",
        "|---|---|---|---|---|",
        f"| ideal (token + ⌈{data_requests} / {args.concurrency}⌉ rounds) | | | {ideal:.2f} s | 1.00× |",
        *rows,
        "",
        (f"Target: concurrent network time ≤ 1.3× ideal — {'met' if ratio <= 1.3 else 'MISSED'} ({ratio:.2f}×); "
        f"{network['report after report'] / network['concurrent']:.1f}× less network time than report after "
        "report."),
    ]
    print("\n".join(lines))
    if not args.no_write:
        write_section(SECTION, "bench/run.py", "\n".join(lines))
    return 0 if ratio <= 1.3 else 1


if __name__ == "__main__":
    raise SystemExit(main())
