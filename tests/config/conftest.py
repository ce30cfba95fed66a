"""Fixtures for config tests: write a YAML file into a temporary folder and check it from there."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from sheets_sync.config import check_config_file
from sheets_sync.validate import validate_config
from tests.config.samples import CREDENTIALS


@pytest.fixture
def write_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[str], Path]:
    """Write YAML text to config.yaml in a fresh folder (the working directory) and return its relative path."""
    monkeypatch.chdir(tmp_path)

    def write(text: str) -> Path:
        path = Path("config.yaml")
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return write


@pytest.fixture
def problems(write_config: Callable[[str], Path]) -> Callable[..., list[str]]:
    """`problems(yaml_text, env={})`: every problem `validate` prints for that text (env over CREDENTIALS)."""

    def check(text: str, env: dict[str, str] | None = None) -> list[str]:
        return [str(p) for p in validate_config(write_config(text), {**CREDENTIALS, **(env or {})}).problems]

    return check


@pytest.fixture
def errors(write_config: Callable[[str], Path]) -> Callable[..., list[str]]:
    """`errors(yaml_text, env={})`: what `load_config` would raise (no warnings, no deep checks).

    `env` is laid over CREDENTIALS.
    """

    def check(text: str, env: dict[str, str] | None = None) -> list[str]:
        return [str(p) for p in check_config_file(write_config(text), {**CREDENTIALS, **(env or {})}).problems]

    return check
