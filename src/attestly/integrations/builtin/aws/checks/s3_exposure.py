"""Pure helpers shared by the S3 and CloudTrail checks: is a bucket open to the world?

A bucket is public when its policy has an Allow for everyone (`"*"`, `{"AWS": "*"}`, or an
Allow with `NotPrincipal`) that no condition narrows to known callers, or when its ACL grants
anything to the AllUsers or AuthenticatedUsers groups. The public access block (the bucket's or
the account's, flag by flag) neutralises these: `RestrictPublicBuckets` makes a public policy
ineffective and `IgnorePublicAcls` public ACL grants.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from attestly.checks.types import Status, Verdict
from attestly.integrations.builtin.common import part_unread

PUBLIC_GROUPS = {
    "http://acs.amazonaws.com/groups/global/AllUsers": "AllUsers",
    "http://acs.amazonaws.com/groups/global/AuthenticatedUsers": "AuthenticatedUsers",
}
# Condition keys that narrow who may call (lower case, as IAM compares them).
RESTRICTING_KEYS = frozenset(
    {
        "aws:sourceip",
        "aws:sourcevpc",
        "aws:sourcevpce",
        "aws:sourceaccount",
        "aws:sourcearn",
        "aws:sourceorgid",
        "aws:sourceorgpaths",
        "aws:principalorgid",
        "aws:principalorgpaths",
        "aws:principalaccount",
        "aws:principalarn",
        "aws:userid",
        "aws:username",
        "aws:principalservicename",
        "s3:dataaccesspointaccount",
        "s3:dataaccesspointarn",
    }
)
OPEN_VALUES = frozenset({"*", "0.0.0.0/0", "::/0"})
FLAGS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")
ALL_ACTIONS = frozenset({"*", "s3:*"})
TLS_OPERATORS = frozenset({"bool", "boolifexists"})


def flags_off(block: Mapping[str, Any]) -> list[str]:
    """The public access block settings that are not on."""
    return [name for name in FLAGS if block.get(name) is not True]


def denies_plain_http(policy: Any) -> bool:
    """Whether a statement denies everyone every S3 action when aws:SecureTransport is false."""
    for statement in statements(policy):
        if statement.get("Effect") != "Deny" or not everyone(statement.get("Principal")):
            continue
        if not ALL_ACTIONS & {str(a).lower() for a in as_list(statement.get("Action"))}:
            continue
        condition = statement.get("Condition")
        if not isinstance(condition, Mapping):
            continue
        for operator, values in condition.items():
            if str(operator).lower() not in TLS_OPERATORS or not isinstance(values, Mapping):
                continue
            for key, value in values.items():
                if str(key).lower() == "aws:securetransport" and [
                    str(v).lower() for v in as_list(value)
                ] == ["false"]:
                    return True
    return False


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def statements(policy: Any) -> list[Mapping[str, Any]]:
    if not isinstance(policy, Mapping):
        return []
    return [s for s in as_list(policy.get("Statement")) if isinstance(s, Mapping)]


def everyone(principal: Any) -> bool:
    """Whether a Principal names every caller."""
    if principal == "*":
        return True
    if isinstance(principal, Mapping):
        return "*" in as_list(principal.get("AWS"))
    return False


def restricted(condition: Any) -> bool:
    """Whether a Condition block narrows the callers to known ones."""
    if not isinstance(condition, Mapping):
        return False
    for operator_values in condition.values():
        if not isinstance(operator_values, Mapping):
            continue
        for key, values in operator_values.items():
            if str(key).lower() not in RESTRICTING_KEYS:
                continue
            if not any(str(v) in OPEN_VALUES for v in as_list(values)):
                return True
    return False


def public_statements(policy: Any) -> list[str]:
    """The policy's statements that let anyone in, by Sid (or position)."""
    found = []
    for n, statement in enumerate(statements(policy), 1):
        if statement.get("Effect") != "Allow":
            continue
        open_principal = everyone(statement.get("Principal")) or "NotPrincipal" in statement
        if open_principal and not restricted(statement.get("Condition")):
            found.append(str(statement.get("Sid") or f"#{n}"))
    return found


def public_grants(acl: Any) -> list[str]:
    """The ACL's grants to everyone or to every AWS account, as `group:permission`."""
    if not isinstance(acl, Mapping):
        return []
    found = []
    for grant in as_list(acl.get("grants")):
        if not isinstance(grant, Mapping):
            continue
        grantee = grant.get("Grantee") or {}
        group = PUBLIC_GROUPS.get(str(grantee.get("URI", "")))
        if group:
            found.append(f"{group}:{grant.get('Permission', '?')}")
    return found


def _flag(block: Any, name: str) -> bool:
    return isinstance(block, Mapping) and not block.get("error") and block.get(name) is True


def public_exposure(bucket: Mapping[str, Any]) -> bool | Verdict:
    """Pass (True) when the bucket is not public; fail naming what opens it; error when a part
    that could open it could not be read, or was not read (`{"not_read": ...}`: the collector
    skips only what a block neutralises, so this is never needed then). Reads `policy`, `acl`,
    `public_access_block` and `account_public_access_block`."""
    blocks = (bucket.get("public_access_block"), bucket.get("account_public_access_block"))
    reasons: list[str] = []
    errors: list[str] = []
    if not any(_flag(b, "RestrictPublicBuckets") for b in blocks):
        policy = bucket.get("policy")
        if why := part_unread(policy):
            errors.append(f"policy: {why}")
        elif sids := public_statements(policy):
            reasons.append("policy allows anyone (statement " + ", ".join(sids) + ")")
    if not any(_flag(b, "IgnorePublicAcls") for b in blocks):
        acl = bucket.get("acl")
        if why := part_unread(acl):
            errors.append(f"acl: {why}")
        elif grants := public_grants(acl):
            reasons.append("ACL grants " + ", ".join(grants))
    if reasons:
        return Verdict(Status.FAIL, "; ".join(reasons))
    if errors:
        return Verdict(Status.ERROR, "; ".join(errors))
    return True
