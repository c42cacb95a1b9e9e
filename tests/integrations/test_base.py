from __future__ import annotations

import dataclasses

import pytest
from pydantic import SecretStr, ValidationError

from attestly.integrations.base import (
    BadCredentials,
    CollectorError,
    ConnectionTest,
    IntegrationConfig,
    PermissionDenied,
    TestStatus,
    Unreachable,
    secret_fields,
)
from tests.integrations.sample import integration as sample


class Config(IntegrationConfig):
    url: str
    password: SecretStr
    api_key: SecretStr | None = None
    regions: list[str] = ["eu-west-1"]


def test_secret_fields_are_the_secretstr_ones_optional_or_not() -> None:
    assert secret_fields(Config) == ("password", "api_key")


def test_configs_refuse_unknown_fields_and_hide_secrets_in_repr() -> None:
    with pytest.raises(ValidationError):
        Config(url="x", password=SecretStr("p"), colour="red")  # type: ignore[call-arg]
    assert "hunter2" not in repr(Config(url="x", password=SecretStr("hunter2")))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"slug": "Bad Slug"}, "must match"),
        ({"collectors": ()}, "declares no collector"),
        ({"collectors": sample.integration.collectors[:1] * 2}, "collector names must be unique"),
    ],
)
def test_a_wrong_declaration_is_refused(change: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        dataclasses.replace(sample.integration, **change)  # type: ignore[arg-type]


def test_a_declaration_lists_its_kinds_and_collectors() -> None:
    assert sample.integration.kinds == ("sample.repo", "sample.user")
    assert sample.integration.collector("repos").kinds == ("sample.repo",)
    with pytest.raises(KeyError, match="sample has no collector 'nope'"):
        sample.integration.collector("nope")


@pytest.mark.parametrize(
    ("error", "status", "missing"),
    [
        (Unreachable("no route"), TestStatus.UNREACHABLE, ()),
        (BadCredentials("401"), TestStatus.BAD_CREDENTIALS, ()),
        (PermissionDenied("iam:ListUsers"), TestStatus.MISSING_PERMISSION, ("iam:ListUsers",)),
        (CollectorError("odd"), TestStatus.ERROR, ()),
    ],
)
def test_collector_errors_map_to_connection_test_answers(
    error: CollectorError, status: TestStatus, missing: tuple[str, ...]
) -> None:
    result = ConnectionTest.from_error(error)
    assert (result.status, result.missing_permissions, result.message) == (
        status,
        missing,
        str(error),
    )
    assert not result.ok


def test_permission_denied_names_the_permission_by_default() -> None:
    assert str(PermissionDenied("s3:GetBucketPolicy")) == (
        "permission denied: s3:GetBucketPolicy is required"
    )
