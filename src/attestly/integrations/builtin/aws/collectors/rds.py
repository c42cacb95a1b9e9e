"""RDS: every DB instance with its encryption, backup, exposure and availability settings.

Per region, two listings (100 items a page) and no per-instance call: `DescribeDBInstances`
and `DescribeDBClusters`. The tags come with the instances.

Aurora (and Multi-AZ DB cluster) members: some settings live on the cluster, not the instance.
For a member, DescribeDBInstances reports `MultiAZ` false whatever the cluster's spread and its
own `DeletionProtection` is not what stops the data being deleted (the cluster's is), while
`StorageEncrypted` and `BackupRetentionPeriod` mirror the cluster's. Each member's record
therefore carries a summary of its cluster (`cluster`), read from the same region's
DescribeDBClusters answer, and the checks for multi-AZ, deletion protection and backup
retention judge the cluster's value for members. The instance's own values stay in the record
as DescribeDBInstances gave them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from attestly.integrations.base import MalformedResponse, Record
from attestly.integrations.builtin.aws.client import AwsClient
from attestly.integrations.builtin.aws.service import AwsService, Probe, jsonable

KIND_INSTANCE = "aws.rds.instance"
PAGE = 100  # the largest page DescribeDBInstances / DescribeDBClusters accept


def cluster_summary(cluster: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "cluster_id": cluster.get("DBClusterIdentifier"),
        "engine": cluster.get("Engine"),
        "engine_mode": cluster.get("EngineMode"),
        "storage_encrypted": cluster.get("StorageEncrypted"),
        "backup_retention_period": cluster.get("BackupRetentionPeriod"),
        "deletion_protection": cluster.get("DeletionProtection"),
        "multi_az": cluster.get("MultiAZ"),
        "availability_zones": cluster.get("AvailabilityZones") or [],
        "members": len(cluster.get("DBClusterMembers") or []),
    }


def instance_data(
    instance: Mapping[str, Any], clusters: Mapping[str, Mapping[str, Any]]
) -> dict[str, Any]:
    cluster_id = instance.get("DBClusterIdentifier")
    cluster = clusters.get(cluster_id) if cluster_id else None
    endpoint = instance.get("Endpoint") or {}
    return {
        "instance_id": instance.get("DBInstanceIdentifier"),
        "arn": instance.get("DBInstanceArn"),
        "engine": instance.get("Engine"),
        "engine_version": instance.get("EngineVersion"),
        "instance_class": instance.get("DBInstanceClass"),
        "status": instance.get("DBInstanceStatus"),
        "storage_encrypted": instance.get("StorageEncrypted"),
        "kms_key_id": instance.get("KmsKeyId"),
        "backup_retention_period": instance.get("BackupRetentionPeriod"),
        "publicly_accessible": instance.get("PubliclyAccessible"),
        "deletion_protection": instance.get("DeletionProtection"),
        "multi_az": instance.get("MultiAZ"),
        "availability_zone": instance.get("AvailabilityZone"),
        "secondary_availability_zone": instance.get("SecondaryAvailabilityZone"),
        "read_replica_source": instance.get("ReadReplicaSourceDBInstanceIdentifier"),
        "cluster_id": cluster_id,
        # None for a standalone instance, or a member whose cluster the listing did not show
        "cluster": cluster_summary(cluster) if cluster else None,
        "endpoint": {"address": endpoint.get("Address"), "port": endpoint.get("Port")},
        "vpc_security_groups": [
            g.get("VpcSecurityGroupId") for g in instance.get("VpcSecurityGroups") or []
        ],
        "subnet_group": (instance.get("DBSubnetGroup") or {}).get("DBSubnetGroupName"),
        "iam_database_authentication": instance.get("IAMDatabaseAuthenticationEnabled"),
        "auto_minor_version_upgrade": instance.get("AutoMinorVersionUpgrade"),
        "ca_certificate": instance.get("CACertificateIdentifier"),
        "cloudwatch_logs_exports": instance.get("EnabledCloudwatchLogsExports") or [],
        "monitoring_interval": instance.get("MonitoringInterval"),
        "copy_tags_to_snapshot": instance.get("CopyTagsToSnapshot"),
        "created": instance.get("InstanceCreateTime"),
        "tags": {str(t.get("Key")): str(t.get("Value", "")) for t in instance.get("TagList") or []},
    }


def collect_region(client: AwsClient, region: str) -> Iterator[Record]:
    clusters = {
        c["DBClusterIdentifier"]: c
        for c in client.paginate("rds", "DescribeDBClusters", "DBClusters", region, MaxRecords=PAGE)
        if c.get("DBClusterIdentifier")
    }
    for instance in client.paginate(
        "rds", "DescribeDBInstances", "DBInstances", region, MaxRecords=PAGE
    ):
        name = instance.get("DBInstanceIdentifier")
        if not isinstance(name, str) or not name:
            raise MalformedResponse("rds:DescribeDBInstances answered an instance without its id")
        yield Record(
            KIND_INSTANCE,
            client.key(region, "rds", f"db/{name}"),
            jsonable(instance_data(instance, clusters)),
        )


def collect(client: AwsClient) -> list[Record]:
    return client.per_region(lambda region: collect_region(client, region))


SERVICE = AwsService(
    name="rds",
    kinds=(KIND_INSTANCE,),
    collect=collect,
    probe=Probe("rds", "DescribeDBInstances", {"MaxRecords": 20}),
    description="DB instances' encryption, backups, public access, deletion protection and "
    "Multi-AZ, with their Aurora cluster's settings (per region).",
    permissions=("rds:DescribeDBInstances", "rds:DescribeDBClusters"),
    operations={
        "rds": ("DescribeDBInstances", "DescribeDBClusters"),
    },
)
