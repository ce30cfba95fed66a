"""Names what went wrong on the network (DNS, refused, timeouts, resets) and whether another attempt can help."""

from __future__ import annotations

import errno
import socket
from dataclasses import dataclass

import requests
import urllib3


@dataclass(frozen=True)
class NetworkFailure:
    """One failed attempt: the cause in words, whether to retry, and whether nothing connected at all."""

    cause: str
    retry: bool
    unreachable: bool


def describe_network_failure(exc: BaseException, *, connect_timeout: float, read_timeout: float) -> NetworkFailure:
    """What `exc` (raised by requests for one attempt) means, worded without the URL (its query may be private)."""
    chain = _chain(exc)
    if _is_dns_failure(chain):
        # A name that does not resolve is a typo or a missing network far more often than a resolver hiccup:
        # five attempts with backoff would only add 15 s before the same answer.
        return NetworkFailure("the host name does not resolve (DNS lookup failed)", retry=False, unreachable=True)
    if isinstance(exc, requests.exceptions.ConnectTimeout) or any(
            isinstance(e, urllib3.exceptions.ConnectTimeoutError) and not isinstance(
                e, urllib3.exceptions.NewConnectionError) for e in chain):
        return NetworkFailure(f"no answer to the connection attempt within {connect_timeout:g} s (connect timeout)",
                              retry=True, unreachable=True)
    os_error = next((e for e in chain if isinstance(e, OSError) and e.errno is not None), None)
    if os_error is not None and os_error.errno == errno.ECONNREFUSED:
        return NetworkFailure("connection refused (nothing accepts connections at that port)", retry=True,
                              unreachable=True)
    if any(isinstance(e, urllib3.exceptions.NewConnectionError) for e in chain):
        reason = os_error.strerror if os_error is not None and os_error.strerror else "no connection could be made"
        return NetworkFailure(f"cannot connect: {reason}", retry=True, unreachable=True)
    if isinstance(exc, requests.exceptions.ReadTimeout):
        return NetworkFailure(f"no answer within {read_timeout:g} s (read timeout)", retry=True, unreachable=False)
    if isinstance(exc, requests.Timeout):
        said = exc.args[0] if exc.args and isinstance(exc.args[0], str) else "timeout"
        return NetworkFailure(f"the answer took too long ({said})", retry=True, unreachable=False)
    if isinstance(exc, requests.exceptions.ProxyError):
        return NetworkFailure("the proxy refused or failed the connection", retry=True, unreachable=True)
    if os_error is not None and os_error.errno in (errno.ECONNRESET, errno.EPIPE):
        return NetworkFailure("the connection was reset by the server", retry=True, unreachable=False)
    return NetworkFailure("the connection broke before the answer was complete", retry=True, unreachable=False)


def _chain(exc: BaseException) -> list[BaseException]:
    """`exc`, the urllib3 error requests wrapped (MaxRetryError.reason), and their causes, in order."""
    seen: list[BaseException] = []
    todo: list[BaseException | None] = [exc]
    while todo and len(seen) < 12:
        current = todo.pop(0)
        if current is None or any(current is s for s in seen):
            continue
        seen.append(current)
        todo.extend(arg for arg in current.args if isinstance(arg, BaseException))
        todo.append(getattr(current, "reason", None) if isinstance(getattr(current, "reason", None), BaseException)
                    else None)
        todo.extend([current.__cause__, current.__context__])
    return seen


def _is_dns_failure(chain: list[BaseException]) -> bool:
    # urllib3 2.x names it; 1.x only keeps the socket.gaierror as the cause.
    name_error = getattr(urllib3.exceptions, "NameResolutionError", None)
    return any(isinstance(e, socket.gaierror) or (name_error is not None and isinstance(e, name_error))
               for e in chain)
