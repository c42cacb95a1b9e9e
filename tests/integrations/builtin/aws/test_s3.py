"""S3 collector on moto's server, and the S3 checks on its evidence and on recorded cases."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from attestly.integrations.base import MalformedResponse, PermissionDenied
from attestly.integrations.builtin.aws.client import AwsClient, _no_account_host
from attestly.integrations.builtin.aws.collectors import s3
from attestly.integrations.builtin.aws.errors import IAM_ACTIONS

from ..conftest import judge_records

ACCOUNT = "123456789012"
ALL_ON = {
    "BlockPublicAcls": True,
    "IgnorePublicAcls": True,
    "BlockPublicPolicy": True,
    "RestrictPublicBuckets": True,
}


def key(region: str, name: str) -> str:
    return f"aws:{ACCOUNT}:{region}:s3:bucket/{name}"


ACCOUNT_KEY = f"aws:{ACCOUNT}:global:s3:account"


def tls_policy(bucket: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "TlsOnly",
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "s3:*",
                    "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                }
            ],
        }
    )


def public_policy(bucket: str, condition: dict[str, Any] | None = None) -> str:
    statement: dict[str, Any] = {
        "Sid": "Anyone",
        "Effect": "Allow",
        "Principal": {"AWS": "*"},
        "Action": "s3:GetObject",
        "Resource": f"arn:aws:s3:::{bucket}/*",
    }
    if condition:
        statement["Condition"] = condition
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def seed(aws: Callable[..., Any]) -> None:
    east, west = aws("s3", "us-east-1"), aws("s3", "eu-west-1")
    east.create_bucket(Bucket="access-logs")
    east.put_bucket_acl(Bucket="access-logs", ACL="log-delivery-write")
    # compliant on every check
    east.create_bucket(Bucket="good-bucket")
    east.put_bucket_encryption(
        Bucket="good-bucket",
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}]
        },
    )
    east.put_bucket_versioning(Bucket="good-bucket", VersioningConfiguration={"Status": "Enabled"})
    east.put_bucket_logging(
        Bucket="good-bucket",
        BucketLoggingStatus={
            "LoggingEnabled": {"TargetBucket": "access-logs", "TargetPrefix": "good/"}
        },
    )
    east.put_bucket_policy(Bucket="good-bucket", Policy=tls_policy("good-bucket"))
    east.put_public_access_block(Bucket="good-bucket", PublicAccessBlockConfiguration=ALL_ON)
    # failing on every check, in the other region
    cfg = {"LocationConstraint": "eu-west-1"}
    west.create_bucket(Bucket="bad-bucket", CreateBucketConfiguration=cfg)
    west.put_bucket_versioning(Bucket="bad-bucket", VersioningConfiguration={"Status": "Enabled"})
    west.put_bucket_versioning(Bucket="bad-bucket", VersioningConfiguration={"Status": "Suspended"})
    west.put_bucket_policy(Bucket="bad-bucket", Policy=public_policy("bad-bucket"))
    west.put_bucket_acl(Bucket="bad-bucket", ACL="public-read")
    west.put_public_access_block(
        Bucket="bad-bucket",
        PublicAccessBlockConfiguration={**ALL_ON, "BlockPublicPolicy": False,
                                        "RestrictPublicBuckets": False, "IgnorePublicAcls": False},
    )  # fmt: skip
    # an Allow to everyone narrowed to one VPC endpoint is not public
    west.create_bucket(Bucket="vpce-bucket", CreateBucketConfiguration=cfg)
    west.put_bucket_policy(
        Bucket="vpce-bucket",
        Policy=public_policy(
            "vpce-bucket", {"StringEquals": {"aws:SourceVpce": "vpce-0123456789abcdef0"}}
        ),
    )


def test_collects_account_and_buckets_in_their_regions(
    aws: Callable[..., Any], aws_ctx: Callable[..., Any]
) -> None:
    seed(aws)
    ctx = aws_ctx()
    records = list(s3.SERVICE.collect(AwsClient(ctx)))
    by_key = {r.key: r for r in records}
    assert set(by_key) == {
        ACCOUNT_KEY,
        key("us-east-1", "access-logs"),
        key("us-east-1", "good-bucket"),
        key("eu-west-1", "bad-bucket"),
        key("eu-west-1", "vpce-bucket"),
    }
    assert by_key[ACCOUNT_KEY].data == {"account_id": ACCOUNT, "public_access_block": None}
    good = by_key[key("us-east-1", "good-bucket")].data
    assert good["region"] == "us-east-1"
    assert good["versioning"]["status"] == "Enabled"
    assert good["logging"] == {"target_bucket": "access-logs", "target_prefix": "good/"}
    assert good["public_access_block"] == ALL_ON
    assert good["policy"]["Statement"][0]["Sid"] == "TlsOnly"
    # its block ignores public ACLs, so the ACL cannot make it public and is not read
    assert good["acl"] == {"not_read": "IgnorePublicAcls is on in the bucket's public access block"}
    bad = by_key[key("eu-west-1", "bad-bucket")].data
    assert bad["region"] == "eu-west-1"
    assert bad["encryption"] is None and bad["logging"] is None
    assert bad["acl"]["grants"]  # its block does not ignore public ACLs: read
    json.dumps([r.data for r in records])
    # 1 sts + 1 account block + 1 listing per region + 6 reads per bucket, less good-bucket's ACL
    assert ctx.calls.count == 1 + 1 + 2 + 6 * 4 - 1


def test_judges_seeded_buckets(aws: Callable[..., Any], collect_service: Any) -> None:
    seed(aws)
    found = judge_records(collect_service(s3.SERVICE), "aws_s3_")
    good, bad, vpce = (
        key("us-east-1", "good-bucket"),
        key("eu-west-1", "bad-bucket"),
        key("eu-west-1", "vpce-bucket"),
    )
    assert found[("aws_s3_account_public_access_block", ACCOUNT_KEY)] == (
        "fail",
        "no account-level public access block is set",
    )
    for check in (
        "aws_s3_bucket_default_encryption",
        "aws_s3_bucket_public_access_block",
        "aws_s3_bucket_versioning",
        "aws_s3_bucket_access_logging",
        "aws_s3_bucket_tls_only",
        "aws_s3_bucket_policy_not_public",
    ):
        assert found[(check, good)][0] == "pass", check
        assert found[(check, bad)][0] == "fail", check
    assert found[("aws_s3_bucket_versioning", bad)][1] == "versioning is suspended"
    assert found[("aws_s3_bucket_public_access_block", bad)][1] == (
        "off on the bucket (and not covered by the account): IgnorePublicAcls, "
        "BlockPublicPolicy, RestrictPublicBuckets"
    )
    assert found[("aws_s3_bucket_policy_not_public", bad)][1] == (
        "policy allows anyone (statement Anyone); ACL grants AllUsers:READ"
    )
    assert found[("aws_s3_bucket_policy_not_public", vpce)][0] == "pass"
    assert found[("aws_s3_bucket_public_access_block", vpce)] == (
        "fail",
        "no public access block on the bucket or the account",
    )


def test_account_block_covers_every_bucket(aws: Callable[..., Any], aws_ctx: Any) -> None:
    seed(aws)
    control = aws("s3control")
    # the seeding client, like the collector's, must not put the account in front of the host
    control.meta.events.register("before-sign.s3-control", _no_account_host)
    control.put_public_access_block(AccountId=ACCOUNT, PublicAccessBlockConfiguration=ALL_ON)
    ctx = aws_ctx()
    records = list(s3.SERVICE.collect(AwsClient(ctx)))
    found = judge_records(records, "aws_s3_")
    bad, good = key("eu-west-1", "bad-bucket"), key("us-east-1", "good-bucket")
    assert found[("aws_s3_account_public_access_block", ACCOUNT_KEY)][0] == "pass"
    assert found[("aws_s3_bucket_public_access_block", bad)][0] == "pass"
    # the public policy and ACL are there but neutralised by the account's block
    assert found[("aws_s3_bucket_policy_not_public", bad)][0] == "pass"
    # the policy is still read for the TLS check
    assert found[("aws_s3_bucket_tls_only", good)][0] == "pass"
    assert found[("aws_s3_bucket_tls_only", bad)][0] == "fail"
    # neither the buckets' blocks nor their ACLs were read: the account's block covers them
    for record in records:
        if record.kind == s3.KIND_BUCKET:
            assert record.data["public_access_block"] == {
                "not_read": "the account's public access block has all four settings on"
            }
            assert record.data["acl"] == {
                "not_read": "IgnorePublicAcls is on in the account's public access block"
            }
            assert "not_read" not in (record.data["policy"] or {})
    # 1 sts + 1 account block + 1 listing per region + 4 reads per bucket
    assert ctx.calls.count == 1 + 1 + 2 + 4 * 4


def test_a_refused_block_leaves_the_acl_to_be_read(
    aws: Callable[..., Any], collect_service: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed(aws)
    original = AwsClient.call

    def call(self: AwsClient, service: str, operation: str, *a: Any, **kw: Any) -> Any:
        if operation == "GetPublicAccessBlock":  # the account's and every bucket's
            raise PermissionDenied(IAM_ACTIONS[(service, operation)], "denied")
        return original(self, service, operation, *a, **kw)

    monkeypatch.setattr(AwsClient, "call", call)
    records = collect_service(s3.SERVICE)
    good = next(r.data for r in records if r.key == key("us-east-1", "good-bucket"))
    assert good["public_access_block"] == {"error": "denied"}
    assert good["account_public_access_block"] == {"error": "denied"}
    assert good["acl"]["grants"]  # read: no block is known to ignore public ACLs
    found = judge_records(records, "aws_s3_")
    bad = key("eu-west-1", "bad-bucket")
    assert found[("aws_s3_bucket_public_access_block", key("us-east-1", "good-bucket"))] == (
        "error",
        "public_access_block: denied",
    )
    assert found[("aws_s3_bucket_policy_not_public", key("us-east-1", "good-bucket"))][0] == (
        "pass"
    )
    assert found[("aws_s3_bucket_policy_not_public", bad)] == (
        "fail",
        "policy allows anyone (statement Anyone); ACL grants AllUsers:READ",
    )


def test_buckets_outside_the_configured_regions_are_not_read(
    aws: Callable[..., Any], collect_service: Any
) -> None:
    seed(aws)
    records = collect_service(s3.SERVICE, regions=["us-east-1"])
    assert {r.data.get("region") for r in records if r.kind == s3.KIND_BUCKET} == {"us-east-1"}


def test_listing_refused_fails_the_collector(
    aws: Callable[..., Any], collect_service: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = AwsClient.call

    def call(self: AwsClient, service: str, operation: str, *a: Any, **kw: Any) -> Any:
        if operation == "ListBuckets":
            raise PermissionDenied("s3:ListAllMyBuckets")
        return original(self, service, operation, *a, **kw)

    monkeypatch.setattr(AwsClient, "call", call)
    with pytest.raises(PermissionDenied) as raised:
        collect_service(s3.SERVICE)
    assert raised.value.permission == "s3:ListAllMyBuckets"


def test_a_refused_bucket_read_is_an_error_for_its_checks_only(
    aws: Callable[..., Any], collect_service: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed(aws)
    original = AwsClient.call

    def call(self: AwsClient, service: str, operation: str, *a: Any, **kw: Any) -> Any:
        if operation == "GetBucketPolicy" and kw.get("Bucket") == "good-bucket":
            raise PermissionDenied("s3:GetBucketPolicy", "denied by the bucket policy")
        return original(self, service, operation, *a, **kw)

    monkeypatch.setattr(AwsClient, "call", call)
    found = judge_records(collect_service(s3.SERVICE), "aws_s3_")
    good = key("us-east-1", "good-bucket")
    assert found[("aws_s3_bucket_tls_only", good)] == (
        "error",
        "policy: denied by the bucket policy",
    )
    # the bucket's own block restricts public policies: no need to read the policy
    assert found[("aws_s3_bucket_policy_not_public", good)][0] == "pass"
    assert found[("aws_s3_bucket_versioning", good)][0] == "pass"


def test_a_bucket_deleted_while_read_is_skipped(
    aws: Callable[..., Any], collect_service: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed(aws)
    original = s3.list_buckets

    def listing(client: AwsClient, region: str) -> list[dict[str, Any]]:
        found = original(client, region)
        if region == "us-east-1":
            found.append({"Name": "gone-bucket", "Region": region})
        return found

    monkeypatch.setattr(s3, "list_buckets", listing)
    records = collect_service(s3.SERVICE)
    assert not [r for r in records if "gone-bucket" in r.key]
    assert len(records) == 5


def test_connection_probes_s3_cloudtrail_and_kms(
    aws_ctx: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from attestly.integrations.builtin.aws.integration import test_connection

    assert test_connection(aws_ctx()).ok
    original = AwsClient.call

    def call(self: AwsClient, service: str, operation: str, *a: Any, **kw: Any) -> Any:
        if operation in {"ListBuckets", "DescribeTrails", "ListKeys"}:
            raise PermissionDenied(f"{service}:{operation}")
        return original(self, service, operation, *a, **kw)

    monkeypatch.setattr(AwsClient, "call", call)
    result = test_connection(aws_ctx())
    assert result.missing_permissions == (
        "s3:ListAllMyBuckets",
        "cloudtrail:DescribeTrails",
        "kms:ListKeys",
    )


def test_a_client_pools_a_connection_for_each_reader_s3_and_cloudtrail_run_at_once(
    aws_ctx: Callable[..., Any],
) -> None:
    # both read buckets through the home region's s3 client, BUCKET_WORKERS at a time each
    client = AwsClient(aws_ctx())
    assert client._boto_config.max_pool_connections >= 2 * s3.BUCKET_WORKERS


def test_an_account_block_that_cannot_be_read_fails_the_collector(
    aws: Callable[..., Any], collect_service: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # it is read beside the buckets, in a thread of its own: its failure still fails the run
    seed(aws)
    original = AwsClient.call

    def call(self: AwsClient, service: str, operation: str, *a: Any, **kw: Any) -> Any:
        if service == "s3control":
            raise MalformedResponse("s3control:GetPublicAccessBlock answered garbage")
        return original(self, service, operation, *a, **kw)

    monkeypatch.setattr(AwsClient, "call", call)
    with pytest.raises(MalformedResponse, match="answered garbage"):
        collect_service(s3.SERVICE)
