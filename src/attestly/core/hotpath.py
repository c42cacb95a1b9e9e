"""The few reads every request makes, as hand-written SQL run through `Model.objects.raw`.

Each signed-in request reads its session, its user (or API token), its workspaces with the
caller's role in each, and the workspaces' data version before anything else. Through the ORM's
query builder each of those costs ~0.4 ms of Python to compose, more than a cached page costs
to send; `raw` skips the composing and still applies the database's type converters, so the
model instances are the ones the ORM would build. Table and column names come from the models;
every value is a bound parameter.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import connection, models

M = TypeVar("M", bound=models.Model)


def _table(model: type[models.Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _column(model: type[models.Model], field: str) -> str:
    column = getattr(model._meta.get_field(field), "column", None)
    if not isinstance(column, str):
        raise ValueError(f"{model.__name__}.{field} is not a column")
    return connection.ops.quote_name(column)


def one(model: type[M], field: str, value: Any) -> M | None:
    """The row of `model` whose `field` equals `value`, or None (`field` must be unique)."""
    sql = f"SELECT * FROM {_table(model)} WHERE {_column(model, field)} = %s"  # noqa: S608  # names from the model, value bound
    rows = list(model._default_manager.raw(sql, [value]))
    return rows[0] if rows else None


Version = tuple[str | None, str | None, str | None, str | None, str | None]
VERSION_NAMES = (
    "attestly_v_chain",
    "attestly_v_domains",
    "attestly_v_run",
    "attestly_v_snapshot",
    "attestly_v_installation",
)


def version_columns(workspace_id: str) -> str:
    """Five text columns that make up a workspace's data version (`attestly.core.datacache`):
    its audit chain's seq, the seq of its newest entry per domain (JSON), its newest
    collection run (id, status, finished), its newest readiness snapshot (id, score), and the
    installation chain's seq per domain (JSON: users and sign-ins, the catalog).
    `workspace_id` is the SQL expression of the workspace's id. Everything is cast to text:
    values are compared, never parsed (but the domains). Each newest row is found by the
    (workspace, id) indexes."""
    from attestly.core.audit import INSTALLATION_CHAIN
    from attestly.core.models import AuditChainHead
    from attestly.integrations.models import CollectionRun
    from attestly.readiness.models import ReadinessSnapshot

    heads, runs, snapshots = (_table(m) for m in (AuditChainHead, CollectionRun, ReadinessSnapshot))
    head = f"FROM {heads} h WHERE h.chain = 'workspace:' || CAST({workspace_id} AS VARCHAR(20))"
    # Names from the models and constants; no value from outside.
    return (
        f"(SELECT CAST(h.seq AS VARCHAR(20)) {head}) AS {VERSION_NAMES[0]}, "  # noqa: S608
        f"(SELECT CAST(h.domains AS TEXT) {head}) AS {VERSION_NAMES[1]}, "
        "(SELECT CAST(r.id AS VARCHAR(20)) || ':' || r.status || ':' "
        f"|| COALESCE(CAST(r.finished_at AS VARCHAR(40)), '') FROM {runs} r "
        f"WHERE r.workspace_id = {workspace_id} ORDER BY r.id DESC LIMIT 1) "
        f"AS {VERSION_NAMES[2]}, "
        "(SELECT CAST(s.id AS VARCHAR(20)) || ':' || CAST(s.score AS VARCHAR(40)) "
        f"FROM {snapshots} s WHERE s.workspace_id = {workspace_id} ORDER BY s.id DESC LIMIT 1) "
        f"AS {VERSION_NAMES[3]}, "
        f"(SELECT CAST(h.domains AS TEXT) FROM {heads} h "
        f"WHERE h.chain = '{INSTALLATION_CHAIN}') AS {VERSION_NAMES[4]}"
    )


def versions(workspace_ids: list[int]) -> dict[int, Version]:
    """{workspace id: data version} of the given workspaces that exist."""
    from attestly.core.models import Workspace

    if not workspace_ids:
        return {}
    marks = ", ".join(["%s"] * len(workspace_ids))
    sql = (
        f"SELECT w.id, {version_columns('w.id')} FROM {_table(Workspace)} w "  # noqa: S608  # names from the models, values bound
        f"WHERE w.id IN ({marks})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, workspace_ids)
        return {int(row[0]): tuple(row[1:6]) for row in cursor.fetchall()}


def workspaces_with_roles(user_id: int) -> list[tuple[Any, str, Version]]:
    """The user's workspaces, ordered by name, each with the user's role in it and its data
    version, in one query."""
    from attestly.core.models import Membership, Workspace

    sql = (
        f"SELECT w.*, m.{_column(Membership, 'role')} AS attestly_member_role, "  # noqa: S608  # names from the models, value bound
        f"{version_columns('w.id')} "
        f"FROM {_table(Workspace)} w JOIN {_table(Membership)} m "
        f"ON m.{_column(Membership, 'workspace')} = w.{_column(Workspace, 'id')} "
        f"WHERE m.{_column(Membership, 'user')} = %s ORDER BY w.{_column(Workspace, 'name')}"
    )
    result = []
    for w in Workspace.objects.raw(sql, [user_id]):  # extra columns become attributes
        version: Version = tuple(getattr(w, name) for name in VERSION_NAMES)
        result.append((w, str(getattr(w, "attestly_member_role", "")), version))
    return result


def memberships(user_id: int) -> tuple[dict[int, str], dict[int, Version]]:
    """{workspace id: role} of the user's memberships, and each workspace's data version, in
    one query."""
    from attestly.core.models import Membership

    workspace = f"m.{_column(Membership, 'workspace')}"
    sql = (
        f"SELECT {workspace}, m.{_column(Membership, 'role')}, {version_columns(workspace)} "  # noqa: S608  # names from the model, value bound
        f"FROM {_table(Membership)} m WHERE m.{_column(Membership, 'user')} = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [user_id])
        rows = cursor.fetchall()
    roles = {int(row[0]): str(row[1]) for row in rows}
    found: dict[int, Version] = {int(row[0]): tuple(row[2:7]) for row in rows}
    return roles, found
