"""Walk every page of one endpoint in either generation, with the guards that stop duplicate or lost rows.

Page-number style (totals known): page 1 first, then pages 2..N in parallel, reassembled in page
order. Cursor style: strictly sequential, each cursor used once. Every guard raises ApiResponseError
and nothing is returned, so a caller never sees a partial result.
"""

from __future__ import annotations

import contextvars
import math
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any

from sheets_sync.api.envelope import Page
from sheets_sync.api.params import Query, with_cursor, with_page
from sheets_sync.catalogue import PAGE_NUMBER_MAX, PAGE_SIZE_MAX
from sheets_sync.errors import ApiResponseError

# A server that keeps handing out fresh cursors forever would otherwise never end the run.
MAX_CURSOR_PAGES = 10_000


@dataclass(frozen=True)
class ProgressEvent:
    """Sent after every page: enough to draw a progress bar (pages_total is None in cursor style)."""

    endpoint: str
    pages_done: int
    pages_total: int | None
    rows_done: int


@dataclass
class Walk:
    """What one walk produced."""

    records: list[dict[str, Any]]
    pages: int
    generation: str


GetPage = Callable[[Query], Page]          # send a query for the endpoint's path, parse the answer
FollowLink = Callable[[str], Page]         # GET an absolute link that origin pinning already allowed
Progress = Callable[[ProgressEvent], None]


class PageWalker:
    """Fetches all pages (or enough for `max_rows`) of one endpoint and applies every guard."""

    def __init__(self, endpoint: str, get_page: GetPage, follow_link: FollowLink, *, page_size: int,
                 max_concurrency: int, max_rows: int | None, progress: Progress | None) -> None:
        self.endpoint = endpoint
        self._get = get_page
        self._follow = follow_link
        self._page_size = page_size
        self._concurrency = max_concurrency
        self._max_rows = max_rows
        self._progress = progress
        self._rows_done = 0
        self._pages_done = 0

    # --- page-number generation (and v1) ------------------------------------------------------

    def walk_pages(self, query: Query, first: Page | None = None) -> Walk:
        """Fetch page 1 (unless given), then pages 2..N concurrently; rows in page order."""
        first = first or self._get(with_page(query, 1, self._page_size))
        generation = first.generation or "page"
        self._check_number(first, 1, first)
        total_pages = first.total_pages
        if total_pages is None:
            raise ApiResponseError(f"{self.endpoint}: the response does not say how many pages there are")
        size = first.page_size or self._page_size
        wanted = total_pages if self._max_rows is None else min(total_pages, math.ceil(self._max_rows / size))
        self.record_page(first, wanted)  # under max_rows the pages to fetch, not the result's total, are 100 %
        if wanted > PAGE_NUMBER_MAX:
            self._refuse_too_many_pages(first, generation, size)
        pages = {1: first}
        if wanted > 1:
            pages.update(self._fetch_parallel(query, first, range(2, wanted + 1), size, wanted))
        records = [record for number in sorted(pages) for record in pages[number].records]
        if wanted == total_pages and first.total_items is not None and len(records) != first.total_items:
            raise ApiResponseError(f"{self.endpoint}: received {len(records)} rows but the API announced "
                                   f"totalItems={first.total_items}; refusing partial or duplicated data")
        return Walk(_cut(records, self._max_rows), len(pages), generation)

    def _refuse_too_many_pages(self, first: Page, generation: str, size: int) -> None:
        """Fail after page 1 rather than read 500 pages and then meet the API's pageNumber limit."""
        advice = ["narrow the date range or filters"]
        if size < PAGE_SIZE_MAX:
            advice.append(f"raise api.page_size (now {size}, at most {PAGE_SIZE_MAX})")
        if generation != "v1":
            advice.append("use api.pagination: cursor")
        rows = f" ({first.total_items} rows)" if first.total_items is not None else ""
        raise ApiResponseError(
            f"{self.endpoint}: the result has {first.total_pages} pages of {size}{rows}, but the API serves at "
            f"most pageNumber {PAGE_NUMBER_MAX} in page-number pagination; "
            f"{', or '.join([', '.join(advice[:-1]), advice[-1]] if len(advice) > 1 else advice)}")

    def _fetch_parallel(self, query: Query, first: Page, numbers: range, size: int, wanted: int) -> dict[int, Page]:
        results: dict[int, Page] = {}
        pool = ThreadPoolExecutor(max_workers=min(self._concurrency, len(numbers)),
                                  thread_name_prefix="sheets-sync-page")
        try:
            # Each page runs in a copy of the caller's context: its log lines and request counts stay the report's.
            futures: dict[Future[Page], int] = {
                pool.submit(contextvars.copy_context().run, self._get, with_page(query, n, size)): n
                for n in numbers}
            pending = set(futures)
            while pending:
                # FIRST_COMPLETED, not FIRST_EXCEPTION (which waits for every page): progress as pages arrive
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in sorted(done, key=futures.__getitem__):
                    page = future.result()  # re-raises the worker's ApiError; finally cancels the rest
                    number = futures[future]
                    self._check_number(page, number, first)
                    results[number] = page
                    self.record_page(page, wanted)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
        return results

    def _check_number(self, page: Page, number: int, first: Page) -> None:
        if page.page is not None and page.page != number:
            raise ApiResponseError(f"{self.endpoint}: asked for page {number} but the API answered page {page.page}")
        if page.total_pages is not None and number > max(page.total_pages, 1):
            raise ApiResponseError(f"{self.endpoint}: page {number} is past totalPages={page.total_pages}")
        if (page.total_pages, page.total_items) != (first.total_pages, first.total_items):
            raise ApiResponseError(
                f"{self.endpoint}: the result changed while it was being read (totalPages {first.total_pages}"
                f"→{page.total_pages}, totalItems {first.total_items}→{page.total_items}); run it again")

    # --- cursor generation ----------------------------------------------------------------------

    def walk_cursor(self, query: Query, first: Page | None = None) -> Walk:
        """Follow nextCursor until it is null; a cursor seen twice is an error, not a loop."""
        page = first or self._get(with_cursor(query, self._page_size, None))
        records: list[dict[str, Any]] = []
        seen: set[str] = set()
        count = 0
        while True:
            count += 1
            records.extend(page.records)
            self.record_page(page, None)
            if self._max_rows is not None and len(records) >= self._max_rows:
                break
            position = page.next_link or page.next_cursor
            if position is None:
                break
            if position in seen:
                raise ApiResponseError(f"{self.endpoint}: the API repeated a cursor after {count} pages; "
                                       "refusing to read the same rows twice")
            if count >= MAX_CURSOR_PAGES:
                raise ApiResponseError(f"{self.endpoint}: more than {MAX_CURSOR_PAGES} pages; stopping")
            seen.add(position)
            # A next link is followed as given (after origin pinning); a cursor goes back as a parameter.
            page = (self._follow(position) if page.next_link
                    else self._get(with_cursor(query, self._page_size, position)))
        return Walk(_cut(records, self._max_rows), count, "cursor")

    def reset_progress(self) -> None:
        """Forget pages counted so far (the walk restarts in another style)."""
        self._rows_done = self._pages_done = 0

    def record_page(self, page: Page, total: int | None) -> None:
        """Count a finished page and tell the progress callback."""
        self._pages_done += 1
        self._rows_done += len(page.records)
        if self._progress is not None:
            self._progress(ProgressEvent(self.endpoint, self._pages_done, total, self._rows_done))


def _cut(records: list[dict[str, Any]], max_rows: int | None) -> list[dict[str, Any]]:
    return records if max_rows is None else records[:max_rows]
