"""The one exception tree of sheets-sync; the CLI maps it to one readable line and an exit code.

    SheetsSyncError                 exit 1 unless stated
    ├── ConfigError                 exit 2; carries every ConfigProblem found
    ├── UsageError                  exit 2; bad command-line usage
    ├── ApiError                    anything that went wrong talking to the Reporting API
    │   ├── ApiAuthError            token exchange refused, or a second 401 after renewal
    │   ├── ApiRequestError         400/403/404/422: not retried; carries the API's type and detail
    │   ├── ApiUnavailableError     retries or retry budget exhausted (5xx, timeouts, connection errors)
    │   ├── ApiRateLimitError       429 whose wait would exceed the retry budget
    │   └── ApiResponseError        malformed body, pagination guard tripped, foreign origin refused
    └── SinkError                   writing an output failed; previous output left untouched
        ├── TemplateError           an Excel template breaks the template contract
        ├── OutputLockedError       another run holds the output's lock
        └── DestinationAccessError  exit 2; a destination to write is missing or not writable by the account

Messages never contain secrets: every message passes through `redaction.redact` when built.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from sheets_sync.redaction import redact

Severity = Literal["error", "warning"]


class SheetsSyncError(Exception):
    """Base class of every error sheets-sync raises on purpose."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(redact(message))

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else ""


@dataclass(frozen=True)
class ConfigProblem:
    """One problem in a config file, located by file, line, column and key path.

    An `error` stops `validate` (exit 2) and every run; a `warning` is printed and counted but stops nothing.
    """

    file: str
    line: int
    column: int
    path: str
    message: str
    severity: Severity = "error"

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}"
        return redact(f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}")


class ConfigError(SheetsSyncError):
    """The config has problems; `problems` lists all of them."""

    exit_code = 2

    def __init__(self, problems: list[ConfigProblem] | str) -> None:
        if isinstance(problems, str):
            self.problems: list[ConfigProblem] = []
            super().__init__(problems)
            return
        self.problems = list(problems)
        count = len(self.problems)
        head = f"{count} config problem{'s' if count != 1 else ''}"
        super().__init__(head + ("\n" + "\n".join(str(p) for p in self.problems) if problems else ""))


class UsageError(SheetsSyncError):
    """The command line was used wrongly."""

    exit_code = 2


class ApiError(SheetsSyncError):
    """Talking to the Reporting API failed."""


class ApiAuthError(ApiError):
    """The API refused our credentials or our token (after one renewal)."""

    def __init__(self, message: str, *, error_type: str | None = None, status: int | None = None) -> None:
        self.error_type = error_type
        self.status = status
        super().__init__(message)


class ApiRequestError(ApiError):
    """The API rejected the request (400/403/404/422); retrying would not help."""

    def __init__(self, message: str, *, status: int, error_type: str | None = None,
                 detail: str | None = None) -> None:
        self.status = status
        self.error_type = error_type
        self.detail = detail
        super().__init__(message)


class ApiUnavailableError(ApiError):
    """The API kept failing (5xx, timeouts, connection errors) until the retry budget ran out.

    `unreachable` is True when the last attempt could not connect at all (refused, DNS, connect
    timeout): every later request to the same origin would fail the same way.
    """

    def __init__(self, message: str, *, unreachable: bool = False) -> None:
        self.unreachable = unreachable
        super().__init__(message)


class ApiRateLimitError(ApiError):
    """The API asked us to wait longer than the retry budget allows."""


class ApiResponseError(ApiError):
    """The API answered with something we cannot trust (bad JSON, broken pagination, foreign links)."""


class SinkError(SheetsSyncError):
    """Writing an output failed; the previous output is untouched."""


class TemplateError(SinkError):
    """An Excel template does not meet the template contract; `problems` lists each problem found."""

    def __init__(self, message: str, *, problems: Sequence[str] | None = None) -> None:
        super().__init__(message)
        self.problems = list(problems) if problems is not None else [self.message]


class OutputLockedError(SinkError):
    """Another run is writing the same output."""


class DestinationAccessError(SinkError):
    """A destination the run would write does not exist or the account may not write it (found before fetching)."""

    exit_code = 2


class DeliveryError(SheetsSyncError):
    """An email could not be sent (server unreachable, certificate not trusted, login or recipients refused)."""
