"""Collecting one PostgreSQL server: settings, roles and pg_hba rules.

Each collector opens its own read-only session and yields one record keyed `host:port`, or
raises a `CollectorError` (unreachable, bad credentials, permission denied on
`pg_hba_file_rules`) so the framework stores nothing from it and answers `error` for the
checks that read its kind only.
"""

from __future__ import annotations

from attestly.integrations.base import Record
from attestly.integrations.builtin.postgresql.client import PostgresClient
from attestly.integrations.builtin.postgresql.schemas import (
    KIND_HBA,
    KIND_ROLES,
    KIND_SETTINGS,
    validated,
)


def collect_settings(client: PostgresClient, declared_backup: str | None = None) -> Record:
    """pg_settings values the checks read, the major version, and this session's TLS."""
    with client:
        settings = client.settings()
        ssl_session = client.connection_ssl()
    data = {
        "settings": settings,
        "major_version": int(settings.get("server_version_num", "0")) // 10000,
        "connection_ssl": ssl_session,
        "declared_backup": declared_backup,
    }
    return Record(KIND_SETTINGS, client.target.key, validated(KIND_SETTINGS, data))


def collect_roles(client: PostgresClient) -> Record:
    """Every role with its attributes; superusers and login roles listed by name."""
    with client:
        roles = client.roles()
    data = {
        "roles": roles,
        "superusers": [r["rolname"] for r in roles if r["rolsuper"]],
        "login_roles": [r["rolname"] for r in roles if r["rolcanlogin"]],
    }
    return Record(KIND_ROLES, client.target.key, validated(KIND_ROLES, data))


def collect_hba(client: PostgresClient) -> Record:
    """pg_hba.conf as the server parsed it (needs superuser or an explicit grant)."""
    with client:
        rules = client.hba_rules()
    return Record(KIND_HBA, client.target.key, validated(KIND_HBA, {"rules": rules}))
