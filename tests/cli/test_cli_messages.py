"""Clear messages from the command line: --report names matched loosely or with a suggestion, config problems
worded for the person who made them (impossible dates, unknown date codes, unquoted braces)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sheets_sync.cli import main
from sheets_sync.errors import UsageError
from sheets_sync.report_match import match_report_names

KNOWN = ["Campaign ROI", "Top creators", "Channel mix"]


class TestMatchReportNames:
    @pytest.mark.parametrize(("typed", "meant"), [
        ("Campaign ROI", "Campaign ROI"), ("campaign roi", "Campaign ROI"), ("CAMPAIGN ROI ", "Campaign ROI"),
        ("campaign-roi", "Campaign ROI"), ("top-creators", "Top creators"), ("channel MIX", "Channel mix"),
    ])
    def test_case_spaces_and_slug_find_the_report(self, typed, meant):
        """Any case, stray spaces or the file-name slug of a report name selects that report."""
        assert match_report_names([typed], KNOWN) == [meant]

    def test_order_is_kept_and_duplicates_dropped(self):
        """Two spellings of one report select it once."""
        assert match_report_names(["channel mix", "Campaign ROI", "Channel Mix"], KNOWN) == ["Channel mix",
                                                                                              "Campaign ROI"]

    def test_a_part_of_a_name_suggests_the_names_that_contain_it(self):
        """`--report trend` (a word of "Weekly trend", too short for a typo match) still gets a did-you-mean."""
        with pytest.raises(UsageError) as info:
            match_report_names(["trend"], ["Campaign ROI", "Top creators", "Weekly trend"])
        assert "no report named 'trend' (did you mean 'Weekly trend'?)" in info.value.message

    def test_an_unknown_name_suggests_the_closest_and_lists_all(self):
        """A typo gets a did-you-mean and the list of the config's reports; every unknown name is named."""
        with pytest.raises(UsageError) as info:
            match_report_names(["Campain ROI", "Nothing like it"], KNOWN)
        message = info.value.message
        assert "no report named 'Campain ROI' (did you mean 'Campaign ROI'?)" in message
        assert "no report named 'Nothing like it'; the config has: 'Campaign ROI', 'Top creators', 'Channel mix'" \
            in message

    def test_an_ambiguous_loose_match_is_not_guessed(self):
        """When two reports differ only in case, a third spelling selects neither."""
        with pytest.raises(UsageError):
            match_report_names(["report a"], ["Report A", "REPORT A"])
        assert match_report_names(["REPORT A"], ["Report A", "REPORT A"]) == ["REPORT A"]


def test_run_report_matches_case_insensitively(config_file: Path, capsys) -> None:
    """`run --report platforms` runs the report named Platforms and writes its file only."""
    assert main(["run", str(config_file), "--report", "platforms"]) == 0
    assert {p.name for p in (config_file.parent / "out").iterdir()} == {"platforms.csv"}


def test_preview_with_a_typo_suggests_the_report(config_file: Path, capsys) -> None:
    """`preview --report Platfroms` exits 2 with one line suggesting 'Platforms'."""
    assert main(["preview", str(config_file), "--report", "Platfroms"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "did you mean 'Platforms'?" in err[0]


CONFIG = """\
timezone: UTC
api:
  base_url: ${LATER_API_URL}
destinations:
  flat: {type: csv, output: "out/{end_date:%Q}-{report}.csv"}
reports:
  - name: Campaigns
    endpoint: campaigns/performance
    metrics: [impressions]
    date_range: {start: 2026-02-30, end: 2026-06-30}
    destination: flat
"""


def test_validate_names_an_impossible_date_and_an_unknown_date_code(tmp_path: Path, api_env, capsys) -> None:
    """validate reports both mistakes with their lines: the date does not exist, %Q is no date code."""
    path = tmp_path / "sync.yaml"
    path.write_text(CONFIG, encoding="utf-8")
    assert main(["validate", str(path)]) == 2
    out = capsys.readouterr().out
    assert f"{path}:5:" in out and "unknown date format code %Q" in out
    assert f"{path}:10:" in out and "2026-02-30 does not exist: February 2026 has 28 days" in out
    assert main(["run", str(path)]) == 2  # run refuses the same config before any request
    assert not (tmp_path / "out").exists()
