"""Rules added after QA: outputs never shared, unimplemented features refused or warned, no tracebacks,
no secrets in problems, credentials required, v1 metrics, every independent problem reported at once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sheets_sync.catalogue import V1_METRICS, get_endpoint
from sheets_sync.config import check_config_file
from sheets_sync.config.reports import slugify
from sheets_sync.errors import ConfigProblem
from sheets_sync.redaction import register_secret
from tests.config.samples import CREDENTIALS, MINIMAL

# Test input kept outside the repository: the published v1 OpenAPI document, in the folder beside it (as in
# tests/emulator/test_v1_contract.py); the test that reads it is skipped where it is absent.
V1_OPENAPI = Path(__file__).resolve().parents[3] / "shared" / "reference" / "mavrck-reporting-api-v1.openapi.json"

TWO_REPORTS = """\
destinations:
  out:
    type: csv
    output: {output}
reports:
  - name: A
    endpoint: campaigns/performance
    metrics: [impressions]
    date_range: last_7_days
    destination: out
  - name: B
    endpoint: campaigns/performance
    metrics: [impressions]
    date_range: last_7_days
    destination: out
"""

WORKBOOKS = """\
destinations:
  first: {{type: excel, output: {first}}}
  second: {{type: excel, output: {second}}}
reports:
  - {{name: A, endpoint: campaigns/performance, metrics: [impressions], date_range: last_7_days, destination: first}}
  - {{name: B, endpoint: campaigns/performance, metrics: [impressions], date_range: last_7_days, destination: second}}
"""


def with_report_lines(*lines: str, base: str = MINIMAL) -> str:
    """MINIMAL with extra `key: value` lines added to its report."""
    return base + "".join(f"    {line}\n" for line in lines)


class TestOutputsAreNeverShared:
    def test_csv_shared_by_two_reports_needs_the_report_placeholder(self, problems):
        """Two reports writing one CSV file without {report} would overwrite each other: a problem at output."""
        assert problems(TWO_REPORTS.format(output="out2/fixed.csv")) == [
            "config.yaml:4:5: destinations.out.output: 2 reports write to this csv destination but output has no "
            "{report} placeholder, so they would overwrite one file; add {report}, e.g. reports/{report}.csv"]

    def test_csv_shared_with_the_report_placeholder_is_fine(self, problems):
        """With {report} each report gets a file of its own."""
        assert problems(TWO_REPORTS.format(output="out2/{report}.csv")) == []

    def test_two_workbooks_spelled_differently_but_one_file_collide(self, problems):
        """`out2/wb.xlsx` and `out2/./wb.xlsx` are the same file: the second destination is a problem."""
        assert problems(WORKBOOKS.format(first="out2/wb.xlsx", second='"out2/./wb.xlsx"')) == [
            "config.yaml:3:25: destinations.second.output: writes the same file as destination first "
            "(out2/wb.xlsx); give each destination a file of its own"]

    def test_same_template_with_a_date_placeholder_collides(self, problems):
        """Two destinations with one `{end_date}` template write the same file on every run."""
        assert problems(WORKBOOKS.format(first='"r/{end_date}.xlsx"', second='"r/../r/{end_date}.xlsx"')) == [
            "config.yaml:3:25: destinations.second.output: writes the same file as destination first "
            "(r/2025-01-31.xlsx); give each destination a file of its own"]

    def test_names_differing_only_in_case_collide_and_say_why(self, problems):
        """`wb.xlsx` and `WB.xlsx` are one file on Windows and macOS, so the config refuses them everywhere."""
        assert problems(WORKBOOKS.format(first="o/wb.xlsx", second="o/WB.xlsx")) == [
            "config.yaml:3:25: destinations.second.output: writes the same file as destination first "
            "(o/WB.xlsx; names differing only in case are one file on Windows and macOS); "
            "give each destination a file of its own"]

    def test_different_dates_in_the_name_do_not_collide(self, problems):
        """`{start_date}` and `{end_date}` differ in the sample values, so these two are accepted."""
        assert problems(WORKBOOKS.format(first='"r/{start_date}.xlsx"', second='"r/{end_date}.xlsx"')) == []


OVER_TIME = MINIMAL.replace("endpoint: campaigns/performance", "endpoint: instances/performance-over-time")


class TestModes:
    @pytest.mark.parametrize("lines", [["mode: append"], ["mode: upsert", "key: [campaignId]"]])
    def test_append_and_upsert_are_accepted(self, problems, lines):
        """append on a dated aggregate and upsert with a key of its columns validate clean."""
        assert problems(with_report_lines(*lines)) == []

    def test_upsert_on_a_time_series_keys_on_the_bucket_start_by_default(self, problems):
        """An over-time report needs no key: its rows are known by startDate; lookback fits it."""
        assert problems(with_report_lines("mode: upsert", "lookback: 2w", base=OVER_TIME)) == []

    def test_a_time_series_without_its_bucket_column_is_refused(self, problems):
        """columns: that leave startDate out give append/upsert nothing to know a bucket by."""
        found = problems(with_report_lines("mode: append", "columns: [endDate, metrics.impressions]",
                                           base=OVER_TIME))
        assert found == ["config.yaml:12:5: reports[0].columns: mode append on a time series knows each row by its "
                         "bucket start: add startDate to columns"]

    def test_append_needs_an_endpoint_with_dates(self, problems):
        """The campaign roster has no period to tell one run's rows from the next."""
        text = MINIMAL.replace("endpoint: campaigns/performance", "endpoint: campaigns").replace(
            "    metrics: [impressions]\n    date_range: last_7_days\n", "")
        assert problems(with_report_lines("mode: append", base=text)) == [
            "config.yaml:9:5: reports[0].mode: mode append needs a period to tell one run's rows from the next, "
            "and campaigns takes no dates; use mode: upsert with key: (e.g. its id column)"]

    def test_lookback_applies_to_time_series_in_append_or_upsert_only(self, problems):
        """lookback with replace, or on an aggregate, is refused with the reason."""
        assert problems(with_report_lines("lookback: 7d", base=OVER_TIME)) == [
            "config.yaml:11:5: reports[0].lookback: does not apply: lookback is used only with mode: append or upsert"]
        assert problems(with_report_lines("mode: append", "lookback: 7d")) == [
            "config.yaml:12:5: reports[0].lookback: does not apply: campaigns/performance answers one total per "
            "period, so every run fetches its whole date_range; lookback re-fetches the last buckets of a time "
            "series (instances/performance-over-time)"]

    def test_max_rows_is_refused_on_an_appending_time_series(self, problems):
        """A capped fetch of the window would drop kept buckets it never reached."""
        assert problems(with_report_lines("mode: append", "max_rows: 5", base=OVER_TIME)) == [
            "config.yaml:12:5: reports[0].max_rows: does not apply with mode append on a time series: a capped "
            "fetch would drop the kept buckets it did not reach; remove max_rows"]

    @pytest.mark.parametrize("value", ["7", "1m", "week", "400d"])
    def test_lookback_is_a_count_of_days_or_weeks(self, problems, value):
        """Anything but Nd / Nw (at most a year) is one problem at the key."""
        found = problems(with_report_lines("mode: upsert", f"lookback: {value}", base=OVER_TIME))
        assert len(found) == 1 and found[0].startswith("config.yaml:12:5: reports[0].lookback: "), found

    def test_replace_is_accepted(self, problems):
        """`mode: replace` (the default) needs nothing more."""
        assert problems(with_report_lines("mode: replace")) == []

    def test_upsert_key_must_name_a_column(self, problems):
        """Each key of upsert is one of the report's columns (by header or field)."""
        found = problems(with_report_lines("mode: upsert", "key: [campaignId, campaignNam]"))
        assert found == [
            'config.yaml:12:23: reports[0].key[1]: key "campaignNam" is not one of this report\'s columns: '
            "campaignId, campaignName, instanceId, description, status, startDate, firstPostDate, lastPostDate, "
            "platforms, impressions"]


class TestNoTracebacks:
    def test_deep_nesting_is_refused_at_its_line(self, problems):
        """300 nested lists would overflow PyYAML's recursive composer; they are refused before it runs."""
        assert problems("a: " + "[" * 300 + "]" * 300 + "\n") == [
            "config.yaml:1:43: nesting deeper than 40 levels; refused"]

    @pytest.mark.parametrize(("last", "unit"), [(100000, "months"), (100000000, "days"), (144, "weeks")])
    def test_huge_last_is_a_problem(self, problems, last, unit):
        """A `last` beyond any two-year window is refused before it is turned into dates."""
        assert problems(MINIMAL.replace("date_range: last_7_days", f"date_range: {{last: {last}, unit: {unit}}}")) \
            == [f"config.yaml:9:5: reports[0].date_range: {last} {unit} is longer than the API's two-year limit allows"]

    def test_largest_last_is_checked_against_the_exact_limit(self, problems):
        """At the bound, the exact two-year rule still applies (1000 days is over two years)."""
        found = problems(MINIMAL.replace("date_range: last_7_days", "date_range: {last: 1000, unit: days}"))
        assert len(found) == 1 and "is longer than the API's 2-year limit" in found[0]

    def test_a_template_path_too_long_for_the_system_is_a_problem(self, problems):
        """A 5,000-character template name makes the OS refuse the lookup; that is reported, not raised."""
        name = "t" * 5000 + ".xlsx"
        text = MINIMAL.replace("type: csv\n    output: reports/{report}.csv",
                               f"type: excel\n    output: out.xlsx\n    template: {name}")
        assert problems(text) == [
            f"config.yaml:5:5: destinations.out.template: template file cannot be read: {name} (File name too long)"]

    def test_range_at_the_end_of_the_calendar_is_accepted(self, problems):
        """`9999-12-30..9999-12-31` is within two years; no "year 10001 is out of range"."""
        assert problems(MINIMAL.replace("date_range: last_7_days",
                                        "date_range: {start: 9999-12-30, end: 9999-12-31}")) == []


class TestSecretsNeverInProblems:
    def test_secret_put_in_another_key_is_masked(self, problems):
        """A ${VAR} used as client_secret is masked even where another key quotes it (a bad base_url)."""
        text = "api:\n  base_url: ${LATER_CLIENT_SECRET}\n" + MINIMAL
        assert problems(text, {"LATER_CLIENT_SECRET": "the-secret-42"}) == [
            "config.yaml:2:3: api.base_url: URL scheme must be http or https: '***'"]

    def test_value_of_a_secret_key_is_masked_wherever_else_it_is_used(self, problems):
        """A plainly named variable used as smtp.password is masked where another key quotes it."""
        text = MINIMAL.replace("type: csv\n    output: reports/{report}.csv",
                               "type: excel\n    output: out.xlsx\n    email:\n      to: [t@example.com]\n"
                               "      subject: Report\n      smtp:\n        host: smtp.example.com\n"
                               "        username: a@b.co\n        password: ${PW}\n"
                               "        security: ${PW}")
        assert problems(text, {"PW": "hunter-2-zz"}) == [
            'config.yaml:12:9: destinations.out.email.smtp.security: unknown value "***"; '
            "expected one of: starttls, ssl, none"]

    def test_variable_named_like_a_secret_is_masked(self, problems):
        """A variable called …TOKEN is registered as a secret wherever it is used."""
        text = MINIMAL.replace("date_range: last_7_days", "date_range: ${MY_TOKEN}")
        found = problems(text, {"MY_TOKEN": "tok-998877"})
        assert found and all("tok-998877" not in line for line in found)
        assert found[0].startswith('config.yaml:9:5: reports[0].date_range: unknown date range "***"')

    def test_problem_text_is_redacted(self):
        """str(ConfigProblem) passes through redaction, whoever built the message."""
        register_secret("pw-0451-zz")
        assert str(ConfigProblem("c.yaml", 1, 2, "api.x", "bad value pw-0451-zz")) == "c.yaml:1:2: api.x: bad value ***"


class TestCredentialsRequired:
    def test_no_client_id_or_secret_anywhere_is_a_problem(self, write_config):
        """Without keys in the file and without LATER_CLIENT_ID/SECRET, validate says so (no 17 s of retries)."""
        found = check_config_file(write_config(MINIMAL), {}).problems
        assert [str(p) for p in found] == [
            "config.yaml:1:1: api.client_id: client id missing: set the environment variable LATER_CLIENT_ID, "
            "or write api.client_id: ${VARIABLE}",
            "config.yaml:1:1: api.client_secret: client secret missing: set the environment variable "
            "LATER_CLIENT_SECRET, or write api.client_secret: ${VARIABLE}"]

    def test_missing_client_id_is_reported_at_the_api_block(self, write_config):
        """With an `api:` block but no client_id, the problem points at `api:`."""
        path = write_config("api:\n  page_size: 10\n" + MINIMAL)
        found = check_config_file(path, {"LATER_CLIENT_SECRET": "s3cret-value"}).problems
        assert [str(p) for p in found] == [
            "config.yaml:1:1: api.client_id: client id missing: set the environment variable LATER_CLIENT_ID, "
            "or write api.client_id: ${VARIABLE}"]

    def test_credentials_from_the_environment_are_enough(self, write_config):
        """LATER_CLIENT_ID and LATER_CLIENT_SECRET alone satisfy the check."""
        assert check_config_file(write_config(MINIMAL), CREDENTIALS).problems == []


class TestV1Metrics:
    @pytest.mark.skipif(not V1_OPENAPI.exists(), reason="the shared v1 OpenAPI document is not here")
    def test_v1_metric_lists_match_the_v1_openapi_document(self):
        """V1_METRICS is the v1 document's metrics enum / response fields, in v2 names."""
        doc = json.loads(V1_OPENAPI.read_text(encoding="utf-8"))
        for route in ("influencer", "post"):
            operation = doc["paths"][f"/v1/reporting/{route}/performance"]["get"]
            enum = next(p["schema"]["items"]["enum"] for p in operation["parameters"] if p["name"] == "metrics")
            v2 = {"influencer": "creators/performance", "post": "posts/performance"}[route]
            assert sorted(V1_METRICS[v2]) == sorted(m.replace("Comission", "Commission") for m in enum)

    def test_every_v1_metric_is_a_v2_catalogue_metric(self):
        """The lists use v2 names, so config checks compare like with like."""
        assert {name: [m for m in metrics if m not in get_endpoint(name).metrics]
                for name, metrics in V1_METRICS.items()} == {name: [] for name in V1_METRICS}

    def test_metric_v1_lacks_is_a_problem_under_v1(self, problems):
        """`likes` on posts/performance validates for v2 but the v1 API answers 400."""
        text = "api:\n  version: v1\n" + MINIMAL.replace("campaigns/performance", "posts/performance").replace(
            "metrics: [impressions]", "metrics: [impressions, likes]")
        assert problems(text) == [
            "config.yaml:10:28: reports[0].metrics[1]: likes is not available from the v1 API for posts/performance; "
            "v1 offers: engagements, impressions, engagementRate, estimatedValueGenerated, cpe, cpm"]

    def test_what_v1_cannot_do_is_a_problem_under_v1(self, problems):
        """Platform/content type filters, post-date basis and v2-only sorts are refused for v1, each at its key."""
        report = MINIMAL.replace("campaigns/performance", "posts/performance").replace(
            "    destination: out\n", "    destination: out\n    filters: {platform: [instagram]}\n"
            "    date_basis: post_date\n    sort: {property: views}\n")
        found = problems("api:\n  version: v1\n" + report)
        assert found == [
            "config.yaml:13:15: reports[0].filters.platform: the v1 API has no platform filter; remove it or "
            "use api.version: v2",
            "config.yaml:14:5: reports[0].date_basis: the v1 API reports by performance date only; remove "
            "date_basis or use api.version: v2",
            'config.yaml:15:12: reports[0].sort.property: the v1 API cannot sort posts/performance by "views"; '
            "v1 sorts by: engagements, impressions, engagementRate, estimatedValueGenerated, cpe, cpm, postDate",
        ]
        assert problems(report) == []  # the same report is fine for v2

    def test_v1_sort_lists_name_only_v2_sort_properties(self):
        """The v1 sort lists use v2 names that the v2 catalogue knows (the client renames the rest)."""
        from sheets_sync.api.v1 import V1_SORT_NAMES
        from sheets_sync.catalogue import V1_SORT_PROPERTIES

        for name, props in V1_SORT_PROPERTIES.items():
            known = set(get_endpoint(name).sort_properties) | set(V1_SORT_NAMES) | {"campaignName"}
            assert [p for p in props if p not in known] == [], name

    def test_same_metric_under_v2_is_fine(self, problems):
        """The v1 list is only applied with api.version: v1."""
        text = MINIMAL.replace("campaigns/performance", "posts/performance").replace(
            "metrics: [impressions]", "metrics: [impressions, likes]")
        assert problems(text) == []


class TestIndependentChecksAllRun:
    def test_missing_template_is_reported_beside_report_problems(self, problems):
        """A bad tab does not hide that the template file does not exist."""
        text = MINIMAL.replace("type: csv\n    output: reports/{report}.csv",
                               "type: excel\n    output: out.xlsx\n    template: nope.xlsx")
        assert problems(with_report_lines('tab: "a?b"', base=text)) == [
            "config.yaml:5:5: destinations.out.template: template file not found: nope.xlsx",
            "config.yaml:12:5: reports[0].tab: a tab name cannot contain ? (Excel forbids \\ / ? * [ ] :)"]

    def test_missing_template_is_reported_when_its_destination_is_invalid(self, problems):
        """Even a destination with another bad key still has its template checked."""
        text = MINIMAL.replace("type: csv\n    output: reports/{report}.csv",
                               "type: excel\n    ouput: out.xlsx\n    template: nope.xlsx")
        assert problems(text) == [
            "config.yaml:2:3: destinations.out.output: required key is missing",
            'config.yaml:4:5: destinations.out.ouput: unknown key (did you mean "output"?)',
            "config.yaml:5:5: destinations.out.template: template file not found: nope.xlsx"]

    def test_subject_placeholder_is_reported_beside_other_email_problems(self, problems):
        """A bad recipient does not hide an unknown {placeholder} in the subject."""
        text = MINIMAL.replace("type: csv\n    output: reports/{report}.csv",
                               "type: excel\n    output: out.xlsx\n    email:\n      to: [not-an-email]\n"
                               '      subject: "R {bogus}"\n      smtp: {host: smtp.example.com, username: a@b.co}')
        assert problems(text) == [
            'config.yaml:6:12: destinations.out.email.to[0]: "not-an-email" is not an email address',
            "config.yaml:7:7: destinations.out.email.subject: unknown placeholder {bogus}; "
            "available: {report}, {destination}, {start_date}, {end_date}, {run_date}"]

    def test_too_many_campaign_ids_are_reported_beside_a_bad_platform(self, problems):
        """51 campaign ids are reported even when a sibling filter is invalid."""
        ids = ", ".join(str(n) for n in range(1, 52))
        found = problems(with_report_lines(f"filters: {{platform: instagrm, campaign_ids: [{ids}]}}"))
        assert found == [
            'config.yaml:11:15: reports[0].filters.platform[0]: unknown platform "instagrm" (did you mean '
            '"instagram"?); expected one of: instagram, tiktok, facebook, youtube, twitter, pinterest',
            "config.yaml:11:35: reports[0].filters.campaign_ids: at most 50 campaign ids are allowed (the API's "
            "limit); this list has 51"]


class TestTwoYearCapMatchesTheApi:
    def test_end_on_the_second_anniversary_is_accepted(self, problems):
        """`2024-06-30..2026-06-30` is what the API accepts (docs/decisions.md#date-ranges)."""
        assert problems(MINIMAL.replace("date_range: last_7_days",
                                        "date_range: {start: 2024-06-30, end: 2026-06-30}")) == []

    def test_one_day_past_the_second_anniversary_is_refused(self, problems):
        """`2024-06-30..2026-07-01` is one day too long, and the message names the latest end."""
        assert problems(MINIMAL.replace("date_range: last_7_days",
                                        "date_range: {start: 2024-06-30, end: 2026-07-01}")) == [
            "config.yaml:9:5: reports[0].date_range: the range 2024-06-30 to 2026-07-01 is longer than the API's "
            "2-year limit (the latest end for this start is 2026-06-30)"]


class TestUnicodeSlugs:
    @pytest.mark.parametrize(("name", "slug"), [
        ("日本", "日本"), ("中国", "中国"), ("Café Über", "café-über"), ("Campaign ROI", "campaign-roi"),
        ("../../evil/name", "evil-name"), (".hidden", "hidden"), ("a\x00b\\c", "a-b-c"), ("!!!", "report"),
        ("Cafe\u0301", "café"),
    ])
    def test_slug_keeps_letters_and_digits_of_any_script(self, name, slug):
        """Non-Latin names keep their letters; separators, dots and control characters never survive."""
        assert slugify(name) == slug

    def test_slug_is_capped(self):
        """A very long name gives a slug of at most 80 characters."""
        assert slugify("x" * 500) == "x" * 80

    def test_non_latin_names_no_longer_collide(self, problems):
        """`日本` and `中国` are two files, not both "report"."""
        text = TWO_REPORTS.format(output="out/{report}.csv").replace("name: A", "name: 日本").replace(
            "name: B", "name: 中国")
        assert problems(text) == []


class TestEmailBlocks:
    def test_an_email_block_validates_without_a_warning(self, problems):
        """Email is delivered now: a complete `email:` block is neither a problem nor a warning."""
        text = MINIMAL.replace("type: csv\n    output: reports/{report}.csv",
                               "type: excel\n    output: out.xlsx\n    email:\n      to: [t@example.com]\n"
                               "      subject: Report\n      smtp: {host: smtp.example.com, username: a@b.co}")
        assert problems(text) == []

    def test_a_missing_ca_file_and_an_alerts_block_without_sender_are_problems(self, problems):
        """smtp.ca_file must exist (relative to the config); alerts need `from` or smtp.username like email."""
        text = MINIMAL.replace("type: csv\n    output: reports/{report}.csv",
                               "type: excel\n    output: out.xlsx\n    email:\n      to: [t@example.com]\n"
                               "      subject: Report\n      smtp: {host: smtp.example.com, username: a@b.co, "
                               "ca_file: certs/ca.pem}") + "alerts:\n  to: [ops@example.com]\n  smtp: {host: mail}\n"
        found = problems(text)
        assert any("destinations.out.email.smtp.ca_file: file not found: certs/ca.pem" in p for p in found), found
        assert any("alerts.from: required key is missing: set from, or smtp.username" in p for p in found), found

    def test_an_inline_alerts_password_is_refused_and_masked(self, problems):
        """alerts.smtp.password is a secret like the email one: it must come from the environment."""
        text = MINIMAL + ("alerts:\n  to: [ops@example.com]\n"
                          "  smtp: {host: mail, username: a@b.co, password: hunter2x}\n")
        found = problems(text)
        assert any("alerts.smtp.password: a secret must come from the environment" in p for p in found), found
        assert not any("hunter2x" in p for p in found)


class TestAcceptedButWrong:
    def test_cron_that_never_fires_is_refused(self, problems):
        """31 February never comes: a schedule that would never run is a problem."""
        assert problems(with_report_lines('schedule: "0 6 31 2 *"')) == [
            "config.yaml:11:5: reports[0].schedule: this cron expression never fires: no date in the next 5 years "
            "matches it (like 31 February)"]

    def test_cron_on_29_february_is_accepted(self, problems):
        """A leap day fires within five years."""
        assert problems(with_report_lines('schedule: "0 6 29 2 *"')) == []

    def test_state_url_of_an_unknown_dialect_is_refused(self, problems):
        """`notaurl://` parses as a URL but no SQLAlchemy dialect has that name."""
        assert problems('state_url: "notaurl://"\n' + MINIMAL) == [
            'config.yaml:1:1: state_url: unknown database dialect or driver "notaurl"; expected a SQLAlchemy '
            "database URL such as sqlite:///history.sqlite or postgresql://host/db"]

    def test_state_url_of_a_known_dialect_is_accepted_without_connecting(self, problems, tmp_path, monkeypatch):
        """A postgresql URL is checked against the dialect registry and the driver's presence only: nothing
        connects and the driver is not even imported (this stand-in psycopg2 fails if it is)."""
        (tmp_path / "psycopg2").mkdir()
        (tmp_path / "psycopg2" / "__init__.py").write_text("raise RuntimeError('imported by validate')\n")
        monkeypatch.syspath_prepend(str(tmp_path))
        assert problems('state_url: "postgresql+psycopg2://db.invalid/history"\n' + MINIMAL) == []

    def test_campaign_ids_must_be_positive(self, problems):
        """-3 and 0 are never campaign ids."""
        assert problems(with_report_lines("filters: {campaign_ids: [-3, 0]}")) == [
            "config.yaml:11:30: reports[0].filters.campaign_ids[0]: expected a positive whole number (an id), got -3",
            "config.yaml:11:34: reports[0].filters.campaign_ids[1]: expected a positive whole number (an id), got 0"]

    def test_decimal_campaign_id_message_quotes_the_value(self, problems):
        """1.5 is "expected a whole number, got 1.5", not "not a number"."""
        assert problems(with_report_lines("filters: {campaign_ids: [1.5]}")) == [
            "config.yaml:11:30: reports[0].filters.campaign_ids[0]: expected a whole number, got 1.5"]

    def test_csv_output_must_end_in_csv(self, problems):
        """A csv destination writing `.xlsx` would give Excel a file it cannot open."""
        assert problems(MINIMAL.replace("output: reports/{report}.csv", "output: reports/{report}.xlsx")) == [
            "config.yaml:4:5: destinations.out.output: a csv output must end in .csv"]

    def test_excel_output_may_end_in_xlsm(self, problems):
        """.xlsm (macro-enabled) is an accepted workbook extension."""
        assert problems(MINIMAL.replace("type: csv\n    output: reports/{report}.csv",
                                        "type: excel\n    output: out.xlsm")) == []

    def test_missing_template_is_named_as_written(self, problems, tmp_path):
        """The path in the message is the one in the file, relative to the config, not an absolute one."""
        text = MINIMAL.replace("type: csv\n    output: reports/{report}.csv",
                               "type: excel\n    output: out.xlsx\n    template: sub/../tpl.xls")
        assert problems(text) == ["config.yaml:5:5: destinations.out.template: template file not found: sub/../tpl.xls"]


def test_decimal_field_asks_for_a_number_not_a_whole_number(problems):
    """`timeout_seconds` takes decimals, so text there is "expected a number", naming what was written."""
    found = problems(MINIMAL.replace("reports:", "api:\n  timeout_seconds: abc\nreports:", 1))
    assert any(line.endswith('api.timeout_seconds: expected a number, got "abc"') for line in found), found
