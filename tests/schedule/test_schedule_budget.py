"""Jobs of one scheduler process share one API rate budget: each run's client draws on the origin's budget."""

from __future__ import annotations

from pathlib import Path

from sheets_sync.api import ApiClient, ApiSettings
from sheets_sync.config import load_config

CONFIG = """\
api: {base_url: "http://127.0.0.1:9", requests_per_minute: 90}
destinations:
  flat: {type: csv, output: "out/{report}.csv"}
reports:
  - {name: A, endpoint: campaigns/performance, metrics: [impressions], date_range: last_7_days, destination: flat,
     schedule: "0 6 * * *"}
  - {name: B, endpoint: platforms/performance, metrics: [impressions], date_range: last_7_days, destination: flat,
     schedule: "30 6 * * *"}
"""


def test_two_jobs_runs_in_one_process_draw_on_one_rate_budget(tmp_path: Path) -> None:
    """Each run opens its own client (as two jobs do); both take their requests from the same budget object."""
    path = tmp_path / "sync.yaml"
    path.write_text(CONFIG, encoding="utf-8")
    env = {"LATER_CLIENT_ID": "budget-client", "LATER_CLIENT_SECRET": "budget-secret-93c1"}
    cfg = load_config(path, env)
    settings = ApiSettings.from_values(cfg.api.model_dump())
    with ApiClient(settings) as first, ApiClient(settings) as second:
        assert first.rate_budget is second.rate_budget
        assert first.transport.rate_budget is second.transport.rate_budget
    other = ApiSettings.from_values({**cfg.api.model_dump(), "base_url": "http://127.0.0.1:10"})
    with ApiClient(other) as elsewhere:
        assert elsewhere.rate_budget is not first.rate_budget  # a budget belongs to one origin
