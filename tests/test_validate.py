"""The validate service: one parse per call, problems that carry their severity, the pre-fetch template check."""

from __future__ import annotations

from pathlib import Path

import pytest

from sheets_sync.cli import main
from sheets_sync.config import loader
from sheets_sync.config.problems import Finding, warning
from sheets_sync.errors import ConfigError, ConfigProblem
from sheets_sync.validate import validate_config
from tests.config.samples import CREDENTIALS, MINIMAL

WARNINGS = """\
api:
  requests_per_minute: 300
destinations:
  out: {type: csv, output: "reports/{report}.csv"}
  spare: {type: csv, output: reports/spare.csv}
reports:
  - name: Campaigns
    endpoint: campaigns/performance
    metrics: [impressions]
    date_range: last_7_days
    destination: out
"""


@pytest.fixture
def config_path(tmp_path: Path) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(WARNINGS, encoding="utf-8")
    return path


class CountingReads:
    """Wraps the loader's YAML reader and counts the files it parses."""

    def __init__(self, read):
        self.read, self.calls = read, 0

    def __call__(self, *args, **kwargs):
        self.calls += 1
        return self.read(*args, **kwargs)


class TestSeverity:
    def test_warnings_carry_their_severity_not_a_message_prefix(self, config_path):
        """Warnings are ConfigProblems with severity "warning" and a plain message; the config stays usable."""
        result = validate_config(config_path, CREDENTIALS)
        assert [(p.severity, p.path, p.message) for p in result.problems] == [
            ("warning", "api.requests_per_minute",
             "above the documented limit of 120 requests per minute; the API may answer 429"),
            ("warning", "destinations.spare", "no report writes to this destination"),
        ]
        assert result.errors == [] and result.config is not None and len(result.config.reports) == 1

    def test_errors_come_first_and_make_the_config_unusable(self, config_path):
        """An error sorts before the warnings, has severity "error", and leaves no usable config."""
        config_path.write_text(WARNINGS.replace("last_7_days", "last_7_dayz"), encoding="utf-8")
        result = validate_config(config_path, CREDENTIALS)
        assert [(p.severity, p.path) for p in result.problems] == [
            ("error", "reports[0].date_range"), ("warning", "api.requests_per_minute")]
        assert result.config is None

    def test_a_finding_without_severity_is_an_error(self):
        """A check that yields (path, message) reports an error; `warning(...)` marks the exceptions."""
        assert Finding(*(("a",), "broken")).severity == "error"
        assert warning(("a",), "odd") == (("a",), "odd", "warning")
        assert ConfigProblem("f", 1, 1, "a", "broken").severity == "error"

    def test_the_cli_prints_a_warning_with_its_mark_and_exits_0(self, config_path, capsys, monkeypatch):
        """`validate` prints each warning with "(warning)" and counts both in the OK line."""
        for key, value in CREDENTIALS.items():
            monkeypatch.setenv(key, value)
        assert main(["validate", str(config_path)]) == 0
        lines = capsys.readouterr().out.strip().splitlines()
        assert lines[0].endswith("the API may answer 429 (warning)")
        assert lines[1].endswith("no report writes to this destination (warning)")
        assert lines[2] == f"OK: {config_path}: 1 report, 2 destinations, 2 warnings"


class TestParsedOnce:
    @pytest.mark.parametrize("broken", [False, True])
    def test_validate_reads_and_parses_the_file_once(self, config_path, capsys, monkeypatch, broken):
        """`sheets-sync validate` parses the YAML once, whether the config is valid (OK line) or not (exit 2)."""
        if broken:
            config_path.write_text(WARNINGS.replace("last_7_days", "last_7_dayz"), encoding="utf-8")
        for key, value in CREDENTIALS.items():
            monkeypatch.setenv(key, value)
        reads = CountingReads(loader.read_yaml)
        monkeypatch.setattr(loader, "read_yaml", reads)
        assert main(["validate", str(config_path)]) == (2 if broken else 0)
        assert reads.calls == 1


class TestRunTemplateCheck:
    def test_a_missing_template_stops_the_run_before_any_request(self, tmp_path: Path, make_emulator):
        """The orchestrator's pre-fetch check (validate's template check) refuses a missing template: no request."""
        from sheets_sync.config import load_config
        from sheets_sync.orchestrator import run_config

        emulator = make_emulator(pagination="page")
        path = tmp_path / "config.yaml"
        path.write_text(
            f"api: {{base_url: '{emulator.url}'}}\n" + MINIMAL.replace(
                "    type: csv\n    output: reports/{report}.csv\n",
                "    type: excel\n    template: missing.xlsx\n    output: reports/book.xlsx\n"), encoding="utf-8")
        cfg = load_config(path, {"LATER_CLIENT_ID": "demo-client", "LATER_CLIENT_SECRET": "demo-secret"})
        with pytest.raises(ConfigError) as raised:
            run_config(cfg)
        assert [p.message for p in raised.value.problems] == ["template file not found: missing.xlsx"]
        assert raised.value.problems[0].path == "destinations.out.template"
        assert emulator.stats.total == 0
