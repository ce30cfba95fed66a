"""Strictness: every class of config problem, with its exact message and FILE:LINE:COL."""

from __future__ import annotations

import datetime as dt

import pytest

from sheets_sync.config import check_config_file
from tests.config.samples import CREDENTIALS, FIXTURES, MINIMAL

SHEETS = MINIMAL.replace("type: csv\n    output: reports/{report}.csv",
                         "type: google_sheets\n    spreadsheet: 1AbCdEfGhIjKlMnOp")
EMULATED = {"SHEETS_EMULATOR_HOST": "127.0.0.1:9"}


def with_report_lines(*lines: str, base: str = MINIMAL) -> str:
    """MINIMAL with extra `key: value` lines added to its report."""
    return base + "".join(f"    {line}\n" for line in lines)


class TestKeys:
    def test_unknown_top_level_key_suggests_the_right_one(self, problems):
        """A misspelt key is an error with a suggestion, not silently ignored."""
        assert problems("timezon: UTC\n" + MINIMAL) == [
            'config.yaml:1:1: timezon: unknown key (did you mean "timezone"?)']

    def test_unknown_report_key_is_located_at_the_key(self, problems):
        """An unknown key inside a report names the report's index and the key's line."""
        assert problems(with_report_lines("metric: [reach]")) == [
            'config.yaml:11:5: reports[0].metric: unknown key (did you mean "metrics"?)']

    def test_missing_required_key_points_at_the_item(self, problems):
        """A report without an endpoint is reported at the report's first line."""
        assert problems(MINIMAL.replace("    endpoint: campaigns/performance\n", "")) == [
            "config.yaml:6:5: reports[0].endpoint: required key is missing"]

    def test_unknown_key_without_a_close_match_lists_the_keys(self, problems):
        """When nothing is close, the keys that are allowed there are listed."""
        assert problems(with_report_lines("columns: [{field: campaignName, colour: red}]")) == [
            "config.yaml:11:37: reports[0].columns[0].colour: unknown key; "
            "expected one of: field, header, format, extra"]

    def test_date_range_of_no_known_form(self, problems):
        """A mapping that is neither {last: ...} nor {start, end} names the three forms."""
        assert problems(MINIMAL.replace("date_range: last_7_days", "date_range: {lats: 5}")) == [
            "config.yaml:9:5: reports[0].date_range: expected a preset such as last_30_days, {last: N, unit: days}, "
            "or {start: YYYY-MM-DD, end: YYYY-MM-DD}"]

    def test_date_range_unit_suggests(self, problems):
        """A misspelt unit inside {last: ...} is located at `unit`."""
        assert problems(MINIMAL.replace("date_range: last_7_days", "date_range: {last: 5, unit: dayz}")) == [
            'config.yaml:9:27: reports[0].date_range.unit: unknown unit "dayz" (did you mean "days"?); '
            "expected one of: days, weeks, months"]

    def test_tab_on_a_csv_destination_does_not_apply(self, problems):
        """`tab` written on a CSV destination is named as not applying there."""
        text = MINIMAL.replace("output: reports/{report}.csv", "output: reports/{report}.csv\n    tab: X")
        assert problems(text) == [
            "config.yaml:5:5: destinations.out.tab: does not apply to a csv destination"]

    def test_unknown_destination_type_suggests(self, problems):
        """A misspelt destination type is reported at `type` with the valid types."""
        assert problems(MINIMAL.replace("type: csv", "type: cvs")) == [
            'config.yaml:3:5: destinations.out.type: unknown destination type "cvs" (did you mean "csv"?); '
            "expected one of: excel, csv, google_sheets"]

    def test_missing_destination_type_is_reported(self, problems):
        """A destination without `type` says which types exist."""
        assert problems(MINIMAL.replace("    type: csv\n", "")) == [
            "config.yaml:2:3: destinations.out.type: required key type is missing (excel, csv or google_sheets)"]

    def test_wrong_literal_lists_the_choices(self, problems):
        """An unknown mode lists replace, append and upsert and suggests the closest."""
        assert problems(with_report_lines("mode: replase")) == [
            'config.yaml:11:5: reports[0].mode: unknown value "replase" (did you mean "replace"?); '
            "expected one of: replace, append, upsert"]

    def test_mapping_where_a_text_list_is_expected_is_refused(self, problems):
        """A mapping where a list belongs is one readable problem."""
        assert problems(with_report_lines("key: {a: 1}", "mode: upsert")) == [
            "config.yaml:11:5: reports[0].key[0]: expected text, not a mapping"]

    def test_bounds_are_checked(self, problems):
        """page_size outside 1-100 names the bound."""
        assert problems("api:\n  page_size: 0\n" + MINIMAL) == ["config.yaml:2:3: api.page_size: must be at least 1"]


class TestCatalogue:
    def test_unknown_endpoint_suggests(self, problems):
        """A misspelt endpoint gets a suggestion and the list of endpoints."""
        found = problems(MINIMAL.replace("endpoint: campaigns/performance", "endpoint: campaign/performance"))
        assert found == ['config.yaml:7:5: reports[0].endpoint: unknown endpoint "campaign/performance" (did you mean '
                         '"campaigns/performance"?); expected one of: instances, instances/performance, '
                         "instances/performance-over-time, campaigns, campaigns/performance, platforms/performance, "
                         "platforms/return-on-investment, creators/performance, posts/performance"]

    def test_v1_route_gets_its_v2_successor(self, problems):
        """A legacy v1 route as endpoint names the v2 replacement from the Help Center's table."""
        found = problems(MINIMAL.replace("endpoint: campaigns/performance", "endpoint: /v1/reporting-api/report"))
        assert found == ['config.yaml:7:5: reports[0].endpoint: "/v1/reporting-api/report" is a legacy v1 route; '
                         "its v2 equivalent is campaigns/performance or instances/performance"]

    def test_v1_route_without_successor_says_so(self, problems):
        """reporting-group has no v2 equivalent, and the message says what replaced it."""
        found = problems(MINIMAL.replace("endpoint: campaigns/performance",
                                         "endpoint: v1/reporting-api/reporting-group"))
        assert found == ['config.yaml:7:5: reports[0].endpoint: "v1/reporting-api/reporting-group" is a legacy v1 '
                         "route with no v2 equivalent (reporting groups were replaced by campaigns and platforms)"]

    def test_endpoint_without_a_v1_route_under_api_v1(self, problems):
        """With api.version: v1, the campaign roster (v2 only) is a problem listing what v1 offers."""
        text = "api:\n  version: v1\n" + MINIMAL.replace("endpoint: campaigns/performance", "endpoint: campaigns")
        text = text.replace("    metrics: [impressions]\n", "").replace("    date_range: last_7_days\n", "")
        assert problems(text) == [
            "config.yaml:9:5: reports[0].endpoint: campaigns has no v1 route; with api.version: v1 use one of: "
            "instances, instances/performance, instances/performance-over-time, campaigns/performance, "
            "platforms/performance, platforms/return-on-investment, creators/performance, posts/performance"]

    def test_network_alias_is_accepted_and_normalised(self, write_config):
        """The docs' /v2/networks/ spelling is the same endpoint as platforms/."""
        from sheets_sync.config import load_config

        path = write_config(MINIMAL.replace("endpoint: campaigns/performance", "endpoint: /v2/networks/performance"))
        assert load_config(path, CREDENTIALS).reports[0].endpoint == "platforms/performance"

    def test_unknown_metric_suggests(self, problems):
        """A misspelt metric is located at its list item with a suggestion."""
        assert problems(MINIMAL.replace("metrics: [impressions]", "metrics: [impressions, engagementrate]")) == [
            'config.yaml:8:28: reports[0].metrics[1]: unknown metric "engagementrate" for campaigns/performance '
            '(did you mean "engagementRate"?)']

    def test_metric_excluded_by_the_content_type_filter(self, problems):
        """A metric that exists only for Reels cannot be asked for under a TikTok-only filter."""
        found = problems(with_report_lines("filters: {content_type: [tiktok]}").replace(
            "endpoint: campaigns/performance", "endpoint: posts/performance").replace(
            "metrics: [impressions]", "metrics: [avgWatchTime]"))
        assert found == ["config.yaml:8:15: reports[0].metrics[0]: avgWatchTime exists only for instagram_reel, "
                         "which the report's platform/content_type filter excludes"]

    def test_metrics_on_return_on_investment_do_not_apply(self, problems):
        """platforms/return-on-investment has a fixed set; `metrics` there is a problem."""
        found = problems(MINIMAL.replace("endpoint: campaigns/performance", "endpoint: platforms/return-on-investment"))
        assert found == ["config.yaml:8:5: reports[0].metrics: does not apply: platforms/return-on-investment takes "
                         "no metrics (it always returns valueOfShares, valueOfImpressions, valueOfComments, "
                         "valueOfLikes, valueGenerated, estimatedContentCost, returnOnInvestment)"]

    def test_metrics_are_required_where_the_endpoint_takes_them(self, problems):
        """A performance report without metrics says how to find them."""
        assert problems(MINIMAL.replace("    metrics: [impressions]\n", "")) == [
            "config.yaml:6:5: reports[0].metrics: required key is missing: list the metrics to fetch "
            "(python -m sheets_sync endpoints campaigns/performance lists them)"]

    def test_sort_where_the_endpoint_cannot_sort(self, problems):
        """`sort` on the instance summary does not apply."""
        found = problems(with_report_lines("sort: {property: impressions}").replace(
            "endpoint: campaigns/performance", "endpoint: instances/performance"))
        assert found == ["config.yaml:11:5: reports[0].sort: does not apply: instances/performance cannot sort "
                         "(these can: campaigns/performance, platforms/performance, creators/performance, "
                         "posts/performance)"]

    def test_unknown_sort_property_suggests(self, problems):
        """A misspelt sort property is located at `property`."""
        assert problems(with_report_lines("sort: {property: impresions, direction: asc}")) == [
            'config.yaml:11:12: reports[0].sort.property: unknown sort property "impresions" for '
            'campaigns/performance (did you mean "impressions"?)']

    def test_granularity_and_fill_gaps_only_on_time_series(self, problems):
        """granularity and fill_gaps on a non-time-series endpoint are problems."""
        assert problems(with_report_lines("granularity: week", "fill_gaps: false")) == [
            "config.yaml:11:5: reports[0].granularity: does not apply: only instances/performance-over-time takes "
            "a granularity",
            "config.yaml:12:5: reports[0].fill_gaps: does not apply: only instances/performance-over-time has gaps "
            "to fill"]

    def test_filter_the_endpoint_does_not_take_is_refused(self, problems):
        """The campaign roster takes no platform filter, and no dates."""
        found = problems(with_report_lines("filters: {platform: [tiktok]}").replace(
            "endpoint: campaigns/performance", "endpoint: campaigns").replace("    metrics: [impressions]\n", ""))
        assert found == [
            "config.yaml:8:5: reports[0].date_range: does not apply: campaigns takes no dates",
            "config.yaml:10:15: reports[0].filters.platform: does not apply: campaigns does not take this filter"]

    def test_platform_and_content_type_together_are_refused(self, problems):
        """platform and content_type are one or the other."""
        assert problems(with_report_lines("filters: {platform: [tiktok], content_type: [tiktok]}")) == [
            "config.yaml:11:35: reports[0].filters.content_type: platform and content_type cannot be combined "
            "(the API takes one or neither)"]

    def test_more_than_fifty_campaign_ids_are_refused(self, problems):
        """campaign_ids beyond the API's 50 are refused up front."""
        ids = ", ".join(str(i) for i in range(1, 52))
        assert problems(with_report_lines(f"filters: {{campaign_ids: [{ids}]}}")) == [
            "config.yaml:11:15: reports[0].filters.campaign_ids: at most 50 campaign ids are allowed "
            "(the API's limit); this list has 51"]

    def test_unknown_platform_suggests(self, problems):
        """An unknown platform value lists the platforms."""
        assert problems(with_report_lines("filters: {platform: [tiktock]}")) == [
            'config.yaml:11:26: reports[0].filters.platform[0]: unknown platform "tiktock" (did you mean "tiktok"?); '
            "expected one of: instagram, tiktok, facebook, youtube, twitter, pinterest"]

    def test_date_basis_accepts_camel_case(self, write_config):
        """postDate is normalised to post_date."""
        from sheets_sync.config import load_config

        cfg = load_config(write_config(with_report_lines("date_basis: postDate")), CREDENTIALS)
        assert cfg.reports[0].date_basis == "post_date"

    def test_unknown_date_basis_is_refused(self, problems):
        """Any other date basis is a problem listing both spellings' canonical names."""
        assert problems(with_report_lines("date_basis: publish_date")) == [
            'config.yaml:11:5: reports[0].date_basis: unknown date basis "publish_date" (did you mean "post_date"?); '
            "expected one of: performance_date, post_date"]


class TestNamesTabsDestinations:
    def test_report_names_are_unique(self, problems):
        """A second report with the same name is reported at its name."""
        text = MINIMAL + MINIMAL[MINIMAL.index("  - name"):]
        assert problems(text) == ['config.yaml:11:5: reports[1].name: report name "Campaigns" is already used by '
                                  "reports[0]"]

    def test_names_with_the_same_slug_collide(self, problems):
        """Two names that make the same file name slug would overwrite each other's files."""
        second = MINIMAL[MINIMAL.index("  - name"):].replace("name: Campaigns", "name: campaigns!")
        assert problems(MINIMAL + second) == [
            'config.yaml:11:5: reports[1].name: report name "campaigns!" gives the same file name slug "campaigns" '
            'as "Campaigns"; rename one of them']

    @pytest.mark.parametrize(("tab", "message"), [
        ('"Q1: results"', "a tab name cannot contain : (Excel forbids \\ / ? * [ ] :)"),
        ('"a/b[1]"', "a tab name cannot contain / [ ] (Excel forbids \\ / ? * [ ] :)"),
        ('"' + "x" * 32 + '"', "a tab name may have at most 31 characters (Excel's limit); this one has 32"),
        ('"\'quoted\'"', "a tab name cannot start or end with an apostrophe (')"),
        ('"  "', "a tab name must not be blank"),
        ("History", '"History" is a sheet name Excel reserves'),
    ])
    def test_tab_names_invalid_for_excel_are_refused(self, problems, tab, message):
        """Tab names follow Excel's rules, which also satisfy Sheets."""
        assert problems(with_report_lines(f"tab: {tab}", base=SHEETS), EMULATED) == [
            f"config.yaml:11:5: reports[0].tab: {message}"]

    def test_report_name_used_as_tab_must_be_a_valid_tab(self, problems):
        """Without `tab`, the report name becomes the tab name and must follow the same rules."""
        found = problems(SHEETS.replace("name: Campaigns", 'name: "Campaigns: all of them"'), EMULATED)
        assert found == ["config.yaml:6:5: reports[0].name: the report name is the tab name (no tab: given), "
                         "but a tab name cannot contain : (Excel forbids \\ / ? * [ ] :)"]

    def test_tab_only_once_per_destination(self, problems):
        """Two reports filling the same tab of one spreadsheet is a problem (case-insensitive)."""
        second = SHEETS[SHEETS.index("  - name"):].replace("name: Campaigns", "name: Other")
        found = problems(with_report_lines("tab: Data", base=SHEETS) + with_report_lines("tab: data", base=second),
                         EMULATED)
        assert found == ['config.yaml:17:5: reports[1].tab: tab "data" of destination out is already filled by '
                         'report "Campaigns"']

    def test_tab_on_a_csv_only_report_does_not_apply(self, problems):
        """A report writing only CSV files has no tab."""
        assert problems(with_report_lines("tab: Data")) == [
            "config.yaml:11:5: reports[0].tab: does not apply: every destination of this report is a csv file"]

    def test_unknown_destination_suggests(self, problems):
        """A misspelt destination name is located at the list item and suggests the defined one."""
        found = problems(MINIMAL.replace("destination: out", "destination: [out, ot]"))
        assert found == ['config.yaml:10:24: reports[0].destination[1]: unknown destination "ot" (did you mean '
                         '"out"?); defined: out']

    def test_upsert_needs_a_key_and_key_needs_upsert(self, problems):
        """mode: upsert without key is a problem; key without upsert too."""
        assert problems(with_report_lines("mode: upsert")) == [
            "config.yaml:11:5: reports[0].mode: mode upsert needs key: the columns that identify a row"]
        assert problems(with_report_lines("key: [campaignId]")) == [
            "config.yaml:11:5: reports[0].key: does not apply: key is used only with mode: upsert"]

    def test_report_and_destination_schedules_together_warn(self, problems):
        """A report scheduled itself and through its destination runs on both; that is worth a warning."""
        text = MINIMAL.replace("output: reports/{report}.csv",
                               'output: reports/{report}.csv\n    schedule: "0 7 * * *"')
        assert problems(with_report_lines('schedule: "0 6 * * *"', base=text)) == [
            "config.yaml:12:5: reports[0].schedule: destination out has a schedule of its own, so this report "
            "also runs on that one"]

    def test_unused_destination_is_a_warning(self, problems):
        """A destination no report writes to is worth a warning, not an error."""
        text = MINIMAL.replace("destinations:\n", "destinations:\n  spare:\n    type: csv\n    output: x.csv\n")
        assert problems(text) == ["config.yaml:2:3: destinations.spare: no report writes to this destination"]


class TestValues:
    def test_cron_with_four_fields_is_refused(self, problems):
        """A cron string with the wrong field count says how many fields it needs."""
        assert problems(with_report_lines('schedule: "0 6 * *"')) == [
            "config.yaml:11:5: reports[0].schedule: a cron expression has 5 fields (minute hour day month weekday); "
            "this one has 4"]

    def test_out_of_range_cron_field_is_refused_with_apschedulers_reason(self, problems):
        """APScheduler's own complaint about a field is passed on."""
        assert problems(with_report_lines('schedule: "0 25 * * *"')) == [
            "config.yaml:11:5: reports[0].schedule: invalid cron expression: Error validating expression '25': "
            "the last value (25) is higher than the maximum value (23)"]

    def test_interval_without_a_unit_letter_is_refused(self, problems):
        """`every` takes minutes, hours or days."""
        assert problems(with_report_lines("schedule: {every: 15 minutes}")) == [
            'config.yaml:11:5: reports[0].schedule: expected an interval such as 15m, 2h or 1d, not "15 minutes"']

    def test_interval_needs_a_unit(self, problems):
        """`every: 15` (a bare number) asks for the unit rather than for quotes."""
        assert problems(with_report_lines("schedule: {every: 15}")) == [
            'config.yaml:11:5: reports[0].schedule: expected an interval such as 15m, 2h or 1d, not "15"']

    def test_unknown_time_zone_suggests(self, problems):
        """A misspelt IANA name gets a suggestion."""
        assert problems("timezone: Europe/Pariss\n" + MINIMAL) == [
            'config.yaml:1:1: timezone: unknown time zone "Europe/Pariss" (did you mean "Europe/Paris"?); '
            "use an IANA name such as Europe/London or UTC"]

    def test_end_before_start_is_a_problem(self, problems):
        """A fixed range ending before it starts is refused."""
        found = problems(MINIMAL.replace("date_range: last_7_days", "date_range: {start: 2025-02-01, end: 2025-01-31}"))
        assert found == ["config.yaml:9:5: reports[0].date_range: end 2025-01-31 is before start 2025-02-01"]

    def test_fixed_range_over_two_years_is_refused(self, problems):
        """A fixed range past the API's two-year cap names the latest allowed end."""
        found = problems(MINIMAL.replace("date_range: last_7_days", "date_range: {start: 2024-02-29, end: 2026-03-01}"))
        assert found == ["config.yaml:9:5: reports[0].date_range: the range 2024-02-29 to 2026-03-01 is longer than "
                         "the API's 2-year limit (the latest end for this start is 2026-02-28)"]

    def test_relative_range_over_two_years_is_refused(self, write_config):
        """`last: 25, unit: months` can never fit in two years."""
        path = write_config(MINIMAL.replace("date_range: last_7_days", "date_range: {last: 25, unit: months}"))
        found = check_config_file(path, CREDENTIALS, now=dt.datetime(2026, 3, 15, tzinfo=dt.UTC)).problems
        assert [str(p) for p in found] == [
            "config.yaml:9:5: reports[0].date_range: the range 2024-02-01 to 2026-02-28 is longer than the API's "
            "2-year limit (the latest end for this start is 2026-02-01)"]

    def test_unknown_preset_suggests(self, problems):
        """A misspelt preset gets a suggestion."""
        found = problems(MINIMAL.replace("date_range: last_7_days", "date_range: lastmonth"))
        assert found[0].startswith('config.yaml:9:5: reports[0].date_range: unknown date range "lastmonth" '
                                   '(did you mean "last_month"?); expected one of: today, ')

    def test_address_without_at_sign_is_refused(self, problems):
        """A recipient without a domain is not an email address."""
        text = MINIMAL.replace("type: csv\n    output: reports/{report}.csv",
                               "type: excel\n    output: out.xlsx\n    email:\n      to: [team.example.com]\n"
                               "      subject: Report\n      smtp: {host: smtp.example.com, username: a@b.co}")
        assert problems(text) == ['config.yaml:6:12: destinations.out.email.to[0]: "team.example.com" is not an '
                                  "email address"]

    def test_password_over_a_plain_connection_is_refused(self, problems):
        """security: none with a password would log in in plain text."""
        text = MINIMAL.replace("type: csv\n    output: reports/{report}.csv",
                               "type: excel\n    output: out.xlsx\n    email:\n      to: [t@example.com]\n"
                               "      subject: Report\n      smtp:\n        host: smtp.example.com\n"
                               "        username: a@b.co\n        password: ${PW}\n        security: none")
        assert problems(text, {"PW": "pw-123456"}) == [
            "config.yaml:12:9: destinations.out.email.smtp.security: security none would send the password "
            "unencrypted; use starttls or ssl"]

    def test_unknown_placeholder_in_subject(self, problems):
        """Subjects take the same placeholders as output paths."""
        text = MINIMAL.replace("type: csv\n    output: reports/{report}.csv",
                               "type: excel\n    output: out.xlsx\n    email:\n      to: [t@example.com]\n"
                               "      subject: Report {month}\n      smtp: {host: smtp.example.com, username: a@b.co}")
        assert problems(text) == ["config.yaml:7:7: destinations.out.email.subject: unknown placeholder {month}; "
                                  "available: {report}, {destination}, {start_date}, {end_date}, {run_date}"]

    def test_output_template_that_climbs_out_is_refused(self, problems):
        """A template whose rendered path could leave its folder is a problem."""
        found = problems(MINIMAL.replace("output: reports/{report}.csv", "output: reports/{report}/../../x.csv"))
        assert found == ["config.yaml:4:5: destinations.out.output: the output path must name a file inside its folder"]

    def test_date_format_only_on_dates(self, problems):
        """{report:%Y} makes no sense and is refused."""
        found = problems(MINIMAL.replace("output: reports/{report}.csv", "output: reports/{report:%Y}.csv"))
        assert found == ["config.yaml:4:5: destinations.out.output: placeholder {report} takes no format; "
                         "only dates do"]

    def test_excel_output_needs_xlsx(self, problems):
        """An excel destination writing .xls would produce a file Excel refuses."""
        found = problems(MINIMAL.replace("type: csv\n    output: reports/{report}.csv",
                                         "type: excel\n    output: out.xls"))
        assert found == ["config.yaml:4:5: destinations.out.output: an excel output must end in .xlsx or .xlsm"]


def test_every_problem_is_reported_at_once(problems):
    """One validate run lists the problems of every section, in file order."""
    found = problems((FIXTURES / "many_problems.yaml").read_text(encoding="utf-8"))
    assert found == (FIXTURES / "many_problems.expected").read_text(encoding="utf-8").splitlines()
