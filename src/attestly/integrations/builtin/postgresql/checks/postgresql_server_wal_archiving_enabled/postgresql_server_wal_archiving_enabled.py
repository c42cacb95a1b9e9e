"""Pass when WAL archiving is configured or another backup mechanism is declared."""

from __future__ import annotations

from attestly.checks.types import Context, Evidence, Verdict
from attestly.integrations.builtin.common import fail, unreadable


def evaluate(item: Evidence, ctx: Context) -> bool | Verdict | None:
    if (error := unreadable(item.data)) is not None:
        return error
    settings = item.data["settings"]
    mode = settings.get("archive_mode", "off")
    command = settings.get("archive_command", "")
    library = settings.get("archive_library", "")
    if mode in {"on", "always"} and (library or command not in {"", "(disabled)"}):
        return True
    if item.data.get("declared_backup"):
        return True
    return fail(
        f"archive_mode is {mode}, archive_command is {command or 'empty'}, no backup declared"
    )
