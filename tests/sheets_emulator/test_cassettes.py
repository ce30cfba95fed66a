"""Contract test: gspread's 124 recorded cassettes against the Sheets emulator over loopback HTTP.

The cassettes are gspread's own recordings of the real Google APIs (MIT, kept beside the repository in
../shared/reference/gspread-cassettes/ and read from there as test input, never copied in). Each file
creates a spreadsheet through Drive, runs one gspread test's calls, and deletes it; the replay sends the
same requests to the emulator and compares every answer (see cassette_replay.py for the rules).
Without the folder these tests fail: CI puts it beside the clone.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from sheets_sync.sheets_emulator.discovery import DiscoveryValidator, load_sheets_validator
from sheets_sync.sheets_emulator.quota import QuotaLimits
from sheets_sync.sheets_emulator.server import RunningSheetsEmulator, start_sheets_emulator

from cassette_replay import SHEETS_HOST, query_of, replay_cassette

CASSETTES = Path(__file__).resolve().parents[3] / "shared" / "reference" / "gspread-cassettes"
ALL_CASSETTES = sorted(p.name for p in CASSETTES.glob("*.json")) if CASSETTES.is_dir() else []
# Cassettes not replayed, each with the reason. Everything else in the folder must replay cleanly.
NOT_REPLAYED: dict[str, str] = {
    "ClientTest.test_client_export_spreadsheet.json": "Drive export (PDF/CSV rendering of a spreadsheet)",
    "SpreadsheetTest.test_export_spreadsheet.json": "Drive export (PDF/CSV rendering of a spreadsheet)",
    "ClientTest.test_copy.json": "Drive files.copy and comments",
    "ClientTest.test_import_csv.json": "Drive v2 media upload (CSV import)",
    "ClientTest.test_openall.json": "Drive files.list saw the recording account's other spreadsheets",
    "ClientTest.test_open_all_has_metadata.json": "Drive files.list saw the recording account's other spreadsheets",
    # Google measures text in its own font renderer; the emulator does not guess the width.
    "WorksheetTest.test_auto_resize_columns.json": "autoResizeDimensions width (1024 'A' in Arial 10 = 8691 px)",
}
# Spreadsheets that exist before a cassette starts, and are not shared with the caller (answered 403).
UNSHARED = {"ClientTest.test_access_private_spreadsheet.json": "1jIKzPs8LsiZZdLdeMEP-5ZIHw6RkjiOmj1LrJN706Yc"}
REPLAYED = [name for name in ALL_CASSETTES if name not in NOT_REPLAYED]


@pytest.fixture(scope="module")
def validator() -> DiscoveryValidator:
    """The discovery-document validator (google-api-python-client is a test dependency)."""
    loaded = load_sheets_validator()
    assert loaded is not None, "google-api-python-client is not installed (pip install -r requirements-dev.txt)"
    return loaded


@pytest.fixture
def emulator() -> Iterator[RunningSheetsEmulator]:
    """A fresh validating emulator per cassette (Drive list answers see only its own files), quota off:
    the recordings dropped Google's 429s and the retries after them."""
    no_quota = QuotaLimits(write_per_user=None, read_per_user=None, write_per_project=None, read_per_project=None)
    with start_sheets_emulator(validate=True, quota_limits=no_quota) as running:
        yield running


def load(name: str) -> dict[str, Any]:
    return json.loads((CASSETTES / name).read_text(encoding="utf-8"))


def test_the_cassette_folder_is_beside_the_repository() -> None:
    """The recorded cassettes are present (all 124), so the contract test really ran; a missing folder fails."""
    assert CASSETTES.is_dir(), (f"gspread's cassettes are not at {CASSETTES}: put the shared reference folder "
                                "beside the repository (CI does) to run the Sheets contract test")
    assert len(ALL_CASSETTES) == 124
    assert set(NOT_REPLAYED) <= set(ALL_CASSETTES)
    assert len(REPLAYED) >= 117


def test_recorded_bodies_validate_except_those_google_refused(validator: DiscoveryValidator) -> None:
    """Of the 400 non-empty Sheets request bodies, 397 validate; the 3 Google answered 400 get Google's message."""
    valid, refused = 0, []
    for name in ALL_CASSETTES:
        for interaction in load(name)["interactions"]:
            request, response = interaction["request"], interaction["response"]
            uri = urlsplit(request["uri"])
            if uri.netloc != SHEETS_HOST or not request["body"]:
                continue
            method_id = validator.method_id_for(request["method"], uri.path)
            assert method_id is not None, f"{name}: no discovery method for {request['method']} {uri.path}"
            message = validator(method_id, query_of(request["uri"]), json.loads(request["body"]))
            if message is None:
                valid += 1
                continue
            recorded = json.loads(response["body"]["string"])["error"]
            refused.append((response["status"]["code"], message == recorded["message"]))
    assert valid == 397
    assert refused == [(400, True)] * 3


def test_recorded_queries_all_validate(validator: DiscoveryValidator) -> None:
    """Every query string gspread sent to the Sheets API (True/False booleans, fields, ranges) validates."""
    checked = 0
    for name in ALL_CASSETTES:
        for interaction in load(name)["interactions"]:
            request = interaction["request"]
            uri = urlsplit(request["uri"])
            method_id = validator.method_id_for(request["method"], uri.path)
            if uri.netloc != SHEETS_HOST or method_id is None:
                continue
            if not request["body"] and validator.methods[method_id].get("request") is None:
                assert validator(method_id, query_of(request["uri"]), None) is None, request["uri"]
                checked += 1
    assert checked > 900


@pytest.mark.parametrize("name", REPLAYED)
def test_cassette_replays_with_the_recorded_answers(name: str, emulator: RunningSheetsEmulator,
                                                    validator: DiscoveryValidator) -> None:
    """Every recorded request gets the recorded status and an answer of the same shape and values (ids mapped),
    and every 2xx Sheets answer matches Google's response schema."""

    def schema_problems(method: str, raw_path: str, body: Any) -> list[str]:
        method_id = validator.method_id_for(method, raw_path)
        return validator.response_problems(method_id, body) if method_id else []

    if name in UNSHARED:
        emulator.service.create_spreadsheet(UNSHARED[name])
        emulator.service.set_access(UNSHARED[name], shared=False)
    outcome = replay_cassette(name, load(name), emulator.url, schema_problems)
    assert outcome.sent > 0
    assert outcome.problems == []
