"""ID token checks (attestly.accounts.sso.verify_id_token) against keys served over real HTTP."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from attestly.accounts.models import SsoConfig
from attestly.accounts.sso import SsoError, role_for_claims, verify_id_token

ISSUER = "https://idp.example.com"
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def jwks_uri() -> Iterator[str]:
    jwk = json.loads(RSAAlgorithm.to_jwk(KEY.public_key()))
    body = json.dumps({"keys": [{**jwk, "kid": "k1", "use": "sig", "alg": "RS256"}]}).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/jwks"
    server.shutdown()
    server.server_close()


def token(key: Any = KEY, **overrides: Any) -> str:
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": "attestly", "sub": "u1", "iat": now, "exp": now + 300}
    claims.update({"nonce": "n1", **overrides})
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": "k1"})


def config() -> SsoConfig:
    return SsoConfig(issuer=ISSUER, client_id="attestly", role_mapping={"admins": "admin"})


def check(jwks_uri: str, id_token: str, nonce: str = "n1") -> dict[str, Any]:
    return verify_id_token(config(), {"jwks_uri": jwks_uri}, id_token, nonce=nonce)


def test_a_good_token_passes(jwks_uri: str) -> None:
    assert check(jwks_uri, token())["sub"] == "u1"


@pytest.mark.parametrize(
    ("id_token", "message"),
    [
        (lambda: token(OTHER_KEY), "Signature verification failed"),
        (lambda: token(aud="someone-else"), "Audience doesn't match"),
        (lambda: token(iss="https://evil.example.com"), "Invalid issuer"),
        (lambda: token(exp=int(time.time()) - 3600), "Signature has expired"),
        (lambda: token(nonce="n2"), "nonce does not match"),
    ],
    ids=["forged", "audience", "issuer", "expired", "nonce"],
)
def test_a_bad_token_is_refused(jwks_uri: str, id_token: Any, message: str) -> None:
    with pytest.raises(SsoError, match=message):
        check(jwks_uri, id_token())


def test_an_unsigned_token_is_refused(jwks_uri: str) -> None:
    unsigned = jwt.encode({"iss": ISSUER, "sub": "u1"}, None, algorithm="none")
    with pytest.raises(SsoError):
        check(jwks_uri, unsigned)


def test_role_mapping_takes_the_strongest_group() -> None:
    cfg = SsoConfig(role_mapping={"staff": "viewer", "admins": "admin"}, groups_claim="groups")
    assert role_for_claims(cfg, {"groups": ["staff", "admins"]}) == "admin"
    assert role_for_claims(cfg, {"groups": "staff"}) == "viewer"
    assert role_for_claims(cfg, {"groups": ["other"]}) is None
    cfg.default_role = "employee"
    assert role_for_claims(cfg, {}) == "employee"
