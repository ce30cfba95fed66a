"""Fixtures for CLI tests: a config in a temporary folder pointing at the session emulator."""

from __future__ import annotations

from pathlib import Path

import pytest

CONFIG = """\
timezone: UTC
api:
  base_url: ${LATER_API_URL}
  client_id: ${LATER_CLIENT_ID}
  client_secret: ${LATER_CLIENT_SECRET}
  pagination: page
defaults:
  date_range: {start: 2026-04-01, end: 2026-06-30}   # inside the emulator's default data window
destinations:
  book: {type: excel, output: out/book.xlsx}
  flat: {type: csv, output: "out/{report}.csv"}
reports:
  - name: Campaigns
    endpoint: campaigns/performance
    metrics: [impressions, engagements]
    destination: [book, flat]
  - name: Platforms
    endpoint: platforms/performance
    metrics: [impressions]
    destination: flat
"""

FORBIDDEN = """\
  - name: Forbidden
    endpoint: creators/performance
    metrics: [impressions]
    filters: {instance_ids: [instance_zzz]}
    destination: flat
"""


@pytest.fixture
def api_env(emulator, monkeypatch) -> dict[str, str]:
    """Point ${LATER_API_URL} and the credentials at the session emulator."""
    env = {"LATER_API_URL": emulator.url, "LATER_CLIENT_ID": "demo-client", "LATER_CLIENT_SECRET": "demo-secret"}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env


@pytest.fixture
def config_file(tmp_path: Path, api_env) -> Path:
    """A valid config with two reports (campaigns to a workbook and CSV, platforms to CSV)."""
    path = tmp_path / "sync.yaml"
    path.write_text(CONFIG, encoding="utf-8")
    return path


@pytest.fixture
def failing_config_file(tmp_path: Path, api_env) -> Path:
    """The same config plus a report the API refuses (403: an instance the credentials cannot see)."""
    path = tmp_path / "sync.yaml"
    path.write_text(CONFIG + FORBIDDEN, encoding="utf-8")
    return path
