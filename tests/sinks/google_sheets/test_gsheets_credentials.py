"""Where the Sheets sink's credentials come from when no emulator is named: a service-account key file, or else
Application Default Credentials; every failure is one line that names the file or says how to set ADC up, and
never carries the private key or a token. Google is never contacted: token_uri points at loopback."""

from __future__ import annotations

import http.server
import json
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from sheets_sync.cli import main
from sheets_sync.emulator import RunningEmulator
from sheets_sync.sinks.google_sheets import GoogleSheetsSink
from sheets_sync.sinks.registry import registered

ACCOUNT = "sheets-writer@demo-project.iam.gserviceaccount.com"
KEY_ID = "0f1e2d3c4b5a69788796a5b4c3d2e1f0deadbeef"
CONFIG = """\
timezone: UTC
api: {{base_url: "{later}", client_id: demo-client, client_secret: "${{LATER_CLIENT_SECRET}}", pagination: page}}
defaults: {{date_range: {{start: 2026-04-01, end: 2026-06-30}}}}
destinations:
  sheet: {{type: google_sheets, spreadsheet: 1AbCdEfGhIjKlMnOpQrStUvWxYz{credentials}}}
reports:
  - {{name: Campaigns, endpoint: campaigns/performance, metrics: [impressions], destination: sheet}}
"""


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def service_account_key(path: Path, token_uri: str) -> str:
    """Write a service-account JSON key with a fresh RSA key and `token_uri`; returns the PEM private key."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode("ascii")
    path.write_text(json.dumps({
        "type": "service_account", "project_id": "demo-project", "private_key_id": KEY_ID, "private_key": pem,
        "client_email": ACCOUNT, "client_id": "109876543210", "token_uri": token_uri,
        "auth_uri": "http://127.0.0.1:9/auth"}), encoding="utf-8")
    return pem


@pytest.fixture
def no_google(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No emulator, no ADC anywhere (no variable, an empty gcloud folder, no metadata-server probe)."""
    for variable in ("SHEETS_EMULATOR_HOST", "GOOGLE_APPLICATION_CREDENTIALS"):
        monkeypatch.delenv(variable, raising=False)
    (tmp_path / "gcloud").mkdir()
    monkeypatch.setenv("CLOUDSDK_CONFIG", str(tmp_path / "gcloud"))
    monkeypatch.setenv("NO_GCE_CHECK", "True")
    monkeypatch.setenv("LATER_CLIENT_SECRET", "demo-secret")


def write_config(folder: Path, later: RunningEmulator, credentials: str | None) -> Path:
    path = folder / "sync.yaml"
    path.write_text(CONFIG.format(later=later.url, credentials=f", credentials: {credentials}" if credentials
                                  else ""), encoding="utf-8")
    return path


def run_cli(config: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    """`run CONFIG --log-level DEBUG` with back-off waits recorded, not slept; exit code and stderr lines."""
    waits: list[float] = []
    with registered("google_sheets", GoogleSheetsSink(sleep=waits.append, rand=lambda: 0.5)):
        code = main(["run", str(config), "--log-level", "DEBUG"])
    return code, capsys.readouterr().err.strip().splitlines()


def assert_no_secret(text: str, pem: str) -> None:
    """Neither the private key (whole or any line of it), its id, nor anything like a JWT is in `text`."""
    for line in pem.splitlines():
        if "PRIVATE KEY" not in line:
            assert line not in text
    assert KEY_ID not in text and "eyJ" not in text and "assertion" not in text


def state_bytes(folder: Path) -> bytes:
    """Everything the run history keeps below the config's folder."""
    return b"".join(p.read_bytes() for p in (folder / ".sheets-sync").rglob("*") if p.is_file()) \
        if (folder / ".sheets-sync").exists() else b""


def test_a_service_account_run_with_no_network_fails_in_the_check_with_one_line_and_no_secret(
        tmp_path: Path, no_google: None, emulator: RunningEmulator, capsys: pytest.CaptureFixture[str]) -> None:
    """Key file whose token endpoint is unreachable: exit 1 before any fetch, one error line naming the account."""
    pem = service_account_key(tmp_path / "key.json", f"http://127.0.0.1:{closed_port()}/token")
    before = emulator.stats.total
    code, err = run_cli(write_config(tmp_path, emulator, "key.json"), capsys)
    errors = [line for line in err if line.startswith("sheets-sync: error:")]
    assert code == 1
    assert errors == [f"sheets-sync: error: destination 'sheet': signing in as {ACCOUNT}: could not reach "
                      "Google's sign-in (token) endpoint (ConnectionError); gave up after 5 attempt(s)"]
    assert emulator.stats.total == before  # the check comes before any Reporting API request
    everything = "\n".join(err)
    assert_no_secret(everything, pem)
    assert_no_secret(state_bytes(tmp_path).decode("utf-8", "replace"), pem)


class _RefusingTokenEndpoint(http.server.BaseHTTPRequestHandler):
    """Google's token endpoint refusing a JWT as it does for a deleted key: 400 invalid_grant."""

    bodies: list[bytes] = []

    def do_POST(self) -> None:
        self.bodies.append(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
        body = json.dumps({"error": "invalid_grant", "error_description": "Invalid JWT Signature."}).encode()
        self.send_response(400)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # the stdlib's signature
        pass


@pytest.fixture
def refusing_token_endpoint() -> Iterator[str]:
    """The token URL of a loopback server that refuses every sign-in."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _RefusingTokenEndpoint)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/token"
    finally:
        server.shutdown()
        server.server_close()


def test_a_refused_service_account_is_one_line_with_googles_reason_exit_2_and_no_retry(
        tmp_path: Path, no_google: None, emulator: RunningEmulator, refusing_token_endpoint: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    """400 invalid_grant from the token endpoint: asked once, exit 2, Google's code and reason, no JWT anywhere."""
    _RefusingTokenEndpoint.bodies = []
    pem = service_account_key(tmp_path / "key.json", refusing_token_endpoint)
    code, err = run_cli(write_config(tmp_path, emulator, "key.json"), capsys)
    assert code == 2
    assert [line for line in err if line.startswith("sheets-sync: error:")] == [
        f"sheets-sync: error: destination 'sheet': signing in as {ACCOUNT}: Google refused the credentials: "
        "invalid_grant: Invalid JWT Signature."]
    [sent] = _RefusingTokenEndpoint.bodies
    assertion = dict(part.split("=", 1) for part in sent.decode().split("&"))["assertion"]
    assert assertion.startswith("eyJ")  # a real signed JWT was sent ...
    assert assertion not in "\n".join(err) and assertion[:40] not in "\n".join(err)  # ... and never shown
    assert_no_secret("\n".join(err), pem)


@pytest.mark.parametrize(("content", "fault"), [
    (None, "cannot be read: No such file or directory"),
    ("{not json", "is not JSON (expected a service-account key from the Google Cloud console)"),
    ('{"type": "authorized_user", "client_id": "x", "refresh_token": "1//r"}',
     "is not a service-account key (type: 'authorized_user')"),
    ('{"type": "service_account", "client_email": "a@b.iam.gserviceaccount.com", "private_key": "-----BEGIN '
     'PRIVATE KEY-----\\nnot-a-key-at-all-but-long-enough\\n-----END PRIVATE KEY-----\\n", "token_uri": '
     '"http://127.0.0.1:9/token"}', "is not a usable service-account key (ValueError)"),
], ids=["missing", "not-json", "user-credentials", "broken-private-key"])
def test_a_missing_or_malformed_credentials_file_is_one_line_naming_the_file_and_the_fault(
        tmp_path: Path, no_google: None, emulator: RunningEmulator, capsys: pytest.CaptureFixture[str],
        content: str | None, fault: str) -> None:
    """Each unusable key file: exit 2 before any fetch, one line with the destination, the file's path, the fault."""
    if content is not None:
        (tmp_path / "key.json").write_text(content, encoding="utf-8")
    before = emulator.stats.total
    code, err = run_cli(write_config(tmp_path, emulator, "key.json"), capsys)
    errors = [line for line in err if line.startswith("sheets-sync: error:")]
    assert code == 2 and len(errors) == 1
    assert errors[0].startswith(f"sheets-sync: error: destination 'sheet': credentials file {tmp_path / 'key.json'} "
                                f"{fault}")
    assert "not-a-key-at-all" not in "\n".join(err) and "1//r" not in "\n".join(err)
    assert emulator.stats.total == before


def test_without_credentials_and_without_adc_the_check_says_how_to_set_adc_up(
        tmp_path: Path, no_google: None, emulator: RunningEmulator, capsys: pytest.CaptureFixture[str]) -> None:
    """No `credentials:` and no ADC: the config is valid, the run stops in the check with one line, exit 2."""
    config = write_config(tmp_path, emulator, None)
    assert main(["validate", str(config)]) == 0
    capsys.readouterr()
    code, err = run_cli(config, capsys)
    assert code == 2
    assert [line for line in err if line.startswith("sheets-sync: error:")] == [
        "sheets-sync: error: destination 'sheet': no Google credentials: set credentials: to a service-account "
        "JSON key, or set up Application Default Credentials (`gcloud auth application-default login`, or "
        "GOOGLE_APPLICATION_CREDENTIALS=/path/to/key.json)"]


def test_application_default_credentials_are_used_when_credentials_is_absent_and_name_the_account(
        tmp_path: Path, no_google: None, emulator: RunningEmulator, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """GOOGLE_APPLICATION_CREDENTIALS names a service-account key: the check acts as (and names) that account."""
    pem = service_account_key(tmp_path / "adc.json", f"http://127.0.0.1:{closed_port()}/token")
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(tmp_path / "adc.json"))
    code, err = run_cli(write_config(tmp_path, emulator, None), capsys)
    assert code == 1
    assert f"destination 'sheet': Google Sheets as {ACCOUNT}" in "\n".join(err)
    assert [line for line in err if line.startswith("sheets-sync: error:")] == [
        f"sheets-sync: error: destination 'sheet': signing in as {ACCOUNT}: could not reach Google's sign-in "
        "(token) endpoint (ConnectionError); gave up after 5 attempt(s)"]
    assert_no_secret("\n".join(err), pem)


def test_a_broken_file_named_by_google_application_credentials_is_named_in_the_one_line(
        tmp_path: Path, no_google: None, emulator: RunningEmulator, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """GOOGLE_APPLICATION_CREDENTIALS pointing at a missing file: the line names that file, exit 2."""
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(tmp_path / "gone.json"))
    code, err = run_cli(write_config(tmp_path, emulator, None), capsys)
    errors = [line for line in err if line.startswith("sheets-sync: error:")]
    assert code == 2 and len(errors) == 1
    assert str(tmp_path / "gone.json") in errors[0] and "gcloud auth application-default login" in errors[0]
