"""Pass when an instance requires IMDSv2 tokens or has the metadata endpoint off; terminated
instances are not judged."""

from __future__ import annotations

from attestly.checks.types import Context, Evidence, Status, Verdict
from attestly.integrations.builtin.common import fail, not_applicable, unreadable


def evaluate(item: Evidence, ctx: Context) -> bool | Verdict | None:
    if (error := unreadable(item.data)) is not None:
        return error
    if item.data.get("state") == "terminated":
        return not_applicable("the instance is terminated")
    options = item.data.get("metadata_options")
    if not isinstance(options, dict):
        return Verdict(Status.ERROR, "the instance's metadata options were not recorded")
    if options.get("HttpEndpoint") == "disabled":
        return True
    tokens = options.get("HttpTokens")
    if tokens == "required":
        return True
    return fail(f"the metadata service accepts IMDSv1 requests (HttpTokens={tokens})")
