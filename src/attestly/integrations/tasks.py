"""Task bodies: plain functions taking ids, so the in-process scheduler and a Celery worker
run the same code (`celery_app.task(collect_connection)` is all a Celery setup needs)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from attestly.integrations.actions import do_claim_due_run, do_start_collection_run, load_config
from attestly.integrations.base import CollectContext, CollectorError, ConnectionTest, TestStatus
from attestly.integrations.collection import RunOptions, execute_run
from attestly.integrations.models import CollectionRun, Connection, RunStatus
from attestly.integrations.registry import IntegrationRegistry, get_registry
from attestly.integrations.secrets import SecretsError

log = logging.getLogger(__name__)


def collect_connection(
    connection_id: int,
    *,
    trigger: str = "manual",
    actor_id: int | None = None,
    options: RunOptions | None = None,
) -> CollectionRun:
    """Start a run of one connection now and carry it out."""
    from attestly.accounts.models import User

    connection = Connection.objects.select_related("workspace").get(pk=connection_id)
    actor = User.objects.filter(pk=actor_id).first() if actor_id is not None else None
    run = do_start_collection_run(actor=actor, connection=connection, trigger=trigger)
    return execute_run(run.pk, options)


def run_collection(run_id: int) -> int:
    """Carry out a run started earlier (what a queue worker receives). Returns the run id."""
    return execute_run(run_id).pk


def dispatch_due(
    now: dt.datetime | None = None, submit: Callable[[int], Any] = run_collection
) -> list[int]:
    """Start a run for every enabled connection whose next run is due; hand each run id to
    `submit`. A connection is claimed first, so two schedulers never start the same run."""
    now = now or timezone.now()
    started = []
    due = Connection.objects.filter(enabled=True, next_run_at__lte=now).select_related("workspace")
    for connection in due.order_by("next_run_at"):
        if not do_claim_due_run(connection=connection, now=now):
            continue
        run = do_start_collection_run(actor=None, connection=connection, trigger="schedule")
        started.append(run.pk)
        submit(run.pk)
    return started


def resume_interrupted(submit: Callable[[int], Any] = run_collection) -> list[int]:
    """Hand every run still marked running to `submit` again: in the embedded shape only one
    process runs collections, so at its start such runs were cut off by a crash or a kill.
    Re-running one is safe: its evidence batches have deterministic keys."""
    interrupted = list(
        CollectionRun.objects.filter(status=RunStatus.RUNNING, connection__isnull=False)
        .order_by("started_at")
        .values_list("pk", flat=True)
    )
    for run_id in interrupted:
        submit(run_id)
    return interrupted


def test_connection(
    connection: Connection,
    *,
    transport: Any = None,
    timeout: float = 15.0,
    registry: IntegrationRegistry | None = None,
) -> ConnectionTest:
    """Ask the integration whether the connection works; says exactly what is wrong."""
    try:
        integration = (registry or get_registry()).get(connection.integration)
    except KeyError as exc:
        return ConnectionTest(TestStatus.INVALID_CONFIG, str(exc.args[0]))
    try:
        config = load_config(connection, integration)
    except SecretsError as exc:
        return ConnectionTest(TestStatus.INVALID_CONFIG, f"secrets: {exc}")
    except ValidationError as exc:
        return ConnectionTest(TestStatus.INVALID_CONFIG, "; ".join(exc.messages))
    ctx = CollectContext(config=config, timeout=timeout, transport=transport)
    try:
        return integration.test_connection(ctx)
    except CollectorError as exc:
        return ConnectionTest.from_error(exc)
    except Exception as exc:  # a bug in the integration: say so rather than crash the page
        log.exception("test connection of %s raised", connection.name)
        return ConnectionTest(TestStatus.ERROR, f"{type(exc).__name__}: {exc}")


test_connection.__test__ = False  # type: ignore[attr-defined]  # not a pytest test
