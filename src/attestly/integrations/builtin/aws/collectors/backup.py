"""AWS Backup: per region, the backup plans with their rules and the vaults with their key.

`ListBackupPlans` and `ListBackupVaults` are paginated listings (vaults carry their encryption
key there); a plan's rules need one `GetBackupPlan` per plan, made concurrently. A region
record summarises the plans, since "is anything backed up here" is a per-region question.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from attestly.integrations.base import Record
from attestly.integrations.builtin.aws.client import AwsClient
from attestly.integrations.builtin.aws.service import AwsService, Probe, jsonable

KIND_REGION = "aws.backup.region"
KIND_PLAN = "aws.backup.plan"
KIND_VAULT = "aws.backup.vault"
PLAN_WORKERS = 16
GONE = ("ResourceNotFoundException",)


def _rule(rule: dict[str, Any]) -> dict[str, Any]:
    lifecycle = rule.get("Lifecycle") or {}
    return {
        "name": rule.get("RuleName"),
        "id": rule.get("RuleId"),
        "vault": rule.get("TargetBackupVaultName"),
        "schedule": rule.get("ScheduleExpression"),
        "delete_after_days": lifecycle.get("DeleteAfterDays"),
        "cold_storage_after_days": lifecycle.get("MoveToColdStorageAfterDays"),
        "continuous": rule.get("EnableContinuousBackup"),
        "copy_to": [c.get("DestinationBackupVaultArn") for c in rule.get("CopyActions") or []],
    }


def _plan(client: AwsClient, region: str, summary: dict[str, Any]) -> dict[str, Any] | None:
    plan_id = summary["BackupPlanId"]
    answer = client.call("backup", "GetBackupPlan", region, missing=GONE, BackupPlanId=plan_id)
    if answer is None:  # deleted between the listing and the read
        return None
    plan = answer.get("BackupPlan") or {}
    return {
        "id": plan_id,
        "arn": answer.get("BackupPlanArn") or summary.get("BackupPlanArn"),
        "name": plan.get("BackupPlanName") or summary.get("BackupPlanName"),
        "version": answer.get("VersionId"),
        "created": answer.get("CreationDate"),
        "last_executed": answer.get("LastExecutionDate") or summary.get("LastExecutionDate"),
        "rules": [_rule(r) for r in plan.get("Rules") or []],
    }


def _region(client: AwsClient, region: str) -> Iterator[Record]:
    summaries = [
        s
        for s in client.paginate("backup", "ListBackupPlans", "BackupPlansList", region)
        if s.get("BackupPlanId") and not s.get("DeletionDate")
    ]
    workers = min(PLAN_WORKERS, len(summaries))
    if workers > 1:
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="aws-backup") as pool:
            read = list(pool.map(lambda s: _plan(client, region, s), summaries))
    else:
        read = [_plan(client, region, s) for s in summaries]
    plans = [p for p in read if p is not None]
    vaults = list(client.paginate("backup", "ListBackupVaults", "BackupVaultList", region))

    yield Record(
        KIND_REGION,
        client.key(region, "backup", "plans"),
        jsonable(
            {
                "region": region,
                "plans": [
                    {"id": p["id"], "name": p["name"], "rules": len(p["rules"])} for p in plans
                ],
                "vaults": len(vaults),
            }
        ),
    )
    for plan in plans:
        yield Record(
            KIND_PLAN,
            client.key(region, "backup", f"backup-plan:{plan['id']}"),
            jsonable({"region": region, **plan}),
        )
    for vault in vaults:
        name = vault.get("BackupVaultName")
        if not name:
            continue
        yield Record(
            KIND_VAULT,
            client.key(region, "backup", f"backup-vault:{name}"),
            jsonable(
                {
                    "name": name,
                    "arn": vault.get("BackupVaultArn"),
                    "region": region,
                    "created": vault.get("CreationDate"),
                    "encryption_key_arn": vault.get("EncryptionKeyArn"),
                    "recovery_points": vault.get("NumberOfRecoveryPoints"),
                    "locked": vault.get("Locked"),
                    "min_retention_days": vault.get("MinRetentionDays"),
                    "max_retention_days": vault.get("MaxRetentionDays"),
                    "vault_type": vault.get("VaultType"),
                }
            ),
        )


def collect(client: AwsClient) -> Iterator[Record]:
    yield from client.per_region(lambda region: _region(client, region))


SERVICE = AwsService(
    name="backup",
    kinds=(KIND_REGION, KIND_PLAN, KIND_VAULT),
    collect=collect,
    probe=Probe("backup", "ListBackupPlans", {"MaxResults": 1}),
    description="AWS Backup plans with their rules, and vaults with their encryption (per region).",
    permissions=("backup:ListBackupPlans", "backup:GetBackupPlan", "backup:ListBackupVaults"),
    operations={
        "backup": ("ListBackupPlans", "GetBackupPlan", "ListBackupVaults"),
    },
)
