"""AWS Backup collector on moto's server, and the plan and vault checks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from attestly.integrations.base import PermissionDenied
from attestly.integrations.builtin.aws.client import AwsClient
from attestly.integrations.builtin.aws.collectors import backup
from tests.integrations.builtin.conftest import judge_records, record

PLAN_CHECK = "aws_backup_plan_exists"
VAULT_CHECK = "aws_backup_vault_encrypted"
EAST = "aws:123456789012:us-east-1:backup:plans"
WEST = "aws:123456789012:eu-west-1:backup:plans"


def seed(aws: Callable[..., Any]) -> str:
    east = aws("backup", "us-east-1")
    key = aws("kms", "us-east-1").create_key()["KeyMetadata"]["Arn"]
    east.create_backup_vault(BackupVaultName="encrypted", EncryptionKeyArn=key)
    east.create_backup_vault(BackupVaultName="plain")
    east.create_backup_plan(
        BackupPlan={
            "BackupPlanName": "daily",
            "Rules": [
                {
                    "RuleName": "daily-35d",
                    "TargetBackupVaultName": "encrypted",
                    "ScheduleExpression": "cron(0 5 ? * * *)",
                    "Lifecycle": {"DeleteAfterDays": 35},
                }
            ],
        }
    )
    return key


def test_plans_and_vaults_per_region(
    aws: Callable[..., Any], collect_service: Callable[..., list[Any]]
) -> None:
    key = seed(aws)
    records = collect_service(backup.SERVICE)
    by_key = {r.key: r for r in records}
    east = by_key[EAST].data
    assert [(p["name"], p["rules"]) for p in east["plans"]] == [("daily", 1)]
    assert east["vaults"] >= 2
    assert by_key[WEST].data["plans"] == []
    (plan,) = [r.data for r in records if r.kind == backup.KIND_PLAN]
    assert plan["rules"][0]["delete_after_days"] == 35
    assert plan["rules"][0]["vault"] == "encrypted"
    vault = by_key["aws:123456789012:us-east-1:backup:backup-vault:encrypted"].data
    assert vault["encryption_key_arn"] == key

    judged = judge_records(records, "aws_backup_")
    assert judged[(PLAN_CHECK, EAST)][0] == "pass"
    assert judged[(PLAN_CHECK, WEST)][0] == "fail"
    encrypted = "aws:123456789012:us-east-1:backup:backup-vault:encrypted"
    assert judged[(VAULT_CHECK, encrypted)][0] == "pass"
    plain = "aws:123456789012:us-east-1:backup:backup-vault:plain"
    # moto leaves a vault created without a key without one; AWS would name its default key
    assert judged[(VAULT_CHECK, plain)][0] == "fail"


def test_one_get_per_plan_made_concurrently(
    aws: Callable[..., Any], aws_ctx: Callable[..., Any]
) -> None:
    client = aws("backup", "eu-west-1")
    client.create_backup_vault(BackupVaultName="v")
    for n in range(20):
        client.create_backup_plan(
            BackupPlan={
                "BackupPlanName": f"p{n}",
                "Rules": [{"RuleName": "r", "TargetBackupVaultName": "v"}],
            }
        )
    ctx = aws_ctx(regions=["eu-west-1"])
    records = list(backup.SERVICE.collect(AwsClient(ctx)))
    assert len([r for r in records if r.kind == backup.KIND_PLAN]) == 20
    # caller identity, plan listing, 20 plan reads, vault listing
    assert ctx.calls.count == 1 + 1 + 20 + 1


@pytest.mark.parametrize(
    ("plans", "status"),
    [
        ([{"id": "p", "name": "p", "rules": 2}], "pass"),
        ([{"id": "a", "rules": 0}, {"id": "b", "rules": 1}], "pass"),
        ([{"id": "p", "name": "p", "rules": 0}], "fail"),
        ([], "fail"),
    ],
)
def test_plan_states(plans: list[dict[str, Any]], status: str) -> None:
    judged = judge_records([record(backup.KIND_REGION, {"plans": plans})], PLAN_CHECK)
    assert judged[(PLAN_CHECK, "r1")][0] == status


@pytest.mark.parametrize(
    ("key", "status"),
    [
        ("arn:aws:kms:eu-west-1:123456789012:key/abcd", "pass"),
        ("arn:aws-us-gov:kms:us-gov-west-1:123456789012:key/abcd", "pass"),
        (None, "fail"),
        ("", "fail"),
    ],
)
def test_vault_key_states(key: str | None, status: str) -> None:
    judged = judge_records([record(backup.KIND_VAULT, {"encryption_key_arn": key})], VAULT_CHECK)
    assert judged[(VAULT_CHECK, "r1")][0] == status


def test_refused_plan_read_fails_the_collector(
    aws: Callable[..., Any], aws_ctx: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    seed(aws)
    real = AwsClient.call

    def call(self: AwsClient, service: str, operation: str, *args: Any, **kw: Any) -> Any:
        if operation == "GetBackupPlan":
            raise PermissionDenied("backup:GetBackupPlan")
        return real(self, service, operation, *args, **kw)

    monkeypatch.setattr(AwsClient, "call", call)
    with pytest.raises(PermissionDenied, match="backup:GetBackupPlan"):
        list(backup.SERVICE.collect(AwsClient(aws_ctx())))


def test_a_plan_deleted_while_read_is_skipped(
    aws: Callable[..., Any], aws_ctx: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    seed(aws)
    real = AwsClient.call

    def call(self: AwsClient, service: str, operation: str, *args: Any, **kw: Any) -> Any:
        if operation == "GetBackupPlan":
            assert "ResourceNotFoundException" in kw["missing"]
            return None  # what `call` answers for ResourceNotFoundException
        return real(self, service, operation, *args, **kw)

    monkeypatch.setattr(AwsClient, "call", call)
    records = list(backup.SERVICE.collect(AwsClient(aws_ctx(regions=["us-east-1"]))))
    assert [r.kind for r in records if r.kind == backup.KIND_PLAN] == []
    region = next(r.data for r in records if r.kind == backup.KIND_REGION)
    assert region["plans"] == []
