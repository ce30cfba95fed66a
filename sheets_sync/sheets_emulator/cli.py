"""`python -m sheets_sync sheets-emulator ...`: run the Sheets emulator in the foreground until Ctrl-C/SIGTERM."""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from sheets_sync.argtypes import at_least, port
from sheets_sync.sheets_emulator.quota import QuotaLimits
from sheets_sync.sheets_emulator.server import start_sheets_emulator

VALIDATION_OFF = ("sheets-emulator: google-api-python-client is not installed, so requests are not checked "
                  "against Google's discovery document (pip install -r requirements-dev.txt to check them)")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="sheets-sync sheets-emulator",
                                description="Run the local Google Sheets API v4 emulator (in memory, no "
                                "credentials). Point the Sheets sink at it with SHEETS_EMULATOR_HOST=127.0.0.1:PORT "
                                "and open http://127.0.0.1:PORT/ in a browser to see the spreadsheets.")
    p.add_argument("--port", type=port, default=0, help="port to listen on, 0-65535 (0 = a free port)")
    p.add_argument("--create", nargs="+", default=[], metavar="ID",
                   help="make empty spreadsheets with these keys, each with one tab Sheet1")
    p.add_argument("--write-quota", type=at_least(1), default=None, metavar="N",
                   help="write requests a minute per user before 429 (default: Google's 60)")
    p.add_argument("--read-quota", type=at_least(1), default=None, metavar="N",
                   help="read requests a minute per user before 429 (default: Google's 60)")
    return p




def quota_limits(args: argparse.Namespace) -> QuotaLimits:
    """Google's default limits, with the per-user ones the command line sets (per-project ones never below them)."""
    defaults = QuotaLimits()
    write = args.write_quota or defaults.write_per_user
    read = args.read_quota or defaults.read_per_user
    return QuotaLimits(write_per_user=write, read_per_user=read,
                       write_per_project=max(write or 0, defaults.write_per_project or 0),
                       read_per_project=max(read or 0, defaults.read_per_project or 0))


def main(argv: list[str] | None = None) -> int:
    """Parse `argv`, print `Listening on URL` as the first line, serve until interrupted (exit 0)."""
    args = build_parser().parse_args(argv)
    stop = threading.Event()

    def _terminate(signum: int, frame: object) -> None:
        stop.set()

    in_main = threading.current_thread() is threading.main_thread()
    # The handler goes in before the URL is announced: a caller may send SIGTERM as soon as it reads it.
    previous = signal.signal(signal.SIGTERM, _terminate) if in_main else None
    try:
        with start_sheets_emulator(port=args.port, validate=True, quota_limits=quota_limits(args)) as emulator:
            for key in args.create:
                emulator.service.create_spreadsheet(key)
            print(f"Listening on {emulator.url}", flush=True)
            if emulator.validating is False:
                print(VALIDATION_OFF, file=sys.stderr, flush=True)
            while not stop.wait(0.5):
                pass
    except KeyboardInterrupt:
        pass
    except (ValueError, OSError) as exc:
        print(f"sheets-emulator: {exc}", file=sys.stderr)
        return 2
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
