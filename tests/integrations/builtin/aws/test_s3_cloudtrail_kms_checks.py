"""The S3, CloudTrail and KMS checks on recorded evidence: pass, fail and error for each, and
the edge cases moto cannot produce."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from attestly.checks.registry import get_registry

from ..conftest import record

NOW = dt.datetime(2026, 11, 22, 12, 0, tzinfo=dt.UTC)
ALL_ON = {
    "BlockPublicAcls": True,
    "IgnorePublicAcls": True,
    "BlockPublicPolicy": True,
    "RestrictPublicBuckets": True,
}
PARTIAL = {**ALL_ON, "RestrictPublicBuckets": False, "IgnorePublicAcls": False}
TLS_DENY = {
    "Effect": "Deny",
    "Principal": {"AWS": "*"},
    "Action": ["s3:*"],
    "Resource": "arn:aws:s3:::b/*",
    "Condition": {"Bool": {"aws:SecureTransport": False}},
}
PUBLIC_READ = {
    "Sid": "Read",
    "Effect": "Allow",
    "Principal": "*",
    "Action": "s3:GetObject",
    "Resource": "arn:aws:s3:::b/*",
}
ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
SSE = "AES256"
RECENT = "2026-11-22T11:00:00+00:00"
REFUSED = {"error": "permission denied: s3:GetBucketPolicy in us-east-1 (AccessDenied)"}


def policy(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def grant(uri: str, permission: str = "READ") -> dict[str, Any]:
    return {"Grantee": {"Type": "Group", "URI": uri}, "Permission": permission}


def bucket(**changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "name": "b",
        "region": "us-east-1",
        "versioning": {"status": "Enabled", "mfa_delete": None},
        "encryption": {"rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": SSE}}]},
        "logging": {"target_bucket": "logs", "target_prefix": "b/"},
        "public_access_block": ALL_ON,
        "policy": policy(TLS_DENY),
        "acl": {"owner": {"ID": "o"}, "grants": []},
        "account_public_access_block": None,
    }  # fmt: skip
    values.update(changes)
    return values


def trail(**changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "name": "t",
        "home_region": "us-east-1",
        "multi_region": True,
        "log_file_validation": True,
        "kms_key_id": "arn:aws:kms:us-east-1:123456789012:key/k",
        "cloudwatch_logs_log_group_arn": "arn:aws:logs:us-east-1:123456789012:log-group:trail:*",
        "status": {"IsLogging": True, "LatestCloudWatchLogsDeliveryTime": RECENT},
        "log_bucket": {"name": "logs", "region": "us-east-1", "missing": False,
                       "public_access_block": None, "policy": None,
                       "acl": {"grants": []}, "account_public_access_block": None},
    }  # fmt: skip
    values.update(changes)
    return values


def key(**changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "key_id": "k",
        "manager": "CUSTOMER",
        "spec": "SYMMETRIC_DEFAULT",
        "origin": "AWS_KMS",
        "state": "Enabled",
        "rotation": {"enabled": True, "period_days": 365},
    }
    values.update(changes)
    return values


def trails(*summary: tuple[str, bool, bool | None]) -> dict[str, Any]:
    return {
        "regions": ["us-east-1"],
        "trails": [{"name": n, "multi_region": m, "is_logging": on} for n, m, on in summary],
    }


S3A, S3B, CTA, CTT, KMS = (
    "aws.s3.account",
    "aws.s3.bucket",
    "aws.cloudtrail.account",
    "aws.cloudtrail.trail",
    "aws.kms.key",
)
# (check, kind, passing, failing, erroring)
CASES: list[tuple[str, str, dict[str, Any], dict[str, Any], dict[str, Any]]] = [
    ("aws_s3_account_public_access_block", S3A, {"public_access_block": ALL_ON},
     {"public_access_block": PARTIAL}, {"public_access_block": REFUSED}),
    ("aws_s3_bucket_default_encryption", S3B, bucket(), bucket(encryption=None),
     bucket(encryption=REFUSED)),
    ("aws_s3_bucket_public_access_block", S3B, bucket(), bucket(public_access_block=PARTIAL),
     bucket(public_access_block=REFUSED)),
    ("aws_s3_bucket_versioning", S3B, bucket(),
     bucket(versioning={"status": None, "mfa_delete": None}), bucket(versioning=REFUSED)),
    ("aws_s3_bucket_access_logging", S3B, bucket(), bucket(logging=None), bucket(logging=REFUSED)),
    ("aws_s3_bucket_tls_only", S3B, bucket(), bucket(policy=None), bucket(policy=REFUSED)),
    ("aws_s3_bucket_policy_not_public", S3B, bucket(public_access_block=None),
     bucket(public_access_block=None, policy=policy(PUBLIC_READ)),
     bucket(public_access_block=None, policy=REFUSED)),
    ("aws_cloudtrail_multi_region", CTA, trails(("t", True, True)), trails(("t", True, False)),
     trails(("t", True, None))),
    ("aws_cloudtrail_log_file_validation", CTT, trail(), trail(log_file_validation=False),
     {"error": "trail unreadable"}),
    ("aws_cloudtrail_kms_encryption", CTT, trail(), trail(kms_key_id=None),
     {"error": "trail unreadable"}),
    ("aws_cloudtrail_bucket_not_public", CTT, trail(),
     trail(log_bucket={**trail()["log_bucket"], "policy": policy(PUBLIC_READ)}),
     trail(log_bucket={"name": "central", "error": "permission denied"})),
    ("aws_cloudtrail_cloudwatch_logs", CTT, trail(),
     trail(status={"IsLogging": True,
                   "LatestCloudWatchLogsDeliveryTime": "2026-11-20T11:00:00+00:00"}),
     trail(status={"error": "permission denied: cloudtrail:GetTrailStatus"})),
    ("aws_kms_key_rotation", KMS, key(), key(rotation={"enabled": False}),
     key(rotation={"error": "the key policy refuses it"})),
]  # fmt: skip


def verdict(judge: Callable[..., Any], check: str, kind: str, data: dict[str, Any]) -> Any:
    return judge([record(kind, data)], check, NOW)[(check, "r1")]


def test_every_check_of_these_services_has_a_case() -> None:
    prefixes = ("aws_s3_", "aws_cloudtrail_", "aws_kms_")
    registered = {c.id for c in get_registry() if c.id.startswith(prefixes)}
    assert registered == {case[0] for case in CASES}


@pytest.mark.parametrize(("check", "kind", "passing", "failing", "erroring"), CASES)
def test_pass_fail_and_error(
    judge: Callable[..., Any],
    check: str,
    kind: str,
    passing: Any,
    failing: Any,
    erroring: Any,
) -> None:
    assert verdict(judge, check, kind, passing)[0] == "pass"
    assert verdict(judge, check, kind, failing)[0] == "fail"
    assert verdict(judge, check, kind, erroring)[0] == "error"
    # a record the collector could not read at all
    assert verdict(judge, check, kind, {"error": "unreadable"}) == ("error", "unreadable")


@pytest.mark.parametrize(
    ("statement", "status"),
    [
        (PUBLIC_READ, "fail"),
        ({**PUBLIC_READ, "Principal": {"AWS": ["arn:aws:iam::1:root", "*"]}}, "fail"),
        ({**PUBLIC_READ, "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-1"}}}, "pass"),
        ({**PUBLIC_READ, "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}, "pass"),
        ({**PUBLIC_READ, "Condition": {"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}}}, "fail"),
        ({**PUBLIC_READ, "Condition": {"Bool": {"aws:SecureTransport": "true"}}}, "fail"),
        ({**PUBLIC_READ, "Principal": {"AWS": "arn:aws:iam::111122223333:root"}}, "pass"),
        ({**PUBLIC_READ, "Principal": {"Service": "logging.s3.amazonaws.com"}}, "pass"),
        ({**PUBLIC_READ, "Effect": "Deny"}, "pass"),
    ],
)
def test_public_policy_statements(judge: Callable[..., Any], statement: Any, status: str) -> None:
    data = bucket(public_access_block=None, policy=policy(statement))
    assert verdict(judge, "aws_s3_bucket_policy_not_public", S3B, data)[0] == status


def test_public_acl_grants_and_the_block_that_neutralises_them(judge: Callable[..., Any]) -> None:
    check = "aws_s3_bucket_policy_not_public"
    authenticated = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
    acl = {"grants": [grant(ALL_USERS, "WRITE"), grant(authenticated)]}
    assert verdict(judge, check, S3B, bucket(public_access_block=None, acl=acl)) == (
        "fail",
        "ACL grants AllUsers:WRITE, AuthenticatedUsers:READ",
    )
    ignoring = {**PARTIAL, "IgnorePublicAcls": True}
    assert verdict(judge, check, S3B, bucket(public_access_block=ignoring, acl=acl))[0] == "pass"
    # the account's flag counts as much as the bucket's
    data = bucket(public_access_block=None, account_public_access_block=ALL_ON,
                  acl=acl, policy=policy(PUBLIC_READ))  # fmt: skip
    assert verdict(judge, check, S3B, data)[0] == "pass"


def test_bucket_block_covered_by_account_even_when_the_bucket_read_was_refused(
    judge: Callable[..., Any],
) -> None:
    data = bucket(public_access_block=REFUSED, account_public_access_block=ALL_ON)
    assert verdict(judge, "aws_s3_bucket_public_access_block", S3B, data)[0] == "pass"


@pytest.mark.parametrize(
    ("statement", "status"),
    [
        (TLS_DENY, "pass"),
        ({**TLS_DENY, "Principal": "*", "Action": "*"}, "pass"),
        ({**TLS_DENY, "Condition": {"BoolIfExists": {"aws:SecureTransport": "false"}}}, "pass"),
        ({**TLS_DENY, "Action": "s3:GetObject"}, "fail"),
        ({**TLS_DENY, "Principal": {"AWS": "arn:aws:iam::1:root"}}, "fail"),
        ({**TLS_DENY, "Condition": {"Bool": {"aws:SecureTransport": "true"}}}, "fail"),
        ({**TLS_DENY, "Effect": "Allow"}, "fail"),
    ],
)
def test_tls_only_statements(judge: Callable[..., Any], statement: Any, status: str) -> None:
    data = bucket(policy=policy(statement))
    assert verdict(judge, "aws_s3_bucket_tls_only", S3B, data)[0] == status


def test_trail_log_bucket_edge_cases(judge: Callable[..., Any]) -> None:
    check = "aws_cloudtrail_bucket_not_public"
    assert verdict(judge, check, CTT, trail(log_bucket=None))[0] == "not_applicable"
    missing = trail(log_bucket={"name": "gone", "missing": True})
    assert verdict(judge, check, CTT, missing) == (
        "not_applicable",
        "log bucket gone does not exist",
    )


def test_cloudwatch_delivery_missing_or_stale(judge: Callable[..., Any]) -> None:
    check = "aws_cloudtrail_cloudwatch_logs"
    assert verdict(judge, check, CTT, trail(cloudwatch_logs_log_group_arn=None)) == (
        "fail",
        "no CloudWatch Logs group configured",
    )
    stale = trail(status={"LatestCloudWatchLogsDeliveryTime": "2026-11-20T11:00:00+00:00"})
    assert verdict(judge, check, CTT, stale) == (
        "fail",
        "last delivery to CloudWatch Logs was 2026-11-20 11:00 UTC",
    )


def test_multi_region_messages(judge: Callable[..., Any]) -> None:
    check = "aws_cloudtrail_multi_region"
    assert verdict(judge, check, CTA, trails(("a", False, True))) == (
        "fail",
        "no multi-region trail (only single-region: a)",
    )
    assert verdict(judge, check, CTA, trails(("a", True, False), ("b", True, True)))[0] == "pass"


@pytest.mark.parametrize(
    ("changes", "detail"),
    [
        ({"manager": "AWS", "rotation": None}, "AWS-managed key: AWS rotates it"),
        ({"spec": "HMAC_256", "rotation": None}, "HMAC_256 keys cannot rotate automatically"),
        ({"origin": "EXTERNAL", "rotation": None},
         "key material from EXTERNAL cannot rotate automatically"),
        ({"state": "PendingDeletion", "rotation": None}, "key is PendingDeletion"),
    ],
)  # fmt: skip
def test_keys_that_cannot_rotate_are_not_applicable(
    judge: Callable[..., Any], changes: dict[str, Any], detail: str
) -> None:
    assert verdict(judge, "aws_kms_key_rotation", KMS, key(**changes)) == (
        "not_applicable",
        detail,
    )


ACL_IGNORED = {"not_read": "IgnorePublicAcls is on in the bucket's public access block"}
BLOCK_COVERED = {"not_read": "the account's public access block has all four settings on"}
ACCOUNT_IGNORES = {"not_read": "IgnorePublicAcls is on in the account's public access block"}
ACCOUNT_RESTRICTS = {"not_read": "RestrictPublicBuckets is on in the account's public access block"}


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        # the bucket's block ignores public ACLs: the unread ACL cannot open the bucket
        (bucket(acl=ACL_IGNORED), ("pass", "")),
        (bucket(acl=ACL_IGNORED, policy=policy(PUBLIC_READ),
                public_access_block={**ALL_ON, "RestrictPublicBuckets": False}),
         ("fail", "policy allows anyone (statement Read)")),
        # the account's block covers the bucket: neither the bucket's block nor its ACL read
        (bucket(public_access_block=BLOCK_COVERED, acl=ACCOUNT_IGNORES,
                account_public_access_block=ALL_ON, policy=policy(PUBLIC_READ)), ("pass", "")),
        # an ACL not read while nothing ignores public ACLs cannot be judged
        (bucket(acl=ACL_IGNORED, public_access_block=None),
         ("error", f"acl: not read ({ACL_IGNORED['not_read']})")),
        (bucket(acl=ACL_IGNORED, public_access_block=BLOCK_COVERED),
         ("error", f"acl: not read ({ACL_IGNORED['not_read']})")),
    ],
)  # fmt: skip
def test_policy_not_public_with_an_acl_not_read(
    judge: Callable[..., Any], data: dict[str, Any], expected: tuple[str, str]
) -> None:
    status, detail = verdict(judge, "aws_s3_bucket_policy_not_public", S3B, data)
    assert (status, detail or "") == expected


@pytest.mark.parametrize(
    ("account", "expected"),
    [
        (ALL_ON, ("pass", "")),
        (None, ("error", f"public_access_block: not read ({BLOCK_COVERED['not_read']})")),
        (PARTIAL, ("error", f"public_access_block: not read ({BLOCK_COVERED['not_read']})")),
        (REFUSED, ("error", f"public_access_block: not read ({BLOCK_COVERED['not_read']})")),
    ],
)
def test_bucket_block_not_read_passes_only_on_the_account_block(
    judge: Callable[..., Any], account: Any, expected: tuple[str, str]
) -> None:
    data = bucket(public_access_block=BLOCK_COVERED, account_public_access_block=account)
    status, detail = verdict(judge, "aws_s3_bucket_public_access_block", S3B, data)
    assert (status, detail or "") == expected


def test_tls_only_needs_the_policy_read(judge: Callable[..., Any]) -> None:
    data = bucket(policy={"not_read": "why"})
    assert verdict(judge, "aws_s3_bucket_tls_only", S3B, data) == (
        "error",
        "policy: not read (why)",
    )


@pytest.mark.parametrize(
    ("log_bucket", "expected"),
    [
        # the bucket's block neutralises both the policy and the ACL: neither read
        ({"public_access_block": ALL_ON,
          "policy": {"not_read": "RestrictPublicBuckets is on in the bucket's public access block"},
          "acl": ACL_IGNORED}, ("pass", "")),
        # the account's block covers it all
        ({"public_access_block": BLOCK_COVERED, "account_public_access_block": ALL_ON,
          "policy": ACCOUNT_RESTRICTS, "acl": ACCOUNT_IGNORES}, ("pass", "")),
        # the ACL is not read but the policy opens the bucket: fail on the policy
        ({"public_access_block": {**ALL_ON, "RestrictPublicBuckets": False},
          "policy": policy(PUBLIC_READ), "acl": ACL_IGNORED},
         ("fail", "policy allows anyone (statement Read)")),
        # a policy not read although nothing restricts public policies cannot be judged
        ({"public_access_block": None, "policy": {"not_read": "why"}, "acl": {"grants": []}},
         ("error", "policy: not read (why)")),
    ],
)  # fmt: skip
def test_trail_log_bucket_parts_not_read(
    judge: Callable[..., Any], log_bucket: dict[str, Any], expected: tuple[str, str]
) -> None:
    data = trail(log_bucket={**trail()["log_bucket"], **log_bucket})
    status, detail = verdict(judge, "aws_cloudtrail_bucket_not_public", CTT, data)
    assert (status, detail or "") == expected
