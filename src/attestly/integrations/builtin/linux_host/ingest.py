"""Recording an agent's host report on the server: one collection run, judged like any other."""

from __future__ import annotations

from typing import TYPE_CHECKING

from attestly.checks.registry import get_registry as get_check_registry
from attestly.evidence.actions import EvidenceInput, do_record_evidence_batch
from attestly.evidence.models import Source
from attestly.integrations.actions import (
    do_create_connection,
    do_finish_collection_run,
    do_start_collection_run,
)
from attestly.integrations.base import CollectorError, Record
from attestly.integrations.builtin.linux_host.collectors import COLLECTORS
from attestly.integrations.builtin.linux_host.schemas import KIND_PREFIX
from attestly.integrations.collection import CollectorOutcome, describe_error
from attestly.integrations.collection import evaluate_connection_checks as judge
from attestly.integrations.models import CollectionRun, Connection, RunStatus
from attestly.integrations.registry import get_registry

if TYPE_CHECKING:
    from attestly.accounts.models import User
    from attestly.core.models import Workspace


def agent_connection(*, actor: User | None, workspace: Workspace, host: str) -> Connection:
    """The connection `agent:<host>`, made on the host's first report (never scheduled)."""
    name = f"agent:{host}"[:100]
    found = Connection.objects.filter(workspace=workspace, name=name).first()
    if found is not None:
        return found
    return do_create_connection(
        actor=actor,
        workspace=workspace,
        integration="linux_host",
        name=name,
        config={"host_name": host, "agent": True},
        enabled=False,
    )


def do_record_host_report(
    *,
    actor: User | None,
    workspace: Workspace,
    host: str,
    records: list[Record],
    errors: dict[str, CollectorError],
) -> CollectionRun:
    """Store each facet of a parsed report as its own batch, judge, and close the run."""
    connection = agent_connection(actor=actor, workspace=workspace, host=host)
    run = do_start_collection_run(actor=actor, connection=connection, trigger="agent")
    by_kind = {r.kind: r for r in records}
    outcomes = []
    for facet in COLLECTORS:
        outcome = CollectorOutcome(facet)
        reported = by_kind.get(f"{KIND_PREFIX}.{facet}")
        if facet in errors:
            outcome.error = errors[facet]
        elif reported is None:
            outcome.error = CollectorError(f"{facet}: missing from the agent's report")
        else:
            outcome.records = [reported]
            result = do_record_evidence_batch(
                actor=actor,
                workspace=workspace,
                source=Source.CONNECTION,
                batch_key=f"connection:{connection.pk}:run:{run.pk}:{facet}",
                source_ref=f"connection:{connection.pk}",
                items=[EvidenceInput(kind=reported.kind, resource_key=host, content=reported.data)],
            )
            outcome.stored = result.item_count
        outcomes.append(outcome)
    integration = get_registry().get("linux_host")
    check_run_id, results = judge(run, integration, outcomes, get_check_registry(), actor)
    failed = {o.name: describe_error(o.error) for o in outcomes if o.error is not None}
    status = RunStatus.PARTIAL if failed else RunStatus.SUCCEEDED
    return do_finish_collection_run(
        actor=actor,
        run=run,
        status=RunStatus.FAILED if len(failed) == len(outcomes) else status,
        fields={
            "resources": len(records),
            "evidence_items": sum(o.stored for o in outcomes),
            "results": results,
            "collectors": {o.name: o.report() for o in outcomes},
            "errors": failed,
            "batch_key": f"connection:{connection.pk}:run:{run.pk}",
            "check_run_id": check_run_id,
        },
        next_run_at=None,
    )
