"""`python -m sheets_sync emulator` through its entry point: first line, options, clean shutdown."""

from __future__ import annotations

import signal
import subprocess
import sys

import pytest
import requests

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


def test_invalid_option_value_returns_2(capsys):
    """A value the options reject (error rate above 1) is one line on stderr and exit code 2."""
    assert main(["--error-rate", "1.5"]) == 2
    assert "error_rate" in capsys.readouterr().err


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
