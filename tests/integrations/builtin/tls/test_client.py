"""The TLS client's probes: what the local OpenSSL cannot offer is reported, not guessed."""

from __future__ import annotations

import ssl

import pytest

from attestly.integrations.builtin.tls.client import ProbeUnsupported, TlsClient
from attestly.integrations.builtin.tls.collectors import collect_ciphers, parse_endpoint

from .conftest import Lab


def test_an_offer_the_local_openssl_cannot_make_is_unsupported(tls_lab: Lab) -> None:
    client = TlsClient("127.0.0.1", tls_lab.ports["legacy"], timeout=5)
    v1 = ssl.TLSVersion.TLSv1
    with pytest.raises(ProbeUnsupported, match="local OpenSSL refused to offer it"):
        client.accepts((v1, v1), "AESGCM:@SECLEVEL=0")  # no TLS 1.0 suite left to offer


def test_weak_families_missing_from_the_local_openssl_are_marked_untested(tls_lab: Lab) -> None:
    endpoint = parse_endpoint(f"127.0.0.1:{tls_lab.ports['legacy']}")
    probes = collect_ciphers(TlsClient(endpoint.host, endpoint.port, timeout=5), endpoint)
    rc4 = next(p for p in probes["probes"] if p["category"] == "RC4")  # type: ignore[attr-defined]
    assert rc4 == {
        "category": "RC4",
        "accepted": None,
        "note": "could not test RC4: local OpenSSL lacks it",  # OpenSSL 3 ships no RC4
    }
