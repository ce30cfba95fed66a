"""Fixtures for the emulator tests: authorised sessions on the shared emulators."""

from __future__ import annotations

import pytest

from sheets_sync.emulator import RunningEmulator

from .support import Api


@pytest.fixture(scope="session")
def api(emulator: RunningEmulator) -> Api:
    """Authorised session on the shared page-generation emulator."""
    return Api(emulator)


@pytest.fixture(scope="session")
def capi(cursor_emulator: RunningEmulator) -> Api:
    """Authorised session on the shared cursor-generation emulator."""
    return Api(cursor_emulator)
