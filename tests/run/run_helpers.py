"""Shared helpers of the run tests: configs built from report lists, the emulator environment, file listings."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sheets_sync.emulator import RunningEmulator

# The emulator's data ends on its default anchor date (2026-06-30); fixed ranges keep tests independent of today.
NOW = dt.datetime(2026, 7, 1, 9, 0, tzinfo=dt.UTC)
# posts/performance is left out: thousands of rows make it the slow one for the emulator.
ENDPOINTS = ("campaigns/performance", "platforms/performance", "creators/performance", "campaigns/performance",
             "platforms/return-on-investment", "instances/performance")
ONE_PAGE_ENDPOINTS = ("campaigns/performance", "platforms/performance", "platforms/return-on-investment",
                      "instances/performance")  # one page each at page_size 100


def config_text(reports: list[tuple[str, str, str]], *, destinations: str, max_concurrency: int = 8,
                page_size: int = 100, date_range: str = "{start: 2026-04-01, end: 2026-06-30}") -> str:
    """A config with `destinations` (YAML lines under destinations:) and reports as (name, endpoint, destination)."""
    lines = ["timezone: UTC", "api:", "  base_url: ${LATER_API_URL}", "  client_id: ${LATER_CLIENT_ID}",
             "  client_secret: ${LATER_CLIENT_SECRET}", "  pagination: page", f"  page_size: {page_size}",
             f"  max_concurrency: {max_concurrency}", "defaults:", f"  date_range: {date_range}",
             "destinations:", destinations.rstrip("\n"), "reports:"]
    for name, endpoint, destination in reports:
        metrics = "" if endpoint == "platforms/return-on-investment" else "\n    metrics: [impressions]"
        lines.append(f"  - name: {name}\n    endpoint: {endpoint}{metrics}\n    destination: {destination}")
    return "\n".join(lines) + "\n"


def write_config(folder: Path, text: str) -> Path:
    """Write `text` as folder/sync.yaml and return its path."""
    path = folder / "sync.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def env_for(emu: RunningEmulator) -> dict[str, str]:
    """The environment a config needs to reach `emu` with its default credentials."""
    return {"LATER_API_URL": emu.url, "LATER_CLIENT_ID": "demo-client", "LATER_CLIENT_SECRET": "demo-secret"}


def files_under(folder: Path) -> set[str]:
    """Every file below `folder`, relative."""
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}
