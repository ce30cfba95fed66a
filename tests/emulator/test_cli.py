"""`python -m sheets_sync emulator` through its entry point: first line, options, clean shutdown."""

from __future__ import annotations

import csv
import datetime as dt
import signal
import subprocess
import sys

import pytest
import requests

from sheets_sync.cli import main as cli_main
from sheets_sync.emulator import EmulatorOptions
from sheets_sync.emulator.cli import build_parser, main, options_from


def _start(*args: str) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen([sys.executable, "-m", "sheets_sync.emulator.cli", "--port", "0", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    return proc, line


def test_prints_listening_line_serves_and_stops_on_sigterm():
    """The first stdout line is `Listening on http://127.0.0.1:PORT`; it serves; SIGTERM exits 0."""
    proc, line = _start("--pagination", "cursor")
    try:
        assert line.startswith("Listening on http://127.0.0.1:")
        url = line.split()[-1]
        token = requests.post(url + "/oauth/token", json={"clientId": "demo-client", "clientSecret": "demo-secret"},
                              timeout=5).json()["jwt"]
        r = requests.get(url + "/v2/instances", headers={"Authorization": f"Bearer {token}"}, timeout=5)
        assert r.json()["nextCursor"] is None
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0


def test_fault_and_credential_options_reach_the_server():
    """--client-id/--client-secret and --throttle-every change what the running server does."""
    proc, line = _start("--client-id", "me", "--client-secret", "pw", "--throttle-every", "1", "--retry-after", "3")
    try:
        url = line.split()[-1]
        token = requests.post(url + "/oauth/token", json={"clientId": "me", "clientSecret": "pw"}, timeout=5)
        assert token.status_code == 200
        r = requests.get(url + "/v2/instances", headers={"Authorization": f"Bearer {token.json()['jwt']}"}, timeout=5)
        assert r.status_code == 429 and r.headers["Retry-After"] == "3"
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=10)


def test_every_option_maps_to_emulator_options():
    """Each command-line flag lands in the matching EmulatorOptions field; defaults match the library's."""
    args = build_parser().parse_args([
        "--pagination", "cursor", "--seed", "9", "--scale", "2", "--token-lifetime", "60", "--latency-ms", "5",
        "--error-rate", "0.1", "--rate-limit", "120", "--throttle-every", "4", "--revoke-after", "7",
        "--malformed-json-every", "3", "--html-every", "6", "--repeat-cursor", "--lenient-params"])
    o = options_from(args)
    assert (o.pagination, o.seed, o.scale, o.token_lifetime_seconds, o.latency_ms, o.error_rate) == \
        ("cursor", 9, 2, 60, 5, 0.1)
    assert (o.rate_limit_per_minute, o.throttle_every, o.revoke_after, o.malformed_json_every, o.html_every) == \
        (120, 4, 7, 3, 6)
    assert o.repeat_cursor and not o.strict_params
    default = options_from(build_parser().parse_args([]))
    assert default.pagination == "page" and default.client_id == "demo-client" and default.rate_limit_per_minute is None


def test_bad_pagination_is_a_usage_error():
    """An unknown --pagination value exits with status 2 before binding a port."""
    with pytest.raises(SystemExit) as exit_info:
        main(["--pagination", "offset"])
    assert exit_info.value.code == 2


@pytest.mark.parametrize(("flag", "value"), [
    ("--error-rate", "1.5"), ("--error-rate", "-0.1"), ("--error-rate", "nan"), ("--latency-ms", "-5"),
    ("--retry-after", "-1"), ("--token-lifetime", "-1"), ("--scale", "0"), ("--rate-limit", "0"),
    ("--throttle-every", "-2"), ("--html-every", "x"), ("--anchor-date", "2026-02-30"),
])
def test_invalid_number_is_one_usage_line_naming_the_flag(flag, value, capsys):
    """A negative latency, a fault rate outside 0-1, a zero count, a bad date: exit 2, one line naming the flag."""
    with pytest.raises(SystemExit) as exit_info:
        main([flag, value])
    assert exit_info.value.code == 2
    errors = [line for line in capsys.readouterr().err.splitlines() if "error:" in line]
    assert len(errors) == 1 and f"argument {flag}:" in errors[0] and value in errors[0]


@pytest.mark.parametrize("field", ["latency_ms", "retry_after_seconds", "cache_size", "token_lifetime_seconds"])
def test_library_options_refuse_negative_numbers(field):
    """EmulatorOptions.validate refuses what the command line refuses (for emulators started from code)."""
    with pytest.raises(ValueError, match=field):
        EmulatorOptions(**{field: -1}).validate()


def test_options_refuse_a_port_outside_the_range():
    """A port above 65535 given to the library is refused before binding, naming the range."""
    with pytest.raises(ValueError, match="0-65535"):
        EmulatorOptions(port=70000).validate()


def test_help_shows_the_default_credentials_and_anchor(capsys):
    """--help names demo-client / demo-secret and says the data ends yesterday by default."""
    with pytest.raises(SystemExit):
        main(["--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "demo-client" in text and "demo-secret" in text and "default: yesterday" in text


def test_standalone_data_ends_yesterday_by_default():
    """Without --anchor-date the last day with data is yesterday; --anchor-date still overrides it."""
    default = options_from(build_parser().parse_args([]))
    assert default.anchor_date == dt.date.today() - dt.timedelta(days=1)
    assert options_from(build_parser().parse_args(["--anchor-date", "2026-06-30"])).anchor_date == \
        dt.date(2026, 6, 30)


def test_standalone_emulator_serves_rows_for_a_relative_range(tmp_path, monkeypatch):
    """`sheets-sync emulator` with no options + a config asking for last_7_days: the run writes rows."""
    proc, line = _start()
    try:
        url = line.split()[-1]
        monkeypatch.setenv("LATER_API_URL", url)
        monkeypatch.setenv("LATER_CLIENT_ID", "demo-client")
        monkeypatch.setenv("LATER_CLIENT_SECRET", "demo-secret")
        config = tmp_path / "recent.yaml"
        config.write_text(RECENT_CONFIG, encoding="utf-8")
        assert cli_main(["run", str(config)]) == 0
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=10)
    with open(tmp_path / "out" / "trend.csv", encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))[1:]
    assert len(rows) == 7  # one row per day of the last 7 days, each from the emulator's data
    assert sum(int(row[-1]) for row in rows) > 0


RECENT_CONFIG = """\
api: {base_url: "${LATER_API_URL}", client_id: "${LATER_CLIENT_ID}", client_secret: "${LATER_CLIENT_SECRET}"}
destinations:
  flat: {type: csv, output: out/trend.csv}
reports:
  - name: Trend
    endpoint: instances/performance-over-time
    granularity: day
    date_range: last_7_days
    metrics: [impressions]
    columns:
      - {field: startDate, header: Day}
      - {field: metrics.impressions, header: Impressions}
    destination: flat
"""


@pytest.mark.parametrize("port", ["99999", "-1", "65536", "http"])
def test_port_outside_0_to_65535_is_a_one_line_usage_error(port):
    """--port 99999 / -1 / 65536 / text: exit 2 with one `error:` line naming the port, no traceback."""
    proc = subprocess.run([sys.executable, "-m", "sheets_sync", "emulator", "--port", port],
                          capture_output=True, text=True, timeout=30, check=False)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and proc.stdout == ""
    errors = [line for line in proc.stderr.splitlines() if "error:" in line]
    assert len(errors) == 1 and "invalid port" in errors[0] and "0-65535" in errors[0]


@pytest.mark.parametrize("port", ["0", "65535"])
def test_port_bounds_are_accepted(port):
    """0 and 65535 are valid port values for the parser."""
    assert build_parser().parse_args(["--port", port]).port == int(port)
