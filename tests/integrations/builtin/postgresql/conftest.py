"""Two real PostgreSQL clusters for the session: one configured to pass, one to fail.

Started with the installed server binaries (as the `postgres` user when the tests run as
root); skipped locally and failed in CI when there are none (`require_service`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import psycopg
import pytest

from attestly.testing.pgcluster import PgCluster, unavailable_reason
from attestly.testing.tlsserver import issue
from tests.conftest import require_service

PASSWORD = "s3cret-superuser"
AUDITOR_PASSWORD = "auditor-pass"

GOOD_SETTINGS = {
    "ssl": "on",
    "ssl_cert_file": "server.crt",
    "ssl_key_file": "server.key",
    "ssl_min_protocol_version": "TLSv1.2",
    "password_encryption": "scram-sha-256",
    "log_connections": "on",
    "log_disconnections": "on",
    "log_statement": "ddl",
    "archive_mode": "on",
    "archive_command": "mkdir -p archive && test ! -f archive/%f && cp %p archive/%f",
}
GOOD_HBA = [
    "local all all peer",
    "hostssl all all 127.0.0.1/32 scram-sha-256",
    "hostssl all all 10.0.0.0/8 scram-sha-256",
]
BAD_SETTINGS = {
    "ssl": "off",
    "ssl_min_protocol_version": "TLSv1",
    "password_encryption": "md5",
    "log_connections": "off",
    "log_disconnections": "off",
    "log_statement": "none",
    "archive_mode": "off",
}
BAD_HBA = [
    "local all all trust",
    "host all all 127.0.0.1/32 scram-sha-256",
    "host all all 10.0.0.0/8 password",
    "hostnossl all all 192.168.0.0/16 md5",
]


@dataclass(frozen=True)
class Server:
    port: int
    password: str


@dataclass(frozen=True)
class Clusters:
    good: Server
    bad: Server


def _sql(port: int, *statements: str) -> None:
    with psycopg.connect(
        host="127.0.0.1", port=port, user="postgres", password=PASSWORD, dbname="postgres",
        sslmode="prefer", autocommit=True,
    ) as conn:  # fmt: skip
        for statement in statements:
            conn.execute(statement)  # type: ignore[arg-type]  # fixed test SQL


@pytest.fixture(scope="session")
def pg_clusters() -> Iterator[Clusters]:
    reason = unavailable_reason()
    require_service("PostgreSQL", not reason, reason)
    pair = issue(["localhost", "127.0.0.1"])
    files = {"server.crt": pair.cert_pem, "server.key": pair.key_pem}
    good = PgCluster(GOOD_SETTINGS, GOOD_HBA, password=PASSWORD, files=files)
    bad = PgCluster(BAD_SETTINGS, BAD_HBA, password=PASSWORD)
    started: list[PgCluster] = []
    try:
        for cluster in (good, bad):
            started.append(cluster.start())
        _sql(
            good.port,
            f"CREATE ROLE auditor LOGIN PASSWORD '{AUDITOR_PASSWORD}'",
            f"CREATE ROLE granted LOGIN PASSWORD '{AUDITOR_PASSWORD}'",
            "GRANT SELECT ON pg_hba_file_rules TO granted",  # the grant docs/ recommends
            "GRANT EXECUTE ON FUNCTION pg_hba_file_rules() TO granted",
        )
        _sql(bad.port, "CREATE ROLE admin2 LOGIN SUPERUSER PASSWORD 'x'")
        yield Clusters(Server(good.port, PASSWORD), Server(bad.port, PASSWORD))
    finally:
        for cluster in started:
            cluster.stop()
