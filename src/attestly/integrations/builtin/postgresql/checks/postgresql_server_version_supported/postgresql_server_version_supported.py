"""Look the major version up in data/eol/postgresql.yaml and compare with the run's time."""

from __future__ import annotations

from attestly.checks.types import Context, Evidence, Status, Verdict
from attestly.integrations.builtin.common import fail, unreadable
from attestly.integrations.builtin.eol import end_of_life


def evaluate(item: Evidence, ctx: Context) -> bool | Verdict | None:
    if (error := unreadable(item.data)) is not None:
        return error
    major = str(item.data["major_version"])
    eol = end_of_life("postgresql", "postgresql", major)
    if eol is None:
        return Verdict(Status.ERROR, f"PostgreSQL {major}: not in the end-of-life table")
    if eol < ctx.now.date():
        return fail(f"PostgreSQL {major}: community support ended on {eol.isoformat()}")
    return True
