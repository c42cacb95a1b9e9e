"""Pass when the instance is Multi-AZ, or for a cluster member, its cluster spans zones
(DescribeDBInstances says MultiAZ false for every Aurora member)."""

from __future__ import annotations

from attestly.checks.types import Context, Evidence, Verdict
from attestly.integrations.builtin.aws.checks._rds import boolean
from attestly.integrations.builtin.common import fail


def evaluate(item: Evidence, ctx: Context) -> bool | Verdict | None:
    value, whose = boolean(item.data, "multi_az", "Multi-AZ", cluster_level=True)
    if value is False:
        zone = item.data.get("availability_zone")
        return fail(f"the {whose} runs in a single availability zone{f' ({zone})' if zone else ''}")
    return value
