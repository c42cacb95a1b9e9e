"""Look the release up in data/eol/operating_systems.yaml and compare with the run's time."""

from __future__ import annotations

from attestly.checks.types import Context, Evidence, Status, Verdict
from attestly.integrations.builtin.common import fail, unreadable
from attestly.integrations.builtin.eol import end_of_life


def evaluate(item: Evidence, ctx: Context) -> bool | Verdict | None:
    if (error := unreadable(item.data)) is not None:
        return error
    os_id, version = item.data["id"], item.data["version_id"]
    candidates = [os_id, *item.data.get("id_like", [])]
    eol = next((d for p in candidates if (d := end_of_life("operating_systems", p, version))), None)
    name = item.data.get("pretty_name") or f"{os_id} {version}"
    if eol is None:
        return Verdict(Status.ERROR, f"{name}: release not in the end-of-life table")
    if eol < ctx.now.date():
        return fail(f"{name}: security support ended on {eol.isoformat()}")
    return True
