"""Benchmark the Later API emulator: start-up time and requests/s for 100-row pages.

Run `python bench/emulator.py [--seconds 3] [--threads 4]`. The baseline is a bare stdlib
ThreadingHTTPServer answering a fixed body of the same size over the same keep-alive client, so
the emulator's figure can be read as a ratio of what this machine's HTTP stack allows.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sheets_sync.emulator import EmulatorOptions, start_emulator

PARAMS = {"startDate": "2024-07-01", "endDate": "2026-06-30", "metrics": "engagements,impressions,engagementRate,cpm",
          "dateBasis": "post_date"}


def cold_start_seconds() -> float:
    """Wall time from launching `python -m sheets_sync.emulator.cli` to its Listening line."""
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "sheets_sync.emulator.cli", "--port", "0"],
                            stdout=subprocess.PIPE, text=True, cwd=Path(__file__).resolve().parents[1])
    proc.stdout.readline()
    elapsed = time.perf_counter() - t0
    proc.terminate()
    proc.wait()
    return elapsed


def in_process_start_seconds() -> float:
    t0 = time.perf_counter()
    emu = start_emulator(EmulatorOptions())
    elapsed = time.perf_counter() - t0
    emu.stop()
    return elapsed


def hammer(urls: list[str], headers: dict[str, str], seconds: float, threads: int) -> float:
    """Requests/s over `seconds` from `threads` keep-alive sessions cycling through `urls`."""
    counts = [0] * threads
    stop = time.perf_counter() + seconds

    def worker(i: int) -> None:
        s = requests.Session()
        s.headers.update(headers)
        n = 0
        while time.perf_counter() < stop:
            r = s.get(urls[(n + i) % len(urls)])
            assert r.status_code == 200, r.text[:200]
            n += 1
        counts[i] = n

    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    t0 = time.perf_counter()
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return sum(counts) / (time.perf_counter() - t0)


def emulator_rps(pagination: str, seconds: float, threads: int) -> tuple[float, int]:
    with start_emulator(EmulatorOptions(pagination=pagination)) as emu:
        token = requests.post(emu.url + "/oauth/token",
                              json={"clientId": "demo-client", "clientSecret": "demo-secret"}, timeout=10).json()["jwt"]
        headers = {"Authorization": f"Bearer {token}"}
        s = requests.Session()
        s.headers.update(headers)
        urls = []
        if pagination == "page":
            first = s.get(emu.url + "/v2/posts/performance", params={**PARAMS, "pageSize": 100})
            pages = first.json()["pagination"]["totalPages"]
            urls = [requests.Request("GET", emu.url + "/v2/posts/performance",
                                     params={**PARAMS, "pageSize": 100, "pageNumber": p}).prepare().url
                    for p in range(1, pages + 1)]
        else:
            cursor = None
            while True:
                url = requests.Request("GET", emu.url + "/v2/posts/performance",
                                       params={**PARAMS, "limit": 100, **({"nextCursor": cursor} if cursor else {})}
                                       ).prepare().url
                urls.append(url)
                cursor = s.get(url).json()["nextCursor"]
                if cursor is None:
                    break
        # The baseline answers the average page size, so both servers move the same bytes.
        size = sum(len(s.get(u).content) for u in urls) // len(urls)
        return hammer(urls, headers, seconds, threads), size


class _Fixed(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    body = b""

    def do_GET(self) -> None:
        self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                         + str(len(self.body)).encode() + b"\r\n\r\n" + self.body)

    def log_message(self, *args: object) -> None:
        pass


def baseline_rps(size: int, seconds: float, threads: int) -> float:
    _Fixed.body = b"x" * size
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Fixed)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        return hammer([f"http://127.0.0.1:{server.server_address[1]}/"], {}, seconds, threads)
    finally:
        server.shutdown()
        server.server_close()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seconds", type=float, default=3.0)
    p.add_argument("--threads", type=int, default=4)
    args = p.parse_args()
    cold = min(cold_start_seconds() for _ in range(3))
    warm = min(in_process_start_seconds() for _ in range(3))
    print(f"start-up, new process to 'Listening on' line (best of 3): {cold:.3f} s")
    print(f"start-up, start_emulator() in process (best of 3):       {warm:.3f} s")
    page_rps, size = emulator_rps("page", args.seconds, args.threads)
    cursor_rps, _ = emulator_rps("cursor", args.seconds, args.threads)
    base = baseline_rps(size, args.seconds, args.threads)
    print(f"100-row pages of posts/performance, {args.threads} keep-alive clients, {args.seconds:.0f} s each:")
    print(f"  emulator, page mode:   {page_rps:8.0f} req/s  (mean body {size} bytes)")
    print(f"  emulator, cursor mode: {cursor_rps:8.0f} req/s")
    print(f"  baseline fixed body:   {base:8.0f} req/s  -> emulator at {page_rps / base:.0%} of the bare server")


if __name__ == "__main__":
    main()
