"""Fail when TLS 1.0 is accepted; error when it could not be tested locally."""

from __future__ import annotations

from attestly.checks.types import Context, Evidence, Status, Verdict
from attestly.integrations.builtin.common import fail, unreadable


def evaluate(item: Evidence, ctx: Context) -> bool | Verdict | None:
    if (error := unreadable(item.data)) is not None:
        return error
    probe = item.data["tls1_0"]
    if probe["accepted"] is None:
        return Verdict(Status.ERROR, probe["note"])
    if probe["accepted"]:
        return fail("the server accepts TLS 1.0 ({})".format(probe["cipher"]))
    return True
