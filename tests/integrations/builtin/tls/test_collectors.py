"""The TLS collectors against real local servers, judged by the real checks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from attestly.integrations.base import MalformedResponse, Record
from attestly.integrations.builtin.tls.client import TlsClient
from attestly.integrations.builtin.tls.collectors import (
    COLLECTORS,
    Endpoint,
    describe_certificate,
    parse_endpoint,
    probe,
)
from attestly.testing.tlsserver import closed_port

from .conftest import Lab


def collect(lab: Lab, port: int, **options: Any) -> list[Record]:
    endpoint = Endpoint(
        "127.0.0.1",
        port,
        server_name=options.pop("server_name", "localhost"),
        ca_bundle=lab.ca_bundle,
        https=True,
        **options,
    )
    records: list[Record] = []
    for name in COLLECTORS:
        records += probe(name, [endpoint], lambda e: TlsClient(e.host, e.port, timeout=5))
    return records


def statuses(judged: dict[tuple[str, str], tuple[str, str]]) -> dict[str, str]:
    return {check: status for (check, _key), (status, _detail) in judged.items()}


def test_a_good_endpoint_passes_every_tls_check(tls_lab: Lab, judge: Callable[..., Any]) -> None:
    found = statuses(judge(collect(tls_lab, tls_lab.ports["good"]), "tls_"))
    assert set(found.values()) == {"pass"}
    assert len(found) == 12


def test_an_expired_certificate_fails_expiry_only(tls_lab: Lab, judge: Callable[..., Any]) -> None:
    judged = judge(collect(tls_lab, tls_lab.ports["expired"]), "tls_")
    key = f"127.0.0.1:{tls_lab.ports['expired']}"
    status, detail = judged[("tls_certificate_not_expiring", key)]
    assert (status, detail.startswith("expired on")) == ("fail", True)
    assert judged[("tls_certificate_chain_trusted", key)][0] == "fail"  # OpenSSL: expired
    assert judged[("tls_certificate_hostname_matches", key)][0] == "pass"


def test_a_certificate_expiring_within_the_threshold_fails(
    tls_lab: Lab, judge: Callable[..., Any]
) -> None:
    judged = judge(collect(tls_lab, tls_lab.ports["good"], expiry_days=400), "tls_certificate")
    status, detail = judged[("tls_certificate_not_expiring", f"127.0.0.1:{tls_lab.ports['good']}")]
    assert status == "fail"
    assert "(< 400)" in detail


def test_a_self_signed_certificate_fails_chain_and_self_signed(
    tls_lab: Lab, judge: Callable[..., Any]
) -> None:
    found = statuses(judge(collect(tls_lab, tls_lab.ports["self_signed"]), "tls_certificate"))
    assert found["tls_certificate_chain_trusted"] == "fail"
    assert found["tls_certificate_not_self_signed"] == "fail"
    assert found["tls_certificate_not_expiring"] == "pass"


def test_a_wrong_host_name_fails_hostname_only(tls_lab: Lab, judge: Callable[..., Any]) -> None:
    judged = judge(collect(tls_lab, tls_lab.ports["wrong_host"]), "tls_certificate")
    key = f"127.0.0.1:{tls_lab.ports['wrong_host']}"
    assert judged[("tls_certificate_hostname_matches", key)] == (
        "fail",
        "localhost is not among the certificate's names (other.example)",
    )
    assert judged[("tls_certificate_chain_trusted", key)][0] == "pass"


def test_a_tls10_server_with_weak_suites_fails_protocol_cipher_and_hsts_checks(
    tls_lab: Lab, judge: Callable[..., Any]
) -> None:
    found = statuses(judge(collect(tls_lab, tls_lab.ports["legacy"]), "tls_"))
    assert found["tls_protocol_tls10_disabled"] == "fail"
    assert found["tls_protocol_tls11_disabled"] == "fail"
    assert found["tls_protocol_modern_supported"] == "pass"
    assert found["tls_ciphers_no_weak"] == "fail"
    assert found["tls_https_hsts_enabled"] == "fail"
    assert found["tls_https_hsts_max_age_long"] == "not_applicable"


def test_the_tls10_probe_records_the_negotiated_suite(tls_lab: Lab) -> None:
    records = {r.kind: r.data for r in collect(tls_lab, tls_lab.ports["legacy"])}
    assert records["tls.protocols"]["tls1_0"]["accepted"] is True
    assert records["tls.protocols"]["tls1_0"]["cipher"] != ""
    accepted = [p["category"] for p in records["tls.ciphers"]["probes"] if p["accepted"]]
    assert "NULL (no encryption)" in accepted


def test_a_closed_port_gives_error_records_and_error_results(
    tls_lab: Lab, judge: Callable[..., Any]
) -> None:
    port = closed_port()
    records = collect(tls_lab, port)
    assert {r.kind: dict(r.data) for r in records} == {
        kind: {"error": f"connection refused by 127.0.0.1:{port}"}
        for kind in ("tls.certificate", "tls.protocols", "tls.ciphers", "tls.http")
    }
    assert set(judge(records, "tls_").values()) == {
        ("error", f"connection refused by 127.0.0.1:{port}")
    }


def test_a_port_that_does_not_speak_tls_is_said_so(tls_lab: Lab, judge: Callable[..., Any]) -> None:
    port = tls_lab.ports["plain"]
    judged = judge(collect(tls_lab, port), "tls_certificate")
    assert set(judged.values()) == {
        ("error", f"127.0.0.1:{port} does not speak TLS (WRONG_VERSION_NUMBER)")
    }


def test_a_malformed_http_answer_errors_only_the_hsts_checks(
    tls_lab: Lab, judge: Callable[..., Any]
) -> None:
    port = tls_lab.ports["garbled"]
    found = judge(collect(tls_lab, port), "tls_")
    errors = {check for (check, _k), (status, _d) in found.items() if status == "error"}
    assert errors == {"tls_https_hsts_enabled", "tls_https_hsts_max_age_long"}
    assert found[("tls_https_hsts_enabled", f"127.0.0.1:{port}")][1].startswith(
        f"127.0.0.1:{port}: not an HTTP response"
    )


def test_a_malformed_certificate_is_refused_with_its_reason() -> None:
    with pytest.raises(MalformedResponse, match=r"^h:1: malformed certificate: "):
        describe_certificate(b"\x30\x03garbage", Endpoint("h", 1), None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("example.com:8443", ("example.com", 8443)),
        ("example.com", ("example.com", 443)),
        ("[::1]:443", ("::1", 443)),
    ],
)
def test_endpoints_parse_from_host_port(text: str, expected: tuple[str, int]) -> None:
    endpoint = parse_endpoint(text)
    assert (endpoint.host, endpoint.port) == expected


def test_a_bad_endpoint_is_refused() -> None:
    with pytest.raises(ValueError, match="is not host:port"):
        parse_endpoint("example.com:http")
