"""botocore's models kept down to the declared operations: complete for what is called, and
every operation the integration calls declared."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from botocore.loaders import Loader
from botocore.model import ServiceModel, Shape

from attestly.integrations.base import CollectorError
from attestly.integrations.builtin.aws import collectors
from attestly.integrations.builtin.aws.botocore_models import (
    endpoint_prefix,
    lean_session,
    prune_endpoints,
    prune_service_model,
)
from attestly.integrations.builtin.aws.client import AwsClient, declared_operations
from attestly.integrations.builtin.aws.collectors import SERVICES

FULL = Loader()  # botocore's own loader: the whole models
DECLARED = sorted(declared_operations().items())


def walk(shape: Shape | None, seen: set[str]) -> None:
    """Resolve every shape under `shape` (botocore raises on a missing one)."""
    if shape is None or shape.name in seen:
        return
    seen.add(shape.name)
    for child in getattr(shape, "members", {}).values():
        walk(child, seen)
    for part in ("member", "key", "value"):
        walk(getattr(shape, part, None), seen)


@pytest.mark.parametrize(("service", "operations"), DECLARED)
def test_a_pruned_model_has_the_declared_operations_and_every_shape_they_reach(
    service: str, operations: frozenset[str]
) -> None:
    full = FULL.load_service_model(service, "service-2")
    assert operations <= set(full["operations"]), "a declared operation botocore does not know"
    pruned = ServiceModel(prune_service_model(full, operations), service)
    assert set(pruned.operation_names) == operations
    reached: set[str] = set()
    for name in operations:
        operation = pruned.operation_model(name)
        for shape in (operation.input_shape, operation.output_shape, *operation.error_shapes):
            walk(shape, reached)
    assert reached <= set(pruned.shape_names)
    # the same shapes as in the whole model, not copies that lost a member
    whole = ServiceModel(full, service)
    for name in reached:
        assert pruned.shape_for(name).metadata == whole.shape_for(name).metadata
        assert list(getattr(pruned.shape_for(name), "members", {})) == list(
            getattr(whole.shape_for(name), "members", {})
        )


@pytest.mark.parametrize(("service", "operations"), DECLARED)
def test_the_endpoint_data_keeps_every_declared_service(
    service: str, operations: frozenset[str]
) -> None:
    metadata = FULL.load_service_model(service, "service-2")["metadata"]
    assert endpoint_prefix(service) == metadata["endpointPrefix"]
    kept = prune_endpoints(copy.deepcopy(FULL.load_data("endpoints")), declared_operations())
    aws = next(p for p in kept["partitions"] if p["partition"] == "aws")
    assert endpoint_prefix(service) in aws["services"]


def test_a_lean_session_loads_only_the_declared_operations() -> None:
    import boto3

    lean = lean_session(declared_operations())
    session = boto3.session.Session(
        botocore_session=lean,
        aws_access_key_id="AKIAAAAAAAAAAAAAAAAA",
        aws_secret_access_key="x",
        region_name="eu-west-1",
    )
    s3 = session.client("s3", endpoint_url="http://127.0.0.1:9")
    assert set(s3.meta.service_model.operation_names) == declared_operations()["s3"]
    assert hasattr(s3, "get_bucket_acl") and not hasattr(s3, "put_object")
    assert hasattr(s3, "head_bucket")  # what botocore asks when S3 redirects a request
    # a service nobody declared is loaded whole
    sqs = session.client("sqs", endpoint_url="http://127.0.0.1:9")
    assert "SendMessage" in sqs.meta.service_model.operation_names
    endpoints = lean.get_component("data_loader").load_data("endpoints")
    assert set(endpoints["partitions"][0]["services"]) == {
        endpoint_prefix(s) for s in declared_operations()
    }


OPERATION = re.compile(r'"((?:Get|List|Describe|Generate|Assume)[A-Z][A-Za-z]+)"')


@pytest.mark.parametrize("service", SERVICES, ids=lambda s: s.name)
def test_every_operation_a_service_module_names_is_declared(service: Any) -> None:
    source = (Path(collectors.__file__).parent / f"{service.name}.py").read_text()
    named = set(OPERATION.findall(source))
    declared = {op for ops in service.operations.values() for op in ops}
    # what a module takes from another (CloudTrail reads buckets with S3's helpers) is
    # declared by both; what it names is declared by itself
    assert named <= declared
    assert service.probe.operation in service.operations.get(service.probe.service, ())


def test_an_undeclared_operation_is_refused_naming_it(aws_ctx: Callable[..., Any]) -> None:
    client = AwsClient(aws_ctx())
    with pytest.raises(CollectorError, match=r"s3:PutObject is not declared"):
        client.call("s3", "PutObject", Bucket="b", Key="k")
    assert client.ctx.calls.count == 0


def test_the_memory_of_a_whole_model_is_given_back_once_pruned(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from attestly.integrations.builtin.aws import botocore_models

    trims: list[str] = []
    monkeypatch.setattr(botocore_models, "give_back_freed_memory", lambda: trims.append("trim"))
    loader = lean_session(declared_operations()).get_component("data_loader")
    model = loader.load_service_model("ec2", "service-2")
    assert set(model["operations"]) == declared_operations()["ec2"]
    assert trims == ["trim"]
    loader.load_service_model("ec2", "paginators-1")  # not a model: nothing to give back
    assert trims == ["trim"]
    botocore_models.give_back_freed_memory()  # the real one, whatever the C library


def test_without_glibc_nothing_is_trimmed(monkeypatch: pytest.MonkeyPatch) -> None:
    from attestly.integrations.builtin.aws import botocore_models

    monkeypatch.setattr(botocore_models, "_malloc_trim", lambda: None)
    botocore_models.give_back_freed_memory()


def test_credentials_from_a_web_identity_are_fetched_through_the_lean_session(
    aws_ctx: Callable[..., Any],
    moto_endpoint: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # botocore's own credential providers call STS through the session's clients (a web
    # identity on EKS or in CI, a profile's role): those operations must survive the pruning
    token = tmp_path / "token"
    token.write_text("a-web-identity-token")
    monkeypatch.setenv("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/attestly")
    monkeypatch.setenv("AWS_WEB_IDENTITY_TOKEN_FILE", str(token))
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_endpoint)  # the providers' own STS client
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    client = AwsClient(aws_ctx(access_key_id="", secret_access_key=None))
    assert client.account_id() == "123456789012"
