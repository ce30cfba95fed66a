"""Keeps secrets out of logs, exception text, history and email: registry of secret values plus patterns."""

from __future__ import annotations

import logging
import re
import threading

MASK = "***"  # what every masked value becomes
_MASK = MASK
_MIN_SECRET_LENGTH = 4
_lock = threading.Lock()
_secrets: set[str] = set()

# Patterns catch secrets we were never told about: JWTs, bearer headers, secret-looking query params.
_PATTERNS = [
    re.compile(r"eyJ[\w-]{4,}\.[\w-]{4,}\.[\w-]*"),
    re.compile(r"(?i)(bearer\s+)[^\s,;\"']+"),
]
# key=value, "key": "value", key: value. The key must start a word and not end a URL path
# ("oauth/token: ..." is prose, not a secret).
_KEY_VALUE = re.compile(r"(?i)((?<![\w/.-])(?:client_?secret|password|passwd|pwd|token|access_token|api_?key|secret)"
                        r"(?P<q1>[\"']?)(?P<sep>\s*[=:]\s*)(?P<q2>[\"']?))(?P<value>[^\s&,;\"'}]+)")


def _mask_key_value(match: re.Match[str]) -> str:
    # In prose ("renewing the token: HTTP 401") an unquoted all-letter word after "key: " is a word,
    # not a credential; assignments, quoted values and anything with digits or symbols are masked.
    prose = not match["q1"] and not match["q2"] and match["sep"].strip() == ":" and match["sep"][-1:].isspace()
    if prose and match["value"].isalpha():
        return match.group(0)
    return match.group(1) + _MASK


def register_secret(value: str | None) -> None:
    """Remember a secret value so that `redact` masks it wherever it appears."""
    if value and len(value) >= _MIN_SECRET_LENGTH:
        with _lock:
            _secrets.add(value)


def redact(text: str) -> str:
    """Return `text` with every registered secret and secret-looking pattern masked."""
    if not text:
        return text
    with _lock:
        known = sorted(_secrets, key=len, reverse=True)  # longest first, so no partial secret survives
    for secret in known:
        if secret in text:
            text = text.replace(secret, _MASK)
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: (m.group(1) if m.groups() else "") + _MASK, text)
    return _KEY_VALUE.sub(_mask_key_value, text)


class RedactingFilter(logging.Filter):
    """Logging filter that redacts the fully formatted message of every record passing through."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message or record.args:
            record.msg, record.args = cleaned, None
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            exc.args = tuple(redact(a) if isinstance(a, str) else a for a in exc.args)
        return True
