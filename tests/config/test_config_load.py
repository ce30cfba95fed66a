"""Loading: the full example config, defaults inheritance, ${ENV}, secrets, resolved paths, report helpers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pydantic import ValidationError

from sheets_sync.config import load_config
from sheets_sync.config.models import Config, FixedRangeConfig, LastPeriodConfig
from sheets_sync.errors import ConfigError
from sheets_sync.redaction import redact
from sheets_sync.validate import validate_config
from tests.config.samples import CREDENTIALS, FIXTURES, FULL_ENV, MINIMAL


@pytest.fixture
def full() -> Config:
    """The full example config (fixtures/full.yaml), loaded with every variable set."""
    return load_config(FIXTURES / "full.yaml", FULL_ENV)


class TestFullExample:
    def test_design_example_loads_without_problems(self):
        """The full example (with ${VAR} references quoted inside flow mappings) validates without a problem."""
        found = validate_config(FIXTURES / "full.yaml", FULL_ENV).problems
        assert [(p.severity, p.path, p.message) for p in found] == []

    def test_reports_inherit_defaults(self, full):
        """instance_ids, date_range and date_basis come from defaults unless a report sets its own."""
        roi, trend = full.reports
        assert roi.filters.instance_ids == ["instance_abc"] and trend.filters.instance_ids == ["instance_abc"]
        assert roi.date_range == "last_30_days"
        assert trend.date_range == LastPeriodConfig(last=26, unit="weeks")
        assert roi.date_basis == "performance_date"  # defaults wrote performanceDate

    def test_report_content_type_replaces_inherited_platform(self, write_config):
        """platform and content_type are inherited as one choice, so a report's content_type wins cleanly."""
        text = "defaults:\n  platform: [tiktok]\n" + MINIMAL + "    filters: {content_type: instagram_reel}\n"
        report = load_config(write_config(text), CREDENTIALS).reports[0]
        assert (report.filters.platform, report.filters.content_type) == (None, ["instagram_reel"])

    def test_derived_defaults_are_explicit(self, full):
        """mode, granularity and fill_gaps hold their effective values after loading."""
        roi, trend = full.reports
        assert (roi.mode, roi.granularity, roi.fill_gaps) == ("replace", None, False)
        assert (trend.mode, trend.granularity, trend.fill_gaps) == ("replace", "week", True)

    def test_relative_paths_resolve_against_the_config_folder(self, full):
        """output templates and state_dir are absolute, under the config file's folder."""
        folder = FIXTURES.resolve()
        assert full.destinations["raw_csv"].output == str(folder / "reports/{report}.csv")
        assert full.state_dir == folder / ".sheets-sync"
        assert full.base_dir == folder

    def test_line_index_is_kept(self, full):
        """The config remembers where each key was written, for errors found at run time."""
        assert full.location(("reports", 1, "tab")) == (57, 5)
        assert full.location(("reports", 1, "no_such_key")) == (51, 5)

    def test_config_is_frozen(self, full):
        """A loaded config cannot be changed by accident."""
        with pytest.raises(ValidationError, match="frozen"):
            full.timezone = "UTC"


class TestEnvironment:
    def test_missing_variable_is_a_problem_naming_the_key(self, errors):
        """An unset ${VAR} is reported at the key that uses it."""
        text = MINIMAL.replace("output: reports/{report}.csv", "output: ${OUT_DIR}/{report}.csv")
        assert errors(text) == ["config.yaml:4:5: destinations.out.output: environment variable OUT_DIR is not set"]

    def test_missing_variable_is_the_only_problem_at_its_key(self, errors):
        """An unset variable is not also reported as an empty URL or an inline secret."""
        found = errors("api:\n  base_url: ${API_URL}\n  client_secret: ${SECRET}\n" + MINIMAL)
        assert found == ["config.yaml:2:3: api.base_url: environment variable API_URL is not set",
                         "config.yaml:3:3: api.client_secret: environment variable SECRET is not set"]

    def test_variables_interpolate_inside_text(self, write_config):
        """${VAR} is replaced inside a longer value; $${ writes a literal ${."""
        path = write_config(MINIMAL.replace("output: reports/{report}.csv", "output: ${OUT_DIR}/{report}.csv")
                            .replace("name: Campaigns", "name: Spend in $${CURRENCY}"))
        cfg = load_config(path, {**CREDENTIALS, "OUT_DIR": "exports"})
        assert cfg.destinations["out"].output.endswith("exports/{report}.csv")
        assert cfg.reports[0].name == "Spend in ${CURRENCY}"

    def test_malformed_reference_is_a_problem(self, errors):
        """`${}` and an unclosed `${` are problems, not text."""
        text = MINIMAL.replace("output: reports/{report}.csv", "output: reports/${OUT_DIR.csv")
        assert errors(text) == ["config.yaml:4:5: destinations.out.output: malformed reference ${OUT_DIR.csv; "
                                "write ${NAME} (letters, digits, _), or $${ for a literal ${"]

    def test_numbers_from_the_environment_are_numbers(self, write_config):
        """`page_size: ${PAGE}` reads the digits as a whole number."""
        cfg = load_config(write_config("api:\n  page_size: ${PAGE}\n" + MINIMAL), {**CREDENTIALS, "PAGE": "25"})
        assert cfg.api.page_size == 25

    def test_inline_secret_is_a_problem(self, errors):
        """A client secret written into the file is refused; it must be ${VAR}."""
        found = errors("api:\n  client_secret: hunter2-literal\n" + MINIMAL)
        assert found == ["config.yaml:2:3: api.client_secret: a secret must come from the environment: "
                         "write ${VARIABLE_NAME} and set that variable"]

    def test_secret_from_the_environment_is_redacted(self, write_config):
        """The secret's value is registered for redaction and hidden in the model's repr."""
        cfg = load_config(write_config("api:\n  client_secret: ${SECRET}\n" + MINIMAL),
                          {"LATER_CLIENT_ID": "me", "SECRET": "zz-top-secret-9"})
        assert cfg.api.client_secret.get_secret_value() == "zz-top-secret-9"
        assert "zz-top-secret-9" not in repr(cfg)
        assert redact("token zz-top-secret-9 leaked") == "token *** leaked"

    def test_credentials_default_to_the_standard_variables(self, write_config):
        """Without api.client_id/client_secret in the file, LATER_CLIENT_ID/_SECRET are used."""
        cfg = load_config(write_config(MINIMAL), {"LATER_CLIENT_ID": "me", "LATER_CLIENT_SECRET": "pw-123456"})
        assert cfg.api.client_id == "me" and cfg.api.client_secret.get_secret_value() == "pw-123456"

    def test_sheets_credentials_are_optional_application_default_credentials_are_the_fallback(self, errors):
        """A google_sheets destination without `credentials:` is valid: the run falls back to ADC."""
        text = MINIMAL.replace("type: csv\n    output: reports/{report}.csv",
                               "type: google_sheets\n    spreadsheet: 1AbCdEfGhIjKlMnOp")
        assert errors(text) == []
        assert errors(text, {"SHEETS_EMULATOR_HOST": "127.0.0.1:9"}) == []


class TestLoadConfig:
    def test_load_config_raises_every_problem(self, write_config):
        """load_config raises one ConfigError carrying all problems."""
        path = write_config(MINIMAL.replace("metrics: [impressions]", "metrics: [impresions]")
                            .replace("date_range: last_7_days", "date_range: last_7_dayz"))
        with pytest.raises(ConfigError) as raised:
            load_config(path, CREDENTIALS)
        assert [str(p) for p in raised.value.problems] == [
            'config.yaml:8:15: reports[0].metrics[0]: unknown metric "impresions" for campaigns/performance '
            '(did you mean "impressions"?)',
            'config.yaml:9:5: reports[0].date_range: unknown date range "last_7_dayz" (did you mean '
            '"last_7_days"?); expected one of: today, yesterday, last_7_days, last_30_days, last_90_days, '
            'this_week, last_week, month_to_date, last_month, quarter_to_date, last_quarter, year_to_date, last_year',
        ]

    def test_requests_per_minute_above_120_is_a_warning(self, write_config):
        """A budget above the documented 120/min loads, with a warning (exit 0 from validate)."""
        path = write_config("api:\n  requests_per_minute: 300\n" + MINIMAL)
        cfg = load_config(path, CREDENTIALS)
        assert [str(w) for w in cfg.warnings] == [
            "config.yaml:2:3: api.requests_per_minute: above the documented limit of 120 requests per minute; "
            "the API may answer 429"]
        found = validate_config(path, CREDENTIALS).problems
        assert len(found) == 1 and found[0].severity == "warning"

    def test_fixed_dates_accept_quoted_and_unquoted_forms(self, write_config):
        """`start: 2025-01-01` (a YAML date) and `end: "2025-01-31"` (text) both become dates."""
        path = write_config(MINIMAL.replace("date_range: last_7_days",
                                            'date_range: {start: 2025-01-01, end: "2025-01-31"}'))
        report = load_config(path, CREDENTIALS).reports[0]
        assert report.date_range == FixedRangeConfig(start=dt.date(2025, 1, 1), end=dt.date(2025, 1, 31))

    def test_state_dir_defaults_beside_the_config(self, write_config):
        """Without state_dir, state lives in .sheets-sync/ next to the config file."""
        cfg = load_config(write_config(MINIMAL), CREDENTIALS)
        assert cfg.state_dir == Path.cwd().resolve() / ".sheets-sync"

    def test_state_url_must_be_a_database_url(self, errors):
        """state_url is checked as a SQLAlchemy URL."""
        assert errors("state_url: not a url\n" + MINIMAL) == [
            "config.yaml:1:1: state_url: expected a SQLAlchemy database URL such as sqlite:///history.sqlite or "
            "postgresql://host/db"]

    def test_state_url_password_is_redacted(self, write_config):
        """A password inside state_url never reaches a log line."""
        validate_config(write_config("state_url: postgresql://sync:pg-pass-4711@db/history\n" + MINIMAL), CREDENTIALS)
        assert redact("connect failed: pg-pass-4711") == "connect failed: ***"
