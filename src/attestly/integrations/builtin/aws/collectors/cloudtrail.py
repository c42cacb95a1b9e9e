"""CloudTrail: every trail the configured regions see, its status, and its log bucket's exposure.

Per region: `DescribeTrails` with shadow trails, so a multi-region trail homed elsewhere (or an
organization trail) is seen too; trails are then de-duplicated by ARN. Per trail, in its home
region: `GetTrailStatus` and `GetEventSelectors`. Per distinct log bucket: `GetBucketLocation`,
then its public access block, policy and ACL in the bucket's region (the same reads as the S3
collector, so this collector judges the log bucket on its own, whatever regions S3 covers),
plus the account's public access block once per run (shared with the S3 collector). A part the
blocks neutralise is not read: the ACL under IgnorePublicAcls, the policy under
RestrictPublicBuckets (only the exposure is judged from it here), the bucket's block when the
account's has all four settings on.

Besides one record per trail, an account record lists every trail with whether it is
multi-region and logging: "is there a multi-region trail that logs" is a question about the
account, not about one trail. A log bucket in another account (central logging) usually
refuses these reads: its parts are recorded as `{"error": ...}` and the check says so.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from attestly.integrations.base import CollectorError, MalformedResponse, PermissionDenied, Record
from attestly.integrations.builtin.aws.client import GLOBAL, AwsClient
from attestly.integrations.builtin.aws.collectors.s3 import (
    BucketGone,
    account_public_access_block,
    concurrently,
    error_code,
    read_exposure,
)
from attestly.integrations.builtin.aws.service import AwsService, Probe, jsonable

KIND_ACCOUNT = "aws.cloudtrail.account"
KIND_TRAIL = "aws.cloudtrail.trail"
TRAIL_GONE = frozenset({"TrailNotFoundException", "CloudTrailARNInvalidException"})
LEGACY_LOCATIONS = {"": "us-east-1", "EU": "eu-west-1"}


def _region_trails(client: AwsClient, region: str) -> list[dict[str, Any]]:
    answer = client.call("cloudtrail", "DescribeTrails", region, includeShadowTrails=True) or {}
    trails = answer.get("trailList") or []
    if not isinstance(trails, list) or not all(
        isinstance(t, Mapping) and t.get("TrailARN") for t in trails
    ):
        raise MalformedResponse(f"cloudtrail:DescribeTrails in {region} answered a malformed list")
    return [dict(t) for t in trails]


def _trail_call(client: AwsClient, operation: str, region: str, **params: Any) -> Any:
    """A per-trail read: None if the trail vanished, `{"error"}` if refused."""
    try:
        return client.call("cloudtrail", operation, region, **params) or {}
    except PermissionDenied as exc:
        return {"error": str(exc)}
    except CollectorError as exc:
        if error_code(exc) in TRAIL_GONE:
            return None
        raise


def log_bucket(
    client: AwsClient, name: str, home_region: str, account_block: Mapping[str, Any] | None
) -> dict[str, Any]:
    """The exposure of a trail's log bucket: its block, policy and ACL, or why they are unknown.
    What the blocks neutralise is not read (see `read_exposure`)."""
    try:
        location = client.call(
            "s3", "GetBucketLocation", home_region, missing=("NoSuchBucket",), Bucket=name
        )
    except PermissionDenied as exc:
        return {"name": name, "error": f"{exc} (a bucket in another account?)"}
    if location is None:
        return {"name": name, "missing": True}
    constraint = location.get("LocationConstraint") or ""
    region = LEGACY_LOCATIONS.get(constraint, constraint)
    try:
        exposure = read_exposure(client, name, region, account_block)
    except BucketGone:
        return {"name": name, "missing": True}
    return {"name": name, "region": region, "missing": False, **exposure}


def collect(client: AwsClient) -> Iterator[Record]:
    seen: dict[str, dict[str, Any]] = {}
    for trail in client.per_region(lambda region: _region_trails(client, region)):
        seen.setdefault(trail["TrailARN"], trail)
    trails = list(seen.values())

    def details(trail: Mapping[str, Any]) -> dict[str, Any] | None:
        arn, home = trail["TrailARN"], trail.get("HomeRegion") or client.home_region
        status = _trail_call(client, "GetTrailStatus", home, Name=arn)
        selectors = _trail_call(client, "GetEventSelectors", home, TrailName=arn)
        if status is None or selectors is None:
            return None
        selectors.pop("TrailARN", None)
        return {"status": status, "event_selectors": selectors}

    found = list(concurrently(details, trails))
    buckets = sorted({t["S3BucketName"] for t in trails if t.get("S3BucketName")})
    homes = {t["S3BucketName"]: t.get("HomeRegion") or client.home_region for t in trails}
    account_block = account_public_access_block(client) if buckets else None
    exposures = dict(
        zip(
            buckets,
            concurrently(
                lambda name: log_bucket(client, name, homes[name], account_block), buckets
            ),
            strict=True,
        )
    )

    summary: list[dict[str, Any]] = []
    for trail, extra in zip(trails, found, strict=True):
        if extra is None:
            continue
        name, home = trail.get("Name", ""), trail.get("HomeRegion") or client.home_region
        status = extra["status"]
        bucket_name = trail.get("S3BucketName")
        bucket = exposures.get(bucket_name) if bucket_name else None
        data = {
            "name": name,
            "arn": trail["TrailARN"],
            "home_region": home,
            "multi_region": bool(trail.get("IsMultiRegionTrail")),
            "organization": bool(trail.get("IsOrganizationTrail")),
            "global_service_events": bool(trail.get("IncludeGlobalServiceEvents")),
            "log_file_validation": bool(trail.get("LogFileValidationEnabled")),
            "kms_key_id": trail.get("KmsKeyId"),
            "s3_bucket": bucket_name,
            "s3_key_prefix": trail.get("S3KeyPrefix"),
            "cloudwatch_logs_log_group_arn": trail.get("CloudWatchLogsLogGroupArn"),
            "cloudwatch_logs_role_arn": trail.get("CloudWatchLogsRoleArn"),
            "status": status,
            "event_selectors": extra["event_selectors"],
            "log_bucket": (
                {**bucket, "account_public_access_block": account_block} if bucket else None
            ),
        }
        summary.append(
            {
                "arn": data["arn"],
                "name": name,
                "home_region": home,
                "multi_region": data["multi_region"],
                "organization": data["organization"],
                "is_logging": status.get("IsLogging") if "error" not in status else None,
            }
        )
        yield Record(KIND_TRAIL, client.key(home, "cloudtrail", f"trail/{name}"), jsonable(data))
    yield Record(
        KIND_ACCOUNT,
        client.key(GLOBAL, "cloudtrail", "account"),
        jsonable({"regions": client.regions(), "trails": summary}),
    )


SERVICE = AwsService(
    name="cloudtrail",
    kinds=(KIND_ACCOUNT, KIND_TRAIL),
    collect=collect,
    probe=Probe("cloudtrail", "DescribeTrails"),
    description="Trails (per region, shadow trails included), their status, event selectors "
    "and log bucket exposure.",
    permissions=(
        "cloudtrail:DescribeTrails",
        "cloudtrail:GetTrailStatus",
        "cloudtrail:GetEventSelectors",
        "s3:GetBucketLocation",
        "s3:GetBucketPublicAccessBlock",
        "s3:GetBucketPolicy",
        "s3:GetBucketAcl",
        "s3:GetAccountPublicAccessBlock",
    ),
    operations={
        "cloudtrail": ("DescribeTrails", "GetTrailStatus", "GetEventSelectors"),
        "s3": ("GetBucketLocation", "GetPublicAccessBlock", "GetBucketPolicy", "GetBucketAcl"),
        "s3control": ("GetPublicAccessBlock",),
    },
)
