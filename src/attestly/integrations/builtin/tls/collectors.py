"""Probing TLS endpoints: certificate, protocol versions, weak ciphers, HSTS.

Each collector yields one record per endpoint. An endpoint that cannot be probed gets a record
holding only `{"error": ...}` (refused, timed out, not TLS, malformed certificate or HTTP
response) instead of partial data, so its checks answer `error` and other endpoints still count.

cryptography is imported where certificates are parsed, not with this module: the integration
is registered in every process at start-up, and most never read a certificate.
"""

from __future__ import annotations

import hashlib
import ipaddress
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from attestly.integrations.base import CollectorError, MalformedResponse, Record
from attestly.integrations.builtin.tls.client import ProbeUnsupported, TlsClient
from attestly.integrations.builtin.tls.schemas import (
    KIND_CERTIFICATE,
    KIND_CIPHERS,
    KIND_HTTP,
    KIND_PROTOCOLS,
    validated,
)

if TYPE_CHECKING:
    from cryptography import x509

V = ssl.TLSVersion
PROTOCOLS = {"tls1_0": V.TLSv1, "tls1_1": V.TLSv1_1, "tls1_2": V.TLSv1_2, "tls1_3": V.TLSv1_3}
PROTOCOL_NAMES = {
    "tls1_0": "TLS 1.0",
    "tls1_1": "TLS 1.1",
    "tls1_2": "TLS 1.2",
    "tls1_3": "TLS 1.3",
}
# Weak suite families as OpenSSL cipher strings, offered with TLS 1.0-1.2 at security level 0.
WEAK_CIPHERS = {
    "NULL (no encryption)": "eNULL",
    "anonymous (no authentication)": "aNULL",
    "EXPORT": "EXP",
    "DES/3DES": "DES:3DES",
    "RC4": "RC4",
    "MD5 MAC": "MD5",
}
HSTS_PORTS = {443, 8443}


@dataclass(frozen=True)
class Endpoint:
    """One host:port to probe and how to judge it."""

    host: str
    port: int = 443
    server_name: str = ""
    ca_bundle: str = ""
    https: bool | None = None
    expiry_days: int = 30

    @property
    def key(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def is_https(self) -> bool:
        return self.port in HSTS_PORTS if self.https is None else self.https


def parse_endpoint(text: str, **defaults: object) -> Endpoint:
    """`host:port` (or `[v6]:port`, or `host` for 443) into an Endpoint."""
    host, sep, port = text.strip().rpartition(":")
    if not sep or "]" in port:
        host, port = text.strip(), "443"
    host = host.strip("[]")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"{text!r} is not host:port")
    return Endpoint(host, int(port), **defaults)  # type: ignore[arg-type]


def _hostname_matches(name: str, dns: list[str], ips: list[str]) -> bool:
    try:
        return str(ipaddress.ip_address(name)) in ips
    except ValueError:
        pass
    name = name.lower().rstrip(".")
    for pattern in (d.lower().rstrip(".") for d in dns):
        if pattern == name:
            return True
        wildcard = pattern.startswith("*.") and "." in name and not name.startswith("xn--")
        if wildcard and name.split(".", 1)[1] == pattern[2:]:
            return True
    return False


def _key(cert: x509.Certificate) -> tuple[str, int]:
    from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa

    key = cert.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        return "RSA", key.key_size
    if isinstance(key, ec.EllipticCurvePublicKey):
        return "EC", key.curve.key_size
    if isinstance(key, dsa.DSAPublicKey):
        return "DSA", key.key_size
    if isinstance(key, ed25519.Ed25519PublicKey | ed448.Ed448PublicKey):
        return "EdDSA", 256 if isinstance(key, ed25519.Ed25519PublicKey) else 456
    return type(key).__name__, 0


def describe_certificate(
    der: bytes, endpoint: Endpoint, chain_error: str | None
) -> dict[str, object]:
    """The certificate's facts as evidence; a certificate that does not parse raises."""
    from cryptography import x509

    try:
        cert = x509.load_der_x509_certificate(der)
        try:
            san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
            dns = san.get_values_for_type(x509.DNSName)
            ips = [str(ip) for ip in san.get_values_for_type(x509.IPAddress)]
        except x509.ExtensionNotFound:
            dns, ips = [], []
        key_type, key_bits = _key(cert)
        signature = cert.signature_hash_algorithm
        server_name = endpoint.server_name or endpoint.host
        return {
            "server_name": server_name,
            "subject": cert.subject.rfc4514_string(),
            "issuer": cert.issuer.rfc4514_string(),
            "serial": format(cert.serial_number, "x"),
            "fingerprint_sha256": hashlib.sha256(der).hexdigest(),
            "not_before": cert.not_valid_before_utc.isoformat(),
            "not_after": cert.not_valid_after_utc.isoformat(),
            "self_signed": cert.issuer == cert.subject,
            "san_dns": dns,
            "san_ip": ips,
            "hostname_matches": _hostname_matches(server_name, dns, ips),
            "chain_valid": chain_error is None,
            "chain_error": chain_error,
            "ca_bundle": endpoint.ca_bundle or "system",
            "key_type": key_type,
            "key_bits": key_bits,
            "signature_hash": signature.name if signature else None,
            "expiry_threshold_days": endpoint.expiry_days,
        }
    except ValueError as exc:
        raise MalformedResponse(f"{endpoint.key}: malformed certificate: {exc}") from exc


def collect_certificate(client: TlsClient, endpoint: Endpoint) -> dict[str, object]:
    """The leaf certificate's facts and whether its chain verifies."""
    handshake = client.plain()
    if not handshake.certificate:
        raise MalformedResponse(f"{endpoint.key}: the server sent no certificate")
    chain_error = client.verify(endpoint.ca_bundle)
    return describe_certificate(handshake.certificate, endpoint, chain_error)


def collect_protocols(client: TlsClient, endpoint: Endpoint) -> dict[str, object]:
    """Which of TLS 1.0-1.3 the server accepts (None: not testable here)."""
    found: dict[str, object] = {}
    for name, version in PROTOCOLS.items():
        try:
            shake = client.accepts((version, version))
        except ProbeUnsupported:
            note = f"could not test {PROTOCOL_NAMES[name]}: local OpenSSL lacks it"
            found[name] = {"accepted": None, "note": note}
            continue
        found[name] = {"accepted": shake is not None, "cipher": shake.cipher if shake else ""}
    return found


def collect_ciphers(client: TlsClient, endpoint: Endpoint) -> dict[str, object]:
    """Per weak suite family, whether the server accepted one."""
    probes: list[dict[str, object]] = []
    for category, spec in WEAK_CIPHERS.items():
        try:
            shake = client.accepts((V.TLSv1, V.TLSv1_2), f"{spec}:@SECLEVEL=0")
        except ProbeUnsupported:
            note = f"could not test {category}: local OpenSSL lacks it"
            probes.append({"category": category, "accepted": None, "note": note})
            continue
        probes.append(
            {
                "category": category,
                "accepted": shake is not None,
                "cipher": shake.cipher if shake else "",
            }
        )
    return {"probes": probes}


def collect_http(client: TlsClient, endpoint: Endpoint) -> dict[str, object]:
    """HSTS from GET / when the endpoint is HTTPS."""
    if not endpoint.is_https:
        return {"https": False}
    status, headers = client.http_get("/")
    hsts = headers.get("strict-transport-security")
    max_age = None
    include = False
    for part in (hsts or "").split(";"):
        name, _, value = part.strip().partition("=")
        if name.lower() == "max-age":
            try:
                max_age = int(value.strip().strip('"'))
            except ValueError as exc:
                raise MalformedResponse(f"{endpoint.key}: bad HSTS max-age {value!r}") from exc
        include = include or name.lower() == "includesubdomains"
    return {
        "https": True,
        "status": status,
        "hsts": hsts,
        "max_age": max_age,
        "include_subdomains": include,
    }


COLLECTORS: dict[str, tuple[str, Callable[[TlsClient, Endpoint], dict[str, object]]]] = {
    "certificate": (KIND_CERTIFICATE, collect_certificate),
    "protocols": (KIND_PROTOCOLS, collect_protocols),
    "ciphers": (KIND_CIPHERS, collect_ciphers),
    "http": (KIND_HTTP, collect_http),
}


def probe(
    name: str, endpoints: list[Endpoint], client_for: Callable[[Endpoint], TlsClient]
) -> list[Record]:
    """One collector over every endpoint: a full record each, or an error record."""
    kind, collect = COLLECTORS[name]
    records = []
    for endpoint in endpoints:
        try:
            data = validated(kind, collect(client_for(endpoint), endpoint))
        except CollectorError as exc:
            data = {"error": str(exc)}
        records.append(Record(kind, endpoint.key, data))
    return records
