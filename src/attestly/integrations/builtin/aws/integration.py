"""The AWS integration: one account, read with boto3 once per service and region.

Credentials are an access key (secret encrypted at rest), a named profile, or whatever the
default chain finds (instance role, environment); a `role_arn` is then assumed, with an
external id if given. `endpoint_url` points every client at one endpoint: a VPC endpoint
proxy, LocalStack, or moto's server in the tests.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from pydantic import Field, SecretStr, field_validator, model_validator

from attestly.integrations.base import (
    CollectContext,
    Collector,
    CollectorError,
    ConnectionTest,
    Integration,
    IntegrationConfig,
    PermissionDenied,
    Record,
)
from attestly.integrations.builtin.aws.client import AwsClient
from attestly.integrations.builtin.aws.collectors import SERVICES
from attestly.integrations.builtin.aws.service import AwsService

REGION_RE = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d{1,2}$")
ROLE_ARN_RE = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512}$")
ACCESS_KEY_RE = re.compile(r"^[A-Z0-9]{16,128}$")


class AwsConfig(IntegrationConfig):
    """How to reach one AWS account and which regions to read."""

    access_key_id: str = Field(
        "", description="Access key id; empty to use a profile or the default credential chain."
    )
    secret_access_key: SecretStr | None = Field(None, description="The access key's secret.")
    session_token: SecretStr | None = Field(
        None, description="Session token, for temporary credentials."
    )
    profile: str = Field("", description="Named profile from ~/.aws/config, instead of a key.")
    role_arn: str = Field(
        "",
        description="Role to assume (arn:aws:iam::<account>:role/<name>), e.g. a read-only "
        "audit role in the account to read.",
    )
    external_id: SecretStr | None = Field(
        None, description="External id the role's trust policy requires."
    )
    role_session_name: str = Field("attestly", description="Session name when assuming the role.")
    regions: list[str] = Field(
        default_factory=list,
        description="Regions to read (first one is home for global services); empty for every "
        "enabled region.",
    )
    endpoint_url: str = Field(
        "", description="One endpoint for every service (LocalStack, moto, a proxy); empty for AWS."
    )

    @field_validator("access_key_id")
    @classmethod
    def _key_shape(cls, value: str) -> str:
        value = value.strip()
        if value and not ACCESS_KEY_RE.match(value):
            raise ValueError("an access key id is 16 or more upper-case letters and digits")
        return value

    @field_validator("regions")
    @classmethod
    def _region_names(cls, value: list[str]) -> list[str]:
        cleaned = [r.strip() for r in value if r.strip()]
        for region in cleaned:
            if not REGION_RE.match(region):
                raise ValueError(f"{region!r} is not a region name like eu-west-1")
        if len(set(cleaned)) != len(cleaned):
            raise ValueError("a region is listed twice")
        return cleaned

    @field_validator("role_arn")
    @classmethod
    def _role(cls, value: str) -> str:
        value = value.strip()
        if value and not ROLE_ARN_RE.match(value):
            raise ValueError("a role ARN looks like arn:aws:iam::123456789012:role/AttestlyAudit")
        return value

    @field_validator("endpoint_url")
    @classmethod
    def _endpoint(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if value and not re.match(r"^https?://[^\s/]+(/\S*)?$", value):
            raise ValueError("the endpoint is an http:// or https:// URL")
        return value

    @model_validator(mode="after")
    def _credentials(self) -> AwsConfig:
        if self.access_key_id and self.secret_access_key is None:
            raise ValueError("secret_access_key is required with access_key_id")
        if self.secret_access_key is not None and not self.access_key_id:
            raise ValueError("access_key_id is required with secret_access_key")
        if self.access_key_id and self.profile:
            raise ValueError("give either an access key or a profile, not both")
        return self


def _collector(service: AwsService) -> Collector:
    def collect(ctx: CollectContext[AwsConfig]) -> Iterable[Record]:
        return service.collect(AwsClient(ctx))

    return Collector(
        service.name,
        kinds=service.kinds,
        collect=collect,
        description=service.description,
        service=service.name,
    )


def test_connection(ctx: CollectContext[AwsConfig]) -> ConnectionTest:
    """Who the credentials are, then one cheap read per service to find missing permissions."""
    client = AwsClient(ctx)
    try:
        identity = client.call("sts", "GetCallerIdentity") or {}
        client.regions()
    except CollectorError as exc:
        return ConnectionTest.from_error(exc)
    missing: list[str] = []
    for service in SERVICES:
        probe = service.probe
        try:
            client.call(probe.service, probe.operation, **dict(probe.params))
        except PermissionDenied as exc:
            missing.append(probe.action or exc.permission)
        except CollectorError as exc:
            return ConnectionTest.from_error(exc)
    who = identity.get("Arn", "?")
    account = identity.get("Account", "?")
    if missing:
        return ConnectionTest.missing_permission(
            missing,
            f"signed in to account {account} as {who}, but these reads are refused: "
            f"{', '.join(missing)} (attach the SecurityAudit managed policy, or grant them)",
        )
    return ConnectionTest.success(
        f"signed in to account {account} as {who}; {len(SERVICES)} services readable in "
        f"{len(client.regions())} region(s)",
        account=account,
        arn=who,
    )


integration = Integration(
    slug="aws",
    name="Amazon Web Services",
    version="1.0.0",
    description=(
        "IAM, S3, CloudTrail, KMS, EC2, RDS, CloudWatch Logs, GuardDuty, AWS Config and AWS "
        "Backup posture of one account, read once per service and region."
    ),
    config=AwsConfig,
    collectors=tuple(_collector(service) for service in SERVICES),
    test_connection=test_connection,
    checks="attestly.integrations.builtin.aws.checks",
    docs_url="docs/integrations/aws.md",
)
