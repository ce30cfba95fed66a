"""Tests of the CLI commands in-process (`main(argv)`) against the real emulator and real files."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from sheets_sync.cli import build_parser, main

COMMANDS = ["demo", "run", "validate", "endpoints", "preview", "history", "schema", "schedule", "status"]


def files_under(folder: Path) -> set[str]:
    """Every file below `folder`, relative."""
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}


class TestRun:
    """`run CONFIG`: writes every destination, prints a summary, records history, sets the exit code."""

    def test_run_writes_outputs_prints_summary_and_records_history(self, config_file: Path, capsys) -> None:
        """A clean run exits 0, prints one summary row per report and stores one history row per report."""
        assert main(["run", str(config_file)]) == 0
        out = capsys.readouterr().out
        assert "Summary" in out and "Campaigns" in out and "Platforms" in out and "out/book.xlsx" in out
        folder = config_file.parent
        assert {"out/book.xlsx", "out/campaigns.csv", "out/platforms.csv"} <= files_under(folder)
        with sqlite3.connect(folder / ".sheets-sync" / "history.sqlite") as conn:
            rows = conn.execute("select report, status, rows > 0, pages, requests from runs order by id").fetchall()
        assert [r[:3] for r in rows] == [("Campaigns", "ok", 1), ("Platforms", "ok", 1)]
        assert all(pages >= 1 and requests >= pages for _, _, _, pages, requests in rows)

    def test_failing_report_gives_exit_1_and_the_others_still_run(self, failing_config_file: Path, capsys) -> None:
        """A report the API refuses is failed in the summary with the API's reason; the rest are written."""
        assert main(["run", str(failing_config_file)]) == 1
        out = capsys.readouterr().out
        assert "failed" in out and "instance_zzz" in out
        assert {"out/campaigns.csv", "out/platforms.csv"} <= files_under(failing_config_file.parent)

    def test_report_option_runs_only_the_named_report(self, config_file: Path, capsys) -> None:
        """--report NAME runs that report alone."""
        assert main(["run", str(config_file), "--report", "Platforms"]) == 0
        assert files_under(config_file.parent / "out") == {"platforms.csv"}

    def test_unknown_report_is_a_usage_error_on_one_line(self, config_file: Path, capsys) -> None:
        """--report with a name the config lacks exits 2 with one line naming the known reports."""
        assert main(["run", str(config_file), "--report", "Nope"]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and "'Nope'" in err[0] and "'Campaigns'" in err[0]

    def test_dry_run_prints_rows_and_writes_nothing(self, config_file: Path, capsys) -> None:
        """--dry-run prints the first rows of each report and creates no file at all (not even history)."""
        before = files_under(config_file.parent)
        assert main(["run", str(config_file), "--dry-run", "--rows", "2"]) == 0
        out = capsys.readouterr().out
        assert files_under(config_file.parent) == before
        assert "campaignName" in out and "dry_run" in out

    def test_json_logs_are_json_lines_on_stderr(self, config_file: Path, capsys) -> None:
        """--json-logs --log-level INFO makes every stderr line a JSON object; stdout keeps the summary."""
        assert main(["--json-logs", "run", str(config_file), "--log-level", "INFO"]) == 0
        captured = capsys.readouterr()
        lines = [line for line in captured.err.splitlines() if line.strip()]
        assert lines and all(json.loads(line)["level"] for line in lines)
        assert "demo-secret" not in captured.err
        assert "Summary" in captured.out

    def test_missing_environment_variable_is_a_config_problem(self, config_file: Path, capsys,
                                                              monkeypatch) -> None:
        """Without LATER_CLIENT_SECRET the run stops before any request with exit 2 naming the key."""
        monkeypatch.delenv("LATER_CLIENT_SECRET")
        assert main(["run", str(config_file)]) == 2
        err = capsys.readouterr().err
        assert "LATER_CLIENT_SECRET" in err and "Traceback" not in err


class TestPreviewAndHistory:
    """`preview` shows rows without writing; `history` lists what runs recorded."""

    def test_preview_prints_the_first_rows(self, config_file: Path, capsys) -> None:
        """preview --rows 3 prints a table with exactly three data rows and writes nothing."""
        before = files_under(config_file.parent)
        assert main(["preview", str(config_file), "--report", "Platforms", "--rows", "3"]) == 0
        out = capsys.readouterr().out
        assert "contentType" in out
        data_lines = [line for line in out.splitlines() if line.strip().startswith(("instagram", "tiktok",
                                                                                     "facebook", "youtube",
                                                                                     "twitter", "pinterest"))]
        assert len(data_lines) == 3
        assert files_under(config_file.parent) == before

    def test_history_lists_recent_runs_newest_first(self, config_file: Path, capsys) -> None:
        """history --config shows the runs of that config, limited by --limit."""
        assert main(["run", str(config_file), "--report", "Platforms"]) == 0
        assert main(["run", str(config_file), "--report", "Campaigns"]) == 0
        capsys.readouterr()
        assert main(["history", "--config", str(config_file), "--limit", "1"]) == 0
        out = capsys.readouterr().out
        assert "Campaigns" in out and "Platforms" not in out

    def test_history_without_runs_says_so(self, tmp_path: Path, monkeypatch, capsys) -> None:
        """history in a folder with no run history prints a friendly line and creates nothing."""
        monkeypatch.chdir(tmp_path)
        assert main(["history"]) == 0
        assert "No runs recorded yet" in capsys.readouterr().out
        assert files_under(tmp_path) == set()


class TestValidateAndSchema:
    """`validate` prints problems as FILE:LINE:COL lines; `schema` prints the JSON Schema."""

    def test_valid_config_prints_one_ok_line(self, config_file: Path, capsys) -> None:
        """A valid config exits 0 with one OK line counting reports, destinations and warnings."""
        assert main(["validate", str(config_file)]) == 0
        out = capsys.readouterr().out.strip().splitlines()
        assert out == [f"OK: {config_file}: 2 reports, 2 destinations, 0 warnings"]

    def test_warnings_are_printed_and_counted_but_do_not_fail(self, config_file: Path, capsys) -> None:
        """A warning (requests_per_minute above 120) is printed with its location; the OK line counts it."""
        text = config_file.read_text(encoding="utf-8").replace("  pagination: page\n",
                                                                "  pagination: page\n  requests_per_minute: 200\n")
        config_file.write_text(text, encoding="utf-8")
        assert main(["validate", str(config_file)]) == 0
        lines = capsys.readouterr().out.strip().splitlines()
        assert lines[0].startswith(f"{config_file}:7:") and "api.requests_per_minute" in lines[0]
        assert lines[1] == f"OK: {config_file}: 2 reports, 2 destinations, 1 warning"

    def test_every_problem_is_printed_with_file_line_and_key(self, tmp_path: Path, api_env, capsys) -> None:
        """Two mistakes give two FILE:LINE:COL: key: message lines and exit 2."""
        path = tmp_path / "bad.yaml"
        path.write_text("timezone: Mars/Base\napi:\n  page_size: 500\n", encoding="utf-8")
        assert main(["validate", str(path)]) == 2
        lines = capsys.readouterr().out.strip().splitlines()
        assert any(line.startswith(f"{path}:1:1: timezone: ") for line in lines)
        assert any(line.startswith(f"{path}:3:3: api.page_size: ") for line in lines)

    def test_missing_config_file_exits_2(self, tmp_path: Path, capsys) -> None:
        """A config path that does not exist is a config problem (exit 2), not a traceback."""
        assert main(["validate", str(tmp_path / "none.yaml")]) == 2
        captured = capsys.readouterr()
        assert "Traceback" not in captured.err + captured.out

    def test_schema_is_json_schema_of_the_config(self, capsys) -> None:
        """schema prints a JSON Schema whose properties include reports and destinations."""
        assert main(["schema"]) == 0
        schema = json.loads(capsys.readouterr().out)
        assert {"reports", "destinations", "api"} <= set(schema["properties"])


class TestParser:
    """Usage, help, version and the error edge of `main`."""

    @pytest.mark.parametrize("command", COMMANDS)
    def test_every_command_has_help_with_an_example(self, command: str, capsys) -> None:
        """`COMMAND --help` exits 0 and shows an example line."""
        assert main([command, "--help"]) == 0
        assert "example: sheets-sync " + command in capsys.readouterr().out

    @pytest.mark.parametrize("argv", [["--version"], ["endpoints", "--version"], ["validate", "--version"]])
    def test_version(self, argv: list[str], capsys) -> None:
        """--version prints the program name and version, before or after a command (as the README says)."""
        assert main(argv) == 0
        assert capsys.readouterr().out.startswith("sheets-sync ")

    def test_unknown_option_is_usage_error(self, capsys) -> None:
        """An option a command does not have exits 2 with argparse's usage message."""
        assert main(["endpoints", "--bogus"]) == 2
        assert "unrecognized arguments: --bogus" in capsys.readouterr().err

    def test_no_command_is_usage_error(self, capsys) -> None:
        """Running with no command exits 2 and lists the commands."""
        assert main([]) == 2
        assert "COMMAND" in capsys.readouterr().err

    def test_parser_knows_exactly_the_documented_commands(self) -> None:
        """The parser's commands are the README's, plus the two emulators."""
        sub = next(a for a in build_parser()._actions if a.dest == "command")
        assert sorted(sub.choices) == sorted(COMMANDS + ["emulator", "sheets-emulator"])


class TestEndpointsAndEmulator:
    """`endpoints` prints the catalogue; `emulator` hands its arguments to the emulator's CLI."""

    def test_endpoints_lists_every_endpoint(self, capsys) -> None:
        """endpoints prints every catalogue endpoint name."""
        from sheets_sync.catalogue import ENDPOINTS

        assert main(["endpoints"]) == 0
        out = capsys.readouterr().out
        assert all(e.name in out for e in ENDPOINTS)

    def test_one_endpoint_shows_its_metrics(self, capsys) -> None:
        """endpoints ENDPOINT shows that endpoint's metrics."""
        assert main(["endpoints", "campaigns/performance"]) == 0
        assert "estimatedRoi" in capsys.readouterr().out

    def test_unknown_endpoint_exits_2(self, capsys) -> None:
        """An unknown endpoint is a usage error on one line."""
        assert main(["endpoints", "campaigns/nope"]) == 2
        assert len(capsys.readouterr().err.strip().splitlines()) == 1

    def test_emulator_options_reach_the_emulator_parser(self, capsys) -> None:
        """`emulator --help` is the emulator's own help, with its fault options."""
        assert main(["emulator", "--help"]) == 0
        assert "--error-rate" in capsys.readouterr().out


def test_preview_of_a_refused_report_exits_1_with_the_reason(failing_config_file: Path, capsys) -> None:
    """preview of a report the API refuses prints the API's reason on one line and exits 1."""
    assert main(["preview", str(failing_config_file), "--report", "Forbidden"]) == 1
    err = [line for line in capsys.readouterr().err.splitlines() if line.startswith("sheets-sync:")]
    assert len(err) == 1 and "instance_zzz" in err[0]


def test_debug_logs_hold_no_secret_and_no_token(config_file: Path, capsys) -> None:
    """Even at DEBUG, neither the client secret nor any issued JWT reaches the log output."""
    assert main(["run", str(config_file), "--log-level", "DEBUG"]) == 0
    captured = capsys.readouterr()
    assert "DEBUG" in captured.err or "INFO" in captured.err
    for text in (captured.err, captured.out):
        assert "demo-secret" not in text and "eyJ" not in text
