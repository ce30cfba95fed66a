"""`columns:` fields are checked against what the endpoint returns (the catalogue), with line and did-you-mean."""

from __future__ import annotations

from pathlib import Path

import pytest

from sheets_sync import catalogue
from sheets_sync.cli import main
from tests.config.samples import CREDENTIALS, MINIMAL

HINT = "if the API sends it beyond the catalogue, add extra: true"


def with_columns(*columns: str, base: str = MINIMAL) -> str:
    """MINIMAL (campaigns/performance, metrics [impressions]) with a `columns:` block of these lines."""
    return base + "    columns:\n" + "".join(f"      - {column}\n" for column in columns)


def report(endpoint: str, metrics: str | None, *columns: str) -> str:
    """A config of one report of `endpoint` with `metrics` (a YAML list, or None) and `columns`."""
    text = MINIMAL.replace("endpoint: campaigns/performance", f"endpoint: {endpoint}")
    text = text.replace("    metrics: [impressions]\n", f"    metrics: {metrics}\n" if metrics else "")
    return with_columns(*columns, base=text)


class TestRefused:
    def test_a_typo_is_refused_at_its_line_with_a_suggestion(self, problems):
        """campaignNmae is refused at its own line and column, suggesting campaignName."""
        assert problems(with_columns("campaignName", "campaignNmae")) == [
            'config.yaml:13:9: reports[0].columns[1].field: campaigns/performance returns no field "campaignNmae" '
            f'(did you mean "campaignName"?); {HINT}']

    def test_a_member_under_the_wrong_parent_suggests_the_right_parent(self, problems):
        """On posts, creator.handleName is refused and creatorProfile.handleName suggested."""
        found = problems(report("posts/performance", "[impressions]", "creator.handleName"))
        assert found == ['config.yaml:12:9: reports[0].columns[0].field: posts/performance returns no field '
                         f'"creator.handleName" (did you mean "creatorProfile.handleName"?); {HINT}']

    def test_a_metrics_prefix_on_a_field_that_is_not_a_metric_is_refused(self, problems):
        """metrics.campaignName is refused and the top-level campaignName suggested."""
        assert problems(with_columns("metrics.campaignName")) == [
            'config.yaml:12:9: reports[0].columns[0].field: "campaignName" is not a metric of campaigns/performance '
            f'(did you mean "campaignName"?); {HINT}']

    def test_a_metric_without_its_prefix_suggests_the_prefixed_path(self, problems):
        """A bare `impressions` (a metric) is refused and metrics.impressions suggested."""
        assert problems(with_columns("impressions")) == [
            'config.yaml:12:9: reports[0].columns[0].field: campaigns/performance returns no field "impressions" '
            f'(did you mean "metrics.impressions"?); {HINT}']

    def test_a_misspelt_metric_suggests_the_requested_one(self, problems):
        """metrics.impresions is not a metric of the endpoint; metrics.impressions is suggested."""
        assert problems(with_columns("metrics.impresions")) == [
            'config.yaml:12:9: reports[0].columns[0].field: "impresions" is not a metric of campaigns/performance '
            f'(did you mean "metrics.impressions"?); {HINT}']

    def test_a_metric_of_the_endpoint_that_was_not_requested_is_refused(self, problems):
        """metrics.reach exists on the endpoint but is not fetched, so its column would be empty."""
        assert problems(with_columns("metrics.reach")) == [
            "config.yaml:12:9: reports[0].columns[0].field: reach is not among this report's metrics; "
            "add it to metrics: or remove this column"]

    def test_the_roi_endpoint_fields_have_no_metrics_prefix(self, problems):
        """platforms/return-on-investment: metrics.returnOnInvestment suggests the top-level field."""
        found = problems(report("platforms/return-on-investment", None, "contentType", "metrics.returnOnInvestment"))
        assert found == ["config.yaml:12:9: reports[0].columns[1].field: platforms/return-on-investment has no "
                         f'metrics; its fields sit at the top level (did you mean "returnOnInvestment"?); {HINT}']

    def test_nothing_close_lists_the_endpoint_fields(self, problems):
        """With no close match the message lists the fields the report can show."""
        found = problems(report("platforms/performance", "[engagements]", "zzzz"))
        assert found == ['config.yaml:12:9: reports[0].columns[0].field: platforms/performance returns no field '
                         f'"zzzz"; its fields: contentType, metrics.engagements; {HINT}']

    def test_a_v1_only_field_is_refused_under_v2_and_accepted_under_v1(self, problems):
        """creatorGlobalUserId (only v1 sends it) is a problem with api.version v2, fine with v1."""
        text = report("posts/performance", "[impressions]", "postId", "creatorGlobalUserId")
        assert problems(text) == [
            "config.yaml:13:9: reports[0].columns[1].field: only the v1 API (api.version: v1) sends "
            f"creatorGlobalUserId; {HINT}"]
        assert problems("api: {version: v1}\n" + text) == []

    def test_a_field_v1_does_not_send_is_refused_under_v1(self, problems):
        """caption (posts) exists only in v2: with api.version v1 its column would be empty, so it is refused."""
        text = "api: {version: v1}\n" + report("posts/performance", "[impressions]", "postId", "caption")
        assert problems(text) == [
            "config.yaml:14:9: reports[0].columns[1].field: the v1 API (api.version: v1) does not send caption; "
            "remove this column or use api.version: v2"]

    def test_string_and_mapping_forms_are_both_checked(self, problems):
        """`- campaignNmae` and `- {field: campaignNmae}` are refused alike, each at its field."""
        found = problems(with_columns("{field: campaignNmae, header: Name}", "statu"))
        assert [line.split(": ", 2)[:2] for line in found] == [
            ["config.yaml:12:10", "reports[0].columns[0].field"], ["config.yaml:13:9", "reports[0].columns[1].field"]]
        assert '(did you mean "campaignName"?)' in found[0] and '(did you mean "status"?)' in found[1]


class TestAccepted:
    def test_extra_lets_a_field_beyond_the_catalogue_through(self, problems):
        """{field: brandNewField, extra: true} is accepted without any problem."""
        assert problems(with_columns("campaignName", "{field: brandNewField, extra: true}")) == []

    def test_extra_on_a_catalogue_field_is_a_warning(self, problems, errors):
        """extra: true on a field the endpoint returns is pointed out by validate, but does not stop a run."""
        text = with_columns("{field: campaignId, extra: true}")
        assert problems(text) == [
            "config.yaml:12:29: reports[0].columns[0].extra: extra: true is not needed, campaigns/performance "
            "returns campaignId"]
        assert errors(text) == []

    @pytest.mark.parametrize("endpoint", catalogue.ENDPOINTS, ids=lambda e: e.name)
    def test_every_field_the_catalogue_declares_is_accepted(self, problems, endpoint):
        """Every path an endpoint returns (objects, members, parents, each metric) passes validate."""
        metrics = f"[{', '.join(endpoint.metrics)}]" if endpoint.metrics else None
        text = report(endpoint.name, metrics, *endpoint.field_paths())
        if not endpoint.requires_dates:
            text = text.replace("    date_range: last_7_days\n", "")
        assert problems(text) == []


class TestRun:
    def test_run_refuses_an_unknown_column_before_fetching(self, tmp_path: Path, monkeypatch, capsys):
        """`run` exits 2 with the located problem and writes nothing when a column cannot be filled."""
        for key, value in CREDENTIALS.items():   # (a secret is masked in every later message: no plain words)
            monkeypatch.setenv(key, value)
        monkeypatch.setenv("LATER_API_URL", "http://127.0.0.1:9")   # never reached: the config is refused first
        path = tmp_path / "config.yaml"
        path.write_text("api: {base_url: '${LATER_API_URL}'}\n" + with_columns("campaignNmae"), encoding="utf-8")
        assert main(["run", str(path)]) == 2
        captured = capsys.readouterr()
        assert f'{path}:13:9: reports[0].columns[0].field: campaigns/performance returns no field "campaignNmae"' \
            in captured.out + captured.err
        assert not (tmp_path / "reports").exists()
