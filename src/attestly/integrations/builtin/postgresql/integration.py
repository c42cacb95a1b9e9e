"""The PostgreSQL integration: one server reached over the network with a read-only role."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from pydantic import Field, SecretStr

from attestly.integrations.base import (
    CollectContext,
    Collector,
    CollectorError,
    ConnectionTest,
    Integration,
    IntegrationConfig,
    Record,
)
from attestly.integrations.builtin.postgresql.client import PostgresClient, Target
from attestly.integrations.builtin.postgresql.collectors import (
    collect_hba,
    collect_roles,
    collect_settings,
)
from attestly.integrations.builtin.postgresql.schemas import KIND_HBA, KIND_ROLES, KIND_SETTINGS


class PostgresConfig(IntegrationConfig):
    """Connection parameters; the password is a secret (encrypted at rest)."""

    host: str = Field(description="Host name or IP address of the server.")
    port: int = Field(5432, ge=1, le=65535, description="TCP port.")
    user: str = Field("attestly", description="Role to log in as (superuser or granted).")
    password: SecretStr | None = Field(None, description="The role's password.")
    dbname: str = Field("postgres", description="Database to connect to.")
    sslmode: str = Field("prefer", description="libpq sslmode: disable, prefer, require...")
    sslrootcert: str = Field("", description="CA bundle to verify the server (verify-*).")
    backup_mechanism: str = Field(
        "", description="Another backup in place (pgBackRest, RDS snapshots), if not WAL archiving."
    )


def client_for(config: PostgresConfig, timeout: float = 10.0) -> PostgresClient:
    """A client for the configured server."""
    target = Target(
        host=config.host,
        port=config.port,
        user=config.user,
        password=config.password.get_secret_value() if config.password else None,
        dbname=config.dbname,
        sslmode=config.sslmode,
        sslrootcert=config.sslrootcert or None,
        connect_timeout=max(1, int(timeout)),
    )
    return PostgresClient(target)


def _collector(
    name: str, kind: str, fn: Callable[[PostgresClient, PostgresConfig], Record]
) -> Collector:
    def collect(ctx: CollectContext[PostgresConfig]) -> Iterable[Record]:
        ctx.calls.add()
        yield fn(client_for(ctx.config, min(ctx.timeout, 30.0)), ctx.config)

    return Collector(name, kinds=(kind,), collect=collect, service=name)


def test_connection(ctx: CollectContext[PostgresConfig]) -> ConnectionTest:
    """Log in, read the settings, and try pg_hba_file_rules (the one grant often missing)."""
    client = client_for(ctx.config, min(ctx.timeout, 30.0))
    try:
        settings = collect_settings(client).data
        collect_hba(client)
    except CollectorError as exc:
        return ConnectionTest.from_error(exc)
    version = settings["settings"].get("server_version", "?")
    return ConnectionTest.success(
        f"connected to PostgreSQL {version} at {client.target.key} as {ctx.config.user}"
    )


integration = Integration(
    slug="postgresql",
    name="PostgreSQL",
    version="1.0.0",
    description=(
        "TLS, password hashing, pg_hba rules, connection and DDL logging, WAL archiving, "
        "version support and privileged roles of a PostgreSQL server."
    ),
    config=PostgresConfig,
    collectors=(
        _collector(
            "settings",
            KIND_SETTINGS,
            lambda client, config: collect_settings(client, config.backup_mechanism or None),
        ),
        _collector("roles", KIND_ROLES, lambda client, config: collect_roles(client)),
        _collector("hba", KIND_HBA, lambda client, config: collect_hba(client)),
    ),
    test_connection=test_connection,
    checks="attestly.integrations.builtin.postgresql.checks",
    docs_url="docs/integrations/postgresql.md",
)
