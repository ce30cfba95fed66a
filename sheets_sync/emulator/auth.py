"""POST /oauth/token and bearer checks: HS256 JWTs whose only documented claim is `exp`.

Token errors follow the serving generation (docs/decisions.md#tokens): cursor → 401 ANL_00401 for wrong
credentials, 403 ANL_00403 for a disabled or instance-less client; page → 401 with
INVALID_CLIENT_CREDENTIALS / CLIENT_DISABLED / NO_ACCESSIBLE_INSTANCES. Revocation (the
`revoke_after` fault) rejects every token issued before the revocation point.
"""

from __future__ import annotations

import hashlib
import json
import threading

import jwt

from sheets_sync.emulator.options import ClientSpec, EmulatorOptions
from sheets_sync.emulator.problems import problem


class Authority:
    """Issues and checks tokens for the configured clients."""

    def __init__(self, options: EmulatorOptions, instances: list[str]) -> None:
        self.options = options
        self.generation = options.pagination
        self.clients = {c.client_id: c for c in reversed(options.all_clients())}
        self.instances = instances
        # Per-seed key: tokens of one emulator are garbage to another with a different seed.
        self._key = hashlib.sha256(f"sheets-sync-emulator-key:{options.seed}".encode()).hexdigest()
        self._lock = threading.Lock()
        self._serial = 0
        self._revoked_below = 0
        self._authorised_since_revoke = 0

    def bound_instances(self, client: ClientSpec) -> tuple[str, ...]:
        if client.instance_ids is None:
            return tuple(self.instances)
        return tuple(i for i in client.instance_ids if i in self.instances)

    def issue(self, body: bytes) -> dict[str, str]:
        """Exchange a {clientId, clientSecret} JSON body for {jwt}, or raise the documented Problem."""
        gen = self.generation
        try:
            payload = json.loads(body or b"null")
        except ValueError:
            raise problem("validation", "Request body must be JSON: {\"clientId\": ..., \"clientSecret\": ...}.",
                          gen) from None
        if not isinstance(payload, dict) or not isinstance(payload.get("clientId"), str) \
                or not isinstance(payload.get("clientSecret"), str):
            raise problem("validation", "clientId and clientSecret are required strings.", gen)
        client = self.clients.get(payload["clientId"])
        if client is None or client.client_secret != payload["clientSecret"]:
            raise problem("bad_credentials", "The client ID or client secret is incorrect.", gen, token=True)
        if client.disabled:
            raise problem("client_disabled", "The client has been disabled.", gen, token=True)
        if not self.bound_instances(client):
            raise problem("no_instances", "The client has no active instance associations.", gen, token=True)
        now = self.options.now()
        with self._lock:
            self._serial += 1
            serial = self._serial
        claims = {"sub": client.client_id, "iat": int(now), "exp": int(now) + self.options.token_lifetime_seconds,
                  "jti": str(serial)}
        return {"jwt": jwt.encode(claims, self._key, algorithm="HS256")}

    def check(self, authorization: str | None) -> ClientSpec:
        """The client behind a valid bearer token; a 401 Problem otherwise."""
        gen = self.generation
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise problem("unauthorized", "Missing bearer token.", gen)
        token = token.strip()
        try:
            # Times are checked against the injectable clock below, not PyJWT's wall clock.
            claims = jwt.decode(token, self._key, algorithms=["HS256"],
                                options={"verify_exp": False, "verify_iat": False, "verify_nbf": False,
                                         "require": ["exp", "sub", "jti"]})
        except (jwt.PyJWTError, ValueError):
            raise problem("unauthorized", "The JWT is malformed or invalid.", gen) from None
        if self.options.now() >= claims["exp"]:
            raise problem("unauthorized", "The JWT has expired.", gen)
        client = self.clients.get(claims["sub"])
        if client is None or client.disabled:
            raise problem("unauthorized", "The JWT is malformed or invalid.", gen)
        with self._lock:
            if int(claims["jti"]) <= self._revoked_below:
                raise problem("unauthorized", "The JWT has been revoked.", gen)
            revoke_after = self.options.revoke_after
            if revoke_after is not None:
                self._authorised_since_revoke += 1
                if self._authorised_since_revoke >= revoke_after:
                    # This request still succeeds; every token issued so far dies after it.
                    self._revoked_below = self._serial
                    self._authorised_since_revoke = 0
        return client
