"""RDS collector on moto's server, and the RDS checks on its evidence and on recorded cases."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from attestly.integrations.base import PermissionDenied
from attestly.integrations.builtin.aws.client import AwsClient
from attestly.integrations.builtin.aws.collectors import rds

from ..conftest import record

REGION = "eu-west-1"
CHECKS = (
    "aws_rds_storage_encrypted",
    "aws_rds_backup_retention",
    "aws_rds_not_public",
    "aws_rds_deletion_protection",
    "aws_rds_multi_az",
)
LOGIN = {"MasterUsername": "admin", "MasterUserPassword": "not-a-real-password-1"}


def key(name: str) -> str:
    return f"aws:123456789012:{REGION}:rds:db/{name}"


def seed(aws: Callable[..., Any]) -> None:
    client = aws("rds", REGION)
    common = {"DBInstanceClass": "db.t3.micro", "AllocatedStorage": 20, **LOGIN}
    client.create_db_instance(
        DBInstanceIdentifier="good",
        Engine="postgres",
        StorageEncrypted=True,
        PubliclyAccessible=False,
        MultiAZ=True,
        DeletionProtection=True,
        BackupRetentionPeriod=7,
        **common,
    )
    client.create_db_instance(
        DBInstanceIdentifier="bad",
        Engine="mysql",
        StorageEncrypted=False,
        PubliclyAccessible=True,
        MultiAZ=False,
        DeletionProtection=False,
        BackupRetentionPeriod=0,
        **common,
    )
    client.create_db_instance(
        DBInstanceIdentifier="short",
        Engine="postgres",
        StorageEncrypted=True,
        PubliclyAccessible=False,
        MultiAZ=False,
        BackupRetentionPeriod=3,
        **common,
    )
    client.create_db_instance_read_replica(
        DBInstanceIdentifier="short-replica", SourceDBInstanceIdentifier="short"
    )
    client.create_db_cluster(
        DBClusterIdentifier="aurora",
        Engine="aurora-postgresql",
        StorageEncrypted=True,
        DeletionProtection=True,
        BackupRetentionPeriod=14,
        **LOGIN,
    )
    client.create_db_instance(
        DBInstanceIdentifier="aurora-1",
        DBClusterIdentifier="aurora",
        Engine="aurora-postgresql",
        DBInstanceClass="db.r5.large",
        PubliclyAccessible=False,
    )


def test_collects_instances_with_their_cluster(
    aws: Callable[..., Any], collect_service: Callable[..., list[Any]]
) -> None:
    seed(aws)
    records = collect_service(rds.SERVICE)
    by_key = {r.key: r.data for r in records}
    assert set(by_key) == {key(n) for n in ("good", "bad", "short", "short-replica", "aurora-1")}
    assert {r.kind for r in records} == {rds.KIND_INSTANCE}
    good = by_key[key("good")]
    assert (good["storage_encrypted"], good["publicly_accessible"], good["multi_az"]) == (
        True,
        False,
        True,
    )
    assert good["backup_retention_period"] == 7 and good["cluster"] is None
    member = by_key[key("aurora-1")]
    assert member["cluster_id"] == "aurora"
    assert member["cluster"]["deletion_protection"] is True
    assert member["cluster"]["backup_retention_period"] == 14
    assert by_key[key("short-replica")]["read_replica_source"] == "short"
    json.dumps(list(by_key.values()))


def test_two_listings_per_region(aws: Callable[..., Any], aws_ctx: Callable[..., Any]) -> None:
    seed(aws)
    ctx = aws_ctx()
    list(rds.SERVICE.collect(AwsClient(ctx)))
    assert ctx.calls.count == 1 + 2 * 2  # sts + DescribeDBClusters, DescribeDBInstances, twice


def test_pagination_follows_markers(aws: Callable[..., Any], aws_ctx: Callable[..., Any]) -> None:
    client = aws("rds", REGION)
    for n in range(rds.PAGE + 5):
        client.create_db_instance(
            DBInstanceIdentifier=f"db-{n}",
            Engine="postgres",
            DBInstanceClass="db.t3.micro",
            AllocatedStorage=20,
            **LOGIN,
        )
    records = list(rds.SERVICE.collect(AwsClient(aws_ctx(regions=[REGION]))))
    assert len({r.key for r in records}) == rds.PAGE + 5


def test_checks_on_moto_evidence(
    aws: Callable[..., Any],
    collect_service: Callable[..., list[Any]],
    judge: Callable[..., Any],
) -> None:
    seed(aws)
    results = judge(collect_service(rds.SERVICE), prefix="aws_rds_")
    found = {
        name: tuple(results[(c, key(name))][0] for c in CHECKS)
        for name in ("good", "bad", "short", "short-replica", "aurora-1")
    }
    # (encrypted, backups, not public, deletion protection, multi-AZ)
    assert found["good"] == ("pass", "pass", "pass", "pass", "pass")
    assert found["bad"] == ("fail", "fail", "fail", "fail", "fail")
    assert found["short"][1] == "fail"
    assert found["short-replica"][1] == "not_applicable"
    # an Aurora member is judged on its cluster's protection and retention; moto's cluster has
    # its one instance in one zone, so it is not Multi-AZ
    assert found["aurora-1"] == ("pass", "pass", "pass", "pass", "fail")
    assert results[("aws_rds_backup_retention", key("bad"))][1] == (
        "automated backups are off on the instance bad"
    )
    assert results[("aws_rds_backup_retention", key("short"))][1] == (
        "the instance short keeps automated backups 3 days, fewer than 7"
    )
    assert results[("aws_rds_multi_az", key("aurora-1"))][1].startswith(
        "the cluster aurora runs in a single availability zone"
    )


def test_a_refused_listing_fails_the_collector_naming_the_permission(
    aws_ctx: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    original = AwsClient.call

    def call(self: AwsClient, service: str, operation: str, *args: Any, **kwargs: Any) -> Any:
        if operation == "DescribeDBClusters":
            raise PermissionDenied("rds:DescribeDBClusters")
        return original(self, service, operation, *args, **kwargs)

    monkeypatch.setattr(AwsClient, "call", call)
    with pytest.raises(PermissionDenied) as caught:
        list(rds.SERVICE.collect(AwsClient(aws_ctx())))
    assert caught.value.permission == "rds:DescribeDBClusters"


def test_the_connection_probe_is_a_valid_call(aws_ctx: Callable[..., Any]) -> None:
    probe = rds.SERVICE.probe
    answer = AwsClient(aws_ctx()).call(probe.service, probe.operation, **dict(probe.params))
    assert isinstance(answer, dict)


# -- the checks on recorded evidence --------------------------------------------------------

KIND = "aws.rds.instance"


def db(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "instance_id": "db1",
        "engine": "postgres",
        "storage_encrypted": True,
        "backup_retention_period": 7,
        "publicly_accessible": False,
        "deletion_protection": True,
        "multi_az": True,
        "availability_zone": "eu-west-1a",
        "read_replica_source": None,
        "cluster_id": None,
        "cluster": None,
        "endpoint": {"address": "db1.example", "port": 5432},
    }
    base.update(changes)
    return base


def member(**cluster: Any) -> dict[str, Any]:
    """An Aurora member as DescribeDBInstances shows it: not Multi-AZ, no own protection."""
    summary = {
        "cluster_id": "c1",
        "storage_encrypted": True,
        "backup_retention_period": 7,
        "deletion_protection": True,
        "multi_az": True,
        **cluster,
    }
    return db(
        engine="aurora-mysql",
        multi_az=False,
        deletion_protection=False,
        cluster_id="c1",
        cluster=summary,
    )


DENIED = {"error": "rds:DescribeDBInstances was refused"}
LOST_CLUSTER = db(cluster_id="c1", cluster=None, multi_az=False)
NA = "not_applicable"
CASES: list[tuple[str, dict[str, Any], str]] = [
    ("aws_rds_storage_encrypted", db(), "pass"),
    ("aws_rds_storage_encrypted", db(storage_encrypted=False), "fail"),
    ("aws_rds_storage_encrypted", member(), "pass"),
    ("aws_rds_storage_encrypted", db(storage_encrypted=None), "error"),
    ("aws_rds_storage_encrypted", DENIED, "error"),
    ("aws_rds_backup_retention", db(backup_retention_period=35), "pass"),
    ("aws_rds_backup_retention", db(backup_retention_period=6), "fail"),
    ("aws_rds_backup_retention", db(backup_retention_period=0), "fail"),
    ("aws_rds_backup_retention", db(backup_retention_period=0, read_replica_source="db0"), NA),
    ("aws_rds_backup_retention", member(), "pass"),
    (
        "aws_rds_backup_retention",
        {**member(backup_retention_period=1), "backup_retention_period": 7},
        "fail",
    ),
    ("aws_rds_backup_retention", db(backup_retention_period=None), "error"),
    ("aws_rds_backup_retention", db(backup_retention_period=True), "error"),
    ("aws_rds_backup_retention", LOST_CLUSTER, "error"),
    ("aws_rds_backup_retention", DENIED, "error"),
    ("aws_rds_not_public", db(), "pass"),
    ("aws_rds_not_public", db(publicly_accessible=True), "fail"),
    ("aws_rds_not_public", {**member(), "publicly_accessible": True}, "fail"),
    ("aws_rds_not_public", db(publicly_accessible=None), "error"),
    ("aws_rds_not_public", DENIED, "error"),
    ("aws_rds_deletion_protection", db(), "pass"),
    ("aws_rds_deletion_protection", db(deletion_protection=False), "fail"),
    ("aws_rds_deletion_protection", member(), "pass"),  # the cluster's flag counts
    ("aws_rds_deletion_protection", member(deletion_protection=False), "fail"),
    ("aws_rds_deletion_protection", LOST_CLUSTER, "error"),
    ("aws_rds_deletion_protection", DENIED, "error"),
    ("aws_rds_multi_az", db(), "pass"),
    ("aws_rds_multi_az", db(multi_az=False), "fail"),
    ("aws_rds_multi_az", member(), "pass"),  # the cluster spans zones
    ("aws_rds_multi_az", member(multi_az=False), "fail"),
    ("aws_rds_multi_az", db(multi_az=None), "error"),
    ("aws_rds_multi_az", LOST_CLUSTER, "error"),
    ("aws_rds_multi_az", DENIED, "error"),
]


def test_every_rds_check_has_cases() -> None:
    from attestly.checks.registry import get_registry

    registered = {c.id for c in get_registry() if c.id.startswith("aws_rds_")}
    assert registered == set(CHECKS)
    covered = {(case[0], case[2]) for case in CASES}
    for check in registered:
        assert {(check, "pass"), (check, "fail"), (check, "error")} <= covered, check


@pytest.mark.parametrize(("check_id", "data", "expected"), CASES)
def test_rds_check_cases(
    check_id: str, data: dict[str, Any], expected: str, judge: Callable[..., Any]
) -> None:
    found = judge([record(KIND, data)], prefix=check_id)
    assert found[(check_id, "r1")][0] == expected, found[(check_id, "r1")]


def test_an_unlisted_cluster_is_named_in_the_error(judge: Callable[..., Any]) -> None:
    found = judge([record(KIND, LOST_CLUSTER)], prefix="aws_rds_multi_az")
    assert found[("aws_rds_multi_az", "r1")] == (
        "error",
        "cluster c1 was not in the DescribeDBClusters answer",
    )
