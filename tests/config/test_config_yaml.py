"""YAML safety: alias bombs, duplicate keys, YAML 1.1 surprises, tags, size and syntax, located at the key."""

from __future__ import annotations

import time

import pytest

from sheets_sync.config import yamlread
from sheets_sync.config.yamlread import Ambiguous, read_yaml_text, resolve_plain
from tests.config.samples import MINIMAL


def _bomb(levels: int = 9) -> str:
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    previous = "a"
    for name in "bcdefghijk"[: levels - 1]:
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
        previous = name
    return "\n".join(lines) + "\n"


class TestAliasBudget:
    def test_alias_bomb_is_refused_at_the_first_alias(self, problems):
        """A billion-laughs document is one problem naming the line and column of the first alias."""
        started = time.monotonic()
        found = problems(_bomb())
        assert time.monotonic() - started < 30  # safety timeout only; the refusal itself is the assertion
        assert found == ["config.yaml:2:8: the document expands to more than 50,000 values (an alias bomb?); refused"]

    def test_recursive_alias_is_refused(self, problems):
        """An anchor that contains an alias to itself is refused instead of recursing forever."""
        assert problems("a: &a [1, *a]\n") == [
            "config.yaml:1:11: nesting deeper than 40 levels (a recursive alias?); refused"]

    def test_small_anchors_and_merge_keys_are_expanded(self):
        """Anchors within the budget work, and `<<` merges keys that the mapping does not set itself."""
        doc = read_yaml_text("base: &b {x: 1, y: 2}\nuse:\n  <<: *b\n  y: 3\n")
        assert doc.problems == []
        assert doc.data["use"] == {"x": 1, "y": 3}

    def test_wide_alias_bomb_is_refused_while_parsing(self):
        """A megabyte of aliases is refused after the budget is spent, not after the whole file is read."""
        text = "a: &a [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\nb: [" + ", ".join(["*a"] * 250_000) + "]\n"
        assert [str(p) for p in read_yaml_text(text, "big.yaml").problems] == [
            "big.yaml:2:5: the document expands to more than 50,000 values (an alias bomb?); refused"]

    def test_too_many_values_without_aliases_is_refused(self):
        """A huge document without aliases is refused too, without blaming aliases."""
        text = "a: [" + ", ".join(["1"] * 60_000) + "]\n"
        assert [p.message for p in read_yaml_text(text).problems] == [
            "the document has more than 50,000 values; refused"]

    def test_budget_counts_expanded_values(self, monkeypatch):
        """The budget limits values after alias expansion, not lines of text."""
        monkeypatch.setattr(yamlread, "MAX_VALUES", 20)
        doc = read_yaml_text("a: &a [1, 2, 3, 4, 5, 6, 7, 8]\nb: [*a, *a]\n")
        assert [p.message for p in doc.problems] == [
            "the document expands to more than 20 values (an alias bomb?); refused"]


class TestDuplicateKeys:
    def test_duplicate_key_is_reported_at_the_second_key(self, problems):
        """The second `reports` key is the problem, naming the line of the first."""
        found = problems(MINIMAL + "reports: []\n")
        assert found == ["config.yaml:11:1: reports: duplicate key (first defined on line 5)"]

    def test_nested_duplicate_key_is_reported_with_its_path(self, problems):
        """A duplicate inside a report is located at the repeated key."""
        text = MINIMAL.replace("    metrics: [impressions]\n", "    metrics: [impressions]\n    metrics: [reach]\n")
        assert problems(text) == [
            "config.yaml:9:5: reports[0].metrics: duplicate key (first defined on line 8)"]


class TestYaml11Surprises:
    @pytest.mark.parametrize(("text", "reading"), [
        ("no", "a boolean"), ("Off", "a boolean"), ("y", "a boolean"), ("012", "an octal number"),
        ("8:30", "a base-60 number"), ("1_000", "a number"), ("0x1F", "a number"),
    ])
    def test_yaml11_look_alikes_stay_ambiguous_text(self, text, reading):
        """Plain scalars YAML 1.1 reads differently from 1.2 become Ambiguous, never converted values."""
        value = resolve_plain(text)
        assert isinstance(value, Ambiguous)
        assert (str(value), value.reading) == (text, reading)

    @pytest.mark.parametrize(("text", "value"), [
        ("true", True), ("false", False), ("12", 12), ("1.5", 1.5), ("null", None), ("", None), ("abc", "abc"),
    ])
    def test_yaml12_core_scalars_resolve(self, text, value):
        """Unambiguous plain scalars take their YAML 1.2 core value."""
        assert resolve_plain(text) == value

    def test_unquoted_date_becomes_a_date(self):
        """A quote-free YYYY-MM-DD is a date, as the date range forms expect."""
        import datetime as dt

        assert resolve_plain("2025-01-31") == dt.date(2025, 1, 31)

    def test_no_where_text_is_expected_asks_for_quotes(self, problems):
        """`tab: no` is a problem asking for quotes, not the boolean false."""
        text = MINIMAL.replace("type: csv\n    output: reports/{report}.csv",
                               "type: google_sheets\n    spreadsheet: 1AbCdEfGhIjKlMnOp")
        text += "    tab: no\n"
        found = problems(text, {"SHEETS_EMULATOR_HOST": "localhost:1"})
        assert found == ['config.yaml:11:5: reports[0].tab: no is read as a boolean by YAML 1.1; '
                         'write "no" (in quotes) if you mean text']

    def test_octal_where_text_is_expected_asks_for_quotes(self, problems):
        """An instance id written 012 is a problem, not the number 10."""
        found = problems("defaults:\n  instance_ids: [012]\n" + MINIMAL)
        assert found == ['config.yaml:2:18: defaults.instance_ids[0]: 012 is read as an octal number by YAML 1.1; '
                         'write "012" (in quotes) if you mean text']

    def test_sexagesimal_where_text_is_expected_asks_for_quotes(self, problems):
        """`schedule: 8:30` is a problem, not the number 510."""
        found = problems(MINIMAL + "    schedule: 8:30\n")
        assert found == ['config.yaml:11:5: reports[0].schedule: 8:30 is read as a base-60 number by YAML 1.1; '
                         'write "8:30" (in quotes) if you mean text']

    def test_number_where_text_is_expected_quotes_the_source_text(self, problems):
        """A column format written 0.00 (a float) is asked for in quotes, spelled as in the file."""
        found = problems(MINIMAL + "    columns:\n      - {field: metrics.impressions, format: 0.00}\n")
        assert found == ['config.yaml:12:38: reports[0].columns[0].format: expected text, not a number; '
                         'write "0.00" (in quotes)']

    def test_yaml11_boolean_where_a_boolean_is_expected_asks_for_true_or_false(self, problems):
        """`escape_formulas: yes` is refused: only true and false mean the same in every YAML version."""
        found = problems(MINIMAL.replace("output: reports/{report}.csv",
                                         "output: reports/{report}.csv\n    escape_formulas: yes"))
        assert found == ["config.yaml:5:5: destinations.out.escape_formulas: yes is read as a boolean only "
                         "by YAML 1.1; write true or false"]

    def test_octal_where_a_number_is_expected_asks_for_a_plain_number(self, problems):
        """`max_rows: 0500` is refused instead of becoming 320 or 500."""
        found = problems(MINIMAL + "    max_rows: 0500\n")
        assert found == ["config.yaml:11:5: reports[0].max_rows: 0500 is read as an octal number by YAML 1.1; "
                         "write a plain number"]


class TestTagsSizeAndSyntax:
    def test_python_tag_is_refused_and_nothing_runs(self, problems, tmp_path):
        """A python/object tag is a problem; the command it names is never executed."""
        marker = tmp_path / "ran"
        found = problems(f'x: !!python/object/apply:os.system ["touch {marker}"]\n')
        assert found == ["config.yaml:1:4: tag !!python/object/apply:os.system is not allowed; config is plain data"]
        assert not marker.exists()

    def test_custom_tag_is_refused(self, problems):
        """Any application tag (`!env`) is refused: config is plain data."""
        assert problems("x: !env HOME\n") == ["config.yaml:1:4: tag !env is not allowed; config is plain data"]

    def test_explicit_str_tag_keeps_text(self):
        """`!!str` is the one tag allowed, and keeps a YAML 1.1 look-alike as text."""
        doc = read_yaml_text("x: !!str no\n")
        assert doc.problems == [] and doc.data == {"x": "no"} and not isinstance(doc.data["x"], Ambiguous)

    def test_file_over_the_size_cap_is_refused(self, problems):
        """A file larger than 1 MiB is refused before parsing."""
        assert problems("# " + "x" * (1024 * 1024) + "\n") == [
            "config.yaml:1:1: the file is larger than 1 MiB; refused"]

    def test_syntax_error_names_line_and_column(self, problems):
        """A YAML syntax error is one problem at the parser's position."""
        assert problems("reports: [a, b\nx: 1\n") == [
            "config.yaml:2:2: YAML syntax error: did not find expected ',' or ']'"]

    def test_unquoted_reference_in_flow_mapping_gets_a_hint(self, problems):
        """`{host: ${SMTP_HOST}}` breaks YAML flow syntax; the problem says to quote the reference."""
        found = problems("smtp: {host: ${SMTP_HOST}, port: 587}\n")
        assert found == ["config.yaml:1:15: YAML syntax error: did not find expected ',' or '}'; "
                         'inside {...} or [...], put ${VAR} references in quotes: "${VAR}"']

    def test_missing_file_is_a_problem(self, write_config):
        """A config path that does not exist is one problem, not a traceback."""
        from sheets_sync.validate import validate_config

        write_config("")
        assert [str(p) for p in validate_config("nope.yaml", {}).problems] == [
            "nope.yaml:1:1: cannot read the file: No such file or directory"]

    def test_non_utf8_byte_is_located_by_line_and_column(self, write_config):
        """A Latin-1 é on line 2 is reported at 2:17 with the byte's value, not at 1:1 "(byte 21)"."""
        from sheets_sync.validate import validate_config

        path = write_config("")
        path.write_bytes(b"api:\n  client_id: caf\xe9\n")
        assert [str(p) for p in validate_config(path, {}).problems] == [
            "config.yaml:2:17: the file is not UTF-8 text: byte 0xE9 cannot be read as UTF-8; save the file as UTF-8"]

    def test_utf16_file_is_named_as_such(self, write_config):
        """A UTF-16 file (a BOM of FF FE) gets a message saying what it is."""
        from sheets_sync.validate import validate_config

        path = write_config("")
        path.write_bytes("a: 1\n".encode("utf-16"))
        assert [str(p) for p in validate_config(path, {}).problems] == [
            "config.yaml:1:1: the file is UTF-16 text; save it as UTF-8"]

    def test_control_character_is_one_line_at_its_position(self, problems):
        """A control character is one problem on one line, at the character's line and column."""
        assert problems('a: 1\nb: "x\x01y"\n') == [
            "config.yaml:2:6: control character U+0001 is not allowed in YAML; remove it"]

    def test_tab_indentation_says_use_spaces(self, problems):
        """A TAB used to indent gets "use spaces", not PyYAML's "cannot start any token"."""
        assert problems("api:\n\tclient_id: x\n") == ["config.yaml:2:1: tabs cannot indent YAML; use spaces"]

    def test_nesting_depth_is_capped_before_composing(self, problems):
        """40 levels are read; deeper documents are refused at the line of the first level too deep."""
        assert not [p for p in problems("a: " + "[" * 39 + "]" * 39 + "\n") if "nesting" in p]
        text = "a:\n" + "".join("  " * (i + 1) + f"k{i}:\n" for i in range(300))
        assert problems(text) == ["config.yaml:41:81: nesting deeper than 40 levels; refused"]

    def test_two_documents_are_refused(self, problems):
        """A config is one YAML document."""
        assert problems("a: 1\n---\nb: 2\n") == [
            "config.yaml:2:1: a config file holds one YAML document; remove the second ---"]

    def test_top_level_must_be_a_mapping(self, problems):
        """A list at the top of the file is one clear problem."""
        assert problems("- a\n- b\n") == ["config.yaml:1:1: expected a mapping of keys at the top of the file"]


class TestBracesNeedQuotes:
    """`{report}` at the start of a value opens a YAML flow mapping: the problem says how to quote it."""

    def test_braces_followed_by_text_are_a_syntax_error_with_a_quoting_hint(self, problems):
        """`output: {report}.csv` cannot parse; the one problem quotes the fixed line."""
        found = problems(MINIMAL.replace("output: reports/{report}.csv", "output: {report}.csv"))
        assert len(found) == 1 and found[0].startswith("config.yaml:4:21: YAML syntax error")
        assert found[0].endswith('a value that starts with { is read as a YAML mapping: put it in quotes, '
                                 'output: "{report}.csv"')

    def test_braces_inside_a_flow_mapping_get_the_same_hint(self, problems):
        """The same mistake inside `{type: csv, output: {report}.csv}` names the same fix."""
        text = MINIMAL.replace("  out:\n    type: csv\n    output: reports/{report}.csv",
                               "  out: {type: csv, output: {report}-{end_date}.csv}")
        found = problems(text)
        assert len(found) == 1 and 'put it in quotes, output: "{report}-{end_date}.csv"' in found[0]

    def test_a_placeholder_inside_a_value_inside_a_flow_mapping_gets_a_quoting_hint(self, problems):
        """`{type: csv, output: out/{report}.csv}`: the placeholder's `}` ends the mapping; the hint quotes it."""
        text = MINIMAL.replace("  out:\n    type: csv\n    output: reports/{report}.csv",
                               "  out: {type: csv, output: out/{report}-{end_date:%Y-%m}.csv}")
        found = problems(text)
        assert len(found) == 1 and found[0].startswith("config.yaml:")
        assert found[0].endswith('inside {...} a value holding {placeholders} must be in quotes: '
                                 'output: "out/{report}-{end_date:%Y-%m}.csv"')

    def test_a_lone_placeholder_read_as_a_mapping_gets_a_quoting_hint(self, problems):
        """`output: {report}` parses as a mapping; the type problem at the key adds the quoting hint."""
        found = problems(MINIMAL.replace("output: reports/{report}.csv", "output: {end_date:%Y-%m}"))
        assert found == ['config.yaml:4:5: destinations.out.output: expected text, not a mapping; a value that starts '
                         'with { is read as a YAML mapping: put it in quotes, output: "{end_date:%Y-%m}"']

    def test_a_real_flow_mapping_gets_no_quoting_hint(self, problems):
        """A flow mapping with values (`{last: 7, unit: days}`) is meant as one: no hint is added to its problems."""
        found = problems(MINIMAL.replace("date_range: last_7_days", "date_range: {last: 7, unit: fortnights}"))
        assert found and all("quotes" not in line for line in found)


class TestImpossibleDates:
    @pytest.mark.parametrize(("written", "reason"), [
        ("2026-02-30", "2026-02-30 does not exist: February 2026 has 28 days"),
        ("2025-02-29", "2025-02-29 does not exist: February 2025 has 28 days"),
        ("2026-04-31", "2026-04-31 does not exist: April 2026 has 30 days"),
        ("2026-13-01", "2026-13-01 does not exist: there is no month 13 (months are 01 to 12)"),
        ('"2026-02-30"', "2026-02-30 does not exist: February 2026 has 28 days"),
        ('"31/01/2026"', 'expected a date written YYYY-MM-DD, not "31/01/2026"'),
    ])
    def test_a_date_that_does_not_exist_is_named_as_such(self, problems, written, reason):
        """A fixed range's impossible start is one problem at its line saying why the date does not exist."""
        text = MINIMAL.replace("date_range: last_7_days", f"date_range: {{start: {written}, end: 2026-06-30}}")
        found = problems(text)
        assert found == [f"config.yaml:9:18: reports[0].date_range.start: {reason}"]

    def test_leap_day_of_a_leap_year_is_accepted(self, problems):
        """2024-02-29 exists: no problem."""
        leap = MINIMAL.replace("date_range: last_7_days", "date_range: {start: 2024-02-29, end: 2024-03-31}")
        assert problems(leap) == []
