"""IAM collector on moto's server, and the IAM checks on its evidence and on recorded cases."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

from attestly.integrations.builtin.aws.collectors import iam

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
