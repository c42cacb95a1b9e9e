"""GuardDuty collector on moto's server, and the detector check."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from attestly.integrations.base import PermissionDenied
from attestly.integrations.builtin.aws.client import AwsClient
from attestly.integrations.builtin.aws.collectors import guardduty
from tests.integrations.builtin.conftest import judge_records, record

CHECK = "aws_guardduty_enabled"
EAST = "aws:123456789012:us-east-1:guardduty:detectors"
WEST = "aws:123456789012:eu-west-1:guardduty:detectors"


def test_enabled_region_passes_and_region_without_detector_fails(
    aws: Callable[..., Any], collect_service: Callable[..., list[Any]]
) -> None:
    aws("guardduty", "us-east-1").create_detector(Enable=True)
    records = collect_service(guardduty.SERVICE)
    by_key = {r.key: r.data for r in records}
    assert set(by_key) == {EAST, WEST}
    assert by_key[EAST]["detectors"][0]["status"] == "ENABLED"
    assert by_key[WEST]["detectors"] == []
    judged = judge_records(records, CHECK)
    assert judged[(CHECK, EAST)][0] == "pass"
    assert judged[(CHECK, WEST)] == ("fail", "no GuardDuty detector in this region")


def test_suspended_detector_fails(
    aws: Callable[..., Any], collect_service: Callable[..., list[Any]]
) -> None:
    aws("guardduty", "eu-west-1").create_detector(Enable=False)
    records = collect_service(guardduty.SERVICE, regions=["eu-west-1"])
    status, detail = judge_records(records, CHECK)[(CHECK, WEST)]
    assert status == "fail"
    assert "DISABLED" in detail


@pytest.mark.parametrize(
    ("detectors", "status"),
    [
        ([{"id": "d1", "status": "ENABLED"}], "pass"),
        ([{"id": "d1", "status": "DISABLED"}, {"id": "d2", "status": "ENABLED"}], "pass"),
        ([{"id": "d1", "status": "DISABLED"}], "fail"),
        ([{"id": "d1"}], "fail"),
        ([], "fail"),
    ],
)
def test_detector_states(detectors: list[dict[str, Any]], status: str) -> None:
    judged = judge_records([record(guardduty.KIND_REGION, {"detectors": detectors})], CHECK)
    assert judged[(CHECK, "r1")][0] == status


def test_unreadable_or_shapeless_record_is_an_error() -> None:
    judged = judge_records(
        [
            record(guardduty.KIND_REGION, {"error": "refused"}, "a"),
            record(guardduty.KIND_REGION, {"region": "x"}, "b"),
        ],
        CHECK,
    )
    assert judged[(CHECK, "a")] == ("error", "refused")
    assert judged[(CHECK, "b")][0] == "error"


def test_refused_get_detector_fails_the_collector(
    aws: Callable[..., Any], aws_ctx: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    aws("guardduty", "us-east-1").create_detector(Enable=True)
    real = AwsClient.call

    def call(self: AwsClient, service: str, operation: str, *args: Any, **kw: Any) -> Any:
        if operation == "GetDetector":
            raise PermissionDenied("guardduty:GetDetector")
        return real(self, service, operation, *args, **kw)

    monkeypatch.setattr(AwsClient, "call", call)
    with pytest.raises(PermissionDenied, match="guardduty:GetDetector"):
        list(guardduty.SERVICE.collect(AwsClient(aws_ctx())))
