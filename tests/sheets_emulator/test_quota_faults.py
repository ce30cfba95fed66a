"""Per-minute quotas answered as Google answers them, and injected faults."""

from __future__ import annotations

import requests
from conftest import KEY, SHEETS

from sheets_sync.sheets_emulator.client_session import loopback_session
from sheets_sync.sheets_emulator.quota import QuotaLimits
from sheets_sync.sheets_emulator.server import RunningSheetsEmulator, start_sheets_emulator
from sheets_sync.sheets_emulator.service import SheetsService


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0 * 60

    def __call__(self) -> float:
        return self.now


def _write(session: requests.Session, **params: str) -> requests.Response:
    return session.post(f"{SHEETS}/{KEY}:batchUpdate", params=params, json={"requests": [
        {"updateSheetProperties": {"properties": {"sheetId": 0, "title": "A"}, "fields": "title"}},
        {"updateSheetProperties": {"properties": {"sheetId": 0, "title": "B"}, "fields": "title"}}]})





def test_default_quota_allows_sixty_writes_a_minute_per_user():
    """The 61st write in a minute is 429 RESOURCE_EXHAUSTED with ErrorInfo WriteRequestsPerMinutePerUser."""
    clock = Clock()
    service = SheetsService(clock=clock)
    service.create_spreadsheet(KEY)
    with start_sheets_emulator(service) as emu:
        session = loopback_session(emu.url)
        statuses = [_write(session).status_code for _ in range(61)]
        assert statuses == [200] * 60 + [429]
        error = _write(session).json()["error"]
        assert error["status"] == "RESOURCE_EXHAUSTED" and error["code"] == 429
        assert error["message"].startswith("Quota exceeded for quota metric 'Write requests' and limit "
                                           "'Write requests per minute per user' of service 'sheets.googleapis.com'")
        info = error["details"][0]
        assert info["@type"] == "type.googleapis.com/google.rpc.ErrorInfo"
        assert info["reason"] == "RATE_LIMIT_EXCEEDED"
        assert info["metadata"]["quota_limit"] == "WriteRequestsPerMinutePerUser"
        assert session.get(f"{SHEETS}/{KEY}").status_code == 200  # reads have their own quota
        clock.now += 60
        assert _write(session).status_code == 200  # a new minute refills the quota


def test_users_are_counted_apart_and_the_project_limit_covers_all():
    """Each bearer token (or quotaUser) has its own per-user count; all share the per-project one."""
    clock = Clock()
    service = SheetsService(clock=clock, quota_limits=QuotaLimits(write_per_user=2, write_per_project=5))
    service.create_spreadsheet(KEY)
    with start_sheets_emulator(service) as emu:
        alice, bob = loopback_session(emu.url, "alice"), loopback_session(emu.url, "bob")
        assert [_write(alice).status_code for _ in range(3)] == [200, 200, 429]
        assert [_write(bob).status_code for _ in range(2)] == [200, 200]
        assert _write(alice, quotaUser="carol").status_code == 200
        refused = _write(alice, quotaUser="dave")
        assert refused.status_code == 429
        assert refused.json()["error"]["details"][0]["metadata"]["quota_limit"] == "WriteRequestsPerMinutePerProject"
        assert service.quota.used(write=True) == 5


def test_read_quota_counts_reads():
    """With read_per_user=1, the second read in a minute is 429 ReadRequestsPerMinutePerUser."""
    service = SheetsService(clock=Clock(), quota_limits=QuotaLimits(read_per_user=1))
    service.create_spreadsheet(KEY)
    with start_sheets_emulator(service) as emu:
        session = loopback_session(emu.url)
        assert session.get(f"{SHEETS}/{KEY}/values/A1").status_code == 200
        second = session.get(f"{SHEETS}/{KEY}/values/A1").json()["error"]
        assert second["details"][0]["metadata"]["quota_limit"] == "ReadRequestsPerMinutePerUser"


def test_fail_next_answers_the_chosen_status_then_recovers(sheets_emulator: RunningSheetsEmulator):
    """faults.fail_next(2, 503) makes exactly the next two requests fail, without changing any state."""
    sheets_emulator.service.create_spreadsheet(KEY)
    sheets_emulator.service.faults.fail_next(2, 503)
    session = loopback_session(sheets_emulator.url)
    statuses = [_write(session).status_code for _ in range(3)]
    assert statuses == [503, 503, 200]
    assert [s.title for s in sheets_emulator.service.spreadsheet(KEY).sheets] == ["B"]
    sheets_emulator.service.faults.fail_next(1, 500)
    reply = session.get(f"{SHEETS}/{KEY}")
    assert reply.status_code == 500 and reply.json()["error"]["status"] == "INTERNAL"


def test_delay_sleeps_before_answering():
    """faults.delay makes the service sleep (through its injectable sleep) before each answer."""
    slept: list[float] = []
    service = SheetsService(sleep=slept.append)
    service.create_spreadsheet(KEY)
    service.faults.delay = 2.5
    with start_sheets_emulator(service) as emu:
        assert loopback_session(emu.url).get(f"{SHEETS}/{KEY}").status_code == 200
    assert slept == [2.5]
