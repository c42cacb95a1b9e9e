"""Every TLS check on recorded evidence: pass, fail, and error (an unprobeable endpoint)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from attestly.checks.registry import get_registry

from ..conftest import record

NOW = dt.datetime(2026, 11, 22, 12, 0, tzinfo=dt.UTC)
CERT = {
    "server_name": "www.example.com",
    "subject": "CN=www.example.com",
    "issuer": "CN=Example CA",
    "serial": "1",
    "fingerprint_sha256": "ab",
    "not_before": "2026-01-01T00:00:00+00:00",
    "not_after": "2027-06-01T00:00:00+00:00",
    "self_signed": False,
    "san_dns": ["www.example.com"],
    "san_ip": [],
    "hostname_matches": True,
    "chain_valid": True,
    "chain_error": None,
    "ca_bundle": "system",
    "key_type": "EC",
    "key_bits": 256,
    "signature_hash": "sha256",
    "expiry_threshold_days": 30,
}
OFF = {"accepted": False, "note": "", "cipher": ""}
ON = {"accepted": True, "note": "", "cipher": "ECDHE-RSA-AES256-SHA"}
PROTOCOLS = {"tls1_0": OFF, "tls1_1": OFF, "tls1_2": ON, "tls1_3": ON}
CIPHERS = {"probes": [{"category": "RC4", "accepted": False, "cipher": "", "note": ""}]}
HTTP = {"https": True, "status": 200, "hsts": "max-age=31536000", "max_age": 31536000}

CASES: list[tuple[str, str, dict[str, Any], dict[str, Any]]] = [
    ("tls_certificate_not_expiring", "tls.certificate", CERT,
     {**CERT, "not_after": "2026-12-01T00:00:00+00:00"}),
    ("tls_certificate_chain_trusted", "tls.certificate", CERT,
     {**CERT, "chain_valid": False, "chain_error": "unable to get local issuer certificate"}),
    ("tls_certificate_hostname_matches", "tls.certificate", CERT,
     {**CERT, "hostname_matches": False}),
    ("tls_certificate_not_self_signed", "tls.certificate", CERT, {**CERT, "self_signed": True}),
    ("tls_certificate_key_strong", "tls.certificate", CERT,
     {**CERT, "key_type": "RSA", "key_bits": 1024}),
    ("tls_certificate_signature_strong", "tls.certificate", CERT,
     {**CERT, "signature_hash": "sha1"}),
    ("tls_protocol_tls10_disabled", "tls.protocols", PROTOCOLS, {**PROTOCOLS, "tls1_0": ON}),
    ("tls_protocol_tls11_disabled", "tls.protocols", PROTOCOLS, {**PROTOCOLS, "tls1_1": ON}),
    ("tls_protocol_modern_supported", "tls.protocols", PROTOCOLS,
     {**PROTOCOLS, "tls1_2": OFF, "tls1_3": OFF}),
    ("tls_ciphers_no_weak", "tls.ciphers", CIPHERS,
     {"probes": [{"category": "RC4", "accepted": True, "cipher": "RC4-SHA", "note": ""}]}),
    ("tls_https_hsts_enabled", "tls.http", HTTP, {**HTTP, "hsts": None, "max_age": None}),
    ("tls_https_hsts_max_age_long", "tls.http", HTTP,
     {**HTTP, "hsts": "max-age=60", "max_age": 60}),
]  # fmt: skip


def verdict(judge: Callable[..., Any], check: str, kind: str, data: dict[str, Any]) -> Any:
    return judge([record(kind, data)], check, NOW)[(check, "r1")]


def test_every_tls_check_has_a_case() -> None:
    registered = {c.id for c in get_registry() if c.id.startswith("tls_")}
    assert registered == {case[0] for case in CASES}


@pytest.mark.parametrize(("check", "kind", "passing", "failing"), CASES)
def test_pass_fail_and_error(
    judge: Callable[..., Any], check: str, kind: str, passing: Any, failing: Any
) -> None:
    assert verdict(judge, check, kind, passing)[0] == "pass"
    assert verdict(judge, check, kind, failing)[0] == "fail"
    unreachable = {"error": "connection refused by www.example.com:443"}
    assert verdict(judge, check, kind, unreachable) == (
        "error",
        "connection refused by www.example.com:443",
    )


def test_an_untestable_tls10_probe_is_an_error_not_a_pass(judge: Callable[..., Any]) -> None:
    note = "could not test TLS 1.0: local OpenSSL lacks it"
    data = {**PROTOCOLS, "tls1_0": {"accepted": None, "note": note, "cipher": ""}}
    assert verdict(judge, "tls_protocol_tls10_disabled", "tls.protocols", data) == ("error", note)


def test_weak_ciphers_untestable_everywhere_is_an_error(judge: Callable[..., Any]) -> None:
    data = {"probes": [{"category": "RC4", "accepted": None, "cipher": "", "note": "lacks it"}]}
    status, detail = verdict(judge, "tls_ciphers_no_weak", "tls.ciphers", data)
    assert (status, "local OpenSSL lacks them" in detail) == ("error", True)


def test_an_expired_certificate_says_when(judge: Callable[..., Any]) -> None:
    data = {**CERT, "not_after": "2026-11-01T00:00:00+00:00"}
    assert verdict(judge, "tls_certificate_not_expiring", "tls.certificate", data) == (
        "fail",
        "expired on 2026-11-01",
    )


def test_hsts_is_not_applicable_on_plain_tls_endpoints(judge: Callable[..., Any]) -> None:
    assert verdict(judge, "tls_https_hsts_enabled", "tls.http", {"https": False})[0] == (
        "not_applicable"
    )
