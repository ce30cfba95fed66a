"""`python -m sheets_sync emulator ...`: run the emulator in the foreground until Ctrl-C/SIGTERM."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from datetime import date, timedelta

from sheets_sync.argtypes import at_least, port
from sheets_sync.emulator.options import EmulatorOptions
from sheets_sync.emulator.server import build_emulator


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="sheets-sync emulator",
                                description="Run the local Later Influence Reporting API emulator. "
                                "Its OAuth client is demo-client / demo-secret unless --client-id and "
                                "--client-secret say otherwise.")
    p.add_argument("--port", type=port, default=0, help="port to listen on, 0-65535 (0 = a free port)")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default loopback)")
    p.add_argument("--pagination", choices=("page", "cursor"), default="page",
                   help="documentation generation to serve (default: page)")
    p.add_argument("--seed", type=int, default=1, help="dataset and fault seed (default 1)")
    p.add_argument("--scale", type=at_least(1), default=1, metavar="N", help="multiply the dataset size (default 1)")
    p.add_argument("--anchor-date", type=_iso_date, default=None, metavar="YYYY-MM-DD",
                   help="last day with data (default: yesterday, so relative date ranges such as last_30_days "
                        "return rows; pass a fixed date for the same data every day)")
    p.add_argument("--client-id", default="demo-client", help="OAuth client id to accept (default: demo-client)")
    p.add_argument("--client-secret", default="demo-secret",
                   help="OAuth client secret to accept (default: demo-secret)")
    p.add_argument("--token-lifetime", type=at_least(0), default=43200, metavar="SECONDS",
                   help="lifetime of issued tokens (default 43200; 0 issues tokens already expired)")
    p.add_argument("--lenient-params", action="store_true", help="ignore unknown query parameters")
    faults = p.add_argument_group("fault injection (all off by default)")
    faults.add_argument("--latency-ms", type=at_least(0), default=0, metavar="MS",
                        help="delay before answering each data request")
    faults.add_argument("--error-rate", type=_share, default=0.0, metavar="R",
                        help="share of requests answered 500/502/503, 0-1")
    faults.add_argument("--rate-limit", type=at_least(1), default=None, metavar="N",
                        help="at most N requests per minute (documented figure: 120)")
    faults.add_argument("--throttle-every", type=at_least(1), default=None, metavar="N",
                        help="answer every Nth request 429 with Retry-After")
    faults.add_argument("--retry-after", type=at_least(0), default=1, metavar="SECONDS",
                        help="Retry-After of 429 and 503 answers (default 1)")
    faults.add_argument("--revoke-after", type=at_least(1), default=None, metavar="N",
                        help="revoke issued tokens after N authorised requests")
    faults.add_argument("--malformed-json-every", type=at_least(1), default=None, metavar="N",
                        help="answer every Nth request with broken JSON")
    faults.add_argument("--html-every", type=at_least(1), default=None, metavar="N",
                        help="answer every Nth request with an HTML error page")
    faults.add_argument("--repeat-cursor", action="store_true", help="cursor mode: page 2 repeats its cursor")
    faults.add_argument("--restate-days", type=at_least(0), default=0, metavar="N",
                        help="late data: the last N days before today are reported in part and grow until final")
    faults.add_argument("--verbose", action="store_true", help="log every request to stderr")
    return p




def _share(text: str) -> float:
    """An argparse type: a number from 0 to 1 (NaN and infinities are refused)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number from 0 to 1, not {text!r}") from None
    if not 0.0 <= value <= 1.0:  # also false for NaN
        raise argparse.ArgumentTypeError(f"expected a number from 0 to 1, not {text}")
    return value


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, not {text!r}") from None


def default_anchor_date(today: date | None = None) -> date:
    """Yesterday: the API reports through the previous day, and relative ranges end there."""
    return (today or date.today()) - timedelta(days=1)


def options_from(args: argparse.Namespace) -> EmulatorOptions:
    """The EmulatorOptions the parsed command line asks for."""
    return EmulatorOptions(
        port=args.port, host=args.host, pagination=args.pagination, seed=args.seed, scale=args.scale,
        anchor_date=args.anchor_date or default_anchor_date(),
        client_id=args.client_id, client_secret=args.client_secret,
        token_lifetime_seconds=args.token_lifetime, strict_params=not args.lenient_params,
        latency_ms=args.latency_ms, error_rate=args.error_rate, rate_limit_per_minute=args.rate_limit,
        throttle_every=args.throttle_every, retry_after_seconds=args.retry_after, revoke_after=args.revoke_after,
        malformed_json_every=args.malformed_json_every, html_every=args.html_every,
        repeat_cursor=args.repeat_cursor, restate_days=args.restate_days, quiet=not args.verbose,
    )


def main(argv: list[str] | None = None) -> int:
    """Parse `argv`, print `Listening on URL` as the first line, serve until interrupted."""
    args = build_parser().parse_args(argv)
    try:
        emulator = build_emulator(options_from(args))
    except (ValueError, OSError) as exc:
        print(f"emulator: {exc}", file=sys.stderr)
        return 2

    def _terminate(signum: int, frame: object) -> None:
        # Ends serve_forever in the main thread the same way Ctrl-C does.
        raise KeyboardInterrupt

    in_main = threading.current_thread() is threading.main_thread()
    # The handler goes in before the URL is announced: a caller may send SIGTERM as soon as it reads it.
    previous = signal.signal(signal.SIGTERM, _terminate) if in_main else None
    try:
        print(f"Listening on {emulator.url}", flush=True)
        emulator.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        emulator.stop()
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
