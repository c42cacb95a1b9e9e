"""CloudWatch Logs: every log group with its retention and encryption, one listing per region.

`DescribeLogGroups` returns a page of up to 50 groups with their retention and KMS key, so the
whole estate is read in ⌈groups / 50⌉ calls per region: no per-group calls.
"""

from __future__ import annotations

from collections.abc import Iterator

from attestly.integrations.base import Record
from attestly.integrations.builtin.aws.client import AwsClient
from attestly.integrations.builtin.aws.service import AwsService, Probe, jsonable

KIND_LOG_GROUP = "aws.logs.log_group"


def _millis(value: object) -> str | None:
    """CloudWatch Logs' creation time (epoch milliseconds) as ISO 8601 UTC."""
    import datetime as dt

    if not isinstance(value, int | float):
        return None
    return dt.datetime.fromtimestamp(value / 1000, dt.UTC).isoformat()


def _region(client: AwsClient, region: str) -> Iterator[Record]:
    for group in client.paginate("logs", "DescribeLogGroups", "logGroups", region):
        name = group.get("logGroupName")
        if not name:
            continue
        yield Record(
            KIND_LOG_GROUP,
            client.key(region, "logs", f"log-group:{name}"),
            jsonable(
                {
                    "name": name,
                    "arn": group.get("arn"),
                    "region": region,
                    "created": _millis(group.get("creationTime")),
                    # absent: the group keeps its events forever
                    "retention_days": group.get("retentionInDays"),
                    "kms_key_id": group.get("kmsKeyId"),
                    "stored_bytes": group.get("storedBytes"),
                    "log_group_class": group.get("logGroupClass"),
                    "data_protection_status": group.get("dataProtectionStatus"),
                }
            ),
        )


def collect(client: AwsClient) -> Iterator[Record]:
    yield from client.per_region(lambda region: _region(client, region))


SERVICE = AwsService(
    name="logs",
    kinds=(KIND_LOG_GROUP,),
    collect=collect,
    probe=Probe("logs", "DescribeLogGroups", {"limit": 1}),
    description="CloudWatch Logs log groups with their retention and encryption (per region).",
    permissions=("logs:DescribeLogGroups",),
    operations={
        "logs": ("DescribeLogGroups",),
    },
)
