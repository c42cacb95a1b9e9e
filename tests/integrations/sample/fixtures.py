"""Fixtures of the sample integration: installed for a test, its local HTTP server, a
connection. Imported by tests/integrations/conftest.py and by CLI tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from attestly.core.models import Workspace
from attestly.integrations.collection import RunOptions
from attestly.integrations.models import Connection
from attestly.integrations.retry import RetryPolicy
from attestly.testing.factories import make_connection
from attestly.testing.integrations import installed_integrations
from tests.integrations.sample import integration as sample
from tests.integrations.sample.server import SampleServer, start

NO_WAIT = RetryPolicy(attempts=4, sleep=lambda _s: None)


@pytest.fixture
def sample_installed() -> Iterator[Any]:
    with installed_integrations(
        sample.integration, checks={"sample": "tests.integrations.sample.checks"}
    ) as registries:
        yield registries


@pytest.fixture
def sample_server() -> Iterator[SampleServer]:
    state = SampleServer()
    server = start(state)
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def options() -> RunOptions:
    return RunOptions(retry_policy=NO_WAIT, request_timeout=5.0)


@pytest.fixture
def sample_connection(
    acme: Workspace, sample_installed: Any, sample_server: SampleServer
) -> Connection:
    return make_connection(
        acme, config={"url": sample_server.url, "token": sample_server.token, "org": "acme"}
    )
