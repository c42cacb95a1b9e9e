"""Property-based API test: schemathesis drives every operation in /api/v1/schema/.

Runs in-process against the WSGI app with an owner's token on seeded data and asserts no 5xx
and that status codes and bodies conform to the schema. Bounded and derandomized so it is
reproducible in CI and takes well under a minute.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from attestly.accounts.models import User
from attestly.core.models import Workspace
from attestly.frameworks.models import Framework
from attestly.readiness.actions import do_adopt_framework
from attestly.testing.factories import make_token

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]
MAX_EXAMPLES = 10

# Operations not fuzzed ("METHOD /path" as in the schema), each with its reason. None today:
# schemathesis generates multipart bodies for the evidence uploads, and no endpoint starts
# background work (connection "run now" only marks the connection due for the scheduler).
EXCLUDED: dict[str, str] = {}


def _seed(alice: User, acme: Workspace) -> None:
    with transaction.atomic():
        do_adopt_framework(
            actor=alice, workspace=acme, framework=Framework.objects.get(slug="soc2")
        )


def test_every_operation_conforms_to_the_schema(
    alice: User, acme: Workspace, settings_: None
) -> None:
    _seed(alice, acme)
    _token, key = make_token(alice)
    headers = {"Authorization": f"Token {key}"}
    django_app = get_wsgi_application()

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        # A WSGI server closes every response, which is when Django closes the request's
        # uploaded temporary files; the in-process test client does not, so close here.
        response = django_app(environ, start_response)
        try:
            return list(response)
        finally:
            response.close()

    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", app, headers=headers)
    failures: list[str] = []
    tested = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        label = f"{operation.method.upper()} {operation.path}"
        if label in EXCLUDED:
            continue

        @given(case=operation.as_strategy())
        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def run(case: schemathesis.Case) -> None:
            case.call_and_validate(app=app, headers=headers, checks=CHECKS)

        tested += 1
        try:
            run()
        except (
            Exception,
            BaseExceptionGroup,
        ) as exc:  # collect every failing operation, not just the first
            failures.append(f"{label}: {exc}")
    assert tested > 50, f"only {tested} operations in the schema"
    assert not failures, "\n\n".join(failures)


@pytest.fixture
def settings_(settings: object) -> Iterator[None]:
    settings.ALLOWED_HOSTS = ["*"]  # type: ignore[attr-defined]
    # As Django's test client does: the handler would otherwise close the test transaction's
    # connection at the end of every request.
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    try:
        yield
    finally:
        for signal in (request_started, request_finished):
            signal.connect(close_old_connections)
