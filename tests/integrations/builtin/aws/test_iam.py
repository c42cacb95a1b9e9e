"""IAM collector on moto's server, and the IAM checks on its evidence and on recorded cases."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest

from attestly.integrations.builtin.aws.collectors import iam

from ..conftest import record

ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"
ALL = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
)


def seed_users(aws: Callable[..., Any]) -> None:
    client = aws("iam")
    client.create_user(UserName="admin-direct")
    client.attach_user_policy(UserName="admin-direct", PolicyArn=ADMIN)
    client.create_login_profile(UserName="admin-direct", Password="Long-enough-password-1!")
    client.create_user(UserName="grouped")
    client.create_group(GroupName="readers")
    client.attach_group_policy(GroupName="readers", PolicyArn=READ_ONLY)
    client.add_user_to_group(GroupName="readers", UserName="grouped")
    client.create_user(UserName="inline-star")
    client.put_user_policy(UserName="inline-star", PolicyName="everything", PolicyDocument=ALL)
    client.create_access_key(UserName="inline-star")
    client.update_account_password_policy(MinimumPasswordLength=8, RequireSymbols=True)


def test_collects_account_and_users_with_their_policies(
    aws: Callable[..., Any], collect_service: Callable[..., list[Any]]
) -> None:
    seed_users(aws)
    records = collect_service(iam.SERVICE)
    by_key = {r.key: r for r in records}
    account = by_key["aws:123456789012:global:iam:account"]
    assert account.kind == iam.KIND_ACCOUNT
    assert account.data["password_policy"]["MinimumPasswordLength"] == 8
    assert account.data["root_access_keys_present"] is False
    direct = by_key["aws:123456789012:global:iam:user/admin-direct"].data
    assert [p["arn"] for p in direct["policies"]] == [ADMIN]
    assert direct["credentials"]["password_enabled"] is True
    grouped = by_key["aws:123456789012:global:iam:user/grouped"].data
    assert grouped["policies"][0]["source"] == "group:readers"
    inline = by_key["aws:123456789012:global:iam:user/inline-star"].data
    assert inline["policies"][0]["document"]["Statement"][0]["Action"] == "*"
    assert inline["credentials"]["access_keys"][0]["active"] is True
    dt.datetime.fromisoformat(inline["created"])  # JSON-safe ISO dates
    json.dumps([r.data for r in records])


def test_no_password_policy_is_recorded_as_none(
    collect_service: Callable[..., list[Any]],
) -> None:
    records = collect_service(iam.SERVICE)
    assert [r.kind for r in records] == [iam.KIND_ACCOUNT]
    assert records[0].data["password_policy"] is None


# -- the IAM checks -----------------------------------------------------------------------

NOW = dt.datetime(2026, 11, 22, 12, 0, tzinfo=dt.UTC)
ACCOUNT_KEY = "aws:123456789012:global:iam:account"


def user_key(name: str) -> str:
    return f"aws:123456789012:global:iam:user/{name}"


def test_checks_on_moto_evidence(
    aws: Callable[..., Any],
    collect_service: Callable[..., list[Any]],
    judge: Callable[..., Any],
) -> None:
    seed_users(aws)
    results = judge(collect_service(iam.SERVICE), prefix="aws_iam_")
    status = {key: verdict[0] for key, verdict in results.items()}
    assert status[("aws_iam_root_mfa_enabled", ACCOUNT_KEY)] == "fail"  # moto has no root MFA
    assert status[("aws_iam_root_no_access_keys", ACCOUNT_KEY)] == "pass"
    assert status[("aws_iam_password_policy_strong", ACCOUNT_KEY)] == "fail"
    assert "minimum length 8 < 14" in results[("aws_iam_password_policy_strong", ACCOUNT_KEY)][1]
    assert status[("aws_iam_user_no_admin_policy", user_key("admin-direct"))] == "fail"
    assert status[("aws_iam_user_no_admin_policy", user_key("inline-star"))] == "fail"
    assert status[("aws_iam_user_no_admin_policy", user_key("grouped"))] == "pass"
    assert status[("aws_iam_user_policies_via_groups", user_key("grouped"))] == "pass"
    assert status[("aws_iam_user_policies_via_groups", user_key("admin-direct"))] == "fail"
    assert status[("aws_iam_user_console_mfa", user_key("admin-direct"))] == "fail"
    assert status[("aws_iam_user_console_mfa", user_key("grouped"))] == "not_applicable"
    assert status[("aws_iam_access_keys_rotated", user_key("inline-star"))] == "pass"
    assert status[("aws_iam_credentials_unused", user_key("inline-star"))] == "pass"


def creds(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "created": "2026-01-01T00:00:00+00:00",
        "password_enabled": True,
        "password_last_used": "2026-11-20T00:00:00+00:00",
        "password_last_changed": None,
        "mfa_active": True,
        "access_keys": [
            {"slot": 1, "active": True, "last_rotated": "2026-10-01T00:00:00+00:00",
             "last_used": "2026-11-21T00:00:00+00:00"},
            {"slot": 2, "active": False, "last_rotated": None, "last_used": None},
        ],
    }  # fmt: skip
    base.update(changes)
    return base


def user(credentials: Any = None, *policies: dict[str, Any]) -> dict[str, Any]:
    return {"name": "u", "credentials": credentials, "groups": [], "policies": list(policies)}


def account(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "root_mfa_enabled": True,
        "root_access_keys_present": False,
        "root": None,
        "password_policy": {
            "MinimumPasswordLength": 14, "RequireUppercaseCharacters": True,
            "RequireLowercaseCharacters": True, "RequireNumbers": True, "RequireSymbols": True,
            "PasswordReusePrevention": 24,
        },
    }  # fmt: skip
    base.update(changes)
    return base


OLD_KEY = [{"slot": 1, "active": True, "last_rotated": "2026-01-01T00:00:00+00:00",
            "last_used": "2026-11-21T00:00:00+00:00"}]  # fmt: skip
IDLE_KEY = [{"slot": 2, "active": True, "last_rotated": "2026-01-01T00:00:00+00:00",
             "last_used": None}]  # fmt: skip
ROOT_KEY = {"mfa_active": False, "access_keys": [{"slot": 1, "active": True}]}
GROUP_ADMIN = {"source": "group:admins", "type": "managed", "name": "AdministratorAccess",
               "arn": ADMIN, "document": None}  # fmt: skip
MFA_ONLY = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
CONDITIONED = {"source": "user", "type": "inline", "name": "mfa-only", "arn": None,
               "document": {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*",
                                           "Condition": MFA_ONLY}]}}  # fmt: skip
NA, SEPT = "not_applicable", "2026-09-01T00:00:00+00:00"
A, U = "aws.iam.account", "aws.iam.user"
CASES: list[tuple[str, str, dict[str, Any], str]] = [
    ("aws_iam_root_mfa_enabled", A, account(), "pass"),
    ("aws_iam_root_mfa_enabled", A, account(root_mfa_enabled=False), "fail"),
    ("aws_iam_root_mfa_enabled", A, account(root_mfa_enabled=0, root={"mfa_active": 1}), "pass"),
    ("aws_iam_root_no_access_keys", A, account(), "pass"),
    ("aws_iam_root_no_access_keys", A, account(root_access_keys_present=True), "fail"),
    ("aws_iam_root_no_access_keys", A, account(root=ROOT_KEY), "fail"),
    ("aws_iam_password_policy_strong", A, account(), "pass"),
    ("aws_iam_password_policy_strong", A, account(password_policy=None), "fail"),
    ("aws_iam_password_policy_strong", A, account(password_policy={"MinimumPasswordLength": 99}),
     "fail"),
    ("aws_iam_user_console_mfa", U, user(creds()), "pass"),
    ("aws_iam_user_console_mfa", U, user(creds(mfa_active=False)), "fail"),
    ("aws_iam_user_console_mfa", U, user(creds(password_enabled=False, mfa_active=False)), NA),
    ("aws_iam_user_console_mfa", U, user(None), "error"),
    ("aws_iam_credentials_unused", U, user(creds()), "pass"),
    ("aws_iam_credentials_unused", U, user(creds(password_last_used=SEPT)), "fail"),
    ("aws_iam_credentials_unused", U, user(creds(password_last_used=None)), "fail"),  # never used
    ("aws_iam_credentials_unused", U, user(creds(access_keys=IDLE_KEY)), "fail"),
    ("aws_iam_credentials_unused", U, user(creds(password_enabled=False, access_keys=[])), NA),
    ("aws_iam_credentials_unused", U, user(None), "error"),
    ("aws_iam_access_keys_rotated", U, user(creds()), "pass"),
    ("aws_iam_access_keys_rotated", U, user(creds(access_keys=OLD_KEY)), "fail"),
    ("aws_iam_access_keys_rotated", U, user(creds(access_keys=[])), "not_applicable"),
    ("aws_iam_access_keys_rotated", U, user(None), "error"),
    ("aws_iam_user_no_admin_policy", U, user(creds(), GROUP_ADMIN), "pass"),
    ("aws_iam_user_no_admin_policy", U, user(creds(), {**GROUP_ADMIN, "source": "user"}), "fail"),
    ("aws_iam_user_no_admin_policy", U, user(creds(), CONDITIONED), "pass"),
    ("aws_iam_user_policies_via_groups", U, user(creds(), GROUP_ADMIN), "pass"),
    ("aws_iam_user_policies_via_groups", U, user(creds(), CONDITIONED), "fail"),
]  # fmt: skip


@pytest.mark.parametrize(("check_id", "kind", "data", "expected"), CASES)
def test_iam_check_cases(
    check_id: str, kind: str, data: dict[str, Any], expected: str, judge: Callable[..., Any]
) -> None:
    found = judge([record(kind, data)], prefix=check_id, now=NOW)
    assert found[(check_id, "r1")][0] == expected, found[(check_id, "r1")]
