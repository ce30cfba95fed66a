"""POST /oauth/token and bearer checks, in both generations' vocabularies."""

from __future__ import annotations

import jwt
import pytest
import requests

from sheets_sync.emulator import ClientSpec

from .support import YEAR, Api

EXTRA = [ClientSpec("off", "s", disabled=True), ClientSpec("empty", "s", instance_ids=())]


class Clock:
    """A settable clock for token expiry."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def _token(emu, client_id="demo-client", secret="demo-secret") -> requests.Response:
    return requests.post(emu.url + "/oauth/token", json={"clientId": client_id, "clientSecret": secret}, timeout=10)


def test_token_is_hs256_jwt_with_exp_after_lifetime(make_emulator):
    """The token response is {jwt} and the JWT is HS256 with exp = issue time + lifetime."""
    clock = Clock()
    emu = make_emulator(clock=clock, token_lifetime_seconds=3600)
    r = _token(emu)
    assert r.status_code == 200 and list(r.json()) == ["jwt"]
    token = r.json()["jwt"]
    assert jwt.get_unverified_header(token)["alg"] == "HS256"
    assert jwt.decode(token, options={"verify_signature": False})["exp"] == int(clock.now) + 3600
    assert emu.stats.tokens_issued == 1


def test_default_lifetime_is_twelve_hours(make_emulator):
    """Without a lifetime option tokens expire 12 hours after issue."""
    clock = Clock()
    claims = jwt.decode(_token(make_emulator(clock=clock)).json()["jwt"], options={"verify_signature": False})
    assert claims["exp"] - int(clock.now) == 12 * 3600


@pytest.mark.parametrize(("generation", "client", "status", "code"), [
    ("cursor", ("demo-client", "wrong"), 401, "ANL_00401"),
    ("cursor", ("nobody", "demo-secret"), 401, "ANL_00401"),
    ("cursor", ("off", "s"), 403, "ANL_00403"),
    ("cursor", ("empty", "s"), 403, "ANL_00403"),
    ("page", ("demo-client", "wrong"), 401, "INVALID_CLIENT_CREDENTIALS"),
    ("page", ("off", "s"), 401, "CLIENT_DISABLED"),
    ("page", ("empty", "s"), 401, "NO_ACCESSIBLE_INSTANCES"),
])
def test_token_errors_as_documented(make_emulator, generation, client, status, code):
    """Wrong, disabled and instance-less clients get the generation's status and type."""
    r = _token(make_emulator(pagination=generation, clients=EXTRA), *client)
    assert r.status_code == status and r.headers["Content-Type"] == "application/problem+json"
    assert r.json()["type"] == code


def test_wrong_credentials_title_matches_live_probe(cursor_emulator):
    """Wrong credentials answer the title and detail the live host was seen to send."""
    body = _token(cursor_emulator, "demo-client", "nope").json()
    assert body == {"type": "ANL_00401", "title": "Invalid Client Credentials",
                    "detail": "The client ID or client secret is incorrect."}


@pytest.mark.parametrize("body", [b"not json", b"{}", b'{"clientId": "demo-client"}',
                                  b'{"clientId": 1, "clientSecret": 2}'])
def test_malformed_token_request_is_400(cursor_emulator, body):
    """A token body that is not {clientId, clientSecret} strings is a 400 ANL_00400."""
    r = requests.post(cursor_emulator.url + "/oauth/token", data=body,
                      headers={"Content-Type": "application/json"}, timeout=10)
    assert r.status_code == 400 and r.json()["type"] == "ANL_00400"


@pytest.mark.parametrize("header", [None, "Basic abc", "Bearer garbage", "Bearer a.b.c"])
def test_missing_or_garbled_bearer_is_401(cursor_emulator, header):
    """No bearer, a non-bearer scheme, or a garbled JWT answers 401 ANL_00401."""
    r = requests.get(cursor_emulator.url + "/v2/instances", headers={"Authorization": header} if header else {},
                     timeout=10)
    assert r.status_code == 401 and r.json()["type"] == "ANL_00401"


def test_token_signed_by_another_key_is_401(cursor_emulator):
    """A well-formed JWT not signed by this emulator is refused."""
    claims = {"sub": "demo-client", "exp": 4_000_000_000, "jti": "1"}
    forged = jwt.encode(claims, "another-emulator-key-of-32-bytes!", algorithm="HS256")
    r = requests.get(cursor_emulator.url + "/v2/instances", headers={"Authorization": f"Bearer {forged}"}, timeout=10)
    assert r.status_code == 401


def test_expired_token_is_401_saying_expired(make_emulator):
    """Once the clock passes exp the same token answers 401 whose detail says it expired."""
    clock = Clock()
    emu = make_emulator(pagination="cursor", clock=clock, token_lifetime_seconds=60)
    api = Api(emu)
    assert api.get("/v2/instances").status_code == 200
    clock.now += 59
    assert api.get("/v2/instances").status_code == 200
    clock.now += 1
    r = api.get("/v2/instances")
    assert r.status_code == 401 and r.json()["type"] == "ANL_00401" and "expired" in r.json()["detail"]
    api.renew()
    assert api.get("/v2/instances").status_code == 200


def test_data_routes_need_a_token(cursor_emulator):
    """Every data route refuses an unauthenticated request before validating it."""
    r = requests.get(cursor_emulator.url + "/v2/campaigns/performance", params=YEAR, timeout=10)
    assert r.status_code == 401


def test_custom_default_credentials(make_emulator):
    """client_id/client_secret options replace the demo credentials."""
    emu = make_emulator(client_id="me", client_secret="pw")
    assert _token(emu, "me", "pw").status_code == 200
    assert _token(emu).status_code == 401
