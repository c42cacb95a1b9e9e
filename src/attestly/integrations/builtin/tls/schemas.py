"""Evidence payloads of the TLS endpoint integration; the key is `host:port`.

A payload is `{"error": "<why>"}` for an endpoint that could not be probed (refused, timed
out, not TLS, a malformed certificate or HTTP response), so its checks answer `error` while
the connection's other endpoints are judged as usual.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

KIND_CERTIFICATE = "tls.certificate"
KIND_PROTOCOLS = "tls.protocols"
KIND_CIPHERS = "tls.ciphers"
KIND_HTTP = "tls.http"


class _Payload(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Certificate(_Payload):
    """`tls.certificate`: the leaf certificate and how it verifies."""

    server_name: str
    subject: str
    issuer: str
    serial: str
    fingerprint_sha256: str
    not_before: str = Field(description="ISO 8601, UTC.")
    not_after: str = Field(description="ISO 8601, UTC.")
    self_signed: bool
    san_dns: list[str]
    san_ip: list[str]
    hostname_matches: bool
    chain_valid: bool
    chain_error: str | None
    ca_bundle: str = Field(description="`system` or the CA bundle path used.")
    key_type: str
    key_bits: int
    signature_hash: str | None
    expiry_threshold_days: int


class Probe(_Payload):
    accepted: bool | None = Field(description="None: not tested (see note).")
    note: str = ""
    cipher: str = ""


class Protocols(_Payload):
    """`tls.protocols`: which protocol versions the server accepts."""

    tls1_0: Probe
    tls1_1: Probe
    tls1_2: Probe
    tls1_3: Probe


class WeakCipher(_Payload):
    category: str
    accepted: bool | None
    cipher: str = ""
    note: str = ""


class Ciphers(_Payload):
    """`tls.ciphers`: per weak category, whether the server accepted one of its suites."""

    probes: list[WeakCipher]


class Http(_Payload):
    """`tls.http`: the HTTPS response head of GET / (HSTS), when the endpoint is HTTPS."""

    https: bool
    status: int | None = None
    hsts: str | None = None
    max_age: int | None = None
    include_subdomains: bool = False


SCHEMAS: dict[str, type[BaseModel]] = {
    KIND_CERTIFICATE: Certificate,
    KIND_PROTOCOLS: Protocols,
    KIND_CIPHERS: Ciphers,
    KIND_HTTP: Http,
}


def validated(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    """The payload checked against its model and dumped as JSON-ready data."""
    return SCHEMAS[kind].model_validate(data).model_dump(mode="json")
