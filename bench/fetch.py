"""Benchmark of the API client: parallel page fetching against the emulator vs the ideal and a plain loop.

200 pages of 100 rows (posts/performance, page-number generation) with 40 ms injected latency per
request. Measured in one run: our ApiClient with max_concurrency 8, the ideal (pages × latency /
concurrency), and a plain sequential `requests` loop over the same pages. The emulator runs in a
child process so the CPU figure (time.process_time of this process) is the client's alone.

    python bench/fetch.py            # prints the table and rewrites "## API client" in docs/benchmarks.md
    python bench/fetch.py --no-write # prints only
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import platform
import statistics
import sys
import time
from pathlib import Path

from benchdoc import write_section

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PARAMS = {"startDate": "2025-07-01", "endDate": "2026-06-30", "metrics": ["engagements", "impressions", "cpe"]}
CLIENT_ID, CLIENT_SECRET = "demo-client", "demo-secret"
SECTION = "## API client"


def serve(queue: mp.Queue, latency_ms: int, scale: int, stop: mp.Event) -> None:
    """Child process: run the emulator until told to stop, reporting its URL first."""
    from sheets_sync.emulator import EmulatorOptions, start_emulator

    with start_emulator(EmulatorOptions(port=0, pagination="page", latency_ms=latency_ms, scale=scale)) as emu:
        queue.put(emu.url)
        stop.wait()


def measure_client(url: str, pages: int, page_size: int, concurrency: int) -> tuple[float, float, int]:
    """(wall seconds, client CPU seconds, rows) for one ApiClient fetch of `pages` pages."""
    from sheets_sync.api import ApiClient, ApiSettings, RateBudget
    from sheets_sync.catalogue import get_endpoint

    settings = ApiSettings(base_url=url, client_id=CLIENT_ID, client_secret=CLIENT_SECRET, pagination="page",
                           page_size=page_size, max_concurrency=concurrency, requests_per_minute=1_000_000)
    with ApiClient(settings, rate_budget=RateBudget(1_000_000)) as client:
        client.tokens.get()  # token exchange outside the timed part, as in the plain loop
        wall, cpu = time.perf_counter(), time.process_time()
        result = client.fetch(get_endpoint("posts/performance"), PARAMS, max_rows=pages * page_size)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    assert result.pages == pages and len(result.records) == pages * page_size, (result.pages, len(result.records))
    return wall, cpu, len(result.records)


def measure_plain(url: str, pages: int, page_size: int) -> tuple[float, int]:
    """(wall seconds, rows) for a sequential requests loop over the same pages."""
    import requests

    with requests.Session() as session:
        token = session.post(f"{url}/oauth/token", json={"clientId": CLIENT_ID, "clientSecret": CLIENT_SECRET},
                             timeout=30).json()["jwt"]
        session.headers["Authorization"] = f"Bearer {token}"
        rows = 0
        wall = time.perf_counter()
        for number in range(1, pages + 1):
            body = session.get(f"{url}/v2/posts/performance",
                               params={**PARAMS, "pageNumber": number, "pageSize": page_size}, timeout=30).json()
            rows += len(body["data"])
        return time.perf_counter() - wall, rows


def measure_table(records_count: int, url: str, page_size: int) -> float:
    """Microseconds per row to turn fetched records into a Table (records → rows)."""
    from sheets_sync.api import ApiClient, ApiSettings, RateBudget
    from sheets_sync.catalogue import get_endpoint
    from sheets_sync.records import build_table
    from sheets_sync.report import TableMeta

    settings = ApiSettings(base_url=url, client_id=CLIENT_ID, client_secret=CLIENT_SECRET, page_size=page_size,
                           max_concurrency=8)
    with ApiClient(settings, rate_budget=RateBudget(1_000_000)) as client:
        records = client.fetch(get_endpoint("posts/performance"), PARAMS, max_rows=records_count).records
    started = time.process_time()
    table = build_table(get_endpoint("posts/performance"), records, metrics=PARAMS["metrics"], columns=None,
                        meta=TableMeta(report="bench", endpoint="posts/performance"), timezone="Europe/London")
    rows = list(table.rows)
    return (time.process_time() - started) / len(rows) * 1e6


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--page-size", type=int, default=100)
    parser.add_argument("--latency-ms", type=int, default=40)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement; the median is reported")
    parser.add_argument("--no-write", action="store_true", help="do not update docs/benchmarks.md")
    args = parser.parse_args()

    ctx = mp.get_context("spawn")
    queue, stop = ctx.Queue(), ctx.Event()
    # scale 5 gives ~21,000 posts over the year: enough for 200 pages of 100.
    child = ctx.Process(target=serve, args=(queue, args.latency_ms, 5, stop), daemon=True)
    child.start()
    try:
        url = queue.get(timeout=120)
        measure_plain(url, 1, args.page_size)  # warm the emulator's result cache
        client_runs = [measure_client(url, args.pages, args.page_size, args.concurrency) for _ in range(args.repeat)]
        plain_runs = [measure_plain(url, args.pages, args.page_size) for _ in range(args.repeat)]
        table_us = measure_table(args.pages * args.page_size, url, args.page_size)
    finally:
        stop.set()
        child.join(timeout=10)

    ideal = args.pages * args.latency_ms / 1000 / args.concurrency
    wall = statistics.median(r[0] for r in client_runs)
    cpu = statistics.median(r[1] for r in client_runs)
    rows = client_runs[0][2]
    plain = statistics.median(r[0] for r in plain_runs)
    cpu_us = cpu / rows * 1e6
    lines = [
        f"posts/performance, page generation, {args.pages} pages × {args.page_size} rows, {args.latency_ms} ms "
        f"latency per request, max_concurrency {args.concurrency}; median of {args.repeat} runs "
        f"(Python {platform.python_version()}, {mp.cpu_count()} CPUs). Emulator in a child process; "
        "token exchanged before timing.",
        "",
        "| measurement | wall time | vs ideal | speed-up vs plain loop |",
        "|---|---|---|---|",
        f"| ideal (pages × latency / concurrency) | {ideal:.2f} s | 1.00× | — |",
        f"| sheets-sync ApiClient | {wall:.2f} s | {wall / ideal:.2f}× | {plain / wall:.1f}× |",
        f"| plain sequential `requests` loop | {plain:.2f} s | {plain / ideal:.2f}× | 1.0× |",
        "",
        f"Client CPU: {cpu_us:.0f} µs per row fetched ({cpu:.2f} s for {rows:,} rows: HTTP, JSON decoding, "
        f"guards). Records → table (`records.build_table`): {table_us:.1f} µs per row.",
        "",
        f"Targets: wall ≤ 1.5× ideal — {'met' if wall <= 1.5 * ideal else 'MISSED'}; "
        f"≥ 5× faster than the plain loop — {'met' if plain / wall >= 5 else 'MISSED'}.",
    ]
    print("\n".join(lines))
    if not args.no_write:
        write_section(SECTION, "bench/fetch.py", "\n".join(lines))
    return 0 if wall <= 1.5 * ideal and plain / wall >= 5 else 1


if __name__ == "__main__":
    raise SystemExit(main())
