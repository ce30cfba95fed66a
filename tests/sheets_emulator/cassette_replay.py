"""Replays a recorded gspread cassette (vcrpy JSON) against the Sheets emulator and lists where the answers differ.

Ids the server generates (spreadsheet keys, sheet ids, named and protected range ids) differ between
Google and the emulator: the first time a recorded id meets its emulator counterpart in an answer, the
pair is remembered, later requests are rewritten with the emulator's id, and later answers must use the
same pair. The recording account's e-mail stands for the emulator's owner account. Everything else is compared:
status, key sets, value types, list lengths, and values.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests

from sheets_sync.sheets_emulator.model import OWNER_EMAIL

SHEETS_HOST = "sheets.googleapis.com"
# Keys whose values the server makes up; compared through the id map, never literally.
ID_KEYS = frozenset({"spreadsheetId", "sheetId", "namedRangeId", "protectedRangeId", "id", "sourceSheetId"})
# Drive timestamps of the recording day.
TIME_KEYS = frozenset({"createdTime", "modifiedTime"})
# Keys of response values that carry a spreadsheet key inside a longer string.
URL_KEYS = frozenset({"spreadsheetUrl"})
# The service account that made the recordings stands for the emulator's fixed owner account.
ACCOUNTS = {"telegram-budgeter@telegram-budgeter.iam.gserviceaccount.com": OWNER_EMAIL}


@dataclass
class IdMap:
    """Recorded id -> the emulator's id, learnt from answers and applied to later requests."""

    pairs: dict[Any, Any] = field(default_factory=dict)

    def learn(self, recorded: Any, actual: Any) -> str | None:
        """Remember the pair; a problem when `recorded` was already paired with another id."""
        known = self.pairs.setdefault(_key(recorded), actual)
        return None if known == actual else f"id {recorded!r} answered as {actual!r}, earlier as {known!r}"

    def text(self, value: str) -> str:
        """A string (URI, range, URL) with every recorded spreadsheet key replaced by the emulator's."""
        for (kind, recorded), actual in self.pairs.items():
            if kind == "str" and isinstance(actual, str) and len(recorded) > 20:
                value = value.replace(recorded, actual)
        return value

    def body(self, value: Any, key: str = "") -> Any:
        """A request body with recorded ids swapped for the emulator's."""
        if isinstance(value, dict):
            return {k: self.body(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [self.body(v, key) for v in value]
        if key in ID_KEYS and _key(value) in self.pairs:
            return self.pairs[_key(value)]
        if isinstance(value, str):
            return self.text(value)
        return value


def _key(value: Any) -> Any:
    return ("int", value) if isinstance(value, int) and not isinstance(value, bool) else ("str", str(value))


@dataclass
class Replay:
    """The outcome of one cassette: requests sent and every difference found."""

    name: str
    sent: int = 0
    problems: list[str] = field(default_factory=list)


ResponseCheck = Callable[[str, str, Any], list[str]]


def replay_cassette(name: str, cassette: Mapping[str, Any], base_url: str,
                    check_response: ResponseCheck | None = None) -> Replay:
    """Send each recorded request to `base_url` in order and compare each answer with the recorded one.

    `check_response(method, raw_path, body)` may add problems for a 2xx Sheets answer (schema checks).
    """
    ids = IdMap()
    outcome = Replay(name)
    session = requests.Session()
    session.trust_env = False
    for number, interaction in enumerate(cassette["interactions"]):
        request, recorded = interaction["request"], interaction["response"]
        parts = urlsplit(request["uri"])
        raw_path = ids.text(parts.path)
        url = base_url + raw_path + (f"?{ids.text(parts.query)}" if parts.query else "")
        data = _request_body(request.get("body"), ids)
        headers = {k: v[0] for k, v in request.get("headers", {}).items() if k.lower() == "content-type"}
        answer = session.request(request["method"], url, data=data, headers=headers, timeout=30)
        outcome.sent += 1
        where = f"#{number} {request['method']} {parts.path}{'?' + parts.query if parts.query else ''}"
        status = recorded["status"]["code"]
        if answer.status_code != status:
            outcome.problems.append(f"{where}: status {answer.status_code}, recorded {status}: {answer.text[:300]}")
            continue
        recorded_text = recorded["body"]["string"]
        if not recorded_text.strip():
            continue
        try:
            expected = json.loads(recorded_text)
        except ValueError:
            continue  # exports (CSV, PDF): not JSON, nothing structural to compare
        try:
            actual = answer.json()
        except ValueError:
            outcome.problems.append(f"{where}: answer is not JSON: {answer.text[:200]}")
            continue
        outcome.problems.extend(f"{where}: {p}" for p in compare(expected, actual, ids))
        if check_response and parts.netloc == SHEETS_HOST and answer.status_code < 300:
            outcome.problems.extend(f"{where}: schema: {p}"
                                    for p in check_response(request["method"], raw_path, actual))
    session.close()
    return outcome


def _request_body(body: str | None, ids: IdMap) -> bytes | None:
    if body is None:
        return None
    try:
        parsed = json.loads(body)
    except ValueError:
        return ids.text(body).encode("utf-8")
    return json.dumps(ids.body(parsed)).encode("utf-8")


def compare(expected: Any, actual: Any, ids: IdMap, path: str = "$", key: str = "") -> list[str]:
    """Differences between a recorded answer and the emulator's, learning id pairs on the way."""
    if key in ID_KEYS and isinstance(expected, int | str) and not isinstance(expected, bool):
        if type(expected) is not type(actual):
            return [f"{path}: {actual!r} ({type(actual).__name__}), recorded {expected!r}"]
        if expected == actual == 0:
            return []
        problem = ids.learn(expected, actual)
        return [f"{path}: {problem}"] if problem else []
    if key in TIME_KEYS:
        return [] if isinstance(actual, str) else [f"{path}: {actual!r} is not a timestamp string"]
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{path}: {_short(actual)}, recorded an object"]
        problems = []
        missing, extra = sorted(expected.keys() - actual.keys()), sorted(actual.keys() - expected.keys())
        if missing or extra:
            problems.append(f"{path}: keys missing {missing}, unexpected {extra}")
        for name in expected.keys() & actual.keys():
            problems.extend(compare(expected[name], actual[name], ids, f"{path}.{name}", name))
        return problems
    if isinstance(expected, list):
        if not isinstance(actual, list):
            return [f"{path}: {_short(actual)}, recorded a list"]
        if len(expected) != len(actual):
            return [f"{path}: {len(actual)} items, recorded {len(expected)}: {_short(actual)} vs {_short(expected)}"]
        problems = []
        for index, (left, right) in enumerate(zip(expected, actual, strict=True)):
            problems.extend(compare(left, right, ids, f"{path}[{index}]", key))
        return problems
    if isinstance(expected, str) and isinstance(actual, str):
        if key in URL_KEYS or key == "message":
            expected = ids.text(expected)
        expected = ACCOUNTS.get(expected, expected)
        return [] if expected == actual else [f"{path}: {actual!r}, recorded {expected!r}"]
    if _number(expected) and _number(actual):
        return [] if float(expected) == float(actual) else [f"{path}: {actual!r}, recorded {expected!r}"]
    if type(expected) is not type(actual) or expected != actual:
        return [f"{path}: {actual!r}, recorded {expected!r}"]
    return []


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 160 else text[:157] + "..."


def query_of(raw_path_and_query: str) -> dict[str, list[str]]:
    """The decoded query of a recorded URI."""
    return parse_qs(urlsplit(raw_path_and_query).query, keep_blank_values=True)
