"""moto's server (real HTTP) per test process, emptied before each test; AWS configs for it."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from attestly.integrations.base import CollectContext, Record
from attestly.integrations.builtin.aws.client import AwsClient
from attestly.integrations.builtin.aws.integration import AwsConfig
from attestly.integrations.retry import RetryPolicy
from attestly.testing.motoserver import ACCESS_KEY, SECRET_KEY, boto_client, moto_server, reset
from tests.conftest import require_service

REGIONS = ["us-east-1", "eu-west-1"]
NO_WAIT = RetryPolicy(attempts=3, base_delay=0.0, max_delay=0.0, sleep=lambda _s: None)


@pytest.fixture(scope="session")
def moto_endpoint_session() -> Iterator[str]:
    require_service(
        "moto",
        importlib.util.find_spec("moto") is not None,
        "pip install 'moto[server]' (in the dev extras)",
    )
    with moto_server() as endpoint:
        yield endpoint


@pytest.fixture
def moto_endpoint(moto_endpoint_session: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """An empty emulated account; no stray AWS config from the machine."""
    for name in ("AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    reset(moto_endpoint_session)
    return moto_endpoint_session


@pytest.fixture
def aws(moto_endpoint: str) -> Callable[..., Any]:
    """`aws("s3", region)`: a boto3 client on the emulator, for seeding."""
    return lambda service, region="us-east-1": boto_client(moto_endpoint, service, region)


def aws_config(endpoint: str, **overrides: Any) -> AwsConfig:
    values: dict[str, Any] = {
        "access_key_id": ACCESS_KEY,
        "secret_access_key": SECRET_KEY,
        "regions": REGIONS,
        "endpoint_url": endpoint,
    }
    values.update(overrides)
    return AwsConfig.model_validate(values)


@pytest.fixture
def aws_ctx(moto_endpoint: str) -> Callable[..., CollectContext[AwsConfig]]:
    """`aws_ctx(**config overrides)`: a collect context on the emulator, retries not waiting."""

    def make(**overrides: Any) -> CollectContext[AwsConfig]:
        return CollectContext(
            config=aws_config(moto_endpoint, **overrides), timeout=10.0, retry_policy=NO_WAIT
        )

    return make


@pytest.fixture
def collect_service(
    aws_ctx: Callable[..., CollectContext[AwsConfig]],
) -> Callable[..., list[Record]]:
    """`collect_service(SERVICE)`: run one service module's collector on the emulator."""

    def run(service: Any, **overrides: Any) -> list[Record]:
        return list(service.collect(AwsClient(aws_ctx(**overrides))))

    return run
