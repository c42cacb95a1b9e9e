"""Fail when an ingress rule admits all protocols, or every TCP/UDP port, from the world."""

from __future__ import annotations

from attestly.checks.types import Context, Evidence, Verdict
from attestly.integrations.builtin.aws.checks._security_groups import (
    describe,
    in_use,
    ingress,
    opens_everything,
    world_sources,
)
from attestly.integrations.builtin.common import fail


def evaluate(item: Evidence, ctx: Context) -> bool | Verdict | None:
    rules = ingress(item.data)
    if isinstance(rules, Verdict):
        return rules
    bad = [
        describe(rule, sources)
        for rule in rules
        if (sources := world_sources(rule)) and opens_everything(rule)
    ]
    if bad:
        return fail(f"every port is open to the internet: {'; '.join(bad)}{in_use(item.data)}")
    return True
