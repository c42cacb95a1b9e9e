"""Recording an agent's host report on the server: one collection run, judged like any other."""

from __future__ import annotations

from typing import TYPE_CHECKING

from attestly.integrations.actions import do_create_connection, do_start_collection_run
from attestly.integrations.base import CollectorError, Record
from attestly.integrations.builtin.linux_host.collectors import COLLECTORS
from attestly.integrations.builtin.linux_host.schemas import KIND_PREFIX
from attestly.integrations.collection import CollectorOutcome, record_outcomes
from attestly.integrations.models import CollectionRun, Connection
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
        outcomes.append(outcome)
    return record_outcomes(run, get_registry().get("linux_host"), outcomes)
