"""Real TLS servers for the whole session: good, expired, self-signed, wrong host name,
TLS 1.0 with weak suites, a malformed HTTP answer, and a port that does not speak TLS."""

from __future__ import annotations

import datetime as dt
import ssl
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass

import pytest

from attestly.testing.tlsserver import PlainServer, TlsServer, issue, make_ca

HSTS = (
    b"HTTP/1.1 200 OK\r\nStrict-Transport-Security: max-age=31536000; includeSubDomains\r\n"
    b"Content-Length: 0\r\n\r\n"
)
NO_HSTS = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"


@dataclass(frozen=True)
class Lab:
    ca_bundle: str
    ports: dict[str, int]


@pytest.fixture(scope="session")
def tls_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    directory = tmp_path_factory.mktemp("tls")
    ca = make_ca()
    (directory / "ca.pem").write_bytes(ca.cert_pem)
    now = dt.datetime.now(dt.UTC)
    local = ["localhost", "127.0.0.1"]
    servers = {
        "good": TlsServer(issue(local, ca=ca), directory, response=HSTS, name="good"),
        "expired": TlsServer(
            issue(
                local,
                ca=ca,
                not_before=now - dt.timedelta(days=400),
                not_after=now - dt.timedelta(days=3),
            ),
            directory,
            response=HSTS,
            name="expired",
        ),
        "self_signed": TlsServer(issue(local), directory, response=HSTS, name="self"),
        "wrong_host": TlsServer(
            issue(["other.example"], ca=ca), directory, response=HSTS, name="wrong"
        ),
        "legacy": TlsServer(
            issue(local, ca=ca),
            directory,
            minimum=ssl.TLSVersion.TLSv1,
            ciphers="ALL:aNULL:eNULL:@SECLEVEL=0",
            response=NO_HSTS,
            name="legacy",
        ),
        "garbled": TlsServer(
            issue(local, ca=ca), directory, response=b"\x00\x01 not http\r\n\r\n", name="garbled"
        ),
    }
    with ExitStack() as stack:
        ports = {name: stack.enter_context(server).port for name, server in servers.items()}
        ports["plain"] = stack.enter_context(PlainServer()).port
        yield Lab(str(directory / "ca.pem"), ports)
