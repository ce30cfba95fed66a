"""One HTTP path to the API: pooled `requests` session, origin pinning, rate budget, token and retries."""

from __future__ import annotations

import contextlib
import contextvars
import functools
import logging
import os
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import requests
import urllib3
from requests.adapters import HTTPAdapter

from sheets_sync import __version__
from sheets_sync.api.netfail import describe_network_failure
from sheets_sync.api.problem import Problem, read_problem, request_error
from sheets_sync.api.rate import RateBudget
from sheets_sync.api.retry import RETRY_STATUSES, RetryBudget, RetryPolicy, parse_retry_after
from sheets_sync.api.token import TokenCache
from sheets_sync.errors import ApiAuthError, ApiError, ApiRateLimitError, ApiResponseError, ApiUnavailableError
from sheets_sync.origin import Origin

logger = logging.getLogger(__name__)

CONNECT_TIMEOUT_SECONDS = 10.0
# requests' timeout bounds each socket read, not the whole answer: a server dripping one byte per
# read would never time out. The body is read against a deadline of this many read timeouts.
DEADLINE_READ_TIMEOUTS = 4
# requests raises these for a dead or flaky network: always worth another attempt.
_TRANSIENT = (requests.Timeout, requests.ConnectionError, requests.exceptions.ChunkedEncodingError)


class RequestTally:
    """Requests and retries sent on behalf of one piece of work (a report), from whichever threads do it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests = 0
        self.retries = 0

    def add(self, *, requests: int = 0, retries: int = 0) -> None:
        with self._lock:
            self.requests += requests
            self.retries += retries


# The tally of the work the current context does: several reports share one transport at once, so a
# before/after difference of the transport's totals would count the other reports' requests too.
_TALLY: contextvars.ContextVar[RequestTally | None] = contextvars.ContextVar("sheets_sync_tally", default=None)


@contextlib.contextmanager
def tallied(tally: RequestTally) -> Iterator[RequestTally]:
    """Count every request and retry sent in this context (threads started with a copy of it included)."""
    token = _TALLY.set(tally)
    try:
        yield tally
    finally:
        _TALLY.reset(token)


def current_tally() -> RequestTally | None:
    """The tally the current context counts into, if any."""
    return _TALLY.get()


class TransportClosedError(ApiError):
    """The transport was cancelled (the run is being interrupted): no new request is sent."""


class Transport:
    """Sends API requests with every safety rule applied; thread-safe, one session per client."""

    def __init__(self, origin: Origin, *, policy: RetryPolicy, rate_budget: RateBudget,
                 timeout_seconds: float, pool_size: int, sleep: Callable[[float], None] = time.sleep) -> None:
        self.origin = origin
        self.policy = policy
        self.rate_budget = rate_budget
        self.budget = RetryBudget(policy.budget_seconds)
        self.timeout = (min(CONNECT_TIMEOUT_SECONDS, timeout_seconds), timeout_seconds)
        self.deadline_seconds = DEADLINE_READ_TIMEOUTS * timeout_seconds
        self.tokens: TokenCache | None = None
        self._sleep = sleep
        self._session = _build_session(origin, pool_size)
        self._counter_lock = threading.Lock()
        self.requests = 0
        self.retries = 0
        # However many reports and page threads share this transport, at most pool_size - 1 (the
        # configured max_concurrency) requests are on the wire at once.
        self._in_flight = threading.BoundedSemaphore(max(pool_size - 1, 1))
        self._cancelled = threading.Event()

    def close(self) -> None:
        self._session.close()

    def cancel(self) -> None:
        """Refuse every request not yet sent (those on the wire finish): the run is being interrupted."""
        self._cancelled.set()

    def get(self, path: str, params: list[tuple[str, str]], *, endpoint: str) -> dict[str, Any]:
        """GET an API path with the bearer token; returns the JSON object of a 2xx answer."""
        return self.send("GET", self.origin.url_for(path), endpoint=endpoint, params=params)

    def send(self, method: str, url: str, *, endpoint: str, params: list[tuple[str, str]] | None = None,
             json_body: Mapping[str, Any] | None = None, authorised: bool = True,
             rejected: Callable[[str, Problem], ApiError] = request_error) -> dict[str, Any]:
        """Send one request, retrying transient failures; raises an ApiError subclass otherwise."""
        if not self.origin.owns(url):
            raise ApiResponseError(f"{endpoint}: refused to send a request to another origin than "
                                   f"{self.origin.url}")
        attempt = 0
        renewed = False
        while True:
            attempt += 1
            headers = {"Accept": "application/json"}
            generation = 0
            if authorised:
                assert self.tokens is not None, "Transport.tokens must be set before authorised calls"
                token, generation = self.tokens.get()
                headers["Authorization"] = f"Bearer {token}"
            try:
                # The slot is taken after the token (whose exchange is itself a request), so a thread never
                # waits on itself, and before the rate budget, so a request starts when the budget says.
                with self._in_flight:
                    self.rate_budget.acquire(self._cancelled)  # returns at once, taking no start, once cancelled
                    if self._cancelled.is_set():  # cancelled before or while waiting for the rate budget
                        raise TransportClosedError(f"{endpoint}: not sent, the run is being interrupted")
                    if logger.isEnabledFor(logging.DEBUG):
                        logger.debug("%s %s%s (attempt %d)", method, request_line(url, params),
                                     _body_keys(json_body), attempt)
                    started = time.perf_counter()
                    response = self._session.request(method, url, params=params, json=json_body,
                                                     headers=headers, timeout=self.timeout,
                                                     allow_redirects=False, stream=True)
                    _read_body(response, started + self.deadline_seconds)
            except requests.exceptions.SSLError:
                # A certificate problem does not heal in seconds: fail now instead of five times.
                self._count()
                raise ApiUnavailableError(f"{endpoint}: TLS handshake with {self.origin.url} failed "
                                          "(untrusted or invalid certificate?)") from None
            except _TRANSIENT as exc:
                # The exception text holds the full URL (and its query); the cause is put in our own words.
                self._count()
                failure = describe_network_failure(exc, connect_timeout=self.timeout[0], read_timeout=self.timeout[1])
                where = f"cannot reach {self._host()}" if failure.unreachable else f"talking to {self._host()}"
                reason = f"{where}: {failure.cause}"
                if not failure.retry:
                    raise ApiUnavailableError(f"{endpoint}: {reason}; check api.base_url and the network",
                                              unreachable=True) from None
                self._wait(endpoint, attempt, reason, None, status=None, unreachable=failure.unreachable)
                continue
            self._count()
            elapsed_ms = (time.perf_counter() - started) * 1000
            logger.info("%s %s -> %s in %.0f ms", method, _path_of(url), response.status_code, elapsed_ms)
            self.rate_budget.observe(response.headers)
            status = response.status_code
            if status == 401 and authorised and not renewed and attempt < self.policy.max_attempts:
                renewed = True
                assert self.tokens is not None
                logger.info("%s: HTTP 401, renewing the token and replaying the request once", endpoint)
                self.tokens.renew_after_401(generation)
                continue
            if status in RETRY_STATUSES:
                problem = read_problem(response)
                retry_after = parse_retry_after(response.headers.get("Retry-After"))
                self._wait(endpoint, attempt, problem.describe(), retry_after, status=status)
                continue
            if not 200 <= status < 300:
                raise rejected(endpoint, read_problem(response))
            payload = _json_object(response)
            if payload is not None:
                return payload
            # A garbled 200 (truncated transfer, a proxy's HTML page) is usually transient: retried like a
            # 5xx within the same attempts, then an ApiResponseError; its data is never used.
            reason = f"HTTP {status} with a body that is not a JSON object ({_content_type(response)})"
            self._wait(endpoint, attempt, reason, None, status=status, failure=ApiResponseError)

    def _wait(self, endpoint: str, attempt: int, reason: str, retry_after: float | None, *, status: int | None,
              failure: type[Exception] | None = None, unreachable: bool = False) -> None:
        """Sleep before the next attempt, or raise when attempts or the retry budget are used up."""
        kind: Callable[[str], Exception] = failure or (ApiRateLimitError if status == 429 else ApiUnavailableError)
        if kind is ApiUnavailableError:
            kind = functools.partial(ApiUnavailableError, unreachable=unreachable)
        if attempt >= self.policy.max_attempts:
            raise kind(f"{endpoint}: gave up after {attempt} attempt{'s' * (attempt != 1)}: {reason}")
        if retry_after is not None and retry_after > self.budget.remaining:
            raise (failure or ApiRateLimitError)(
                f"{endpoint}: the API asked to wait {retry_after:.0f} s, more than the "
                f"{self.budget.remaining:.0f} s left of the retry budget: {reason}")
        delay = retry_after if retry_after is not None else self.policy.backoff(attempt)
        if not self.budget.take(delay):
            raise kind(f"{endpoint}: retry budget of {self.policy.budget_seconds:.0f} s used up: {reason}")
        with self._counter_lock:
            self.retries += 1
        tally = _TALLY.get()
        if tally is not None:
            tally.add(retries=1)
        logger.warning("%s: attempt %d failed (%s); retrying in %.1f s", endpoint, attempt, reason, delay)
        if self._sleep is time.sleep:
            self._cancelled.wait(delay)  # time.sleep that an interrupted run can cut short
        else:
            self._sleep(delay)
        if self._cancelled.is_set():
            raise TransportClosedError(f"{endpoint}: not retried, the run is being interrupted")

    def _host(self) -> str:
        """host:port of the API as a user would look it up (no path, so no query either)."""
        host = f"[{self.origin.host}]" if ":" in self.origin.host else self.origin.host
        return f"{host}:{self.origin.port}"

    def _count(self) -> None:
        with self._counter_lock:
            self.requests += 1
        tally = _TALLY.get()
        if tally is not None:
            tally.add(requests=1)

    def exchange_token(self, client_id: str, client_secret: str, *, endpoint: str = "token exchange") -> str:
        """POST the credentials to /oauth/token and return the JWT; a refusal is an ApiAuthError."""
        body = self.send("POST", self.origin.url_for("/oauth/token"), endpoint=endpoint,
                         json_body={"clientId": client_id, "clientSecret": client_secret}, authorised=False,
                         rejected=_token_refused)
        token = body.get("jwt") or body.get("token") or body.get("access_token")
        if not isinstance(token, str) or not token:
            raise ApiResponseError(f"{endpoint}: the answer of POST /oauth/token has no `jwt` string")
        return token


def _build_session(origin: Origin, pool_size: int) -> requests.Session:
    session = requests.Session()
    # trust_env=False: otherwise requests may swap our bearer header for ~/.netrc credentials; proxies
    # and the CA bundle are still taken from the environment, explicitly.
    session.trust_env = False
    session.proxies.update(requests.utils.get_environ_proxies(origin.url))
    session.verify = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True
    adapter = HTTPAdapter(pool_connections=1, pool_maxsize=max(pool_size, 1), max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers["User-Agent"] = f"sheets-sync/{__version__}"
    return session


def _read_body(response: requests.Response, deadline: float) -> None:
    """Read the whole body before `deadline` (perf_counter time), or raise a retryable Timeout."""
    # read1 returns whatever has arrived, so the deadline is checked even while bytes trickle in;
    # urllib3 1.x lacks it and falls back to iter_content (checked per 64 kB).
    read1 = getattr(response.raw, "read1", None)
    chunks = iter(lambda: read1(65536, decode_content=True), b"") if read1 else response.iter_content(65536)
    received = []
    try:
        for chunk in chunks:
            received.append(chunk)
            if time.perf_counter() > deadline:
                raise requests.Timeout("the answer took longer than the request deadline")
    except urllib3.exceptions.ProtocolError as exc:  # what iter_content would have wrapped for us
        raise requests.exceptions.ChunkedEncodingError(type(exc).__name__) from None
    except urllib3.exceptions.ReadTimeoutError:
        raise requests.exceptions.ReadTimeout("read timed out") from None
    finally:
        response.close()
    response._content = b"".join(received)  # what .json() and .text read from now on


def _json_object(response: requests.Response) -> dict[str, Any] | None:
    try:
        payload = response.json()
    except ValueError:
        return None
    return payload if isinstance(payload, dict) else None


def _content_type(response: requests.Response) -> str:
    return response.headers.get("Content-Type", "no content type").split(";")[0]


def _path_of(url: str) -> str:
    # INFO lines carry the path only; the query (secret-looking values masked) is a DEBUG detail.
    return urlsplit(url).path


# Parameter names under which an API might carry a credential; their values never reach a log line.
_SECRET_PARAM = re.compile(r"(?i)secret|token|password|passwd|api_?key|signature|auth|credential")
MASK = "***"


def request_line(url: str, params: Sequence[tuple[str, str]] | None = None) -> str:
    """Path and query of a request as DEBUG logs it: every parameter shown, secret-looking values masked."""
    parts = urlsplit(url)
    pairs = parse_qsl(parts.query, keep_blank_values=True) + list(params or ())
    shown = [(key, MASK if _SECRET_PARAM.search(key) else value) for key, value in pairs]
    query = urlencode(shown, safe=",:*")
    return parts.path + (f"?{query}" if query else "")


def _body_keys(body: Mapping[str, Any] | None) -> str:
    # A JSON body is the token exchange's credentials: name its keys, never its values.
    return f" with a JSON body ({', '.join(body)}; values not logged)" if body else ""


def _token_refused(endpoint: str, problem: Problem) -> ApiError:
    if problem.status in (400, 401, 403):
        # Worded without "token:" because the redaction patterns mask the word after it.
        return ApiAuthError(f"{endpoint} (POST /oauth/token) refused the credentials: {problem.describe()}",
                            error_type=problem.type, status=problem.status)
    return request_error(endpoint, problem)
