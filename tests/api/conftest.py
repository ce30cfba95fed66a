"""Fixtures for the API client tests: emulators in both pagination modes, scripted servers, fake sleep."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from api_helpers import FakeSleep, running_emulator
from api_scripted_server import Reply, ScriptedServer, Seen, start_scripted


@pytest.fixture
def fake_sleep() -> FakeSleep:
    """A sleep function that only records its argument."""
    return FakeSleep()


@pytest.fixture
def scripted() -> Iterator[Callable[..., ScriptedServer]]:
    """Factory for scripted loopback servers, stopped after the test."""
    stops: list[Callable[[], None]] = []

    def make(script: Callable[[Seen], Reply], **kwargs: Any) -> ScriptedServer:
        server, stop = start_scripted(script, **kwargs)
        stops.append(stop)
        return server

    yield make
    for stop in stops:
        stop()


@pytest.fixture(params=["page", "cursor"])
def mode(request: pytest.FixtureRequest) -> str:
    """Each pagination generation of the emulator in turn."""
    return request.param


@pytest.fixture
def emu(mode: str) -> Iterator[Any]:
    """A fault-free emulator serving the `mode` generation."""
    with running_emulator(pagination=mode) as emulator:
        yield emulator


def _factory(default_mode: str) -> Iterator[Callable[..., Any]]:
    stack: list[Any] = []

    def make(**options: Any) -> Any:
        options.setdefault("pagination", default_mode)
        cm = running_emulator(**options)
        emulator = cm.__enter__()
        stack.append(cm)
        return emulator

    yield make
    for cm in reversed(stack):
        cm.__exit__(None, None, None)


@pytest.fixture
def emu_factory(mode: str) -> Iterator[Callable[..., Any]]:
    """Factory for emulators in the `mode` generation with extra options; all stopped after the test."""
    yield from _factory(mode)


@pytest.fixture
def make_emu() -> Iterator[Callable[..., Any]]:
    """Factory for emulators whose generation the test chooses (page unless told); stopped after the test."""
    yield from _factory("page")
