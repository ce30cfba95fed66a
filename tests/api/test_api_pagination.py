"""Pagination: auto detection, forced styles, parallel pages in API order, max_rows, and every guard."""

from __future__ import annotations

import json
import threading
import time

import pytest
import requests

from sheets_sync.catalogue import get_endpoint
from sheets_sync.errors import ApiRequestError, ApiResponseError

from api_helpers import CLIENT_ID, CLIENT_SECRET, WIDE, client_for
from api_scripted_server import json_reply

POSTS = {**WIDE, "metrics": ["engagements", "impressions"]}


def plain_walk(emu, mode: str, endpoint: str, params: dict, size: int) -> list[dict]:
    """Reference result: a sequential loop with plain requests, no client code involved."""
    token = requests.post(f"{emu.url}/oauth/token", json={"clientId": CLIENT_ID, "clientSecret": CLIENT_SECRET},
                          timeout=5).json()["jwt"]
    headers = {"Authorization": f"Bearer {token}"}
    rows: list[dict] = []
    page, cursor = 1, None
    while True:
        query = dict(params)
        if mode == "page":
            query.update(pageNumber=page, pageSize=size)
        else:
            query["limit"] = size
            if cursor:
                query["nextCursor"] = cursor
        body = requests.get(f"{emu.url}/v2/{endpoint}", params=query, headers=headers, timeout=5).json()
        rows += body["data"]
        if mode == "page":
            if page >= body["pagination"]["totalPages"]:
                return rows
            page += 1
        else:
            cursor = body["nextCursor"]
            if cursor is None:
                return rows


class TestAutoAndForced:
    def test_auto_detects_generation_and_returns_every_row_in_api_order(self, emu, mode):
        """`auto` finds the server's generation and yields exactly the rows a plain sequential loop sees."""
        expected = plain_walk(emu, mode, "posts/performance", POSTS, 20)
        with client_for(emu.url, page_size=20, max_concurrency=4) as client:
            result = client.fetch(get_endpoint("posts/performance"), POSTS)
        assert result.generation == mode
        assert result.records == expected
        assert len(expected) > 100
        assert len({r["postId"] for r in result.records}) == len(result.records)

    def test_forced_style_matching_the_server_works(self, emu, mode):
        """pagination: page / cursor forces that style and gets the same rows."""
        expected = plain_walk(emu, mode, "creators/performance", POSTS, 50)
        with client_for(emu.url, page_size=50, pagination=mode) as client:
            result = client.fetch(get_endpoint("creators/performance"), POSTS)
        assert result.generation == mode and result.records == expected

    def test_forced_style_against_the_other_generation_fails_clearly(self, emu, mode):
        """Forcing the wrong style against a strict server is a one-line 400 naming the parameter."""
        other = "cursor" if mode == "page" else "page"
        with client_for(emu.url, pagination=other) as client:
            with pytest.raises(ApiRequestError, match="Unknown query parameter"):
                client.fetch(get_endpoint("campaigns/performance"), POSTS)

    def test_auto_against_strict_cursor_server_retries_once_in_cursor_style(self, make_emu):
        """A 400 for the page parameters makes `auto` retry once in cursor style, then remember it."""
        emu = make_emu(pagination="cursor", strict_params=True)
        with client_for(emu.url, page_size=50) as client:
            first = client.fetch(get_endpoint("campaigns/performance"), POSTS)
            second = client.fetch(get_endpoint("posts/performance"), POSTS)
        assert first.generation == second.generation == "cursor"
        assert emu.stats.count(status=400) == 1

    def test_auto_against_lenient_cursor_server_restarts_at_page_size(self, make_emu):
        """A cursor server that ignores page parameters is re-read in cursor style at the configured size."""
        emu = make_emu(pagination="cursor", strict_params=False)
        expected = plain_walk(emu, "cursor", "posts/performance", POSTS, 100)
        with client_for(emu.url, page_size=100) as client:
            result = client.fetch(get_endpoint("posts/performance"), POSTS)
        assert result.generation == "cursor" and result.records == expected
        assert result.pages == -(-len(expected) // 100)

    def test_summary_and_instances_have_their_documented_shapes(self, emu):
        """The summary is one {metrics} record and instances become [{instanceId}] rows."""
        with client_for(emu.url) as client:
            summary = client.fetch(get_endpoint("instances/performance"),
                                   {**WIDE, "metrics": ["engagements", "postsCount"]})
            instances = client.fetch(get_endpoint("instances"))
        assert len(summary.records) == 1 and set(summary.records[0]["metrics"]) == {"engagements", "postsCount"}
        assert [set(r) for r in instances.records] == [{"instanceId"}] * len(instances.records)
        assert instances.records[0]["instanceId"] == "instance_abc"


class TestParallelPages:
    def test_pages_are_fetched_in_parallel_up_to_max_concurrency(self, make_emu):
        """With 50 ms latency and 4 workers, 12 pages take about 4 rounds, not 12."""
        emu = make_emu(pagination="page", latency_ms=50)
        with client_for(emu.url, page_size=20, max_concurrency=4) as client:
            client.fetch(get_endpoint("creators/performance"), POSTS)  # warm the token and the emulator's cache
            started = time.perf_counter()
            result = client.fetch(get_endpoint("posts/performance"), {**POSTS, "endDate": "2025-09-30"})
            elapsed = time.perf_counter() - started
        assert result.pages >= 8
        sequential = result.pages * 0.050
        assert elapsed < sequential * 0.6

    def test_progress_reports_every_page_with_totals(self, emu):
        """The progress callback sees one event per page, ending at the full row count."""
        events = []
        with client_for(emu.url, page_size=50) as client:
            client.progress = events.append
            result = client.fetch(get_endpoint("posts/performance"), POSTS)
        assert len(events) == result.pages
        assert events[-1].rows_done == len(result.records) and events[-1].pages_done == result.pages

    def test_progress_is_reported_as_pages_arrive_not_after_the_last(self, make_emu):
        """Pages 2..N fetched in parallel: each page's progress event comes while later pages are still being
        fetched (a bar or log line that stays at page 1 until the end looks hung)."""
        emu = make_emu(pagination="page", latency_ms=30)
        answered_at_event: list[int] = []
        with client_for(emu.url, page_size=100, max_concurrency=2) as client:
            client.fetch(get_endpoint("creators/performance"), POSTS)  # the token, outside the counts below
            emu.stats.reset()
            client.progress = lambda event: answered_at_event.append(emu.stats.total)
            result = client.fetch(get_endpoint("posts/performance"), POSTS)
        assert result.pages >= 8 and len(answered_at_event) == result.pages
        assert answered_at_event[1] < result.pages, answered_at_event  # page 2 counted before the last answer

    def test_max_rows_stops_after_the_pages_needed(self, emu):
        """max_rows=45 with page_size 20 reads three pages and returns the first 45 rows in order."""
        with client_for(emu.url, page_size=20) as client:
            full = client.fetch(get_endpoint("posts/performance"), POSTS).records
            emu.stats.reset()
            top = client.fetch(get_endpoint("posts/performance"), POSTS, max_rows=45)
        assert top.records == full[:45]
        assert top.pages == 3
        assert emu.stats.count(status=200) == 3


class TestPageNumberLimit:
    @pytest.mark.parametrize("pagination", ["page", "auto"])
    def test_more_than_500_pages_fails_right_after_page_one(self, make_emu, pagination):
        """4,333 posts at page_size 1 (> 500 pages): one data request, then ApiResponseError with advice."""
        emu = make_emu(pagination="page")
        with client_for(emu.url, page_size=1, pagination=pagination) as client:
            with pytest.raises(ApiResponseError) as caught:
                client.fetch(get_endpoint("posts/performance"), POSTS)
        message = str(caught.value)
        assert "pageNumber 500" in message and "narrow the date range or filters" in message
        assert "pagination: cursor" in message and "page_size" in message
        assert emu.stats.count(path="/v2/posts/performance") == 1
        assert emu.stats.count(status=400) == 0

    def test_max_rows_within_500_pages_still_reads_a_long_result(self, emu):
        """max_rows=3 at page_size 1 needs 3 pages of a >500-page result: allowed, three rows back."""
        with client_for(emu.url, page_size=1) as client:
            result = client.fetch(get_endpoint("posts/performance"), POSTS, max_rows=3)
        assert len(result.records) == 3 and result.pages == 3

    def test_cursor_style_reads_past_what_500_pages_would_hold(self, make_emu):
        """The advice works: cursor pagination reads a result longer than 500 pages of the same size."""
        emu = make_emu(pagination="cursor")
        params = {**POSTS, "startDate": "2026-04-01", "endDate": "2026-06-30"}
        with client_for(emu.url, page_size=1, pagination="cursor") as client:
            result = client.fetch(get_endpoint("posts/performance"), params)
        assert result.pages == len(result.records) > 500


def scripted_pages(pages: dict[int, dict]):
    """A page-generation script: pageNumber → body."""
    def script(seen):
        number = int(seen.query.get("pageNumber", ["1"])[0])
        return json_reply(pages[number])
    return script


def page_body(page: int, rows: list[int], total_pages: int, total_items: int) -> dict:
    return {"data": [{"contentType": f"row{r}", "metrics": {}} for r in rows],
            "pagination": {"page": page, "pageSize": 2, "totalPages": total_pages, "totalItems": total_items}}


class TestGuards:
    PARAMS = {"startDate": "2026-01-01", "endDate": "2026-01-31", "metrics": ["engagements"]}

    def fetch(self, url: str, **overrides):
        with client_for(url, page_size=2, **overrides) as client:
            return client.fetch(get_endpoint("platforms/performance"), self.PARAMS)

    def test_consistent_pages_pass(self, scripted):
        """The scripted baseline: three consistent pages give five rows in order."""
        server = scripted(scripted_pages({1: page_body(1, [1, 2], 3, 5), 2: page_body(2, [3, 4], 3, 5),
                                          3: page_body(3, [5], 3, 5)}))
        rows = self.fetch(server.url).records
        assert [r["contentType"] for r in rows] == ["row1", "row2", "row3", "row4", "row5"]

    def test_total_items_changing_mid_run_is_refused(self, scripted):
        """totalItems moving between pages is an error, not a silently shifted result."""
        server = scripted(scripted_pages({1: page_body(1, [1, 2], 3, 5), 2: page_body(2, [3, 4], 3, 6),
                                          3: page_body(3, [5], 3, 5)}))
        with pytest.raises(ApiResponseError, match="changed while it was being read"):
            self.fetch(server.url)

    def test_total_pages_changing_mid_run_is_refused(self, scripted):
        """totalPages moving between pages is an error."""
        server = scripted(scripted_pages({1: page_body(1, [1, 2], 3, 5), 2: page_body(2, [3, 4], 4, 5),
                                          3: page_body(3, [5], 3, 5)}))
        with pytest.raises(ApiResponseError, match="totalPages 3→4"):
            self.fetch(server.url)

    def test_row_count_disagreeing_with_total_items_is_refused(self, scripted):
        """Fewer rows than totalItems announced means lost rows: an error, no partial output."""
        server = scripted(scripted_pages({1: page_body(1, [1, 2], 3, 6), 2: page_body(2, [3, 4], 3, 6),
                                          3: page_body(3, [5], 3, 6)}))
        with pytest.raises(ApiResponseError, match="received 5 rows but the API announced totalItems=6"):
            self.fetch(server.url)

    def test_answer_for_the_wrong_page_is_refused(self, scripted):
        """A server answering page 2 with page 1's body (a duplicate) is caught by the page number."""
        server = scripted(scripted_pages({1: page_body(1, [1, 2], 3, 5), 2: page_body(1, [1, 2], 3, 5),
                                          3: page_body(3, [5], 3, 5)}))
        with pytest.raises(ApiResponseError, match="asked for page 2 but the API answered page 1"):
            self.fetch(server.url)

    def test_page_past_total_pages_is_refused(self, scripted):
        """A response claiming a page number beyond its own totalPages is refused."""
        server = scripted(scripted_pages({1: page_body(1, [1, 2], 2, 4), 2: page_body(2, [3, 4], 1, 4)}))
        with pytest.raises(ApiResponseError, match="past totalPages"):
            self.fetch(server.url, max_concurrency=1)

    def test_repeated_cursor_from_the_emulator_is_refused(self, make_emu):
        """The emulator's repeat_cursor fault trips the repeated-cursor guard instead of looping."""
        emu = make_emu(pagination="cursor", repeat_cursor=True)
        with client_for(emu.url, page_size=20, pagination="cursor") as client:
            with pytest.raises(ApiResponseError, match="repeated a cursor"):
                client.fetch(get_endpoint("posts/performance"), POSTS)

    def test_cursor_loop_in_scripted_server_is_refused(self, scripted):
        """A cursor that comes back two pages later is refused as well."""
        cursors = {None: "a", "a": "b", "b": "a"}

        def script(seen):
            current = seen.query.get("nextCursor", [None])[0]
            return json_reply({"data": [{"contentType": str(current), "metrics": {}}], "nextCursor": cursors[current]})

        server = scripted(script)
        with pytest.raises(ApiResponseError, match="repeated a cursor after 3 pages"):
            self.fetch(server.url, pagination="cursor")

    def test_a_failed_page_cancels_the_run(self, scripted, fake_sleep):
        """When one parallel page fails for good, fetch raises and returns nothing."""
        def script(seen):
            number = int(seen.query["pageNumber"][0])
            if number == 3:
                return 404, {"Content-Type": "application/problem+json"}, json.dumps(
                    {"type": "ANL_00404", "title": "Not Found", "detail": "gone"}).encode()
            return json_reply(page_body(number, [number * 2 - 1, number * 2], 5, 10))

        server = scripted(script)
        with pytest.raises(ApiRequestError, match="gone"):
            self.fetch(server.url, sleep=fake_sleep)


def test_concurrent_fetches_on_one_client_are_safe(emu):
    """Four threads fetching through one client all get the full, identical result."""
    with client_for(emu.url, page_size=25) as client:
        results: list = []

        def run() -> None:
            results.append(client.fetch(get_endpoint("posts/performance"), POSTS).records)

        threads = [threading.Thread(target=run) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert len(results) == 4 and all(r == results[0] for r in results) and results[0]


def test_parallel_pages_never_exceed_max_concurrency(scripted):
    """A slow page server sees at most max_concurrency requests in flight, and does see them overlap."""
    lock = threading.Lock()
    state = {"now": 0, "peak": 0}

    def script(seen):
        number = int(seen.query["pageNumber"][0])
        with lock:
            state["now"] += 1
            state["peak"] = max(state["peak"], state["now"])
        time.sleep(0.05)
        with lock:
            state["now"] -= 1
        return json_reply(page_body(number, [number * 2 - 1, number * 2], 12, 24))

    server = scripted(script)
    with client_for(server.url, page_size=2, max_concurrency=3) as client:
        rows = client.fetch(get_endpoint("platforms/performance"), TestGuards.PARAMS).records
    assert [r["contentType"] for r in rows] == [f"row{i}" for i in range(1, 25)]
    assert state["peak"] == 3
