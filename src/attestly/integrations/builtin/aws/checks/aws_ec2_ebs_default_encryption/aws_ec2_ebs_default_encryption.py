"""Pass when the region's EBS encryption by default is on."""

from __future__ import annotations

from attestly.checks.types import Context, Evidence, Status, Verdict
from attestly.integrations.builtin.common import fail, unreadable


def evaluate(item: Evidence, ctx: Context) -> bool | Verdict | None:
    if (error := unreadable(item.data)) is not None:
        return error
    enabled = item.data.get("ebs_encryption_by_default")
    if enabled is True:
        return True
    if enabled is False:
        volumes = item.data.get("volumes")
        held = f" ({volumes} volumes in the region)" if isinstance(volumes, int) else ""
        return fail(f"EBS encryption by default is off in {item.data.get('region')}{held}")
    return Verdict(Status.ERROR, "GetEbsEncryptionByDefault gave no answer for the region")
