"""IAM: the account's root user and password policy, and every user with their credentials and
policies, in a handful of calls whatever the number of users.

The credential report carries every user's password, MFA and access-key state in one CSV, and
`GetAccountAuthorizationDetails` every user's policies (direct, inline and through groups) and
the customer-managed policy documents, a page per ~100 users: no per-user calls.
"""

from __future__ import annotations

import csv
import io
import json
import time
import urllib.parse
from collections.abc import Iterator, Mapping
from typing import Any

from attestly.integrations.base import MalformedResponse, Record
from attestly.integrations.builtin.aws.client import GLOBAL, AwsClient
from attestly.integrations.builtin.aws.service import AwsService, Probe, jsonable

KIND_ACCOUNT = "aws.iam.account"
KIND_USER = "aws.iam.user"
ROOT_ROW = "<root_account>"
REPORT_POLLS = 30
REPORT_POLL_SECONDS = 1.0
EMPTY = frozenset({"", "N/A", "no_information", "not_supported"})


def _when(value: str) -> str | None:
    """A credential-report date, or None for its 'never'/'not applicable' markers."""
    return None if value in EMPTY else value


def _flag(value: str) -> bool:
    return value.strip().lower() == "true"


def _credential_row(row: Mapping[str, str]) -> dict[str, Any]:
    keys = [
        {
            "slot": n,
            "active": _flag(row.get(f"access_key_{n}_active", "false")),
            "last_rotated": _when(row.get(f"access_key_{n}_last_rotated", "N/A")),
            "last_used": _when(row.get(f"access_key_{n}_last_used_date", "N/A")),
        }
        for n in (1, 2)
    ]
    return {
        "created": _when(row.get("user_creation_time", "N/A")),
        "password_enabled": _flag(row.get("password_enabled", "false")),
        "password_last_used": _when(row.get("password_last_used", "N/A")),
        "password_last_changed": _when(row.get("password_last_changed", "N/A")),
        "mfa_active": _flag(row.get("mfa_active", "false")),
        "access_keys": keys,
    }


def credential_report(client: AwsClient) -> dict[str, dict[str, Any]]:
    """user name -> credential state (the root user as `<root_account>`)."""
    for _attempt in range(REPORT_POLLS):
        state = client.call("iam", "GenerateCredentialReport") or {}
        if state.get("State") == "COMPLETE":
            break
        time.sleep(REPORT_POLL_SECONDS)
    else:
        raise MalformedResponse(
            f"iam:GenerateCredentialReport still not complete after {REPORT_POLLS} polls"
        )
    answer = client.call("iam", "GetCredentialReport") or {}
    content = answer.get("Content")
    if isinstance(content, bytes):
        content = content.decode("utf-8", "replace")
    if not isinstance(content, str) or not content.startswith("user,"):
        raise MalformedResponse("iam:GetCredentialReport answered no CSV credential report")
    rows = csv.DictReader(io.StringIO(content))
    return {row["user"]: _credential_row(row) for row in rows if row.get("user")}


def _document(raw: Any) -> Any:
    """A policy document: APIs give it URL-encoded JSON text or (boto3) already parsed."""
    if isinstance(raw, str):
        try:
            return json.loads(urllib.parse.unquote(raw))
        except ValueError as exc:
            raise MalformedResponse(f"a policy document is not JSON: {exc}") from exc
    return raw


def authorization_details(client: AwsClient) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """(users, group name -> group) with their policies; local managed documents inlined."""
    users: list[dict[str, Any]] = []
    groups: dict[str, dict[str, Any]] = {}
    local_policies: dict[str, Any] = {}
    for page in client.pages(
        "iam", "GetAccountAuthorizationDetails", Filter=["User", "Group", "LocalManagedPolicy"]
    ):
        users.extend(page.get("UserDetailList") or [])
        for group in page.get("GroupDetailList") or []:
            groups[group["GroupName"]] = group
        for policy in page.get("Policies") or []:
            for version in policy.get("PolicyVersionList") or []:
                if version.get("IsDefaultVersion"):
                    local_policies[policy["Arn"]] = _document(version.get("Document"))
    return users, {"groups": groups, "local_policies": local_policies}


def _policies(
    attached: list[Mapping[str, Any]],
    inline: list[Mapping[str, Any]],
    source: str,
    local_policies: Mapping[str, Any],
) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for policy in attached:
        arn = policy.get("PolicyArn", "")
        found.append(
            {
                "source": source,
                "type": "managed",
                "name": policy.get("PolicyName", ""),
                "arn": arn,
                # AWS-managed documents are public and known by ARN; customer ones are kept.
                "document": local_policies.get(arn),
            }
        )
    for policy in inline:
        found.append(
            {
                "source": source,
                "type": "inline",
                "name": policy.get("PolicyName", ""),
                "arn": None,
                "document": _document(policy.get("PolicyDocument")),
            }
        )
    return found


def collect(client: AwsClient) -> Iterator[Record]:
    summary = (client.call("iam", "GetAccountSummary") or {}).get("SummaryMap") or {}
    policy = client.call("iam", "GetAccountPasswordPolicy", missing=("NoSuchEntity",))
    report = credential_report(client)
    users, extra = authorization_details(client)
    groups: Mapping[str, Any] = extra["groups"]
    local_policies: Mapping[str, Any] = extra["local_policies"]

    yield Record(
        KIND_ACCOUNT,
        client.key(GLOBAL, "iam", "account"),
        jsonable(
            {
                "account_id": client.account_id(),
                "root_mfa_enabled": summary.get("AccountMFAEnabled") == 1,
                "root_access_keys_present": summary.get("AccountAccessKeysPresent", 0) > 0,
                "root": report.get(ROOT_ROW),  # None when the report has no root row
                "password_policy": (policy or {}).get("PasswordPolicy"),
                "users": summary.get("Users"),
                "mfa_devices_in_use": summary.get("MFADevicesInUse"),
            }
        ),
    )
    for user in users:
        name = user["UserName"]
        credentials = report.get(name)
        group_names = list(user.get("GroupList") or [])
        policies = _policies(
            user.get("AttachedManagedPolicies") or [],
            user.get("UserPolicyList") or [],
            "user",
            local_policies,
        )
        for group_name in group_names:
            group = groups.get(group_name) or {}
            policies += _policies(
                group.get("AttachedManagedPolicies") or [],
                group.get("GroupPolicyList") or [],
                f"group:{group_name}",
                local_policies,
            )
        yield Record(
            KIND_USER,
            client.key(GLOBAL, "iam", f"user/{name}"),
            jsonable(
                {
                    "name": name,
                    "arn": user.get("Arn"),
                    "user_id": user.get("UserId"),
                    "created": user.get("CreateDate"),
                    # a user created after the report was generated is not in it yet
                    "credentials": credentials,
                    "groups": group_names,
                    "policies": policies,
                }
            ),
        )


SERVICE = AwsService(
    name="iam",
    kinds=(KIND_ACCOUNT, KIND_USER),
    collect=collect,
    probe=Probe("iam", "GetAccountSummary"),
    description="Root user, password policy, users' credentials and policies (global).",
    permissions=(
        "iam:GetAccountSummary",
        "iam:GetAccountPasswordPolicy",
        "iam:GenerateCredentialReport",
        "iam:GetCredentialReport",
        "iam:GetAccountAuthorizationDetails",
    ),
    operations={
        "iam": (
            "GetAccountSummary",
            "GetAccountPasswordPolicy",
            "GenerateCredentialReport",
            "GetCredentialReport",
            "GetAccountAuthorizationDetails",
        ),
    },
)
