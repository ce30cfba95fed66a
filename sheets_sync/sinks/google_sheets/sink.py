"""The Google Sheets sink: check each spreadsheet before the run, then refresh all of its tabs in one atomic write.

`check` opens the spreadsheet by key and sends a write that changes nothing (the title set to itself),
so a missing or unshared spreadsheet stops the run before any Reporting API request. `write` reads
the spreadsheet's tabs, plans the refresh (`plan.plan_refresh`) and sends it, under a lock per
spreadsheet key so that two runs on this machine never interleave their batches. A report whose
fetch failed leaves its tab as it was; the others are refreshed.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import os
import random
import secrets
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import filelock

from sheets_sync.errors import DestinationAccessError, OutputLockedError, SheetsSyncError, SinkError
from sheets_sync.sinks.base import ReportTable, SinkContext, SinkResult
from sheets_sync.sinks.google_sheets.cells import CellStats, cell, number_format, text_warnings
from sheets_sync.sinks.google_sheets.connection import Connection, connect
from sheets_sync.sinks.google_sheets.plan import MAX_BATCH_BYTES, Existing, TabContent, plan_refresh
from sheets_sync.sinks.google_sheets.retry import RetryPolicy, SheetsApiError, call_google

if TYPE_CHECKING:
    from sheets_sync.resolved import ResolvedReport

logger = logging.getLogger(__name__)

LOCK_TIMEOUT_SECONDS = 600.0   # another run's refresh of the same spreadsheet may take minutes (large, rate-limited)
_METADATA = {"includeGridData": "false", "fields": "sheets.properties,namedRanges"}


def sheet_url(key: str, sheet_id: int) -> str:
    """The browser address of one tab."""
    return f"https://docs.google.com/spreadsheets/d/{key}/edit#gid={sheet_id}"


def shown_output(key: str, tab: str) -> str:
    """How a written tab is named in the run summary."""
    return f"Google Sheets {key} \u203a {tab}"  # a single right angle quote


class GoogleSheetsSink:
    """Writes `type: google_sheets` destinations; `sleep`, `rand`, `env` and `max_bytes` stand in for tests."""

    def __init__(self, *, policy: RetryPolicy | None = None, sleep: Callable[[float], None] = time.sleep,
                 rand: Callable[[], float] = random.random, env: Mapping[str, str] | None = None,
                 lock_timeout: float = LOCK_TIMEOUT_SECONDS, max_bytes: int = MAX_BATCH_BYTES) -> None:
        self.policy = policy or RetryPolicy()
        self.sleep, self.rand = sleep, rand
        self._env = env
        self.lock_timeout = lock_timeout
        self.max_bytes = max_bytes

    @property
    def env(self) -> Mapping[str, str]:
        return self._env if self._env is not None else os.environ

    def _call(self, action: Callable[[], Any], what: str) -> Any:
        return call_google(action, what, policy=self.policy, sleep=self.sleep, rand=self.rand)

    def _connect(self, destination_name: str, destination_config: Any, context: SinkContext) -> Connection:
        credentials = destination_config.credentials
        path = None if credentials is None else Path(credentials)
        if path is not None and not path.is_absolute():
            path = context.base_dir / path
        return connect(destination_name, path, self.env)

    # --- check --------------------------------------------------------------------------------

    def check(self, destination_name: str, destination_config: Any, reports: Sequence[ResolvedReport],
              context: SinkContext) -> None:
        """Raise DestinationAccessError when the spreadsheet is missing or the account may not edit it."""
        name, key = destination_name, destination_config.spreadsheet_key
        connection = self._connect(name, destination_config, context)
        http = connection.client.http_client
        account = connection.account
        try:
            metadata = self._call(lambda: http.fetch_sheet_metadata(key, params={"fields": "properties.title"}),
                                  f"destination {name!r}: opening spreadsheet {key}")
        except SheetsApiError as exc:
            if exc.status == 404:
                raise DestinationAccessError(
                    f"destination {name!r}: spreadsheet {key} was not found by {account}; check the key or URL "
                    f"(and that the spreadsheet is shared with {account})") from None
            if exc.status == 403:
                raise DestinationAccessError(
                    f"destination {name!r}: spreadsheet {key} is not shared with {account}; share it with that "
                    "address as Editor") from None
            raise SinkError(f"destination {name!r}: {exc.message}") from None
        title = str(metadata.get("properties", {}).get("title", ""))
        probe = {"requests": [{"updateSpreadsheetProperties": {"properties": {"title": title}, "fields": "title"}}]}
        try:
            self._call(lambda: http.batch_update(key, probe), f"destination {name!r}: checking write access to {key}")
        except SheetsApiError as exc:
            if exc.status == 403:
                raise DestinationAccessError(
                    f"destination {name!r}: spreadsheet {key} is not shared with {account} as editor (it may only "
                    "read it); share it with that address as Editor") from None
            raise SinkError(f"destination {name!r}: {exc.message}") from None

    # --- write --------------------------------------------------------------------------------

    def write(self, destination_name: str, destination_config: Any, tables: Sequence[ReportTable],
              context: SinkContext) -> SinkResult:
        """Refresh the tab of every fetched report in one atomic write (failures are in the result)."""
        result = SinkResult()
        name, key = destination_name, destination_config.spreadsheet_key
        fetched = [t for t in tables if t.table is not None]
        if not fetched:
            return result
        try:
            contents, row_counts, warnings = _contents(fetched, context)
            connection = self._connect(name, destination_config, context)
            with spreadsheet_lock(key, context.lock_dir, self.lock_timeout):
                sheet_ids, sent = self._refresh(name, key, connection, contents)
        except SheetsSyncError as exc:
            message = f"destination {name!r}: {exc.message}"
            result.failures = {t.report.name: message for t in fetched}
            logger.error("%s", message)
            return result
        for warning in warnings:
            logger.warning("destination %r: %s", name, warning)
            result.warnings.append(f"destination {name!r}: {warning}")
        for item, content, rows in zip(fetched, contents, row_counts, strict=True):
            result.wrote(item.report.name, shown_output(key, content.title), rows)
            logger.info("wrote %s (%d rows) %s", shown_output(key, content.title), rows,
                        sheet_url(key, sheet_ids[content.title]))
        logger.info("Google Sheets %s: %d tab(s) in %d batchUpdate(s), %s bytes", key, len(contents), len(sent),
                    f"{sum(sent):,}")
        return result

    def _refresh(self, name: str, key: str, connection: Connection,
                 contents: Sequence[TabContent]) -> tuple[dict[str, int], list[int]]:
        """Read the tabs, plan, send every batch; returns each tab's sheetId and the bytes of each batch."""
        http = connection.client.http_client
        metadata = self._call(lambda: http.fetch_sheet_metadata(key, params=dict(_METADATA)),
                              f"destination {name!r}: reading spreadsheet {key}")
        plan = plan_refresh(Existing.from_metadata(metadata), contents, secrets.token_hex(6), max_bytes=self.max_bytes)
        sizes = plan.sizes()
        if plan.staged:
            logger.info("Google Sheets %s: %s bytes is more than one request should carry; staging in %d "
                        "batchUpdates, then one swap", key, f"{sum(sizes):,}", len(sizes))
        for number, body in enumerate(plan.bodies, start=1):
            self._call(functools.partial(http.batch_update, key, body),
                       f"destination {name!r}: batch {number} of {len(sizes)} to {key}")
        return plan.sheet_ids, sizes


def _contents(fetched: Sequence[ReportTable], context: SinkContext) -> tuple[list[TabContent], list[int], list[str]]:
    """Each fetched report as the tab it refreshes, its row count, and the warnings about altered values."""
    contents, counts, warnings = [], [], []
    seen: dict[str, str] = {}
    for item in fetched:
        report, table = item.report, item.table
        assert table is not None  # filtered by the caller
        title = report.tab or report.name
        if title.casefold() in seen:
            raise SinkError(f"reports {seen[title.casefold()]!r} and {report.name!r} both write tab {title!r}")
        seen[title.casefold()] = report.name
        stats = CellStats()
        columns = table.columns
        rows = []
        for index, values in enumerate(table.rows):
            padded = list(values) + [None] * (len(columns) - len(values))
            rows.append([cell(v, c, stats, index + 2) for v, c in zip(padded, columns, strict=False)])
        contents.append(TabContent(title, table.headers, rows, [number_format(c) for c in columns],
                                   _note(report, context)))
        counts.append(len(rows))
        warnings += text_warnings(report.name, title, stats)
    return contents, counts, warnings


def _note(report: ResolvedReport, context: SinkContext) -> str:
    """The provenance note on the header's first cell: when, which report, which period."""
    start, end = context.period(report)
    period = f"{start} to {end}" if start or end else "none (this endpoint takes no dates)"
    when = context.now.strftime("%Y-%m-%d %H:%M %Z").strip()
    return f"Refreshed {when} by sheets-sync\nReport: {report.name}\nPeriod: {period}"


def lock_file(key: str, lock_dir: Path | None) -> Path:
    """The lock of one spreadsheet, shared by every config writing it from this machine."""
    folder = lock_dir if lock_dir is not None else Path(tempfile.gettempdir()) / "sheets-sync-locks"
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]
    return folder / f"google-sheets-{digest}.lock"


@contextlib.contextmanager
def spreadsheet_lock(key: str, lock_dir: Path | None, timeout: float) -> Iterator[None]:
    """Hold the spreadsheet's cross-process lock for the block (two runs' batches never interleave).

    Raises:
        OutputLockedError: another run held it for `timeout` seconds.
    """
    path = lock_file(key, lock_dir)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SinkError(f"cannot create the lock folder {path.parent}: {exc.strerror or exc}") from None
    lock = filelock.FileLock(str(path), timeout=timeout)
    try:
        lock.acquire()
    except filelock.Timeout:
        raise OutputLockedError(f"spreadsheet {key}: another run has been writing it for more than "
                                f"{timeout:g} s") from None
    try:
        yield
    finally:
        lock.release()
