"""Seed an emulated AWS account (moto server) with N resources, a deterministic fraction of
them non-compliant. Untimed; threads, since moto keeps everything in memory.

The mix (of N): 12% S3 buckets, 12% IAM users, 12% security groups, 8% EC2 instances,
8% EBS volumes, 4% RDS instances, 8% KMS keys, the rest CloudWatch log groups; plus the
account-wide pieces (password policy, two CloudTrail trails, GuardDuty, AWS Config and AWS
Backup in the first region only). Resources are spread round-robin over the regions.
Which resource fails what is decided by its index (see the comments below), so two seedings
with the same N and regions are identical up to the ids moto generates.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

ACCOUNT = "123456789012"
CREDENTIALS = {
    "aws_access_key_id": "AKIABENCHBENCHBENCH0",
    "aws_secret_access_key": "bench-secret-bench-secret-bench-secret00",
}
MIX = {"s3": 0.12, "iam": 0.12, "sg": 0.12, "ec2": 0.08, "ebs": 0.08, "rds": 0.04, "kms": 0.08}
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"


@dataclass
class Seeded:
    regions: list[str]
    counts: Counter[str] = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def plan(n: int) -> dict[str, int]:
    """How many of each resource type make up N (the log groups take the remainder)."""
    counts = {kind: max(1, round(n * share)) for kind, share in MIX.items()}
    counts["logs"] = max(1, n - sum(counts.values()) - 12)  # 12: the account-wide pieces
    return counts


class Seeder:
    def __init__(self, endpoint: str, regions: Sequence[str], workers: int = 16) -> None:
        import boto3
        from botocore.config import Config

        self.endpoint = endpoint
        self.regions = list(regions)
        self.workers = workers
        self.session = boto3.session.Session(**CREDENTIALS)
        self.config = Config(
            retries={"max_attempts": 2}, max_pool_connections=workers * 2, connect_timeout=10
        )
        self._clients: dict[tuple[str, str], Any] = {}

    def client(self, service: str, region: str | None = None) -> Any:
        key = (service, region or self.regions[0])
        if key not in self._clients:
            self._clients[key] = self.session.client(
                service, region_name=key[1], endpoint_url=self.endpoint, config=self.config
            )
        return self._clients[key]

    def region(self, i: int) -> str:
        return self.regions[i % len(self.regions)]

    def parallel(self, fn: Callable[[int], Any], items: Iterable[int]) -> None:
        with ThreadPoolExecutor(self.workers) as pool:
            for _ in pool.map(fn, items):
                pass

    # --- account-wide --------------------------------------------------------------------

    def account(self) -> int:
        iam = self.client("iam")
        # fails minimum length 14, numbers, symbols and reuse 24; passes upper/lower case
        iam.update_account_password_policy(
            MinimumPasswordLength=8,
            RequireUppercaseCharacters=True,
            RequireLowercaseCharacters=True,
            RequireNumbers=False,
            RequireSymbols=False,
            PasswordReusePrevention=5,
        )
        first, last = self.regions[0], self.regions[-1]
        # EBS default encryption on in the first region only
        self.client("ec2", first).enable_ebs_encryption_by_default()
        # GuardDuty, AWS Config and a backup plan in the first region only
        self.client("guardduty", first).create_detector(Enable=True)
        config = self.client("config", first)
        config.put_configuration_recorder(
            ConfigurationRecorder={
                "name": "default",
                "roleARN": f"arn:aws:iam::{ACCOUNT}:role/config",
                "recordingGroup": {"allSupported": True, "includeGlobalResourceTypes": True},
            }
        )
        self._bucket("bench-config-delivery", first)
        config.put_delivery_channel(
            DeliveryChannel={"name": "default", "s3BucketName": "bench-config-delivery"}
        )
        config.start_configuration_recorder(ConfigurationRecorderName="default")
        backup = self.client("backup", first)
        backup.create_backup_vault(BackupVaultName="bench-vault")
        backup.create_backup_plan(
            BackupPlan={
                "BackupPlanName": "bench-daily",
                "Rules": [
                    {
                        "RuleName": "daily",
                        "TargetBackupVaultName": "bench-vault",
                        "ScheduleExpression": "cron(0 5 ? * * *)",
                    }
                ],
            }
        )
        if last != first:  # a vault without a plan: no backup plan in that region
            self.client("backup", last).create_backup_vault(BackupVaultName="bench-vault-2")
        # CloudTrail: one good multi-region trail; one single-region trail without log file
        # validation or KMS whose log bucket is public
        key = self.client("kms", first).create_key(Description="cloudtrail")["KeyMetadata"]
        self._bucket("bench-trail-good", first)
        self._bucket("bench-trail-public", last)
        self._public_policy("bench-trail-public", last, tls=False)
        self.client("cloudtrail", first).create_trail(
            Name="bench-main",
            S3BucketName="bench-trail-good",
            IsMultiRegionTrail=True,
            EnableLogFileValidation=True,
            KmsKeyId=key["Arn"],
        )
        self.client("cloudtrail", first).start_logging(Name="bench-main")
        self.client("cloudtrail", last).create_trail(
            Name="bench-local", S3BucketName="bench-trail-public"
        )
        self.client("cloudtrail", last).start_logging(Name="bench-local")
        for region in self.regions:  # server access logs land here
            self._bucket(f"bench-logs-{region}", region, acl="log-delivery-write")
        return 12

    # --- S3 ------------------------------------------------------------------------------

    def _bucket(self, name: str, region: str, acl: str | None = None) -> Any:
        s3 = self.client("s3", region)
        kwargs: dict[str, Any] = {"Bucket": name}
        if region != "us-east-1":
            kwargs["CreateBucketConfiguration"] = {"LocationConstraint": region}
        if acl:
            kwargs["ACL"] = acl
        s3.create_bucket(**kwargs)
        return s3

    def _public_policy(self, name: str, region: str, tls: bool) -> None:
        statements: list[dict[str, Any]] = [
            {
                "Sid": "Public",
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{name}/*",
            }
        ]
        if tls:
            statements.append(_tls_statement(name))
        self.client("s3", region).put_bucket_policy(
            Bucket=name, Policy=json.dumps({"Version": "2012-10-17", "Statement": statements})
        )

    def bucket(self, i: int) -> None:
        region = self.region(i)
        name = f"bench-bucket-{i:05d}"
        s3 = self._bucket(name, region)
        if i % 5:  # every 5th: no default encryption
            algo = "aws:kms" if i % 2 else "AES256"
            s3.put_bucket_encryption(
                Bucket=name,
                ServerSideEncryptionConfiguration={
                    "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": algo}}]
                },
            )
        if i % 4:  # every 4th: versioning never enabled
            s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
        if i % 3:  # every 3rd: no server access logging
            s3.put_bucket_logging(
                Bucket=name,
                BucketLoggingStatus={
                    "LoggingEnabled": {"TargetBucket": f"bench-logs-{region}", "TargetPrefix": name}
                },
            )
        public = i % 20 == 0  # every 20th: a policy granting s3:GetObject to everyone
        if i % 6 and not public:  # every 6th and the public ones: no bucket public access block
            s3.put_public_access_block(
                Bucket=name,
                PublicAccessBlockConfiguration={
                    "BlockPublicAcls": True,
                    "IgnorePublicAcls": True,
                    "BlockPublicPolicy": True,
                    "RestrictPublicBuckets": True,
                },
            )
        tls = i % 2 == 1  # every other: a policy denying requests without TLS
        if public:
            self._public_policy(name, region, tls)
        elif tls:
            s3.put_bucket_policy(
                Bucket=name,
                Policy=json.dumps({"Version": "2012-10-17", "Statement": [_tls_statement(name)]}),
            )

    # --- IAM -----------------------------------------------------------------------------

    def user(self, i: int) -> None:
        iam = self.client("iam")
        name = f"bench-user-{i:05d}"
        iam.create_user(UserName=name)
        if i % 2 == 0:  # every other user has console access ...
            iam.create_login_profile(UserName=name, Password="Bench-Passw0rd!x")  # noqa: S106
            if i % 4 == 0:  # ... and half of those an MFA device (i % 4 == 2: no MFA, fail)
                serial = iam.create_virtual_mfa_device(VirtualMFADeviceName=name)[
                    "VirtualMFADevice"
                ]["SerialNumber"]
                iam.enable_mfa_device(
                    UserName=name,
                    SerialNumber=serial,
                    AuthenticationCode1="123456",
                    AuthenticationCode2="654321",
                )
        if i % 3 == 0:  # every 3rd has an access key
            iam.create_access_key(UserName=name)
        if i % 25 == 0:  # every 25th has AdministratorAccess attached directly
            iam.attach_user_policy(UserName=name, PolicyArn=ADMIN)
        elif i % 10 == 1:  # every 10th has another managed policy attached directly
            iam.attach_user_policy(UserName=name, PolicyArn=READ_ONLY)

    # --- EC2 -----------------------------------------------------------------------------

    def security_group(self, i: int) -> str:
        ec2 = self.client("ec2", self.region(i))
        group = ec2.create_security_group(GroupName=f"bench-sg-{i:05d}", Description=f"bench {i}")[
            "GroupId"
        ]
        world4 = [{"CidrIp": "0.0.0.0/0"}]
        perms: list[dict[str, Any]]
        kind = i % 20
        if kind in (0, 10):  # SSH open to the world (IPv4)
            perms = [{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": world4}]
        elif kind in (1, 11):  # RDP open to the world
            perms = [{"IpProtocol": "tcp", "FromPort": 3389, "ToPort": 3389, "IpRanges": world4}]
        elif kind == 2:  # all traffic from anywhere
            perms = [{"IpProtocol": "-1", "IpRanges": world4}]
        elif kind == 3:  # SSH open to the world over IPv6
            perms = [
                {
                    "IpProtocol": "tcp",
                    "FromPort": 22,
                    "ToPort": 22,
                    "Ipv6Ranges": [{"CidrIpv6": "::/0"}],
                }
            ]
        elif kind == 4:  # a port range covering SSH and RDP
            perms = [{"IpProtocol": "tcp", "FromPort": 0, "ToPort": 65535, "IpRanges": world4}]
        else:  # HTTPS from anywhere, SSH from the private network: fine
            perms = [
                {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": world4},
                {
                    "IpProtocol": "tcp",
                    "FromPort": 22,
                    "ToPort": 22,
                    "IpRanges": [{"CidrIp": "10.0.0.0/8"}],
                },
            ]
        ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=perms)
        return str(group)

    def instance(self, i: int, image: str, group: str) -> None:
        ec2 = self.client("ec2", self.region(i))
        ec2.run_instances(
            ImageId=image,
            InstanceType="t3.micro",
            MinCount=1,
            MaxCount=1,
            SecurityGroupIds=[group],
            # every 3rd instance still accepts IMDSv1
            MetadataOptions={"HttpTokens": "optional" if i % 3 == 0 else "required"},
        )

    def volume(self, i: int) -> None:
        region = self.region(i)
        self.client("ec2", region).create_volume(
            AvailabilityZone=f"{region}a", Size=1, Encrypted=i % 3 != 0
        )

    # --- RDS, KMS, logs ------------------------------------------------------------------

    def database(self, i: int) -> None:
        self.client("rds", self.region(i)).create_db_instance(
            DBInstanceIdentifier=f"bench-db-{i:05d}",
            DBInstanceClass="db.t3.micro",
            Engine="postgres",
            AllocatedStorage=20,
            MasterUsername="bench",
            MasterUserPassword="bench-password",
            StorageEncrypted=i % 4 != 0,  # every 4th unencrypted
            BackupRetentionPeriod=0 if i % 5 == 0 else 7,  # every 5th without backups
            PubliclyAccessible=i % 7 == 0,  # every 7th public
            DeletionProtection=i % 2 == 0,  # every other without deletion protection
            MultiAZ=i % 3 != 0,  # every 3rd single-AZ
        )

    def key(self, i: int) -> None:
        kms = self.client("kms", self.region(i))
        key_id = kms.create_key(Description=f"bench key {i}")["KeyMetadata"]["KeyId"]
        if i % 3:  # every 3rd without rotation
            kms.enable_key_rotation(KeyId=key_id)

    def log_group(self, i: int) -> None:
        logs = self.client("logs", self.region(i))
        name = f"/bench/group-{i:05d}"
        logs.create_log_group(logGroupName=name)
        if i % 5 == 1:  # every 5th keeps logs 30 days (short of Prowler's default of 365)
            logs.put_retention_policy(logGroupName=name, retentionInDays=30)
        elif i % 5:  # every 5th (i % 5 == 0) never expires; the rest keep them a year
            logs.put_retention_policy(logGroupName=name, retentionInDays=365)

    # --- all -----------------------------------------------------------------------------

    def seed(self, n: int, log: Callable[[str], None] | None = None) -> Seeded:
        counts = plan(n)
        done = Seeded(self.regions)
        started = time.perf_counter()

        def note(what: str) -> None:
            if log:
                log(f"  seeded {what} ({time.perf_counter() - started:.1f} s)")

        done.counts["account"] = self.account()
        note("account-wide settings")
        self.parallel(self.bucket, range(counts["s3"]))
        done.counts["s3"] = counts["s3"]
        note(f"{counts['s3']} buckets")
        self.parallel(self.user, range(counts["iam"]))
        done.counts["iam"] = counts["iam"]
        note(f"{counts['iam']} users")
        groups: list[str] = []
        with ThreadPoolExecutor(self.workers) as pool:
            groups = list(pool.map(self.security_group, range(counts["sg"])))
        done.counts["sg"] = counts["sg"]
        note(f"{counts['sg']} security groups")
        images = {  # the server runs without moto's ~1,300 default AMIs and their snapshots
            region: self.client("ec2", region).register_image(
                Name="bench-image",
                RootDeviceName="/dev/xvda",
                BlockDeviceMappings=[{"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 8}}],
            )["ImageId"]
            for region in self.regions
        }
        by_region = {r: [g for j, g in enumerate(groups) if self.region(j) == r] for r in images}

        def launch(i: int) -> None:
            pool_ = by_region[self.region(i)]
            self.instance(i, images[self.region(i)], pool_[(i // len(self.regions)) % len(pool_)])

        self.parallel(launch, range(counts["ec2"]))
        done.counts["ec2"] = counts["ec2"]
        note(f"{counts['ec2']} instances")
        for kind, fn in (
            ("ebs", self.volume),
            ("rds", self.database),
            ("kms", self.key),
            ("logs", self.log_group),
        ):
            self.parallel(fn, range(counts[kind]))
            done.counts[kind] = counts[kind]
            note(f"{counts[kind]} {kind}")
        return done


def expected_results(n: int, regions: Sequence[str]) -> dict[str, dict[str, bool]]:
    """What the seeding makes fail, from the rules above: check id -> {resource: fails?} for
    the resources named by the seeding (buckets, users, databases, log groups, trails,
    regions; resources named by ids moto makes up are left out). Resources are normalised
    as `bench.aws.overlap` does: a bucket, user, database, log group or trail name, a region.
    `tests/bench/test_bench_aws.py` checks Attestly's verdicts against it."""
    counts = plan(n)
    first, *others = regions
    found: dict[str, dict[str, bool]] = {}

    def add(check: str, resource: str, fails: bool) -> None:
        found.setdefault(check, {})[resource] = fails

    for i in range(counts["s3"]):
        bucket, public = f"bench-bucket-{i:05d}", i % 20 == 0
        add("aws_s3_bucket_default_encryption", bucket, i % 5 == 0)
        add("aws_s3_bucket_versioning", bucket, i % 4 == 0)
        add("aws_s3_bucket_access_logging", bucket, i % 3 == 0)
        add("aws_s3_bucket_public_access_block", bucket, i % 6 == 0 or public)
        add("aws_s3_bucket_policy_not_public", bucket, public)
        add("aws_s3_bucket_tls_only", bucket, i % 2 == 0)
    add("aws_s3_bucket_policy_not_public", "bench-trail-public", True)
    add("aws_s3_bucket_policy_not_public", "bench-trail-good", False)
    for i in range(counts["iam"]):
        user = f"bench-user-{i:05d}"
        add("aws_iam_user_console_mfa", user, i % 4 == 2)
        add("aws_iam_user_no_admin_policy", user, i % 25 == 0)
        add("aws_iam_user_policies_via_groups", user, i % 25 == 0 or i % 10 == 1)
    for i in range(counts["rds"]):
        db = f"bench-db-{i:05d}"
        add("aws_rds_storage_encrypted", db, i % 4 == 0)
        add("aws_rds_backup_retention", db, i % 5 == 0)
        add("aws_rds_not_public", db, i % 7 == 0)
        add("aws_rds_deletion_protection", db, i % 2 == 1)
        add("aws_rds_multi_az", db, i % 3 == 0)
    for i in range(counts["logs"]):
        add("aws_logs_retention_set", f"/bench/group-{i:05d}", i % 5 == 1)
    for check in (
        "aws_cloudtrail_log_file_validation",
        "aws_cloudtrail_kms_encryption",
        "aws_cloudtrail_bucket_not_public",
    ):
        add(check, "bench-main", False)
        add(check, "bench-local", True)
    for check in (
        "aws_guardduty_enabled",
        "aws_config_recorder_enabled",
        "aws_backup_plan_exists",
        "aws_ec2_ebs_default_encryption",
    ):
        add(check, first, False)
        for region in others:
            add(check, region, True)
    return found


def _tls_statement(bucket: str) -> dict[str, Any]:
    return {
        "Sid": "TLSOnly",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def seed(
    endpoint: str,
    n: int,
    regions: Sequence[str],
    workers: int = 16,
    log: Callable[[str], None] | None = None,
) -> Seeded:
    return Seeder(endpoint, regions, workers).seed(n, log)
