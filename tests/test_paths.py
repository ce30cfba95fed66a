"""Output path templates: placeholders, segment-safe values, and paths that never leave their folder."""

from __future__ import annotations

import datetime as dt
import string
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sheets_sync.paths import _format, escape_problem, resolve_output_path, safe_segment, template_problems

VALUES = {"report": "campaign-roi", "destination": "wb", "start_date": dt.date(2025, 1, 1),
          "end_date": dt.date(2025, 1, 31), "run_date": dt.date(2025, 2, 1)}


def render_text(template: str, values: Mapping[str, Any]) -> str:
    """Fill placeholders verbatim, as an email subject will be: the paths' formatter without the path rules."""
    out = []
    for literal, name, spec, _conversion in string.Formatter().parse(template):
        out.append(literal)
        if name is not None:
            out.append(_format(name, spec or "", values))
    return "".join(out)


class TestResolve:
    def test_placeholders_fill_with_dates_and_formats(self, tmp_path):
        """{report} and {end_date:%Y-%m} fill in; plain dates are ISO."""
        path = resolve_output_path("reports/{report}-{end_date:%Y-%m}-{start_date}.xlsx", tmp_path, VALUES)
        assert path == tmp_path.resolve() / "reports/campaign-roi-2025-01-2025-01-01.xlsx"

    def test_values_may_come_as_keywords(self, tmp_path):
        """The orchestrator may pass values as keyword arguments."""
        assert resolve_output_path("{destination}.csv", tmp_path, report="r", destination="raw") == (
            tmp_path.resolve() / "raw.csv")

    @pytest.mark.parametrize("hostile", ["../../etc/passwd", "..", "a/b", "a\\b", "x\x00y", "\n"])
    def test_data_never_adds_a_folder_or_climbs_out(self, tmp_path, hostile):
        """Separators, `..` and control characters in a value become `_`; the file stays in reports/."""
        path = resolve_output_path("reports/{report}.csv", tmp_path, {**VALUES, "report": hostile})
        assert path.parent == tmp_path.resolve() / "reports"

    def test_strftime_cannot_add_folders_either(self, tmp_path):
        """A format with a slash is flattened like any other value."""
        path = resolve_output_path("out/{end_date:%Y/%m}.csv", tmp_path, VALUES)
        assert path == tmp_path.resolve() / "out/2025_01.csv"

    def test_static_parent_folder_is_the_authors_choice(self, tmp_path):
        """`../reports/x.xlsx` (a config in a subfolder writing to reports/ beside it) is allowed: it is not data."""
        base = tmp_path / "config"
        assert resolve_output_path("../reports/{report}.xlsx", base, VALUES) == (
            tmp_path.resolve() / "reports/campaign-roi.xlsx")

    def test_absolute_templates_are_allowed(self, tmp_path):
        """An absolute output folder is used as written."""
        target = tmp_path / "abs"
        assert resolve_output_path(str(target / "{report}.csv"), Path("/elsewhere"), VALUES) == (
            target.resolve() / "campaign-roi.csv")

    def test_placeholder_folders_stay_under_the_static_folder(self, tmp_path):
        """`reports/{report}/{end_date}.csv` makes a subfolder per report, inside reports/."""
        path = resolve_output_path("reports/{report}/{end_date}.csv", tmp_path, {**VALUES, "report": ".."})
        assert path == tmp_path.resolve() / "reports/_/2025-01-31.csv"

    def test_template_that_climbs_after_a_placeholder_is_refused(self, tmp_path):
        """Literal `..` after a placeholder could leave the folder: refused at render and at load."""
        with pytest.raises(ValueError, match="would leave its folder"):
            resolve_output_path("reports/{report}/../../x.csv", tmp_path, VALUES)
        assert escape_problem("reports/{report}/../../x.csv", tmp_path) == (
            "the output path must name a file inside its folder")
        assert escape_problem("reports/{report}.csv", tmp_path) is None

    def test_missing_value_is_an_error(self, tmp_path):
        """Rendering without a value for a placeholder fails loudly."""
        with pytest.raises(ValueError, match=r"no value for placeholder \{run_date\}"):
            resolve_output_path("{run_date}.csv", tmp_path, {"report": "r"})

    @pytest.mark.parametrize(("value", "safe"), [
        ("a/b", "a_b"), ("..", "_"), (".", "_"), ("", "_"), ("ok.csv", "ok.csv")])
    def test_safe_segment_makes_one_harmless_segment(self, value, safe):
        """safe_segment turns any text into one harmless path segment."""
        assert safe_segment(value) == safe


@settings(max_examples=300, deadline=None)
@given(report=st.text(), destination=st.text(min_size=1))
def test_no_value_can_leave_the_output_folder(tmp_path_factory, report, destination):
    """Whatever text the values hold, the path stays a file directly inside the template's folder."""
    base = tmp_path_factory.getbasetemp()
    path = resolve_output_path("out/{destination}-{report}.csv", base, {**VALUES, "report": report,
                                                                        "destination": destination})
    assert path.parent == (base / "out").resolve()


class TestTemplates:
    def test_known_placeholders_pass(self):
        """Every documented placeholder, with a date format where allowed, is accepted."""
        assert template_problems("{report}-{destination}-{start_date}-{end_date:%Y-%m}-{run_date:%d}.xlsx") == []

    def test_unknown_placeholder_suggests(self):
        """A misspelt placeholder is named with a suggestion and the full list."""
        assert template_problems("{end-date}.csv") == [
            'unknown placeholder {end-date} (did you mean "end_date"?); available: {report}, {destination}, '
            "{start_date}, {end_date}, {run_date}"]

    def test_unbalanced_brace_is_refused(self):
        """A lone brace explains how to write a literal one."""
        assert template_problems("report{.csv") == [
            "bad placeholder syntax (expected '}' before end of string); write {{ and }} for literal braces"]

    def test_conversion_and_format_on_text_are_refused(self):
        """{report!r} and {report:%Y} are refused."""
        assert template_problems("{report!r}") == ["placeholder {report!r} cannot take a conversion"]
        assert template_problems("{destination:>9}") == ["placeholder {destination} takes no format; only dates do"]

    def test_subject_text_is_rendered_verbatim(self):
        """Subjects keep slashes and take strftime formats."""
        assert render_text("Influence {end_date:%B %Y} / {report}", VALUES) == "Influence January 2025 / campaign-roi"


class TestDateFormatCodes:
    @pytest.mark.parametrize("template", ["out/{end_date:%Q}.xlsx", "out/{end_date:%Y-%m-%}.xlsx",
                                          "out/{run_date:%Y-%-m}.csv", "out/{start_date:%Ez}.csv"])
    def test_unknown_or_unfinished_codes_are_refused(self, template):
        """A code strftime would copy as is on one system and reject on another is a template problem."""
        found = template_problems(template)
        assert len(found) == 1 and found[0].startswith("{") and ("unknown date format code" in found[0]
                                                                    or "lone %" in found[0])

    def test_the_problem_names_the_code_and_suggests_common_ones(self):
        """`{end_date:%Q}` names %Q and lists %Y, %m and %d."""
        assert template_problems("{end_date:%Q}.xlsx") == [
            "{end_date:%Q}: unknown date format code %Q; use codes such as %Y (year), %m (month), %d (day), "
            "%b (month name), %V (ISO week)"]

    @pytest.mark.parametrize("spec", ["%Y-%m", "%G-W%V", "%d %b %Y", "%Y%%", "%A %j", "week-%U"])
    def test_portable_codes_pass(self, spec):
        """Common, portable formats (ISO weeks, month names, a literal %%) are accepted."""
        assert template_problems(f"out/{{end_date:{spec}}}.xlsx") == []


def test_a_secret_in_a_placeholder_value_is_masked_in_the_file_name(tmp_path):
    """A registered secret inside a report slug becomes `masked` in the path, as the logs would mask it."""
    from sheets_sync.redaction import register_secret

    register_secret("paths-test-secret-93")
    path = resolve_output_path("out/{report}.csv", tmp_path, {**VALUES, "report": "roi-paths-test-secret-93"})
    assert path == (tmp_path / "out" / "roi-masked.csv").resolve()
