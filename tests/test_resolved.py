"""The resolved report: one object per report and run, built once, read by the client, records and sinks."""

from __future__ import annotations

import datetime as dt
import traceback
from pathlib import Path

import pytest

from sheets_sync import catalogue
from sheets_sync.api import ApiSettings
from sheets_sync.api.params import encode_params
from sheets_sync.config import load_config
from sheets_sync.config.models import ApiConfig, Config
from sheets_sync.config.resolve import DEFAULT_GRANULARITY
from sheets_sync.orchestrator import run_config
from sheets_sync.redaction import redact
from sheets_sync.resolved import resolve_report, resolve_reports
from tests.config.samples import CREDENTIALS, FIXTURES, FULL_ENV, MINIMAL

NOW = dt.datetime(2026, 7, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def full() -> Config:
    """The design example config (tests/config/fixtures/full.yaml), loaded with every variable set."""
    return load_config(FIXTURES / "full.yaml", FULL_ENV)


@pytest.fixture
def write_config(tmp_path: Path):
    """`write_config(text)`: the path of a config.yaml holding `text` in a fresh folder."""

    def write(text: str) -> Path:
        path = tmp_path / "config.yaml"
        path.write_text(text, encoding="utf-8")
        return path

    return write


def load(write_config, text: str) -> Config:
    """The loaded config of `text`, with the sample credentials."""
    return load_config(write_config(text), CREDENTIALS)


class TestParameters:
    def test_api_params_use_api_names(self, full):
        """The resolved parameters are the API's names, only what the endpoint accepts, for the resolved period."""
        roi = resolve_report(full.reports[0], "Europe/London", NOW)
        assert (roi.start, roi.end) == (dt.date(2026, 6, 1), dt.date(2026, 6, 30))  # last_30_days in London
        assert dict(roi.params) == {
            "startDate": "2026-06-01", "endDate": "2026-06-30",
            "metrics": ["impressions", "engagements", "engagementRate", "estimatedRoi", "paidImpressions", "paidCpm"],
            "instanceIds": ["instance_abc"], "platform": ["instagram", "tiktok"], "dateBasis": "performance_date",
            "sortProperty": "estimatedRoi", "sortDirection": "DESC",
        }

    def test_time_series_params_carry_granularity_and_no_sort(self, full):
        """The time-series report sends its granularity; it cannot sort, so no sort parameters appear."""
        trend = resolve_report(full.reports[1], "Europe/London", NOW)
        assert trend.params["granularity"] == "week" and "sortProperty" not in trend.params
        assert (trend.granularity, trend.fill_gaps) == ("week", True)

    def test_inherited_filters_the_endpoint_does_not_take_are_dropped(self, write_config):
        """defaults.instance_ids is not sent to /instances (which takes no filters), and it has no period."""
        text = "defaults:\n  instance_ids: [instance_abc]\n  platform: [tiktok]\n" + MINIMAL.replace(
            "endpoint: campaigns/performance", "endpoint: instances").replace("    metrics: [impressions]\n", "")
        cfg = load(write_config, text.replace("    date_range: last_7_days\n", ""))
        report = resolve_report(cfg.reports[0], "UTC", NOW)
        assert dict(report.params) == {} and (report.start, report.end) == (None, None)

    def test_camel_case_date_basis_is_sent_in_reference_spelling(self, write_config):
        """`date_basis: postDate` reaches the API as post_date: normalised once, by the config, from one table."""
        cfg = load(write_config, MINIMAL + "    date_basis: postDate\n")
        params = resolve_report(cfg.reports[0], "UTC", NOW).params
        assert params["dateBasis"] == "post_date"
        assert ("dateBasis", "post_date") in encode_params("campaigns/performance", params)

    def test_encoding_does_not_respell_the_date_basis(self):
        """The client sends dateBasis as given: spellings are not normalised a second time on the way out."""
        assert encode_params("x", {"dateBasis": "postDate"}) == [("dateBasis", "postDate")]


class TestDefaults:
    def test_time_series_granularity_default_is_applied_once_at_load(self, write_config):
        """A time series without `granularity` is month in the loaded config and in the resolved report alike."""
        text = MINIMAL.replace("endpoint: campaigns/performance", "endpoint: instances/performance-over-time")
        cfg = load(write_config, text)
        assert cfg.reports[0].granularity == DEFAULT_GRANULARITY == "month"
        report = resolve_report(cfg.reports[0], "UTC", NOW)
        assert (report.granularity, report.params["granularity"], report.fill_gaps) == ("month", "month", True)

    def test_reports_without_a_time_series_have_no_granularity(self, write_config):
        """granularity and fill_gaps belong to the time series only: nothing is sent elsewhere."""
        report = resolve_report(load(write_config, MINIMAL).reports[0], "UTC", NOW)
        assert report.granularity is None and report.fill_gaps is False and "granularity" not in report.params

    def test_row_limit_is_the_smaller_cap(self, full):
        """max_rows (500 in the example) and a run-wide cap combine to the smaller; neither means no limit."""
        roi, trend = resolve_reports(full, full.reports, NOW)
        assert (roi.row_limit(), roi.row_limit(10), roi.row_limit(1000)) == (500, 10, 500)
        assert (trend.row_limit(), trend.row_limit(7)) == (None, 7)


class TestOutputs:
    def test_report_offers_slug_destinations_tab_and_columns(self, full):
        """slug, destinations, tab, table and the configured columns are what the sinks read."""
        roi, trend = resolve_reports(full, full.reports, NOW)
        assert (roi.slug, roi.destinations, roi.tab, roi.table) == (
            "campaign-roi", ("team_sheet", "raw_csv"), "Campaigns", None)
        assert [(c.field, c.header, c.format) for c in roi.columns] == [
            ("campaignName", "Campaign", None), ("metrics.estimatedRoi", "Est. ROI", "0.00")]
        assert trend.columns is None and (trend.tab, trend.table) == ("Trend", "tblTrend")
        assert roi.timezone == trend.timezone == "Europe/London"

    def test_column_given_as_text_is_a_field(self, write_config):
        """`columns: [campaignName]` is short for `[{field: campaignName}]`; the header drops `metrics.`."""
        cfg = load(write_config, MINIMAL + "    columns: [campaignName, metrics.impressions]\n")
        assert [(c.field, c.header) for c in resolve_report(cfg.reports[0], "UTC", NOW).columns] == [
            ("campaignName", "campaignName"), ("metrics.impressions", "impressions")]


class CountingLookups(dict):
    """The catalogue's name index, counting every lookup sheets-sync makes through it (the emulator's own aside)."""

    lookups = 0

    def get(self, *args):  # type: ignore[override]  # same signature as dict.get, counted
        # The in-process emulator routes each request through the catalogue too: that is the server, not us.
        callers = {frame.f_globals.get("__name__", "") for frame, _ in traceback.walk_stack(None)}
        if not any(name.startswith("sheets_sync.emulator") for name in callers):
            CountingLookups.lookups += 1
        return super().get(*args)


class TestLookedUpOnce:
    def test_the_endpoint_object_is_the_one_resolved_at_load(self, full):
        """Every resolved report holds the very Endpoint object the config resolved; no second catalogue entry."""
        for report, resolved in zip(full.reports, resolve_reports(full, full.reports, NOW), strict=True):
            assert resolved.endpoint is report.endpoint_info
            assert resolved.endpoint is catalogue.get_endpoint(report.endpoint)

    def test_a_run_looks_no_endpoint_up_after_loading(self, tmp_path: Path, emulator, monkeypatch):
        """A whole run (resolve, fetch, build tables) makes zero catalogue lookups: the config resolved them once."""
        path = tmp_path / "sync.yaml"
        path.write_text(
            "api: {base_url: '${LATER_API_URL}', pagination: page}\n"
            "defaults: {date_range: {start: 2026-04-01, end: 2026-06-30}}\n"
            "destinations: {flat: {type: csv, output: 'out/{report}.csv'}}\n"
            "reports:\n"
            "  - {name: A, endpoint: campaigns/performance, metrics: [impressions], destination: flat}\n"
            "  - {name: B, endpoint: instances/performance-over-time, metrics: [impressions], destination: flat}\n"
            "  - {name: C, endpoint: /v2/networks/performance, metrics: [impressions], destination: flat}\n",
            encoding="utf-8")
        cfg = load_config(path, {**CREDENTIALS, "LATER_API_URL": emulator.url,
                                 "LATER_CLIENT_ID": "demo-client", "LATER_CLIENT_SECRET": "demo-secret"})
        assert CountingLookups.lookups == 0
        monkeypatch.setattr(catalogue, "ENDPOINTS_BY_NAME", CountingLookups(catalogue.ENDPOINTS_BY_NAME))
        summary = run_config(cfg, now=NOW, dry_run=True)
        assert [o.status for o in summary.outcomes] == ["dry_run"] * 3, [o.error for o in summary.outcomes]
        assert all(summary.tables[name].rows for name in "ABC")
        assert summary.tables["C"].meta.endpoint == "platforms/performance"  # the alias resolved to its entry
        assert CountingLookups.lookups == 0


class TestApiSettingsFromConfig:
    def test_every_api_key_of_the_config_reaches_the_settings(self):
        """Each `api:` key of the config is an ApiSettings field of the same name, so none is dropped or copied."""
        values = {"base_url": "https://api.example.com", "version": "v1", "client_id": "id-1",
                  "client_secret": "s3cret-from-config", "pagination": "cursor", "page_size": 25,
                  "max_concurrency": 7, "requests_per_minute": 90, "timeout_seconds": 12.5}
        assert set(values) == set(ApiConfig.model_fields)
        settings = ApiSettings.from_values(ApiConfig.model_validate(values).model_dump())
        assert {key: getattr(settings, key) for key in values} == values
        assert "s3cret-from-config" not in repr(settings)
        assert redact("token s3cret-from-config") == "token ***"  # registered as a secret on the way

    def test_unset_keys_keep_the_settings_defaults(self):
        """A config without credentials gives empty ones, and the client's own defaults (retries, margins) stay."""
        settings = ApiSettings.from_values(ApiConfig().model_dump())
        assert (settings.client_id, settings.client_secret) == ("", "")
        assert settings.max_attempts == ApiSettings().max_attempts

    def test_an_unknown_key_is_refused(self):
        """A config key the settings do not know is an error, not silently dropped."""
        with pytest.raises(ValueError, match=r"unknown API setting.*proxy"):
            ApiSettings.from_values({"proxy": "http://x"})


class TestComparisonPeriod:
    def test_the_resolved_report_carries_its_comparison_period(self, write_config):
        """compare: the resolved report holds the dates its comparison columns will hold (for the dry run too)."""
        text = MINIMAL.replace("date_range: last_7_days", "date_range: last_month\n    compare: previous_year")
        report = resolve_report(load(write_config, text).reports[0], "UTC", NOW)
        assert (report.start, report.end) == (dt.date(2026, 6, 1), dt.date(2026, 6, 30))
        assert report.compare_period == (dt.date(2025, 6, 1), dt.date(2025, 6, 30))
        assert resolve_report(load(write_config, MINIMAL).reports[0], "UTC", NOW).compare_period is None

    def test_an_inherited_day_counting_range_compares_with_as_many_days(self, write_config):
        """defaults.date_range last_30_days on 1 July covers June, yet previous_period is 2-31 May, not May."""
        text = ("defaults:\n  date_range: last_30_days\n"
                + MINIMAL.replace("    date_range: last_7_days\n", "    compare: previous_period\n"))
        report = resolve_report(load(write_config, text).reports[0], "UTC", NOW)
        assert (report.start, report.end) == (dt.date(2026, 6, 1), dt.date(2026, 6, 30))
        assert report.compare_period == (dt.date(2026, 5, 2), dt.date(2026, 5, 31))
