"""What a run shows on the terminal: a progress bar (or plain log lines) while it runs, tables after."""

from __future__ import annotations

import logging
import re
import sys
import time
from collections.abc import Iterable, Sequence
from typing import Any, TextIO

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table as RichTable
from rich.text import Text

from sheets_sync.history import RunRecord
from sheets_sync.redaction import redact
from sheets_sync.report import ColumnKind, Table, cell_text

logger = logging.getLogger(__name__)
PLAIN_LOG_EVERY_SECONDS = 5.0
NON_TTY_WIDTH = 200
_NUMERIC = (ColumnKind.INTEGER, ColumnKind.DECIMAL, ColumnKind.PERCENT, ColumnKind.RATIO)
# C0/C1 controls (tab and newline excepted), DEL and the bidi embedding/override/isolate marks: API text
# holding them could move the cursor, retitle the terminal or reorder what the user reads.
_UNSAFE_FOR_TERMINAL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def terminal_safe(text: str) -> str:
    """`text` with every control and bidi character shown as a visible escape (\\u001b) instead."""
    return _UNSAFE_FOR_TERMINAL.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def terminal_text(text: str) -> Text:
    """`text` as literal rich text: never read as markup (`[/]` in a name would crash rich), made terminal-safe."""
    return Text(terminal_safe(text))


class _LiteralTable(RichTable):
    """A rich table whose string cells are literal text: API strings are data, never markup."""

    def add_row(self, *renderables: Any, **kwargs: Any) -> None:
        super().add_row(*(terminal_text(r) if isinstance(r, str) else r for r in renderables), **kwargs)


class _Console(Console):
    """A rich console that leaves a closed stdout to the CLI (exit 141) instead of exiting 1 itself."""

    def on_broken_pipe(self) -> None:
        self.quiet = True  # nothing more can be shown; the CLI points stdout at /dev/null
        raise BrokenPipeError


def make_console(stream: TextIO | None = None) -> Console:
    """A rich console on `stream` (stdout); wide and colourless when it is not a terminal."""
    stream = stream if stream is not None else sys.stdout
    is_tty = hasattr(stream, "isatty") and stream.isatty()
    # Off a terminal rich would wrap at 80 columns; a log file or pipe is better served by long lines.
    return _Console(file=stream, width=None if is_tty else NON_TTY_WIDTH, no_color=not is_tty,
                   highlight=False, soft_wrap=False)


class RunProgress:
    """Pages and rows per report: a rich bar when stderr is a terminal, INFO log lines otherwise."""

    def __init__(self, stream: TextIO | None = None, *, bar: bool | None = None) -> None:
        self._stream = stream if stream is not None else sys.stderr
        self._bar = bar if bar is not None else bool(getattr(self._stream, "isatty", lambda: False)())
        self._progress: Progress | None = None
        self._tasks: dict[str, Any] = {}
        self._last_log: dict[str, float] = {}

    def __enter__(self) -> RunProgress:
        if self._bar:
            self._progress = Progress(
                TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                TextColumn("pages  {task.fields[rows]:,} rows"), TimeElapsedColumn(),
                TextColumn("{task.fields[status]}"),
                console=Console(file=self._stream), transient=False,
            )
            self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None

    def report_started(self, report: str) -> None:
        """A report's fetch begins."""
        if self._progress is not None:
            self._tasks[report] = self._progress.add_task(escape(terminal_safe(redact(report))), total=None, rows=0,
                                                          status="")
        else:
            logger.info("report %r: fetching", report)
        self._last_log[report] = time.monotonic()

    def pages_fetched(self, report: str, pages: int, rows: int, total_pages: int | None = None) -> None:
        """`pages` pages and `rows` rows of `report` have arrived so far (of `total_pages`, if known)."""
        if self._progress is not None:
            task = self._tasks.get(report)
            if task is not None:
                self._progress.update(task, completed=pages, total=total_pages, rows=rows)
            return
        now = time.monotonic()
        # A log line per page would drown a long run; one every few seconds shows it is alive.
        if now - self._last_log.get(report, 0.0) >= PLAIN_LOG_EVERY_SECONDS:
            self._last_log[report] = now
            of = f" of {total_pages}" if total_pages else ""
            logger.info("report %r: %d page(s)%s, %d row(s) so far", report, pages, of, rows)

    def report_finished(self, report: str, status: str, rows: int, pages: int) -> None:
        """A report's fetch ended with `status`."""
        if self._progress is not None:
            task = self._tasks.get(report)
            if task is not None:
                self._progress.update(task, completed=pages, total=max(pages, 1), rows=rows, status=status)
            return
        logger.info("report %r: %s, %d row(s) in %d page(s)", report, status, rows, pages)


def _table(title: str | None, headers: Sequence[str]) -> RichTable:
    table = _LiteralTable(title=terminal_text(title) if title is not None else None, box=box.SIMPLE_HEAD,
                          title_justify="left", pad_edge=False)
    for header in headers:
        table.add_column(header, overflow="fold")
    return table


SUMMARY_HEADERS = ["report", "status", "rows", "pages", "requests", "retries", "seconds", "output"]
NOT_WRITTEN = "✗ {} (not written)"
MIN_OUTPUT_WIDTH = 30  # narrower than this, the output column moves to a table of its own


def summary_output(outcome: Any) -> list[str]:
    """The output cell of a report: the files written, then each destination not written (✗ NAME).

    A report that wrote nothing anywhere shows its error (the reason) instead.
    """
    # Redacted: an output path may embed an environment value the user did not mean to show.
    if not outcome.outputs:
        return [redact(outcome.error)] if outcome.error else []
    return [redact(path) for path in outcome.outputs] + [NOT_WRITTEN.format(name) for name in
                                                         getattr(outcome, "failed_destinations", ())]


def fold_path(text: str, width: int) -> str:
    """`text` broken into lines of at most `width` characters, at path separators where it has them.

    A single path segment longer than `width` is left whole (the table folds it as a last resort).
    """
    if width < 1 or len(text) <= width:
        return text
    lines: list[str] = []
    line = ""
    for piece in _path_pieces(text):
        if line and len(line) + len(piece) > width:
            lines.append(line)
            line = ""
        line += piece
    lines.append(line)
    return "\n".join(lines)


def _path_pieces(text: str) -> list[str]:
    """`a/b/c.csv` → [`a/`, `b/`, `c.csv`]: each separator stays at the end of the piece it closes."""
    pieces, start = [], 0
    for index, char in enumerate(text):
        if char in "/\\":
            pieces.append(text[start:index + 1])
            start = index + 1
    pieces.append(text[start:])
    return [p for p in pieces if p]


def print_summary(console: Console, outcomes: Iterable[Any]) -> None:
    """The end-of-run table: report, status, rows, pages, requests, retries, seconds, output.

    Output paths fold at their separators to fit the terminal, never in the middle of a name. On a
    terminal too narrow to give them a useful column, the outputs follow in a table of their own.
    """
    rows = []
    for o in outcomes:
        rows.append(([redact(o.report), o.status, f"{o.rows:,}", str(o.pages), str(o.requests), str(o.retries),
                      f"{o.seconds:.1f}"], summary_output(o), set(o.outputs)))
    room = _room(console, [cells for cells, _, _ in rows], SUMMARY_HEADERS[:-1])
    longest = max((len(line) for _, lines, _ in rows for line in lines), default=0)
    separate = room < min(longest, MIN_OUTPUT_WIDTH)  # short outputs that fit stay in the table
    table = _table("Summary", SUMMARY_HEADERS[:-1] if separate else SUMMARY_HEADERS)
    for column in table.columns[2:7]:
        column.justify = "right"
    for cells, lines, paths in rows:
        table.add_row(*cells, *([] if separate else [_folded(lines, paths, room)]))
    console.print(table)
    if separate:
        names = [[cells[0]] for cells, _, _ in rows]
        room = max(_room(console, names, ["report"]), MIN_OUTPUT_WIDTH)
        outputs = _table(None, ["report", "output"])
        for cells, lines, paths in rows:
            outputs.add_row(cells[0], _folded(lines, paths, room))
        console.print(outputs)


def _room(console: Console, rows: Sequence[Sequence[str]], headers: Sequence[str]) -> int:
    """What is left of the console's width for one more column after `headers`' columns holding `rows`."""
    # Each column's widest cell, 3 characters between columns (padding, rule, padding), the 2 edges.
    used = sum(max([len(h)] + [len(cells[i]) for cells in rows]) for i, h in enumerate(headers))
    return console.width - used - 3 * len(headers) - 2


def _folded(lines: Sequence[str], paths: set[str], width: int) -> str:
    return "\n".join(fold_path(line, width) if line in paths else line for line in lines)


def print_rows(console: Console, title: str, report: Table, limit: int) -> int:
    """The first `limit` rows of a report table, numbers right-aligned; returns how many were shown."""
    table = _table(redact(title), report.headers)
    for shown_column, column in zip(table.columns, report.columns, strict=True):
        if column.kind in _NUMERIC:
            shown_column.justify = "right"
    shown = 0
    for row in report.rows:
        if shown >= limit:
            break
        table.add_row(*(cell_text(v) for v in row))
        shown += 1
    console.print(table)
    return shown


HISTORY_HEADERS = ("started", "run", "report", "period", "status", "rows", "pages", "requests", "retries", "seconds")
DETAIL_HEADER = "output / error"
# Columns given up, in this order, until the output / error column has room; the period then moves into
# that column's first line, so what a run covered is never lost on a narrow (80-column) terminal.
HISTORY_DROP_ORDER = ("run", "requests", "retries", "pages", "seconds", "period")
MIN_DETAIL_WIDTH = 24
DETAIL_TARGET_WIDTH = 30  # what the output / error column gets before a long report name may widen its own
MIN_REPORT_WIDTH = 12


def history_cells(record: RunRecord) -> dict[str, str]:
    """One history row as text per column (times in local time; secrets masked)."""
    seconds = (record.finished_at - record.started_at).total_seconds()
    return {"started": record.started_at.astimezone().strftime("%Y-%m-%d %H:%M:%S"), "run": record.run_id[:8],
            "report": redact(record.report), "period": _period(record), "status": record.status,
            "rows": f"{record.rows:,}", "pages": str(record.pages), "requests": str(record.requests),
            "retries": str(record.retries), "seconds": f"{seconds:.1f}"}


def _period(record: RunRecord) -> str:
    return f"{record.start_date} to {record.end_date}" if record.start_date and record.end_date else ""


def _history_detail(record: RunRecord) -> tuple[list[str], set[str]]:
    """The output / error cell's lines (an error, else one line per file) and which of them are paths."""
    if record.error:
        return [redact(record.error)], set()
    paths = [redact(p) for p in (record.output or "").split(", ") if p]
    return paths, set(paths)


def print_history(console: Console, records: Sequence[RunRecord]) -> None:
    """Recent runs, newest first, with times in local time, fitted to the console's width.

    Every column shows when the terminal is wide enough; on a narrower one the run id, the request,
    retry, page and seconds counts and then the period column are left out (the period moving into the
    output / error cell) until the output / error column has room. Paths fold at their separators and
    errors and long report names wrap at words: nothing is cut off.
    """
    if not records:
        console.print("No runs recorded yet.")
        return
    cells = [history_cells(r) for r in records]
    details = [_history_detail(r) for r in records]
    headers, report_width, detail_width = _history_layout(console, cells, details)
    if "seconds" not in headers:  # narrow: the minute is enough to tell runs apart, and saves 3 columns
        for row in cells:
            row["started"] = row["started"][:-3]
    table = _table(None, [*headers, DETAIL_HEADER])
    for column in table.columns:
        if column.header in ("rows", "pages", "requests", "retries", "seconds"):
            column.justify = "right"
        if column.header in ("started", "run", "period", "status", "rows", "pages", "requests", "retries", "seconds"):
            column.no_wrap = True
        if column.header == "report":
            column.width = report_width
        if column.header == DETAIL_HEADER:
            column.width = detail_width
    for row, (lines, paths) in zip(cells, details, strict=True):
        shown = [row["period"], *lines] if "period" not in headers and row["period"] else lines
        table.add_row(*(row[h] for h in headers), _folded(shown, paths, detail_width))
    console.print(table)


def _history_layout(console: Console, cells: Sequence[dict[str, str]],
                    details: Sequence[tuple[list[str], set[str]]]) -> tuple[list[str], int, int]:
    """The columns to show (besides output / error), the report column's width and the output / error width."""
    # A header wider than every value still fits on one line ("report" over "Posts").
    longest_detail = max((len(line) for lines, _ in details for line in lines), default=1)
    longest_detail = max(longest_detail, len(DETAIL_HEADER))
    longest_report = max((len(row["report"]) for row in cells), default=1)
    longest_report = max(longest_report, len("report"))
    headers = list(HISTORY_HEADERS)
    drop = iter(HISTORY_DROP_ORDER)
    while True:
        short = "seconds" not in headers
        others = [h for h in headers if h != "report"]
        shown = [[row[h][:-3] if short and h == "started" else row[h] for h in others] for row in cells]
        # What one more column could have, less the 3 characters between the last two columns.
        available = _room(console, shown, others) - 3
        report = min(longest_report, max(MIN_REPORT_WIDTH, available - DETAIL_TARGET_WIDTH))
        detail = min(available - report, longest_detail)  # no wider than its longest line
        name = next(drop, None)
        if detail >= min(longest_detail, MIN_DETAIL_WIDTH) or name is None:
            return headers, report, max(detail, 1)
        headers.remove(name)
