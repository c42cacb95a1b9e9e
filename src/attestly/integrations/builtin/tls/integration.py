"""The TLS endpoint integration: certificates, protocol versions, ciphers and HSTS."""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import Field, field_validator

from attestly.integrations.base import (
    CollectContext,
    Collector,
    ConnectionTest,
    Integration,
    IntegrationConfig,
    Record,
    Unreachable,
)
from attestly.integrations.builtin.tls.client import TlsClient
from attestly.integrations.builtin.tls.collectors import COLLECTORS, Endpoint, parse_endpoint, probe


class TlsConfig(IntegrationConfig):
    """The endpoints to probe and how to judge them."""

    endpoints: list[str] = Field(min_length=1, description="host:port per endpoint (443 if none).")
    server_name: str = Field("", description="SNI and expected host name, when not the host.")
    ca_bundle: str = Field("", description="PEM CA bundle to verify chains; system CAs if empty.")
    https: bool = Field(
        True, description="HTTPS endpoints: GET / for HSTS (off for LDAPS, SMTPS, PostgreSQL...)."
    )
    expiry_days: int = Field(
        30, ge=1, le=365, description="Fail when a certificate expires sooner."
    )

    @field_validator("endpoints")
    @classmethod
    def _parse(cls, value: list[str]) -> list[str]:
        for text in value:
            parse_endpoint(text)
        return value

    def parsed(self) -> list[Endpoint]:
        return [
            parse_endpoint(
                text,
                server_name=self.server_name,
                ca_bundle=self.ca_bundle,
                https=self.https,
                expiry_days=self.expiry_days,
            )
            for text in self.endpoints
        ]


def _collector(name: str) -> Collector:
    kind = COLLECTORS[name][0]

    def collect(ctx: CollectContext[TlsConfig]) -> Iterable[Record]:
        endpoints = ctx.config.parsed()
        ctx.calls.add(len(endpoints))
        return probe(
            name,
            endpoints,
            lambda e: TlsClient(
                e.host, e.port, server_name=e.server_name, timeout=min(ctx.timeout, 15)
            ),
        )

    return Collector(name, kinds=(kind,), collect=collect)


def test_connection(ctx: CollectContext[TlsConfig]) -> ConnectionTest:
    """Each endpoint completes a TLS handshake."""
    seen = []
    for endpoint in ctx.config.parsed():
        client = TlsClient(endpoint.host, endpoint.port, server_name=endpoint.server_name)
        try:
            shake = client.plain()
        except Unreachable as exc:
            return ConnectionTest.unreachable(str(exc))
        except Exception as exc:  # a probe failure is the answer, whatever its type
            return ConnectionTest.unreachable(f"{endpoint.key}: {exc}")
        seen.append(f"{endpoint.key} ({shake.version})")
    return ConnectionTest.success("TLS handshake completed: " + ", ".join(seen))


integration = Integration(
    slug="tls",
    name="TLS endpoints",
    version="1.0.0",
    description=(
        "Certificate expiry, chain and host name, protocol versions, weak ciphers and HSTS "
        "of TLS endpoints."
    ),
    config=TlsConfig,
    collectors=tuple(_collector(name) for name in COLLECTORS),
    test_connection=test_connection,
    checks="attestly.integrations.builtin.tls.checks",
    docs_url="docs/integrations/tls.md",
    default_schedule="1d",
)
