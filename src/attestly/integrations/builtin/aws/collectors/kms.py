"""KMS: every key of every configured region, with its type, state, manager and rotation.

Per region: `ListKeys` and `ListAliases` (paginated, 1,000 a page). KMS has no batch
describe, so each key costs one `DescribeKey`, plus one `GetKeyRotationStatus` for the keys
whose rotation can be turned on (customer-managed, symmetric, key material from KMS, enabled);
those per-key calls run on a bounded thread pool. AWS-managed keys rotate on AWS's schedule and
asymmetric, HMAC, imported and custom-key-store keys cannot rotate automatically: their
`rotation` is None. A key deleted while it is read is skipped; a key whose policy refuses the
auditor is recorded with an `error`, so its checks say so and the other keys are still judged.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from attestly.integrations.base import CollectorError, MalformedResponse, PermissionDenied, Record
from attestly.integrations.builtin.aws.client import AwsClient
from attestly.integrations.builtin.aws.collectors.s3 import concurrently, error_code
from attestly.integrations.builtin.aws.service import AwsService, Probe, jsonable

KIND_KEY = "aws.kms.key"
PAGE_SIZE = 1000
GONE = frozenset({"NotFoundException"})


def rotatable(metadata: Mapping[str, Any]) -> bool:
    """Whether automatic rotation can be turned on for this key."""
    return (
        metadata.get("KeyManager") == "CUSTOMER"
        and metadata.get("KeySpec", metadata.get("CustomerMasterKeySpec")) == "SYMMETRIC_DEFAULT"
        and metadata.get("Origin") == "AWS_KMS"
        and metadata.get("KeyState") == "Enabled"
    )


def _key(client: AwsClient, region: str, key_id: str, aliases: list[str]) -> Record | None:
    try:
        described = client.call("kms", "DescribeKey", region, KeyId=key_id) or {}
    except PermissionDenied as exc:  # a key policy that does not delegate to IAM
        return Record(
            KIND_KEY,
            client.key(region, "kms", f"key/{key_id}"),
            {"key_id": key_id, "region": region, "aliases": aliases, "error": str(exc)},
        )
    except CollectorError as exc:
        if error_code(exc) in GONE:
            return None
        raise
    metadata = described.get("KeyMetadata")
    if not isinstance(metadata, Mapping):
        raise MalformedResponse(f"kms:DescribeKey in {region} answered no KeyMetadata")
    rotation: dict[str, Any] | None = None
    if rotatable(metadata):
        try:
            status = client.call("kms", "GetKeyRotationStatus", region, KeyId=key_id) or {}
            rotation = {
                "enabled": bool(status.get("KeyRotationEnabled")),
                "period_days": status.get("RotationPeriodInDays"),
                "next_rotation": status.get("NextRotationDate"),
            }
        except PermissionDenied as exc:  # e.g. a key policy that does not let the auditor in
            rotation = {"error": str(exc)}
        except CollectorError as exc:
            if error_code(exc) in GONE:
                return None
            raise
    return Record(
        KIND_KEY,
        client.key(region, "kms", f"key/{key_id}"),
        jsonable(
            {
                "key_id": key_id,
                "arn": metadata.get("Arn"),
                "region": region,
                "aliases": aliases,
                "description": metadata.get("Description"),
                "manager": metadata.get("KeyManager"),
                "spec": metadata.get("KeySpec", metadata.get("CustomerMasterKeySpec")),
                "usage": metadata.get("KeyUsage"),
                "state": metadata.get("KeyState"),
                "origin": metadata.get("Origin"),
                "multi_region": metadata.get("MultiRegion"),
                "created": metadata.get("CreationDate"),
                "deletion_date": metadata.get("DeletionDate"),
                "rotation": rotation,
            }
        ),
    )


def _region_keys(client: AwsClient, region: str) -> list[tuple[str, str, list[str]]]:
    aliases: dict[str, list[str]] = {}
    for alias in client.paginate("kms", "ListAliases", "Aliases", region, Limit=PAGE_SIZE):
        target = alias.get("TargetKeyId")
        if target:
            aliases.setdefault(target, []).append(alias.get("AliasName", ""))
    keys = client.paginate("kms", "ListKeys", "Keys", region, Limit=PAGE_SIZE)
    return [(region, key["KeyId"], sorted(aliases.get(key["KeyId"], []))) for key in keys]


def collect(client: AwsClient) -> Iterator[Record]:
    keys = client.per_region(lambda region: _region_keys(client, region))
    for found in concurrently(lambda key: _key(client, *key), keys):
        if found is not None:
            yield found


SERVICE = AwsService(
    name="kms",
    kinds=(KIND_KEY,),
    collect=collect,
    probe=Probe("kms", "ListKeys", {"Limit": 1}),
    description="KMS keys: manager, type, state and automatic rotation (per region).",
    permissions=(
        "kms:ListKeys",
        "kms:ListAliases",
        "kms:DescribeKey",
        "kms:GetKeyRotationStatus",
    ),
    operations={
        "kms": ("ListKeys", "ListAliases", "DescribeKey", "GetKeyRotationStatus"),
    },
)
