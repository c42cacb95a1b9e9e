"""The AWS integration end to end on moto's server: connection tests, bad input from a proxy in
front of moto (throttling storms, refusals, garbage), role assumption, and full runs through the
framework and the CLI with a database."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from attestly.checks.models import CheckResult
from attestly.cli.main import app
from attestly.core.models import Workspace
from attestly.evidence.models import EvidenceItem
from attestly.integrations.actions import do_start_collection_run
from attestly.integrations.base import (
    CollectContext,
    MalformedResponse,
    PermissionDenied,
    Throttled,
)
from attestly.integrations.builtin.aws.client import AwsClient
from attestly.integrations.builtin.aws.collectors import guardduty, iam, logs
from attestly.integrations.builtin.aws.integration import AwsConfig, integration
from attestly.integrations.collection import RunOptions, execute_run
from attestly.integrations.models import CollectionRun
from attestly.integrations.retry import RetriesExhausted, RetryPolicy
from attestly.readiness.queries import compute_readiness
from attestly.testing.factories import (
    ControlFactory,
    ControlMappingFactory,
    FrameworkAdoptionFactory,
    criterion,
    make_connection,
)
from attestly.testing.motoserver import ACCESS_KEY, ACCOUNT_ID, SECRET_KEY, free_port

from .conftest import NO_WAIT, REGIONS, aws_config
from .proxy import AwsProxy, Request, aws_proxy, json_error

Ctx = Callable[..., CollectContext[AwsConfig]]
FIVE_TRIES = RetryPolicy(attempts=5, base_delay=0.0, max_delay=0.0, sleep=lambda _s: None)


def is_logs_listing(request: Request) -> bool:
    return request.service == "logs" and request.operation == "DescribeLogGroups"


@pytest.fixture
def proxy(moto_endpoint: str) -> Iterator[AwsProxy]:
    with aws_proxy(moto_endpoint) as running:
        yield running


@pytest.fixture
def enforce_auth(moto_endpoint: str) -> Iterator[Callable[[], None]]:
    """`enforce_auth()`: from then until the test ends, moto checks signatures and IAM policies
    (set over HTTP, `/moto-api/reset-auth`): only keys of users created in it are accepted."""

    def set_count(value: str) -> None:
        request = urllib.request.Request(  # noqa: S310 - the local emulator
            f"{moto_endpoint}/moto-api/reset-auth",
            data=value.encode(),
            method="POST",
            headers={"Content-Type": "text/plain"},
        )
        with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
            answer.read()

    try:
        yield lambda: set_count("0")
    finally:
        set_count("inf")


# -- connection tests ---------------------------------------------------------------------


def test_connection_names_the_account_and_the_identity(aws_ctx: Ctx) -> None:
    outcome = integration.test_connection(aws_ctx())
    assert outcome.status == "ok", outcome.message
    assert outcome.details["account"] == ACCOUNT_ID
    assert str(outcome.details["arn"]).startswith(f"arn:aws:sts::{ACCOUNT_ID}:")
    assert f"account {ACCOUNT_ID} as {outcome.details['arn']}" in outcome.message
    assert "2 region(s)" in outcome.message


def test_connection_to_a_closed_port_is_unreachable(aws_ctx: Ctx) -> None:
    outcome = integration.test_connection(aws_ctx(endpoint_url=f"http://127.0.0.1:{free_port()}"))
    assert outcome.status == "unreachable"
    assert "cannot reach AWS for sts:GetCallerIdentity" in outcome.message


def test_connection_with_a_key_aws_does_not_know_is_bad_credentials(
    aws_ctx: Ctx, enforce_auth: Callable[[], None]
) -> None:
    enforce_auth()
    outcome = integration.test_connection(aws_ctx(access_key_id="AKIAUNKNOWNKEY000000"))
    assert outcome.status == "bad_credentials"
    assert "AWS refused the credentials on sts:GetCallerIdentity" in outcome.message
    assert "InvalidClientTokenId" in outcome.message
    assert SECRET_KEY not in outcome.message


def test_connection_names_the_one_refused_action(aws_ctx: Ctx, proxy: AwsProxy) -> None:
    # moto's own IAM enforcement cannot serve here: it rejects every signed rest-json call
    # (GuardDuty, Backup) with SignatureDoesNotMatch. The proxy refuses one action instead.
    proxy.rule = lambda r: (
        json_error(400, "AccessDeniedException", "not authorized to perform logs:DescribeLogGroups")
        if is_logs_listing(r)
        else None
    )
    outcome = integration.test_connection(aws_ctx(endpoint_url=proxy.url))
    assert outcome.status == "missing_permission"
    assert outcome.missing_permissions == ("logs:DescribeLogGroups",)
    assert "SecurityAudit" in outcome.message
    assert f"account {ACCOUNT_ID}" in outcome.message


def test_a_user_refused_one_action_fails_that_collector_naming_it(
    aws: Callable[..., Any], aws_ctx: Ctx, enforce_auth: Callable[[], None]
) -> None:
    iam_client = aws("iam")
    iam_client.create_user(UserName="auditor")
    key = iam_client.create_access_key(UserName="auditor")["AccessKey"]
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "*", "Resource": "*"},
            {"Effect": "Deny", "Action": "logs:DescribeLogGroups", "Resource": "*"},
        ],
    }
    iam_client.put_user_policy(
        UserName="auditor", PolicyName="all-but-logs", PolicyDocument=json.dumps(policy)
    )
    enforce_auth()
    ctx = aws_ctx(access_key_id=key["AccessKeyId"], secret_access_key=key["SecretAccessKey"])
    with pytest.raises(PermissionDenied) as caught:
        list(logs.SERVICE.collect(AwsClient(ctx)))
    assert caught.value.permission == "logs:DescribeLogGroups"
    assert "needs logs:DescribeLogGroups" in str(caught.value)
    kinds = {r.kind for r in iam.SERVICE.collect(AwsClient(ctx))}  # the other services work
    assert kinds == {iam.KIND_ACCOUNT, iam.KIND_USER}


# -- throttling, garbage --------------------------------------------------------------------


def test_a_throttling_storm_is_ridden_out_and_counted(
    aws: Callable[..., Any], moto_endpoint: str, proxy: AwsProxy
) -> None:
    aws("logs").create_log_group(logGroupName="/app")
    storm = {"left": 3}

    def throttle(request: Request) -> Any:
        if is_logs_listing(request) and storm["left"] > 0:
            storm["left"] -= 1
            return json_error(400, "ThrottlingException", "Rate exceeded")
        return None

    proxy.rule = throttle
    config = aws_config(moto_endpoint, endpoint_url=proxy.url, regions=["us-east-1"])
    ctx = CollectContext(config=config, timeout=10.0, retry_policy=FIVE_TRIES)
    records = list(logs.SERVICE.collect(AwsClient(ctx)))
    assert [r.data["name"] for r in records] == ["/app"]
    assert proxy.answered == 3
    # GetCallerIdentity, then DescribeLogGroups three times throttled and once answered
    assert ctx.calls.count == 1 + 3 + 1 == len(proxy.seen)


def test_a_storm_that_never_ends_fails_with_a_clear_message(
    moto_endpoint: str, proxy: AwsProxy
) -> None:
    proxy.rule = lambda r: (
        json_error(400, "ThrottlingException", "Rate exceeded") if is_logs_listing(r) else None
    )
    config = aws_config(moto_endpoint, endpoint_url=proxy.url, regions=["us-east-1"])
    ctx = CollectContext(config=config, timeout=10.0, retry_policy=NO_WAIT)
    with pytest.raises(RetriesExhausted) as caught:
        list(logs.SERVICE.collect(AwsClient(ctx)))
    message = str(caught.value)
    assert message.startswith("logs:DescribeLogGroups: still throttled after 3 attempts")
    assert "logs:DescribeLogGroups in us-east-1 throttled (ThrottlingException: Rate" in message
    assert isinstance(caught.value.__cause__, Throttled)
    assert proxy.answered == NO_WAIT.attempts


def test_garbage_json_is_a_malformed_response(moto_endpoint: str, proxy: AwsProxy) -> None:
    proxy.rule = lambda r: (
        (200, {"Content-Type": "application/json"}, b"<html>gateway error</html>")
        if r.service == "guardduty"
        else None
    )
    ctx = CollectContext(
        config=aws_config(moto_endpoint, endpoint_url=proxy.url), retry_policy=NO_WAIT
    )
    with pytest.raises(MalformedResponse, match=r"guardduty:ListDetectors in .* is not JSON"):
        list(guardduty.SERVICE.collect(AwsClient(ctx)))


def test_garbage_xml_is_a_malformed_response(moto_endpoint: str, proxy: AwsProxy) -> None:
    proxy.rule = lambda r: (
        (200, {"Content-Type": "text/xml"}, b"<GetAccountSummaryResponse><oops")
        if r.operation == "GetAccountSummary"
        else None
    )
    ctx = CollectContext(
        config=aws_config(moto_endpoint, endpoint_url=proxy.url), retry_policy=NO_WAIT
    )
    with pytest.raises(MalformedResponse, match="iam:GetAccountSummary in us-east-1 answered"):
        list(iam.SERVICE.collect(AwsClient(ctx)))


# -- role assumption ----------------------------------------------------------------------


def test_the_role_is_assumed_and_its_credentials_collect(
    aws: Callable[..., Any], aws_ctx: Ctx
) -> None:
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT_ID}:root"},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"sts:ExternalId": "s3cret-id"}},
            }
        ],
    }
    role = aws("iam").create_role(RoleName="audit", AssumeRolePolicyDocument=json.dumps(trust))
    aws("logs").create_log_group(logGroupName="/app")
    ctx = aws_ctx(
        role_arn=role["Role"]["Arn"], external_id="s3cret-id", role_session_name="attestly-test"
    )
    client = AwsClient(ctx)
    identity = client.call("sts", "GetCallerIdentity") or {}
    assert identity["Account"] == ACCOUNT_ID
    assert identity["Arn"] == f"arn:aws:sts::{ACCOUNT_ID}:assumed-role/audit/attestly-test"
    session_key = client.session().get_credentials().access_key
    assert session_key != ACCESS_KEY  # the role's temporary credentials, not the configured key
    records = list(logs.SERVICE.collect(client))
    assert [r.key for r in records] == [f"aws:{ACCOUNT_ID}:us-east-1:logs:log-group:/app"]


def test_another_accounts_role_reads_that_account(aws_ctx: Ctx) -> None:
    client = AwsClient(aws_ctx(role_arn="arn:aws:iam::111122223333:role/audit"))
    assert client.account_id() == "111122223333"
    assert client.key("us-east-1", "logs", "x") == "aws:111122223333:us-east-1:logs:x"


@pytest.mark.parametrize(
    "role_arn",
    [
        "audit",
        "arn:aws:iam::12345:role/audit",
        "arn:aws:iam::123456789012:user/audit",
        "arn:aws:s3:::bucket",
    ],
)
def test_a_malformed_role_arn_is_refused_by_the_config(role_arn: str) -> None:
    with pytest.raises(ValidationError, match="a role ARN looks like arn:aws:iam::"):
        aws_config("http://127.0.0.1:1", role_arn=role_arn)


# -- full runs through the framework, with a database -----------------------------------------


def seed_account(aws: Callable[..., Any]) -> None:
    iam_client = aws("iam")
    iam_client.create_user(UserName="admin")
    iam_client.attach_user_policy(
        UserName="admin", PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess"
    )
    iam_client.create_access_key(UserName="admin")
    east_logs = aws("logs", "us-east-1")
    east_logs.create_log_group(logGroupName="/kept")
    east_logs.create_log_group(logGroupName="/short")
    east_logs.put_retention_policy(logGroupName="/short", retentionInDays=14)
    aws("guardduty", "us-east-1").create_detector(Enable=True)  # eu-west-1 has none
    east_backup = aws("backup", "us-east-1")
    east_backup.create_backup_vault(BackupVaultName="main")
    east_backup.create_backup_plan(
        BackupPlan={
            "BackupPlanName": "daily",
            "Rules": [{"RuleName": "daily", "TargetBackupVaultName": "main"}],
        }
    )


def current(workspace: Workspace) -> dict[tuple[str, str], tuple[str, str]]:
    rows = CheckResult.objects.filter(
        workspace=workspace, is_current=True, check_id__startswith="aws_"
    )
    return {(r.check_id, r.resource_key): (r.status, r.detail) for r in rows}


def connection_config(endpoint: str) -> dict[str, Any]:
    return {
        "access_key_id": ACCESS_KEY,
        "secret_access_key": SECRET_KEY,
        "regions": REGIONS,
        "endpoint_url": endpoint,
    }


@pytest.mark.django_db
def test_a_full_run_records_evidence_results_and_readiness(
    acme: Workspace, aws: Callable[..., Any], moto_endpoint: str
) -> None:
    seed_account(aws)
    connection = make_connection(
        acme, "aws", name="aws-prod", config=connection_config(moto_endpoint)
    )
    run = execute_run(
        do_start_collection_run(actor=None, connection=connection).pk,
        RunOptions(retry_policy=NO_WAIT),
    )
    assert run.status == "succeeded", run.errors
    assert run.errors == {}
    assert run.api_calls >= 5 * 3  # every service, per region, and more
    assert run.resources == run.evidence_items > 0
    assert set(run.collectors) >= {"iam", "logs", "guardduty", "config", "backup"}
    kinds = set(EvidenceItem.objects.filter(workspace=acme).values_list("kind", flat=True))
    assert kinds >= {
        "aws.iam.account",
        "aws.iam.user",
        "aws.logs.log_group",
        "aws.guardduty.region",
        "aws.config.region",
        "aws.backup.region",
        "aws.backup.plan",
        "aws.backup.vault",
    }
    found = current(acme)
    east, west = f"aws:{ACCOUNT_ID}:us-east-1", f"aws:{ACCOUNT_ID}:eu-west-1"
    assert found[("aws_logs_retention_set", f"{east}:logs:log-group:/kept")][0] == "pass"
    assert found[("aws_logs_retention_set", f"{east}:logs:log-group:/short")][0] == "fail"
    assert found[("aws_guardduty_enabled", f"{east}:guardduty:detectors")][0] == "pass"
    assert found[("aws_guardduty_enabled", f"{west}:guardduty:detectors")][0] == "fail"
    assert found[("aws_config_recorder_enabled", f"{west}:config:recorders")][0] == "fail"
    assert found[("aws_backup_plan_exists", f"{east}:backup:plans")][0] == "pass"
    assert found[("aws_backup_plan_exists", f"{west}:backup:plans")][0] == "fail"
    statuses = {status for status, _detail in found.values()}
    assert {"pass", "fail"} <= statuses
    assert "error" not in statuses
    # every registered AWS check reading a collected kind judged something (IAM's included)
    from attestly.checks.registry import get_registry

    judged = {check for check, _key in found}
    expected = {
        c.id for c in get_registry() if c.id.startswith("aws_") and set(c.meta.kinds) & kinds
    }
    assert judged == expected

    # a failing check makes its control, and the criteria it meets, not met
    adoption = FrameworkAdoptionFactory(workspace=acme)
    threat = ControlFactory(workspace=acme, ref="LOG-07", status="implemented")
    ControlMappingFactory(control=threat, criterion=criterion("soc2:CC7.2"))
    score = compute_readiness(adoption).score
    cc72 = score.criterion("CC7.2")
    assert cc72.status == "not_met"
    assert cc72.controls == {"LOG-07": "failing"}
    assert "aws_guardduty_enabled" in " ".join(cc72.reasons)


@pytest.mark.django_db
def test_the_collectors_of_a_run_share_one_session_and_its_clients(
    acme: Workspace, aws: Callable[..., Any], moto_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import boto3.session

    sessions: list[boto3.session.Session] = []
    make_session = boto3.session.Session

    def counted_session(*args: Any, **kwargs: Any) -> boto3.session.Session:
        sessions.append(make_session(*args, **kwargs))
        return sessions[-1]

    seed_account(aws)
    monkeypatch.setattr(boto3.session, "Session", counted_session)
    connection = make_connection(
        acme, "aws", name="aws-prod", config=connection_config(moto_endpoint)
    )
    run = execute_run(
        do_start_collection_run(actor=None, connection=connection).pk,
        RunOptions(retry_policy=NO_WAIT),
    )
    assert run.status == "succeeded", run.errors
    assert len(run.collectors) == len(integration.collectors) > 1
    assert len(sessions) == 1  # not one per collector: each holds botocore's models


@pytest.mark.django_db
def test_a_run_asks_for_the_account_id_and_the_account_s3_block_once(
    acme: Workspace, aws: Callable[..., Any], proxy: AwsProxy
) -> None:
    seed_account(aws)
    aws("s3").create_bucket(Bucket="trail-logs")
    aws("cloudtrail").create_trail(Name="trail", S3BucketName="trail-logs")
    connection = make_connection(acme, "aws", name="aws-prod", config=connection_config(proxy.url))
    run = execute_run(
        do_start_collection_run(actor=None, connection=connection).pk,
        RunOptions(retry_policy=NO_WAIT),
    )
    assert run.status == "succeeded", run.errors
    # every collector keys its evidence by the account, and S3 and CloudTrail both judge
    # buckets against the account's public access block: one read each for the whole run
    assert [r.operation for r in proxy.seen].count("GetCallerIdentity") == 1
    account_blocks = [r for r in proxy.seen if r.path.endswith("/configuration/publicAccessBlock")]
    assert len(account_blocks) == 1
    trail = EvidenceItem.objects.get(workspace=acme, kind="aws.cloudtrail.trail")
    assert json.loads(bytes(trail.content))["log_bucket"]["account_public_access_block"] is None


@pytest.mark.django_db
def test_a_failed_service_stores_nothing_and_errors_only_its_checks(
    acme: Workspace, aws: Callable[..., Any], proxy: AwsProxy
) -> None:
    seed_account(aws)

    def answer(request: Request) -> Any:
        if is_logs_listing(request):  # a throttling storm that never ends
            return json_error(400, "ThrottlingException", "Rate exceeded")
        if request.service == "guardduty":  # garbage
            return 200, {"Content-Type": "application/json"}, b"{not json"
        if request.service == "backup" and request.method == "GET" and "plans" in request.path:
            return json_error(403, "AccessDeniedException", "nope")
        return None

    proxy.rule = answer
    connection = make_connection(acme, "aws", name="aws-prod", config=connection_config(proxy.url))
    run = execute_run(
        do_start_collection_run(actor=None, connection=connection).pk,
        RunOptions(retry_policy=NO_WAIT),
    )
    assert run.status == "partial"
    assert run.errors["logs"]["category"] == "retries_exhausted"
    assert (
        "logs:DescribeLogGroups: still throttled after 3 attempts" in run.errors["logs"]["message"]
    )
    assert run.errors["guardduty"]["category"] == "malformed_response"
    assert "is not JSON" in run.errors["guardduty"]["message"]
    assert run.errors["backup"]["category"] == "missing_permission"
    assert "backup:ListBackupPlans" in run.errors["backup"]["message"]
    assert set(run.errors) == {"logs", "guardduty", "backup"}
    kinds = set(EvidenceItem.objects.filter(workspace=acme).values_list("kind", flat=True))
    assert not {k for k in kinds if k.startswith(("aws.logs.", "aws.guardduty.", "aws.backup."))}
    assert {"aws.iam.account", "aws.config.region"} <= kinds
    found = current(acme)
    by_check: dict[str, set[str]] = {}
    for (check, _key), (status, _detail) in found.items():
        by_check.setdefault(check, set()).add(status)
    for check in (
        "aws_logs_retention_set",
        "aws_guardduty_enabled",
        "aws_backup_plan_exists",
        "aws_backup_vault_encrypted",
    ):
        assert by_check[check] == {"error"}, check
    assert "still throttled" in found[("aws_logs_retention_set", "connection:aws-prod")][1]
    assert by_check["aws_config_recorder_enabled"] == {"fail"}


@pytest.mark.django_db
def test_connect_test_and_collect_from_the_command_line(
    acme: Workspace, aws: Callable[..., Any], moto_endpoint: str, tmp_path: Path
) -> None:
    seed_account(aws)
    secret = tmp_path / "secret"
    secret.write_text(SECRET_KEY + "\n")
    runner = CliRunner()
    result = runner.invoke(
        app,
        ["connect", "aws", "--workspace", "acme", "--name", "aws-prod",
         "--set", f"access_key_id={ACCESS_KEY}", "--secret-file", f"secret_access_key={secret}",
         "--set", f"regions={json.dumps(REGIONS)}", "--set", f"endpoint_url={moto_endpoint}"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert f"ok: signed in to account {ACCOUNT_ID}" in result.output
    result = runner.invoke(app, ["connections", "test", "aws-prod", "--workspace", "acme"])
    assert result.exit_code == 0, result.output
    assert "2 region(s)" in result.output
    result = runner.invoke(app, ["collect", "--workspace", "acme", "--connection", "aws-prod"])
    assert result.exit_code == 0, result.output
    assert "aws-prod: succeeded in" in result.output
    run = CollectionRun.objects.get()
    assert run.api_calls > 0 and run.errors == {}
    assert f"{run.api_calls} API calls" in result.output
    assert "fail" in result.output and "pass" in result.output


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"regions": ["eu-west-1", "not a region"]}, "not a region name"),
        ({"regions": ["eu-west-1", "eu-west-1"]}, "listed twice"),
        ({"endpoint_url": "ftp://127.0.0.1:1"}, "http:// or https://"),
        ({"access_key_id": "lower-case-key"}, "access key id"),
        ({"access_key_id": "AKIAIOSFODNN7EXAMPLE"}, "secret_access_key is required"),
        ({"secret_access_key": "s3cret"}, "access_key_id is required"),
        ({"access_key_id": "AKIAIOSFODNN7EXAMPLE", "secret_access_key": "x", "profile": "p"},
         "not both"),
        ({"unknown_field": 1}, "extra"),
    ],
)  # fmt: skip
def test_bad_config_values_are_refused_with_a_clear_message(
    fields: dict[str, object], message: str
) -> None:
    from pydantic import ValidationError

    from attestly.integrations.builtin.aws.integration import AwsConfig

    with pytest.raises(ValidationError, match=message):
        AwsConfig.model_validate(fields)
