"""OpenID Connect sign-in: authorization code flow with PKCE, discovery, ID token checks.

Every failure raises `SsoError` with a message fit to show; the caller falls back to the
local sign-in page, so a broken provider or setting never locks the owners out.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

import jwt

from attestly.accounts.crypto import decrypt
from attestly.accounts.models import SsoConfig
from attestly.core.models import Role

TIMEOUT = 5.0
ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "ES256", "ES384", "EdDSA"]
LEEWAY_SECONDS = 60


class SsoError(Exception):
    """Single sign-on could not complete; the message says why."""


@dataclass(frozen=True)
class AuthRequest:
    url: str
    state: str
    nonce: str
    verifier: str


def _fetch_json(url: str, data: bytes | None = None, headers: dict[str, str] | None = None) -> Any:
    if urllib.parse.urlsplit(url).scheme not in {"http", "https"}:
        raise SsoError(f"Refusing a non-HTTP URL: {url}")
    request = urllib.request.Request(url, data=data, headers=headers or {})  # noqa: S310 - scheme checked above
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
            return json.loads(response.read(1_000_000))
    except urllib.error.HTTPError as exc:
        body = exc.read(2000).decode("utf-8", "replace")
        raise SsoError(f"The identity provider answered {exc.code} at {url}: {body}") from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise SsoError(f"The identity provider at {url} cannot be reached: {exc}") from exc
    except ValueError as exc:
        raise SsoError(f"The identity provider sent something that is not JSON at {url}") from exc


def discover(issuer: str) -> dict[str, Any]:
    """The provider's discovery document, checked to name the configured issuer."""
    url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    document = _fetch_json(url)
    if not isinstance(document, dict) or document.get("issuer") != issuer.rstrip("/"):
        raise SsoError(f"The discovery document at {url} names another issuer.")
    for key in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        if not document.get(key):
            raise SsoError(f"The discovery document at {url} has no {key}.")
    return document


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def authorization_request(config: SsoConfig, redirect_uri: str) -> AuthRequest:
    document = discover(config.issuer)
    state, nonce, verifier = (secrets.token_urlsafe(32) for _ in range(3))
    challenge = _b64(hashlib.sha256(verifier.encode()).digest())
    query = urllib.parse.urlencode(
        {
            "response_type": "code",
            "client_id": config.client_id,
            "redirect_uri": redirect_uri,
            "scope": config.scopes,
            "state": state,
            "nonce": nonce,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
    )
    return AuthRequest(f"{document['authorization_endpoint']}?{query}", state, nonce, verifier)


def exchange_code(
    config: SsoConfig, *, code: str, redirect_uri: str, verifier: str, nonce: str
) -> dict[str, Any]:
    """Trade the code for tokens and return the verified ID token's claims."""
    document = discover(config.issuer)
    secret = decrypt(config.client_secret_encrypted) if config.client_secret_encrypted else ""
    basic = base64.b64encode(
        f"{urllib.parse.quote(config.client_id)}:{urllib.parse.quote(secret)}".encode()
    ).decode()
    body = urllib.parse.urlencode(
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "code_verifier": verifier,
        }
    ).encode()
    tokens = _fetch_json(
        document["token_endpoint"],
        data=body,
        headers={
            "Authorization": f"Basic {basic}",
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/json",
        },
    )
    id_token = tokens.get("id_token") if isinstance(tokens, dict) else None
    if not isinstance(id_token, str):
        raise SsoError("The identity provider sent no ID token.")
    return verify_id_token(config, document, id_token, nonce=nonce)


def verify_id_token(
    config: SsoConfig, document: dict[str, Any], id_token: str, *, nonce: str
) -> dict[str, Any]:
    """Check signature (JWKS), issuer, audience, expiry and nonce."""
    try:
        signing_key = jwt.PyJWKClient(
            document["jwks_uri"], timeout=int(TIMEOUT)
        ).get_signing_key_from_jwt(id_token)
        claims: dict[str, Any] = jwt.decode(
            id_token,
            signing_key.key,
            algorithms=ALGORITHMS,
            audience=config.client_id,
            issuer=config.issuer.rstrip("/"),
            leeway=LEEWAY_SECONDS,
            options={"require": ["exp", "iat", "iss", "aud", "sub"]},
        )
    except jwt.PyJWTError as exc:
        raise SsoError(f"The ID token was refused: {exc}") from exc
    if not secrets.compare_digest(str(claims.get("nonce", "")), nonce):
        raise SsoError("The ID token was refused: its nonce does not match this sign-in.")
    return claims


def role_for_claims(config: SsoConfig, claims: dict[str, Any]) -> str | None:
    """The strongest role any of the person's groups maps to, else the default role."""
    groups = claims.get(config.groups_claim) or []
    if isinstance(groups, str):
        groups = [groups]
    mapped = {config.role_mapping.get(str(group)) for group in groups} - {None}
    for role in Role.values:  # strongest first
        if role in mapped:
            return role
    return config.default_role or None
