"""AWS Config collector on moto's server, and the recorder check."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from attestly.integrations.builtin.aws.collectors import config
from tests.integrations.builtin.conftest import judge_records, record

CHECK = "aws_config_recorder_enabled"
EAST = "aws:123456789012:us-east-1:config:recorders"
WEST = "aws:123456789012:eu-west-1:config:recorders"
ROLE = "arn:aws:iam::123456789012:role/config-recorder"


def seed_recorder(aws: Callable[..., Any], region: str, *, start: bool) -> None:
    client = aws("config", region)
    s3 = aws("s3", region)
    bucket = f"config-{region}"
    if region == "us-east-1":
        s3.create_bucket(Bucket=bucket)
    else:
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": region})
    client.put_configuration_recorder(
        ConfigurationRecorder={
            "name": "default",
            "roleARN": ROLE,
            "recordingGroup": {"allSupported": True, "includeGlobalResourceTypes": True},
        }
    )
    client.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": bucket})
    if start:
        client.start_configuration_recorder(ConfigurationRecorderName="default")


def test_recording_passes_stopped_fails_absent_fails(
    aws: Callable[..., Any], collect_service: Callable[..., list[Any]]
) -> None:
    seed_recorder(aws, "us-east-1", start=True)
    records = collect_service(config.SERVICE)
    by_key = {r.key: r.data for r in records}
    east = by_key[EAST]
    assert east["recorders"][0]["recording"] is True
    assert east["recorders"][0]["role_arn"] == ROLE
    assert east["delivery_channels"][0]["s3_bucket"] == "config-us-east-1"
    assert by_key[WEST]["recorders"] == []
    judged = judge_records(records, CHECK)
    assert judged[(CHECK, EAST)][0] == "pass"
    assert judged[(CHECK, WEST)] == ("fail", "no AWS Config recorder in this region")


def test_stopped_recorder_fails(
    aws: Callable[..., Any], collect_service: Callable[..., list[Any]]
) -> None:
    seed_recorder(aws, "eu-west-1", start=False)
    records = collect_service(config.SERVICE, regions=["eu-west-1"])
    assert judge_records(records, CHECK)[(CHECK, WEST)] == ("fail", "default is not recording")


@pytest.mark.parametrize(
    ("recorders", "status", "detail"),
    [
        ([{"name": "r", "recording": True, "last_status": "SUCCESS"}], "pass", ""),
        ([{"name": "r", "recording": True, "last_status": "PENDING"}], "pass", ""),
        ([{"name": "r", "recording": True, "last_status": None}], "pass", ""),
        (
            [
                {
                    "name": "r",
                    "recording": True,
                    "last_status": "FAILURE",
                    "last_error_code": "NoSuchBucket",
                }
            ],
            "fail",
            "r's last delivery failed (NoSuchBucket)",
        ),
        ([{"name": "r", "recording": False}], "fail", "r is not recording"),
        ([], "fail", "no AWS Config recorder in this region"),
    ],
)
def test_recorder_states(recorders: list[dict[str, Any]], status: str, detail: str) -> None:
    judged = judge_records([record(config.KIND_REGION, {"recorders": recorders})], CHECK)
    assert judged[(CHECK, "r1")][0] == status
    if detail:
        assert judged[(CHECK, "r1")][1] == detail


def test_shapeless_record_is_an_error() -> None:
    judged = judge_records([record(config.KIND_REGION, {"region": "x"})], CHECK)
    assert judged[(CHECK, "r1")][0] == "error"
