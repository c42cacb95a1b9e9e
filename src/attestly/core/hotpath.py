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


def workspaces_with_roles(user_id: int) -> list[tuple[Any, str]]:
    """The user's workspaces, ordered by name, each with the user's role in it."""
    from attestly.core.models import Membership, Workspace

    sql = (
        f"SELECT w.*, m.{_column(Membership, 'role')} AS attestly_member_role "  # noqa: S608  # names from the models, value bound
        f"FROM {_table(Workspace)} w JOIN {_table(Membership)} m "
        f"ON m.{_column(Membership, 'workspace')} = w.{_column(Workspace, 'id')} "
        f"WHERE m.{_column(Membership, 'user')} = %s ORDER BY w.{_column(Workspace, 'name')}"
    )
    rows = Workspace.objects.raw(sql, [user_id])
    return [(w, str(getattr(w, "attestly_member_role", ""))) for w in rows]


def memberships(user_id: int) -> dict[int, str]:
    """{workspace id: role} of the user's memberships."""
    from attestly.core.models import Membership

    sql = (
        f"SELECT {_column(Membership, 'workspace')}, {_column(Membership, 'role')} "  # noqa: S608  # names from the model, value bound
        f"FROM {_table(Membership)} WHERE {_column(Membership, 'user')} = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [user_id])
        return {int(workspace_id): str(role) for workspace_id, role in cursor.fetchall()}
