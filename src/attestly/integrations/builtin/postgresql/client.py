"""A typed PostgreSQL client over psycopg with an injected connection factory.

The factory is the transport: production uses `psycopg.connect`, tests pass one that points
at the clusters they start. Queries are fixed, read-only and run in one read-only transaction.

psycopg is imported when a client is used, not with this module: the integration is registered
in every process at start-up, and on SQLite nothing else needs psycopg (and its libpq).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, LiteralString

from attestly.integrations.base import (
    BadCredentials,
    CollectorError,
    MalformedResponse,
    PermissionDenied,
    Unreachable,
)

if TYPE_CHECKING:
    import psycopg

    Connect = Callable[..., psycopg.Connection[Any]]

SETTINGS = (
    "ssl",
    "ssl_min_protocol_version",
    "password_encryption",
    "log_connections",
    "log_disconnections",
    "log_statement",
    "archive_mode",
    "archive_command",
    "archive_library",
    "wal_level",
    "server_version",
    "server_version_num",
    "logging_collector",
)


@dataclass(frozen=True)
class Target:
    """Where and as whom to connect."""

    host: str
    port: int = 5432
    user: str = "postgres"
    password: str | None = None
    dbname: str = "postgres"
    sslmode: str = "prefer"
    sslrootcert: str | None = None
    connect_timeout: int = 10

    @property
    def key(self) -> str:
        return f"{self.host}:{self.port}"


def connect_error(target: Target, exc: psycopg.OperationalError) -> CollectorError:
    """The specific error a failed connection stands for (unreachable, bad credentials...)."""
    full = str(exc).strip()
    lines = [line.strip() for line in full.splitlines() if line.strip()]
    text = lines[-1] if lines else type(exc).__name__
    lowered = full.lower()
    if "authentication failed" in lowered:
        # libpq with sslmode=prefer reports the TLS attempt, then the plain one: name the cause.
        reason = next(line for line in lines if "authentication failed" in line.lower())
        return BadCredentials(f"{target.key} refused user {target.user!r}: {reason}")
    if "connection refused" in lowered:
        return Unreachable(f"connection refused by {target.key} (is PostgreSQL listening there?)")
    if "timeout" in lowered or "timed out" in lowered:
        return Unreachable(f"no answer from {target.key} within {target.connect_timeout}s")
    if "no pg_hba.conf entry" in lowered:
        return PermissionDenied("a pg_hba.conf entry for this client", f"{target.key}: {text}")
    if "could not translate host name" in lowered:
        return Unreachable(f"unknown host {target.host!r}: {text}")
    return CollectorError(f"cannot connect to {target.key}: {text}")


HBA_GRANT = (
    "reading pg_hba_file_rules needs a superuser or: GRANT SELECT ON pg_hba_file_rules TO <role>;"
    " GRANT EXECUTE ON FUNCTION pg_hba_file_rules() TO <role>"
)


class PostgresClient:
    """Read-only queries against one server."""

    def __init__(self, target: Target, connect: Connect | None = None) -> None:
        import psycopg

        self.target = target
        self._connect: Connect = connect or psycopg.connect
        self._conn: psycopg.Connection[Any] | None = None

    def __enter__(self) -> PostgresClient:
        t = self.target
        params: dict[str, Any] = {
            "host": t.host,
            "port": t.port,
            "user": t.user,
            "dbname": t.dbname,
            "sslmode": t.sslmode,
            "connect_timeout": t.connect_timeout,
            "application_name": "attestly-collector",
        }
        if t.password is not None:
            params["password"] = t.password
        if t.sslrootcert:
            params["sslrootcert"] = t.sslrootcert
        import psycopg

        try:
            self._conn = self._connect(**params, autocommit=True)
        except psycopg.OperationalError as exc:
            raise connect_error(t, exc) from exc
        return self

    def __exit__(self, *exc: object) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def query(
        self, sql: LiteralString, params: Sequence[Any] = (), *, needs: str = ""
    ) -> list[dict[str, Any]]:
        """Rows as dicts; a privilege error becomes `PermissionDenied(needs)`."""
        if self._conn is None:
            raise RuntimeError("use the client as a context manager")
        import psycopg
        from psycopg import errors
        from psycopg.rows import dict_row

        try:
            with self._conn.cursor(row_factory=dict_row) as cur:
                cur.execute(sql, params)
                return list(cur.fetchall())
        except errors.InsufficientPrivilege as exc:
            first = str(exc).strip().splitlines()[0]
            raise PermissionDenied(needs or first, f"{self.target.key}: {first}; {needs}") from exc
        except psycopg.Error as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise MalformedResponse(f"{self.target.key}: query failed: {first}") from exc

    def settings(self) -> dict[str, str]:
        rows = self.query(
            "SELECT name, setting FROM pg_settings WHERE name = ANY(%s)", [list(SETTINGS)]
        )
        return {row["name"]: row["setting"] for row in rows}

    def hba_rules(self) -> list[dict[str, Any]]:
        return self.query(
            "SELECT line_number, type, database, user_name, address, netmask, auth_method, error"
            " FROM pg_hba_file_rules ORDER BY line_number",
            needs=HBA_GRANT,
        )

    def roles(self) -> list[dict[str, Any]]:
        return self.query(
            "SELECT rolname, rolsuper, rolcanlogin, rolcreaterole, rolcreatedb, rolreplication,"
            " rolbypassrls, rolvaliduntil FROM pg_roles WHERE rolname NOT LIKE 'pg\\_%%'"
            " ORDER BY rolname"
        )

    def connection_ssl(self) -> bool:
        rows = self.query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
        return bool(rows and rows[0]["ssl"])
