"""Shared fixtures: running Later API emulators on loopback ports.

`emulator` (page generation, seed 1) and `cursor_emulator` are session-scoped: tests must not
change their state (call `emu.stats.reset()` only if you own the counts). `make_emulator(**overrides)`
starts a fresh one with any EmulatorOptions overrides and stops it at teardown.
`sheets_emulator` is a fresh Google Sheets emulator per test (seed 1), empty: create spreadsheets through
`sheets_emulator.service.create_spreadsheet(key)`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from sheets_sync import redaction
from sheets_sync.emulator import EmulatorOptions, RunningEmulator, start_emulator
from sheets_sync.sheets_emulator.discovery import DiscoveryValidator, load_sheets_validator
from sheets_sync.sheets_emulator.server import RunningSheetsEmulator, start_sheets_emulator


@pytest.fixture(autouse=True)
def _forget_test_secrets() -> Iterator[None]:
    """Secrets a test registers are forgotten after it, so a word one test calls a secret is masked in no other.

    The registry is process-wide by design (a run registers its credentials once); tests reach into it
    here rather than the package growing a reset nobody else needs.
    """
    saved = set(redaction._secrets)
    yield
    with redaction._lock:
        redaction._secrets.clear()
        redaction._secrets.update(saved)


@pytest.fixture(scope="session")
def emulator() -> Iterator[RunningEmulator]:
    """A page-generation emulator, seed 1, shared by the whole session."""
    with start_emulator(EmulatorOptions(pagination="page", seed=1)) as emu:
        yield emu


@pytest.fixture(scope="session")
def cursor_emulator() -> Iterator[RunningEmulator]:
    """A cursor-generation emulator, seed 1, shared by the whole session."""
    with start_emulator(EmulatorOptions(pagination="cursor", seed=1)) as emu:
        yield emu


@pytest.fixture
def make_emulator() -> Iterator[Callable[..., RunningEmulator]]:
    """Factory: make_emulator(pagination="cursor", error_rate=0.2, ...) → a started emulator."""
    started: list[RunningEmulator] = []

    def make(**overrides: object) -> RunningEmulator:
        emu = start_emulator(EmulatorOptions(**overrides))  # type: ignore[arg-type]  # options vary per test
        started.append(emu)
        return emu

    yield make
    for emu in started:
        emu.stop()


@pytest.fixture(scope="session")
def sheets_validator() -> DiscoveryValidator:
    """Google's discovery document as a request validator, loaded once (google-api-python-client is a test tool)."""
    validator = load_sheets_validator()
    assert validator is not None, "google-api-python-client is missing: pip install -r requirements-dev.txt"
    return validator


@pytest.fixture
def sheets_emulator(sheets_validator: DiscoveryValidator) -> Iterator[RunningSheetsEmulator]:
    """A Google Sheets API emulator of its own for the test (seed 1, default quotas, strict grid), answering
    every request Google's discovery document would refuse with Google's 400, as Google would."""
    with start_sheets_emulator(seed=1, validator=sheets_validator) as running:
        yield running
