"""CloudTrail and KMS collectors on moto's server, and their checks on the seeded evidence."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from attestly.integrations.base import PermissionDenied
from attestly.integrations.builtin.aws.client import AwsClient
from attestly.integrations.builtin.aws.collectors import cloudtrail, kms

from ..conftest import judge_records

ACCOUNT = "123456789012"
TRAIL_ACCOUNT_KEY = f"aws:{ACCOUNT}:global:cloudtrail:account"


def trail_key(region: str, name: str) -> str:
    return f"aws:{ACCOUNT}:{region}:cloudtrail:trail/{name}"


def seed_trails(aws: Callable[..., Any]) -> None:
    east, west = aws("s3", "us-east-1"), aws("s3", "eu-west-1")
    east.create_bucket(Bucket="trail-logs")
    west.create_bucket(
        Bucket="open-trail-logs", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
    )
    west.put_bucket_acl(Bucket="open-trail-logs", ACL="public-read")
    key_id = aws("kms").create_key()["KeyMetadata"]["Arn"]
    logs = aws("logs")
    logs.create_log_group(logGroupName="trail")
    group = logs.describe_log_groups()["logGroups"][0]["arn"]
    role = aws("iam").create_role(
        RoleName="trail-to-logs", AssumeRolePolicyDocument=json.dumps({"Statement": []})
    )["Role"]["Arn"]
    aws("cloudtrail").create_trail(
        Name="main-trail",
        S3BucketName="trail-logs",
        IsMultiRegionTrail=True,
        EnableLogFileValidation=True,
        KmsKeyId=key_id,
        CloudWatchLogsLogGroupArn=group,
        CloudWatchLogsRoleArn=role,
    )
    aws("cloudtrail").start_logging(Name="main-trail")
    aws("cloudtrail", "eu-west-1").create_trail(Name="eu-trail", S3BucketName="open-trail-logs")


def test_collects_trails_once_with_status_and_log_bucket(
    aws: Callable[..., Any], aws_ctx: Callable[..., Any]
) -> None:
    seed_trails(aws)
    records = list(cloudtrail.SERVICE.collect(AwsClient(aws_ctx())))
    by_key = {r.key: r for r in records}
    # the multi-region trail shows in both regions but is recorded once, at home
    assert set(by_key) == {
        TRAIL_ACCOUNT_KEY,
        trail_key("us-east-1", "main-trail"),
        trail_key("eu-west-1", "eu-trail"),
    }
    main = by_key[trail_key("us-east-1", "main-trail")].data
    assert main["multi_region"] is True and main["status"]["IsLogging"] is True
    assert main["log_bucket"]["region"] == "us-east-1"
    assert main["log_bucket"]["policy"] is None
    eu = by_key[trail_key("eu-west-1", "eu-trail")].data
    assert eu["log_bucket"]["region"] == "eu-west-1"
    summary = by_key[TRAIL_ACCOUNT_KEY].data["trails"]
    assert {(t["name"], t["multi_region"], t["is_logging"]) for t in summary} == {
        ("main-trail", True, True),
        ("eu-trail", False, False),
    }
    json.dumps([r.data for r in records])


def test_a_blocked_log_bucket_is_judged_without_reading_its_policy_or_acl(
    aws: Callable[..., Any], aws_ctx: Callable[..., Any]
) -> None:
    seed_trails(aws)
    all_on = dict.fromkeys(
        ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"), True
    )
    aws("s3").put_public_access_block(Bucket="trail-logs", PublicAccessBlockConfiguration=all_on)
    ctx = aws_ctx()
    records = list(cloudtrail.SERVICE.collect(AwsClient(ctx)))
    main = next(r.data for r in records if r.key == trail_key("us-east-1", "main-trail"))
    assert main["log_bucket"]["public_access_block"] == all_on
    assert main["log_bucket"]["policy"] == {
        "not_read": "RestrictPublicBuckets is on in the bucket's public access block"
    }
    assert main["log_bucket"]["acl"] == {
        "not_read": "IgnorePublicAcls is on in the bucket's public access block"
    }
    found = judge_records(records, "aws_cloudtrail_bucket")
    assert found[("aws_cloudtrail_bucket_not_public", trail_key("us-east-1", "main-trail"))][0] == (
        "pass"
    )
    assert found[("aws_cloudtrail_bucket_not_public", trail_key("eu-west-1", "eu-trail"))] == (
        "fail",
        "ACL grants AllUsers:READ",
    )
    # sts, a listing per region, status and selectors per trail, the account's block, then
    # location, block, policy and ACL per log bucket less trail-logs' policy and ACL
    assert ctx.calls.count == 1 + 2 + 2 * 2 + 1 + 4 * 2 - 2


def test_judges_seeded_trails(aws: Callable[..., Any], collect_service: Any) -> None:
    seed_trails(aws)
    found = judge_records(collect_service(cloudtrail.SERVICE), "aws_cloudtrail_")
    main, eu = trail_key("us-east-1", "main-trail"), trail_key("eu-west-1", "eu-trail")
    assert found[("aws_cloudtrail_multi_region", TRAIL_ACCOUNT_KEY)][0] == "pass"
    for check in (
        "aws_cloudtrail_log_file_validation",
        "aws_cloudtrail_kms_encryption",
        "aws_cloudtrail_bucket_not_public",
    ):
        assert found[(check, main)][0] == "pass", check
        assert found[(check, eu)][0] == "fail", check
    assert found[("aws_cloudtrail_bucket_not_public", eu)][1] == "ACL grants AllUsers:READ"
    # moto records no CloudWatch Logs delivery: configured, but not shown to deliver
    assert found[("aws_cloudtrail_cloudwatch_logs", main)] == (
        "fail",
        "a log group is configured but no delivery to it is recorded",
    )
    assert found[("aws_cloudtrail_cloudwatch_logs", eu)] == (
        "fail",
        "no CloudWatch Logs group configured",
    )


def test_no_multi_region_trail_fails(aws: Callable[..., Any], collect_service: Any) -> None:
    aws("s3").create_bucket(Bucket="trail-logs")
    aws("cloudtrail").create_trail(Name="local-trail", S3BucketName="trail-logs")
    aws("cloudtrail").start_logging(Name="local-trail")
    found = judge_records(collect_service(cloudtrail.SERVICE), "aws_cloudtrail_multi")
    assert found[("aws_cloudtrail_multi_region", TRAIL_ACCOUNT_KEY)] == (
        "fail",
        "no multi-region trail (only single-region: local-trail)",
    )


def test_no_trail_at_all_fails(collect_service: Any) -> None:
    found = judge_records(collect_service(cloudtrail.SERVICE), "aws_cloudtrail_")
    assert found == {
        ("aws_cloudtrail_multi_region", TRAIL_ACCOUNT_KEY): ("fail", "no CloudTrail trail")
    }


def test_describe_trails_refused_fails_the_collector(
    collect_service: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def call(self: AwsClient, service: str, operation: str, *a: Any, **kw: Any) -> Any:
        raise PermissionDenied(f"{service}:{operation}")

    monkeypatch.setattr(AwsClient, "call", call)
    with pytest.raises(PermissionDenied):
        collect_service(cloudtrail.SERVICE, regions=["us-east-1"])


def kms_key(region: str, key_id: str) -> str:
    return f"aws:{ACCOUNT}:{region}:kms:key/{key_id}"


def test_kms_keys_rotation(aws: Callable[..., Any], aws_ctx: Callable[..., Any]) -> None:
    east, west = aws("kms"), aws("kms", "eu-west-1")
    rotated = east.create_key(Description="rotated")["KeyMetadata"]["KeyId"]
    east.enable_key_rotation(KeyId=rotated)
    east.create_alias(AliasName="alias/app", TargetKeyId=rotated)
    stale = west.create_key(Description="stale")["KeyMetadata"]["KeyId"]
    signing = east.create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
    disabled = west.create_key()["KeyMetadata"]["KeyId"]
    west.disable_key(KeyId=disabled)
    ctx = aws_ctx()
    records = list(kms.SERVICE.collect(AwsClient(ctx)))
    by_key = {r.key: r.data for r in records}
    assert by_key[kms_key("us-east-1", rotated)]["aliases"] == ["alias/app"]
    assert by_key[kms_key("us-east-1", signing)]["rotation"] is None
    # 1 sts + 2 listings per region + DescribeKey per key + rotation for the 2 rotatable ones
    assert ctx.calls.count == 1 + 2 * 2 + 4 + 2
    found = judge_records(records, "aws_kms_")
    assert found[("aws_kms_key_rotation", kms_key("us-east-1", rotated))][0] == "pass"
    assert found[("aws_kms_key_rotation", kms_key("eu-west-1", stale))] == (
        "fail",
        "automatic rotation is off",
    )
    assert found[("aws_kms_key_rotation", kms_key("us-east-1", signing))] == (
        "not_applicable",
        "RSA_2048 keys cannot rotate automatically",
    )
    assert found[("aws_kms_key_rotation", kms_key("eu-west-1", disabled))] == (
        "not_applicable",
        "key is Disabled",
    )


def test_kms_rotation_refused_is_an_error(
    aws: Callable[..., Any], collect_service: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    key_id = aws("kms").create_key()["KeyMetadata"]["KeyId"]
    original = AwsClient.call

    def call(self: AwsClient, service: str, operation: str, *a: Any, **kw: Any) -> Any:
        if operation == "GetKeyRotationStatus":
            raise PermissionDenied("kms:GetKeyRotationStatus", "the key policy refuses it")
        return original(self, service, operation, *a, **kw)

    monkeypatch.setattr(AwsClient, "call", call)
    found = judge_records(collect_service(kms.SERVICE), "aws_kms_")
    assert found[("aws_kms_key_rotation", kms_key("us-east-1", key_id))] == (
        "error",
        "rotation: the key policy refuses it",
    )


def test_kms_key_hidden_by_its_policy_is_an_error_for_that_key_only(
    aws: Callable[..., Any], collect_service: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    hidden = aws("kms").create_key()["KeyMetadata"]["KeyId"]
    visible = aws("kms").create_key()["KeyMetadata"]["KeyId"]
    original = AwsClient.call

    def call(self: AwsClient, service: str, operation: str, *a: Any, **kw: Any) -> Any:
        if operation == "DescribeKey" and kw.get("KeyId") == hidden:
            raise PermissionDenied("kms:DescribeKey", "the key policy does not delegate to IAM")
        return original(self, service, operation, *a, **kw)

    monkeypatch.setattr(AwsClient, "call", call)
    found = judge_records(collect_service(kms.SERVICE, regions=["us-east-1"]), "aws_kms_")
    assert found[("aws_kms_key_rotation", kms_key("us-east-1", hidden))] == (
        "error",
        "the key policy does not delegate to IAM",
    )
    assert found[("aws_kms_key_rotation", kms_key("us-east-1", visible))][0] == "fail"
