"""The command line: parse arguments, call the library, print; map errors to one line and an exit code."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from sheets_sync import __version__
from sheets_sync.errors import ConfigError, ConfigProblem, SheetsSyncError, UsageError
from sheets_sync.logging_setup import LOG_LEVELS, configure_logging
from sheets_sync.redaction import redact
from sheets_sync.signals import Terminated, interrupt_exit_code, sigterm_interrupts

if TYPE_CHECKING:  # imported where used, so that `emulator` and `--help` start fast
    from sheets_sync.config import Config
    from sheets_sync.config.destinations import Destination
    from sheets_sync.history import RunHistory
    from sheets_sync.orchestrator import RunSummary
    from sheets_sync.progress import RunProgress

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE: what the shell reports for a tool whose reader closed the pipe
PROG = "sheets-sync"
LOCAL_STATE_DIR = ".sheets-sync"  # where `history` without --config looks, in the current folder
DRY_RUN_ROWS = 10  # rows per report `run --dry-run` prints unless --rows says otherwise
BUG_HINT = "this is a bug, please report it with the traceback above (secrets in it are masked)"


def _common_options() -> argparse.ArgumentParser:
    # SUPPRESS lets the same options follow the subcommand without resetting values given before it.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--log-level", choices=LOG_LEVELS, type=str.upper, default=argparse.SUPPRESS,
                        help="log verbosity (default: INFO, or WARNING while a progress bar is shown)")
    common.add_argument("--json-logs", action="store_true", default=argparse.SUPPRESS,
                        help="log one JSON object per line (for log collectors)")
    common.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    return common


class _ParserError(Exception):
    """argparse's usage error, raised instead of printed so that `--json-logs` can log it as JSON."""

    def __init__(self, prog: str, message: str) -> None:
        super().__init__(f"{prog}: {message}")


class _JsonErrorParser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors become `_ParserError` (subcommand parsers inherit the class)."""

    def error(self, message: str) -> NoReturn:
        raise _ParserError(self.prog, message)


def build_parser(*, json_errors: bool = False) -> argparse.ArgumentParser:
    """The argparse tree of every command (the README documents each one; a test checks that).

    `json_errors`: usage errors raise `_ParserError` instead of printing usage text (for `--json-logs`).
    """
    common = _common_options()
    parser_class = _JsonErrorParser if json_errors else argparse.ArgumentParser
    parser = parser_class(
        prog=PROG, parents=[common],
        description="Keep spreadsheets full of fresh Later Influence Reporting API data.",
        epilog="Exit codes: 0 success, 1 a run failed, 2 config or usage problem.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, help_text: str, example: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, parents=[common], help=help_text, description=help_text,
                              epilog=f"example: {example}")

    demo = command("demo", "run the bundled demo config against the bundled emulator (no account, no network); "
                   "writes reports/ and .sheets-sync/ in the current folder", "sheets-sync demo")
    demo.add_argument("--output-dir", type=_path, metavar="DIR",
                      help="write the reports (and the run history, in DIR/.sheets-sync) under DIR instead of "
                           "the current folder")
    demo.add_argument("--config", type=_path, metavar="CONFIG",
                      help="run this config instead of the bundled one, against the same emulator (e.g. "
                           "config/demo-sheets.yaml with SHEETS_EMULATOR_HOST set)")
    demo.set_defaults(handler=cmd_demo)

    run = command("run", "fetch every (or each named) report once and write its destinations",
                  "sheets-sync run config/my.yaml --report 'Campaign ROI'")
    run.add_argument("config", type=_path, metavar="CONFIG")
    run.add_argument("--report", action="append", default=[], metavar="NAME",
                     help="run only this report (repeatable)")
    run.add_argument("--dry-run", action="store_true", help="fetch and print the rows; write nothing")
    run.add_argument("--rows", type=_positive_int, metavar="N",
                     help=f"with --dry-run: rows per report printed (default {DRY_RUN_ROWS}); the fetch is whole, "
                          "so the summary counts every row. A real run writes every row (max_rows: caps a report)")
    run.set_defaults(handler=cmd_run)

    validate = command("validate", "check a config offline; print every problem as FILE:LINE:COL: key: message",
                       "sheets-sync validate config/my.yaml")
    validate.add_argument("config", type=_path, metavar="CONFIG")
    validate.set_defaults(handler=cmd_validate)

    endpoints = command("endpoints", "list the Reporting API endpoints, or one endpoint's parameters, "
                        "metrics, sorts and filters", "sheets-sync endpoints campaigns/performance")
    endpoints.add_argument("endpoint", nargs="?", metavar="ENDPOINT")
    endpoints.set_defaults(handler=cmd_endpoints)

    preview = command("preview", "fetch one report and print its first rows; write nothing",
                      "sheets-sync preview config/my.yaml --report 'Campaign ROI' --rows 5")
    preview.add_argument("config", type=_path, metavar="CONFIG")
    preview.add_argument("--report", required=True, metavar="NAME")
    preview.add_argument("--rows", type=_positive_int, default=10, metavar="N", help="rows to show (default 10)")
    preview.set_defaults(handler=cmd_preview)

    schedule = command("schedule", "run the config's reports on their schedules until stopped (SIGTERM or Ctrl-C); "
                       "--list prints the jobs and their next runs", "sheets-sync schedule config/my.yaml --list")
    schedule.add_argument("config", type=_path, metavar="CONFIG")
    schedule.add_argument("--list", action="store_true", help="print every job, its reports and next 3 runs, and exit")
    schedule.add_argument("--misfire-grace", type=_duration, default="12h", metavar="DURATION",
                          help="a run missed by up to this (scheduler down, host asleep) still runs, once, and is "
                               "recorded late; later than this it is recorded skipped (default 12h; e.g. 30m, 2d)")
    schedule.add_argument("--stop-timeout", type=_duration, default="5m", metavar="DURATION",
                          help="on SIGTERM/Ctrl-C, how long the running job may take to finish before it is "
                               "cancelled (default 5m)")
    schedule.set_defaults(handler=cmd_schedule)

    status = command("status", "show the scheduler's heartbeat (last tick, running job, next runs) and the last "
                     "result of every report", "sheets-sync status config/my.yaml")
    status.add_argument("config", type=_path, metavar="CONFIG")
    status.set_defaults(handler=cmd_status)

    history = command("history", "list recent runs from the run history",
                      "sheets-sync history --config config/my.yaml --limit 50")
    history.add_argument("--limit", type=_positive_int, default=20, metavar="N", help="runs to show (default 20)")
    history.add_argument("--config", type=_path, metavar="CONFIG",
                         help="read the history of this config (default: ./.sheets-sync/history.sqlite)")
    history.set_defaults(handler=cmd_history)

    # Options after `emulator` belong to the emulator's own parser (see `sheets-sync emulator --help`).
    emulator = sub.add_parser("emulator", add_help=False, help="run the Later Reporting API emulator "
                              "standalone (see: sheets-sync emulator --help)")
    emulator.set_defaults(handler=cmd_emulator)
    sheets_emulator = sub.add_parser("sheets-emulator", add_help=False, help="run the Google Sheets API emulator "
                                     "standalone (see: sheets-sync sheets-emulator --help)")
    sheets_emulator.set_defaults(handler=cmd_emulator)

    schema = command("schema", "print the JSON Schema of the config file (for editor completion)",
                     "sheets-sync schema > sheets-sync.schema.json")
    schema.set_defaults(handler=cmd_schema)
    return parser


def _path(text: str) -> Path:
    # No file system takes a NUL in a name; Python would raise ValueError deep inside the command.
    if "\x00" in text:
        raise argparse.ArgumentTypeError(f"a path cannot contain a NUL character: {text!r}")
    return Path(text)


def _duration(text: str) -> dt.timedelta:
    from sheets_sync.schedule.timing import parse_duration

    try:
        return parse_duration(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _positive_int(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, not {text!r}")
    return int(text)


# --- command handlers: parse, call, print ------------------------------------------------------


def cmd_demo(args: argparse.Namespace, extra: list[str]) -> int:
    """Start the emulator, run the demo config against it, print the summary."""
    summary, cfg = _run_demo(args.output_dir, _progress(args), config=args.config)
    code = _finish(summary, args)
    if code == EXIT_OK:
        folder = args.output_dir.resolve() if args.output_dir else Path.cwd()
        print(f"Next: {_where_to_look(cfg)}; `sheets-sync history` run in {folder} lists this run; "
              "the README's config/example.yaml is a starting point for your own reports.")
    return code


def _where_to_look(cfg: Config) -> str:
    """What to open after the demo, for the destinations its reports wrote: files, spreadsheets or both."""
    from sheets_sync.sinks.google_sheets.links import spreadsheet_link

    used = [cfg.destinations[name] for name in dict.fromkeys(n for r in cfg.reports for n in r.destinations)]
    places = []
    if any(d.type == "excel" for d in used):
        places.append("open the workbook above")
    elif any(d.type == "csv" for d in used):
        places.append("open the files above")
    links = dict.fromkeys(spreadsheet_link(d.spreadsheet_key, os.environ) for d in used if d.type == "google_sheets")
    if links:
        places.append(f"open {', '.join(links)} in a browser")
    return " and ".join(places) or "see the summary above"


def cmd_run(args: argparse.Namespace, extra: list[str]) -> int:
    """Run the config's reports (or the named ones); --dry-run prints rows instead of writing."""
    from sheets_sync.orchestrator import run_config

    if args.rows is not None and not args.dry_run:
        # Silently ignoring it would let `run --rows 5` look like a capped run while writing every row.
        raise UsageError("--rows only applies with --dry-run (rows printed per report); a run writes every row: "
                         "add --dry-run to preview, or set max_rows: on a report to cap what it writes")
    cfg = _load(args.config)
    if _scheduled(cfg):
        logging.getLogger(__name__).info("schedule: in %s is used by `%s schedule`; `run` runs the reports once, now",
                                         args.config, PROG)
    summary = run_config(cfg, report_names=args.report, dry_run=args.dry_run, progress=_progress(args),
                         history=None if args.dry_run else _history_for(cfg))
    if args.dry_run:
        _print_tables(summary, args.rows or DRY_RUN_ROWS)
    return _finish(summary, args)


def cmd_preview(args: argparse.Namespace, extra: list[str]) -> int:
    """Fetch the first rows of one report and print them."""
    from sheets_sync.orchestrator import run_config

    cfg = _load(args.config)
    summary = run_config(cfg, report_names=[args.report], dry_run=True, max_rows=args.rows)
    _print_tables(summary, args.rows)
    failed = [o for o in summary.outcomes if o.status == "failed"]
    for outcome in failed:
        print(f"{PROG}: error: report {outcome.report!r}: {outcome.error}", file=sys.stderr)
    return EXIT_FAILED if failed else EXIT_OK


def cmd_validate(args: argparse.Namespace, extra: list[str]) -> int:
    """Print every config problem (exit 2) or a one-line OK summary (exit 0)."""
    from sheets_sync.validate import validate_config

    result = validate_config(args.config, dict(os.environ))  # the file is read and parsed once
    for problem in result.problems:
        print(_problem_line(problem))
    if _json_logs(args):
        _log_problems(result.problems)
    cfg = result.config
    if result.errors or cfg is None:
        count = len(result.errors)
        _error_line(args, f"{args.config}: {count} problem{'s' * (count != 1)}", prefix=False)
        return EXIT_USAGE
    warnings = len(result.warnings)
    print(f"OK: {args.config}: {len(cfg.reports)} report{'s' * (len(cfg.reports) != 1)}, "
          f"{len(cfg.destinations)} destination{'s' * (len(cfg.destinations) != 1)}, "
          f"{warnings} warning{'s' * (warnings != 1)}")
    if _scheduled(cfg):
        print(f"schedule: is used by `{PROG} schedule {args.config}` (`{PROG} schedule {args.config} --list` "
              "shows the jobs); `run` ignores it")
    return EXIT_OK


def cmd_schedule(args: argparse.Namespace, extra: list[str]) -> int:
    """Print the jobs (--list), or run the scheduler in the foreground until SIGTERM/SIGINT."""
    cfg = _load(args.config)
    if args.list:
        from sheets_sync.schedule.views import job_list

        print("\n".join(job_list(cfg, dt.datetime.now(dt.UTC))))
        return EXIT_OK
    from sheets_sync.schedule.service import SchedulerService

    if not _scheduled(cfg):
        raise UsageError(f"{args.config}: no report has a schedule: set schedule: on a report, a destination or "
                         "defaults (a cron expression such as \"0 6 * * *\" or {every: 15m})")
    return SchedulerService(args.config, cfg, grace=args.misfire_grace, stop_timeout=args.stop_timeout).run()


def cmd_status(args: argparse.Namespace, extra: list[str]) -> int:
    """Print the scheduler's heartbeat and each report's last result."""
    from sheets_sync.schedule.service import read_status
    from sheets_sync.schedule.views import status_lines

    cfg = _load(args.config)
    state, last = read_status(cfg)
    print("\n".join(status_lines(cfg, state, last, dt.datetime.now(dt.UTC))))
    return EXIT_OK


def _scheduled(cfg: Config) -> bool:
    from sheets_sync.schedule.plan import plan_jobs

    return bool(plan_jobs(cfg))


def cmd_endpoints(args: argparse.Namespace, extra: list[str]) -> int:
    """Print the endpoint catalogue, or one endpoint in detail."""
    from sheets_sync.catalogue_view import render_catalogue

    # An unknown name is render_catalogue's UsageError, which suggests the closest endpoint.
    print(render_catalogue(args.endpoint))
    return EXIT_OK


def cmd_history(args: argparse.Namespace, extra: list[str]) -> int:
    """List recent runs, newest first."""
    from sheets_sync.history import RunHistory, sqlite_url
    from sheets_sync.progress import make_console, print_history

    if args.config:
        from sheets_sync.config.state import history_config

        # Only state_url / state_dir matter here: no API credentials are needed to read the history.
        history = _history_for(history_config(args.config, dict(os.environ)))
    else:
        history = RunHistory(sqlite_url(Path(LOCAL_STATE_DIR)))
    records = history.recent(args.limit)
    print_history(make_console(), records)
    if not records and not args.config:
        print(_history_hint(Path.cwd()))
    return EXIT_OK


def _history_hint(folder: Path) -> str:
    """Where to look instead: each config keeps its history beside it, so name the configs that have one."""
    candidates = sorted(p for pattern in ("*.y*ml", "*/*.y*ml") for p in folder.glob(pattern)
                        if p.suffix in (".yaml", ".yml") and (p.parent / LOCAL_STATE_DIR / "history.sqlite").is_file())
    hint = (f"hint: without --config, history reads {LOCAL_STATE_DIR}/ in the current folder ({folder}); "
            f"a config's runs are kept beside the config (its state_dir): run `{PROG} history --config CONFIG`")
    if candidates:
        shown = ", ".join(str(p.relative_to(folder)) for p in candidates[:3])
        hint += f" (configs here beside a run history: {shown})"
    return hint


def cmd_emulator(args: argparse.Namespace, extra: list[str]) -> int:
    """Hand the remaining arguments to the emulator's own command line (Later API or Google Sheets)."""
    if args.command == "sheets-emulator":
        from sheets_sync.sheets_emulator.cli import main as emulator_main
    else:
        from sheets_sync.emulator.cli import main as emulator_main

    try:
        return int(emulator_main(extra) or 0)
    except SystemExit as exit_request:  # its argparse exits on --help and on usage errors
        code = exit_request.code
        return code if isinstance(code, int) else EXIT_USAGE


def cmd_schema(args: argparse.Namespace, extra: list[str]) -> int:
    """Print the config's JSON Schema."""
    from sheets_sync.config import config_json_schema

    print(json.dumps(config_json_schema(), indent=2, ensure_ascii=False))
    return EXIT_OK


# --- shared steps ------------------------------------------------------------------------------


def _run_demo(output_dir: Path | None, progress: RunProgress,
              config: Path | None = None) -> tuple[RunSummary, Config]:
    """Serve the emulator on a free loopback port, run the packaged demo config (or `config`) against it;
    returns the summary and the config as run."""
    import datetime as dt

    from sheets_sync.config import load_config
    from sheets_sync.demo import demo_files, demo_folders
    from sheets_sync.emulator import EmulatorOptions, start_emulator
    from sheets_sync.orchestrator import history_for, run_config

    # The emulator's data ends on its anchor date; anchoring it today makes last_90_days find data.
    options = EmulatorOptions(port=0, pagination="page", seed=1, anchor_date=dt.datetime.now(dt.UTC).date())
    from sheets_sync.config.state import state_path_problem

    for folder in demo_folders(output_dir, Path.cwd()):  # checked before fetching anything
        problem = state_path_problem(folder)
        if problem:
            raise UsageError(f"the demo cannot write its files: {problem}")
    with demo_files() as files, start_emulator(options) as emulator:
        # The demo's only "secrets" reach the config the way real ones do: as environment variables.
        env = {"LATER_API_URL": emulator.url, "LATER_CLIENT_ID": options.client_id,
               "LATER_CLIENT_SECRET": options.client_secret}
        # A config of the user's may read more of the environment (SHEETS_EMULATOR_HOST, its own variables).
        cfg = load_config(files.config, env) if config is None else load_config(config, {**os.environ, **env})
        # The package folder may be read-only (site-packages): outputs and history go to the user's folder.
        cfg = _redirect_outputs(cfg, *demo_folders(output_dir, Path.cwd()), template=files.template)
        return run_config(cfg, progress=progress, history=history_for(cfg)), cfg


def _redirect_outputs(cfg: Config, folder: Path, state_dir: Path, *, template: Path) -> Config:
    """The demo config with every output file moved into `folder`, the history into `state_dir`."""
    from sheets_sync.config.destinations import CsvDestinationConfig, ExcelDestinationConfig

    def moved(destination: Destination) -> Destination:
        if not isinstance(destination, (ExcelDestinationConfig, CsvDestinationConfig)):
            return destination  # no file of its own
        update: dict[str, Any] = {"output": str(folder / Path(destination.output).name)}
        if destination.type == "excel":
            update["template"] = template
        return destination.model_copy(update=update)

    destinations = {name: moved(d) for name, d in cfg.destinations.items()}
    return cfg.model_copy(update={"destinations": destinations, "state_dir": state_dir})


def _load(path: Path) -> Config:
    from sheets_sync.config import load_config

    return load_config(path, dict(os.environ))


def _history_for(cfg: Config) -> RunHistory:
    from sheets_sync.orchestrator import history_for

    return history_for(cfg)


def _progress(args: argparse.Namespace) -> RunProgress:
    from sheets_sync.progress import RunProgress

    return RunProgress(bar=_wants_bar(args))


def _wants_bar(args: argparse.Namespace) -> bool:
    # JSON logs are for machines: a bar drawn between their lines would only corrupt them.
    return sys.stderr.isatty() and not getattr(args, "json_logs", False)


def _problem_line(problem: ConfigProblem) -> str:
    return f"{problem} (warning)" if problem.severity == "warning" else str(problem)


def _print_tables(summary: RunSummary, rows: int) -> None:
    from sheets_sync.progress import make_console, print_rows

    console = make_console()
    for name, table in summary.tables.items():
        meta = table.meta
        period = f", {meta.start_date} to {meta.end_date}" if meta.start_date else ""
        compared = meta.extra.get("compare_period")  # compare: the period the comparison columns hold
        if compared:
            period += f", compared with {compared[0]} to {compared[1]}"
        print_rows(console, f"{name} ({meta.endpoint}{period})", table, rows)


def _finish(summary: RunSummary, args: argparse.Namespace) -> int:
    from sheets_sync.orchestrator import FAILED_STATUSES
    from sheets_sync.progress import make_console, print_summary, terminal_safe

    print_summary(make_console(), summary.outcomes)
    for note in summary.notes:
        print(f"note: {note}")
    sys.stdout.flush()  # the table first, then the reasons, even when both go to one terminal
    # With --json-logs stderr is for JSON objects only; every failure is already an ERROR log line there.
    for outcome in summary.outcomes if not getattr(args, "json_logs", False) else ():
        if outcome.status in FAILED_STATUSES:
            print(terminal_safe(redact(f"FAILED {outcome.report}: {outcome.error}")), file=sys.stderr)
    if summary.history_error and not _json_logs(args):  # under --json-logs it was logged as an ERROR record
        print(f"{PROG}: error: {summary.history_error}", file=sys.stderr)
    return summary.exit_code


def _default_log_level(args: argparse.Namespace) -> str:
    # With a progress bar it replaces the INFO lines; without one the lines are the progress.
    return "WARNING" if _wants_bar(args) else "INFO"


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; return its exit code (0 ok, 1 run failed, 2 config or usage problem)."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    # Known before parsing, so that a usage error under --json-logs is a JSON record like every other line.
    json_logs = "--json-logs" in arguments[:arguments.index("--")] if "--" in arguments else "--json-logs" in arguments
    parser = build_parser(json_errors=json_logs)
    try:
        args, extra = parser.parse_known_args(arguments)
        if extra and args.command not in ("emulator", "sheets-emulator"):
            parser.error(f"unrecognized arguments: {' '.join(extra)}")
    except SystemExit as exit_request:  # argparse's --help, --version and usage errors
        code = exit_request.code
        return code if isinstance(code, int) else EXIT_USAGE
    except _ParserError as exc:
        configure_logging("INFO", json_logs=True)
        logging.getLogger("sheets_sync.cli").error("%s", exc)
        return EXIT_USAGE
    configure_logging(getattr(args, "log_level", None) or _default_log_level(args),
                      json_logs=getattr(args, "json_logs", False))
    with sigterm_interrupts():  # SIGTERM takes Ctrl-C's clean path (exit 143)
        return run_command(args.handler, args, extra)


def _json_logs(args: argparse.Namespace) -> bool:
    return bool(getattr(args, "json_logs", False))


def _error_line(args: argparse.Namespace, message: str, *, prefix: bool = True) -> None:
    """One error on stderr: `sheets-sync: error: ...`, or a JSON log record under --json-logs (stderr stays JSON)."""
    if _json_logs(args):
        logging.getLogger("sheets_sync.cli").error("%s", message)
    else:
        print(f"{PROG}: error: {message}" if prefix else message, file=sys.stderr)


def _log_problems(problems: Sequence[ConfigProblem]) -> None:
    """Each config problem as one log record carrying its file, line, column and key (for --json-logs)."""
    log = logging.getLogger("sheets_sync.config")
    for problem in problems:
        fields = {"file": problem.file, "line": problem.line, "column": problem.column, "key": problem.path}
        level = logging.WARNING if problem.severity == "warning" else logging.ERROR
        log.log(level, "%s", problem, extra={"fields": fields})


def _stdout_closed() -> int:
    """The reader of stdout went away (`sheets-sync schema | head -1`): stop quietly, as SIGPIPE would."""
    # Python flushes stdout again at exit; pointing it at /dev/null keeps that from printing a second error.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # stdout is not a real file (a test's capture): nothing left to protect
        pass
    return EXIT_BROKEN_PIPE


def run_command(handler: Callable[[argparse.Namespace, list[str]], int], args: argparse.Namespace,
                extra: list[str]) -> int:
    """Call a command handler; turn our errors into one line and an exit code, anything else into a bug report."""
    try:
        code = handler(args, extra)
        sys.stdout.flush()  # a closed pipe shows up here, not at interpreter exit
        return code
    except BrokenPipeError:
        return _stdout_closed()
    except ConfigError as exc:
        if _json_logs(args) and exc.problems:
            _log_problems(exc.problems)
        else:
            _error_line(args, exc.message, prefix=False)
        return EXIT_USAGE
    except SheetsSyncError as exc:
        _error_line(args, exc.message)
        return exc.exit_code
    except KeyboardInterrupt as exc:
        by = f" by {exc.signal_name}" if isinstance(exc, Terminated) else ""
        _error_line(args, f"interrupted{by}" if _json_logs(args) else f"{PROG}: interrupted{by}", prefix=False)
        return interrupt_exit_code(exc)
    except Exception:  # noqa: BLE001  (anything else is a bug: show the traceback, redacted)
        print(redact(traceback.format_exc()), file=sys.stderr, end="")
        print(f"{PROG}: {BUG_HINT}", file=sys.stderr)
        return EXIT_FAILED
