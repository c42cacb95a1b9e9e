"""CloudWatch Logs collector on moto's server, and the retention check."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from attestly.integrations.base import PermissionDenied
from attestly.integrations.builtin.aws.client import AwsClient
from attestly.integrations.builtin.aws.collectors import logs
from tests.integrations.builtin.conftest import judge_records, record

CHECK = "aws_logs_retention_set"
KEY = "aws:123456789012:{region}:logs:log-group:{name}"


def seed(aws: Callable[..., Any]) -> None:
    east = aws("logs", "us-east-1")
    east.create_log_group(logGroupName="/app/forever")  # no retention: kept forever
    east.create_log_group(logGroupName="/app/year")
    east.put_retention_policy(logGroupName="/app/year", retentionInDays=365)
    east.create_log_group(logGroupName="/app/week")
    east.put_retention_policy(logGroupName="/app/week", retentionInDays=7)
    west = aws("logs", "eu-west-1")
    west.create_log_group(logGroupName="/eu/decade")
    west.put_retention_policy(logGroupName="/eu/decade", retentionInDays=3653)
    west.create_log_group(logGroupName="/eu/month")
    west.put_retention_policy(logGroupName="/eu/month", retentionInDays=30)


def test_collects_every_group_in_every_region_and_judges_retention(
    aws: Callable[..., Any], collect_service: Callable[..., list[Any]]
) -> None:
    seed(aws)
    records = collect_service(logs.SERVICE)
    assert {r.kind for r in records} == {logs.KIND_LOG_GROUP}
    by_key = {r.key: r.data for r in records}
    week = by_key[KEY.format(region="us-east-1", name="/app/week")]
    assert week["retention_days"] == 7
    assert week["region"] == "us-east-1"
    assert by_key[KEY.format(region="us-east-1", name="/app/forever")]["retention_days"] is None

    judged = judge_records(records, CHECK)
    verdicts = {key: status for (_check, key), (status, _detail) in judged.items()}
    assert verdicts == {
        KEY.format(region="us-east-1", name="/app/forever"): "pass",
        KEY.format(region="us-east-1", name="/app/year"): "pass",
        KEY.format(region="us-east-1", name="/app/week"): "fail",
        KEY.format(region="eu-west-1", name="/eu/decade"): "pass",
        KEY.format(region="eu-west-1", name="/eu/month"): "fail",
    }
    detail = judged[(CHECK, KEY.format(region="eu-west-1", name="/eu/month"))][1]
    assert "30 days" in detail


def test_many_groups_are_paged(aws: Callable[..., Any], aws_ctx: Callable[..., Any]) -> None:
    east = aws("logs", "us-east-1")
    for n in range(120):
        east.create_log_group(logGroupName=f"/bulk/{n:03d}")
    ctx = aws_ctx(regions=["us-east-1"])
    records = list(logs.SERVICE.collect(AwsClient(ctx)))
    assert len(records) == 120
    assert ctx.calls.count == 1 + 3  # GetCallerIdentity, then 3 pages of 50


@pytest.mark.parametrize(
    ("data", "status"),
    [
        ({"retention_days": None}, "pass"),
        ({}, "pass"),
        ({"retention_days": 365}, "pass"),
        ({"retention_days": 400}, "pass"),
        ({"retention_days": 364}, "fail"),
        ({"retention_days": 1}, "fail"),
        ({"retention_days": "a week"}, "error"),
        ({"error": "logs:DescribeLogGroups refused"}, "error"),
    ],
)
def test_retention_on_recorded_data(data: dict[str, Any], status: str) -> None:
    judged = judge_records([record(logs.KIND_LOG_GROUP, data)], CHECK)
    assert judged[(CHECK, "r1")][0] == status


def test_a_refused_listing_fails_the_collector(
    aws_ctx: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    real = AwsClient.call

    def call(self: AwsClient, service: str, operation: str, *args: Any, **kw: Any) -> Any:
        if operation == "DescribeLogGroups":
            raise PermissionDenied("logs:DescribeLogGroups")
        return real(self, service, operation, *args, **kw)

    monkeypatch.setattr(AwsClient, "call", call)
    with pytest.raises(PermissionDenied) as caught:
        list(logs.SERVICE.collect(AwsClient(aws_ctx())))
    assert caught.value.permission == "logs:DescribeLogGroups"
