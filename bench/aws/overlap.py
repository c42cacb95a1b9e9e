"""The checks both tools have, and how their failures are matched.

A failure is (check pair, resource), with the resource normalised on both sides: a bucket
name, a security group / instance / volume id, a user / trail / database / log group name,
a KMS key id; `account` for account-wide checks and the region for per-region ones.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

ACCOUNT, REGION, RESOURCE = "account", "region", "resource"
_TYPED = re.compile(r"^[a-z][a-z0-9-]*[/:]")

# (Attestly check, Prowler checks, how failures are keyed)
PAIRS: list[tuple[str, tuple[str, ...], str]] = [
    ("aws_iam_root_mfa_enabled", ("iam_root_mfa_enabled",), ACCOUNT),
    ("aws_iam_root_no_access_keys", ("iam_no_root_access_key",), ACCOUNT),
    ("aws_iam_user_console_mfa", ("iam_user_mfa_enabled_console_access",), RESOURCE),
    (
        "aws_iam_password_policy_strong",
        (
            "iam_password_policy_minimum_length_14",
            "iam_password_policy_uppercase",
            "iam_password_policy_lowercase",
            "iam_password_policy_number",
            "iam_password_policy_symbol",
            "iam_password_policy_reuse_24",
        ),
        ACCOUNT,
    ),
    (
        "aws_iam_credentials_unused",
        ("iam_user_accesskey_unused", "iam_user_console_access_unused"),
        RESOURCE,
    ),
    ("aws_iam_access_keys_rotated", ("iam_rotate_access_key_90_days",), RESOURCE),
    ("aws_iam_user_no_admin_policy", ("iam_user_administrator_access_policy",), RESOURCE),
    (
        "aws_iam_user_policies_via_groups",
        ("iam_policy_attached_only_to_group_or_roles",),
        RESOURCE,
    ),
    ("aws_s3_account_public_access_block", ("s3_account_level_public_access_blocks",), ACCOUNT),
    ("aws_s3_bucket_default_encryption", ("s3_bucket_default_encryption",), RESOURCE),
    ("aws_s3_bucket_public_access_block", ("s3_bucket_level_public_access_block",), RESOURCE),
    ("aws_s3_bucket_versioning", ("s3_bucket_object_versioning",), RESOURCE),
    ("aws_s3_bucket_access_logging", ("s3_bucket_server_access_logging_enabled",), RESOURCE),
    ("aws_s3_bucket_tls_only", ("s3_bucket_secure_transport_policy",), RESOURCE),
    ("aws_s3_bucket_policy_not_public", ("s3_bucket_public_access",), RESOURCE),
    ("aws_cloudtrail_multi_region", ("cloudtrail_multi_region_enabled",), REGION),
    ("aws_cloudtrail_log_file_validation", ("cloudtrail_log_file_validation_enabled",), RESOURCE),
    ("aws_cloudtrail_kms_encryption", ("cloudtrail_kms_encryption_enabled",), RESOURCE),
    (
        "aws_cloudtrail_bucket_not_public",
        ("cloudtrail_logs_s3_bucket_is_not_publicly_accessible",),
        RESOURCE,
    ),
    ("aws_kms_key_rotation", ("kms_cmk_rotation_enabled",), RESOURCE),
    (
        "aws_ec2_sg_no_world_ssh",
        ("ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_22",),
        RESOURCE,
    ),
    (
        "aws_ec2_sg_no_world_rdp",
        ("ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_3389",),
        RESOURCE,
    ),
    (
        "aws_ec2_sg_no_world_all_ports",
        ("ec2_securitygroup_allow_ingress_from_internet_to_all_ports",),
        RESOURCE,
    ),
    ("aws_ec2_ebs_default_encryption", ("ec2_ebs_default_encryption",), REGION),
    ("aws_ec2_instance_imdsv2", ("ec2_instance_imdsv2_enabled",), RESOURCE),
    ("aws_ec2_ebs_volume_encrypted", ("ec2_ebs_volume_encryption",), RESOURCE),
    ("aws_rds_storage_encrypted", ("rds_instance_storage_encrypted",), RESOURCE),
    ("aws_rds_backup_retention", ("rds_instance_backup_enabled",), RESOURCE),
    ("aws_rds_not_public", ("rds_instance_no_public_access",), RESOURCE),
    ("aws_rds_deletion_protection", ("rds_instance_deletion_protection",), RESOURCE),
    ("aws_rds_multi_az", ("rds_instance_multi_az",), RESOURCE),
    (
        "aws_logs_retention_set",
        ("cloudwatch_log_group_retention_policy_specific_days_enabled",),
        RESOURCE,
    ),
    ("aws_guardduty_enabled", ("guardduty_is_enabled",), REGION),
    ("aws_config_recorder_enabled", ("config_recorder_all_regions_enabled",), REGION),
    ("aws_backup_plan_exists", ("backup_plans_exist",), ACCOUNT),
]
PROWLER_CHECKS = sorted({p for _a, ps, _s in PAIRS for p in ps})

# What we know about a Prowler check that reports nothing against moto.
KNOWN_GAPS = {
    "s3_account_level_public_access_blocks": (
        "S3 Control puts the account id in front of the endpoint host "
        "(123456789012.127.0.0.1), which does not resolve; Prowler gets no answer and reports "
        "nothing"
    ),
    "iam_root_mfa_enabled": (
        "moto's credential report shows no password or key for <root_account>, and Prowler "
        "only judges a root that has credentials"
    ),
    "iam_no_root_access_key": (
        "moto's credential report shows no access keys for <root_account>: PASS or nothing"
    ),
}


def norm_id(value: str) -> str:
    """A bucket / group / instance / volume / key id or a user / db / trail / log group name
    from an ARN or an id."""
    if not value.startswith("arn:"):
        return value
    parts = value.split(":", 5)
    resource = parts[5] if len(parts) == 6 else value
    if resource.startswith("log-group:"):
        name = resource[len("log-group:") :]
        return name[: -len(":*")] if name.endswith(":*") else name
    if resource.startswith("db:"):
        return resource[3:]
    return resource.rsplit("/", 1)[-1]


def attestly_key(resource_key: str, scope: str) -> str:
    """`aws:<account>:<region|global>:<service>:<id>` → the normalised resource; the id may
    be an ARN, a bare id, or `<type>/<id>` (`user/alice`, `log-group//aws/lambda/x`)."""
    if scope == ACCOUNT:
        return "account"
    parts = resource_key.split(":", 4)
    if len(parts) < 5:
        return resource_key
    if scope == REGION:
        return parts[2]
    ident = parts[4]
    if ident.startswith("arn:"):
        return norm_id(ident)
    typed = _TYPED.match(ident)
    return ident[typed.end() :] if typed else ident


def prowler_key(finding: Mapping[str, object], scope: str) -> str:
    if scope == ACCOUNT:
        return "account"
    resources = finding.get("resources") or [{}]
    res = resources[0] if isinstance(resources, list) else {}
    if scope == REGION:
        return str(res.get("region") or "")
    uid = str(res.get("uid") or res.get("name") or "")
    return norm_id(uid)


@dataclass
class PairResult:
    attestly: str
    prowler: tuple[str, ...]
    prowler_fail: set[str] = field(default_factory=set)
    attestly_fail: set[str] = field(default_factory=set)
    prowler_reported: bool = False  # any finding at all (PASS or FAIL)
    attestly_has_check: bool = False
    attestly_evaluated: bool = False
    note: str = ""

    @property
    def both(self) -> set[str]:
        return self.prowler_fail & self.attestly_fail

    @property
    def missed(self) -> set[str]:
        return self.prowler_fail - self.attestly_fail

    @property
    def extra(self) -> set[str]:
        return self.attestly_fail - self.prowler_fail

    @property
    def comparable(self) -> bool:
        return self.prowler_reported and self.attestly_has_check


def compare(
    prowler_findings: Iterable[Mapping[str, object]],
    attestly_results: Iterable[tuple[str, str, str]],
    attestly_checks: Iterable[str],
) -> list[PairResult]:
    """`attestly_results`: (check id, resource key, status) of the current results."""
    known = set(attestly_checks)
    pairs = {a: PairResult(a, ps) for a, ps, _s in PAIRS}
    scope_of = {a: s for a, _ps, s in PAIRS}
    by_prowler = {p: a for a, ps, _s in PAIRS for p in ps}
    for finding in prowler_findings:
        meta = finding.get("metadata") or {}
        code = str(meta.get("event_code", "")) if isinstance(meta, dict) else ""
        if code not in by_prowler:
            continue
        pair = pairs[by_prowler[code]]
        pair.prowler_reported = True
        if finding.get("status_code") == "FAIL":
            pair.prowler_fail.add(prowler_key(finding, scope_of[pair.attestly]))
    for check_id, key, status in attestly_results:
        if check_id not in pairs:
            continue
        pair = pairs[check_id]
        pair.attestly_evaluated = True
        if status == "fail":
            pair.attestly_fail.add(attestly_key(key, scope_of[check_id]))
    for pair in pairs.values():
        pair.attestly_has_check = pair.attestly in known
        if not pair.attestly_has_check:
            pair.note = "no such Attestly check (yet)"
        elif not pair.prowler_reported:
            gaps = [KNOWN_GAPS[p] for p in pair.prowler if p in KNOWN_GAPS]
            pair.note = "Prowler reported nothing" + (f": {gaps[0]}" if gaps else "")
    return list(pairs.values())
