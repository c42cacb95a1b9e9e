from __future__ import annotations

import datetime as dt
import json
from typing import Any

import httpx
import pytest
from django.utils import timezone

from attestly.core.models import Workspace
from attestly.integrations.base import TestStatus
from attestly.integrations.models import CollectionRun, Connection
from attestly.integrations.tasks import dispatch_due, test_connection
from attestly.testing.factories import make_connection
from tests.integrations.sample.server import SampleServer

pytestmark = pytest.mark.django_db


def test_a_working_connection_tests_ok(sample_connection: Connection) -> None:
    result = test_connection(sample_connection)
    assert (result.status, result.message) == (TestStatus.OK, "connected as robot")


def test_a_missing_permission_is_named(
    sample_connection: Connection, sample_server: SampleServer
) -> None:
    sample_server.scopes = ["users:read"]
    result = test_connection(sample_connection)
    assert result.status == TestStatus.MISSING_PERMISSION
    assert result.missing_permissions == ("repos:read",)
    assert result.message == "the token of robot lacks repos:read"


def test_wrong_credentials_and_unreachable_endpoints_are_told_apart(
    sample_connection: Connection, sample_server: SampleServer
) -> None:
    sample_server.token = "rotated-elsewhere"
    result = test_connection(sample_connection)
    assert (result.status, result.message) == (
        TestStatus.BAD_CREDENTIALS,
        "GET /me answered 401: the credentials were refused",
    )
    sample_server.url = sample_connection.config["url"]
    from attestly.integrations.actions import do_update_connection

    do_update_connection(
        actor=None, connection=sample_connection, config={"url": "http://127.0.0.1:9"}
    )
    result = test_connection(sample_connection)
    assert result.status == TestStatus.UNREACHABLE
    assert result.message.startswith("GET /me: cannot connect")


def test_an_injected_transport_replaces_the_network(acme: Workspace, sample_installed: Any) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        assert request.headers["Authorization"] == "Bearer tok-123456"
        return httpx.Response(200, content=json.dumps({"login": "mock", "scopes": []}))

    connection = make_connection(
        acme, config={"url": "http://sample.invalid", "token": "tok-123456"}
    )
    result = test_connection(connection, transport=httpx.MockTransport(answer))
    assert result.status == TestStatus.MISSING_PERMISSION
    assert result.missing_permissions == ("users:read", "repos:read")


def test_due_connections_are_claimed_once_and_run(
    sample_connection: Connection, options: Any
) -> None:
    submitted: list[int] = []
    now = timezone.now() + dt.timedelta(seconds=1)
    started = dispatch_due(now, submit=submitted.append)
    assert started == submitted
    assert CollectionRun.objects.get(pk=started[0]).trigger == "schedule"
    assert dispatch_due(now, submit=submitted.append) == []  # next run moved an hour on
    sample_connection.refresh_from_db()
    assert sample_connection.next_run_at == now + dt.timedelta(hours=1)


def test_disabled_connections_are_not_scheduled(acme: Workspace, sample_installed: Any) -> None:
    make_connection(acme, config={"url": "http://x.invalid", "token": "t"}, enabled=False)
    assert dispatch_due(timezone.now() + dt.timedelta(days=1), submit=lambda _r: None) == []


def test_a_run_cut_off_by_a_crash_is_resumed_without_duplicate_evidence(
    sample_connection: Connection, options: Any
) -> None:
    from attestly.evidence.models import EvidenceItem
    from attestly.integrations.actions import do_start_collection_run
    from attestly.integrations.collection import execute_run
    from attestly.integrations.tasks import resume_interrupted

    run = do_start_collection_run(actor=None, connection=sample_connection)
    execute_run(run.pk, options)
    CollectionRun.objects.filter(pk=run.pk).update(status="running")  # died before closing
    resumed: list[int] = []
    assert resume_interrupted(submit=resumed.append) == [run.pk]
    execute_run(resumed[0], options)
    assert CollectionRun.objects.get(pk=run.pk).status == "succeeded"
    assert EvidenceItem.objects.filter(workspace=sample_connection.workspace).count() == 5
