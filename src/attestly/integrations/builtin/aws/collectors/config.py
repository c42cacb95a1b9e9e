"""AWS Config: per region, the configuration recorders, whether they record, and how their
last delivery went, plus the delivery channels. Three calls per region, whatever the estate.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from attestly.integrations.base import Record
from attestly.integrations.builtin.aws.client import AwsClient
from attestly.integrations.builtin.aws.service import AwsService, Probe, jsonable

KIND_REGION = "aws.config.region"


def _recorders(client: AwsClient, region: str) -> list[dict[str, Any]]:
    recorders = (client.call("config", "DescribeConfigurationRecorders", region) or {}).get(
        "ConfigurationRecorders"
    ) or []
    statuses = (client.call("config", "DescribeConfigurationRecorderStatus", region) or {}).get(
        "ConfigurationRecordersStatus"
    ) or []
    by_name = {s.get("name"): s for s in statuses}
    found = []
    for recorder in recorders:
        status = by_name.get(recorder.get("name")) or {}
        found.append(
            {
                "name": recorder.get("name"),
                "role_arn": recorder.get("roleARN"),
                "recording_group": recorder.get("recordingGroup"),
                "recording_mode": recorder.get("recordingMode"),
                "recording": status.get("recording") is True,
                # Pending, Success or Failure; None when AWS has no status for it
                "last_status": status.get("lastStatus"),
                "last_error_code": status.get("lastErrorCode"),
                "last_error_message": status.get("lastErrorMessage"),
                "last_start": status.get("lastStartTime"),
                "last_stop": status.get("lastStopTime"),
                "last_status_change": status.get("lastStatusChangeTime"),
            }
        )
    return found


def _region(client: AwsClient, region: str) -> Iterator[Record]:
    recorders = _recorders(client, region)
    channels = (client.call("config", "DescribeDeliveryChannels", region) or {}).get(
        "DeliveryChannels"
    ) or []
    yield Record(
        KIND_REGION,
        client.key(region, "config", "recorders"),
        jsonable(
            {
                "region": region,
                "recorders": recorders,
                "delivery_channels": [
                    {
                        "name": c.get("name"),
                        "s3_bucket": c.get("s3BucketName"),
                        "sns_topic": c.get("snsTopicARN"),
                        "frequency": (c.get("configSnapshotDeliveryProperties") or {}).get(
                            "deliveryFrequency"
                        ),
                    }
                    for c in channels
                ],
            }
        ),
    )


def collect(client: AwsClient) -> Iterator[Record]:
    yield from client.per_region(lambda region: _region(client, region))


SERVICE = AwsService(
    name="config",
    kinds=(KIND_REGION,),
    collect=collect,
    probe=Probe("config", "DescribeConfigurationRecorders"),
    description="AWS Config recorders, their recording status and delivery channels (per region).",
    permissions=(
        "config:DescribeConfigurationRecorders",
        "config:DescribeConfigurationRecorderStatus",
        "config:DescribeDeliveryChannels",
    ),
    operations={
        "config": (
            "DescribeConfigurationRecorders",
            "DescribeConfigurationRecorderStatus",
            "DescribeDeliveryChannels",
        ),
    },
)
