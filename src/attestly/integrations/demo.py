"""Demo content of the integrations: the host Attestly runs on, connected and collected once."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from attestly.integrations.actions import do_create_connection
from attestly.integrations.models import Connection
from attestly.integrations.registry import get_registry
from attestly.integrations.tasks import collect_connection

if TYPE_CHECKING:
    from attestly.accounts.models import User
    from attestly.core.models import Workspace

DEMO_CONNECTION = "this-host"
DEMO_INTEGRATION = "linux_host"
log = logging.getLogger(__name__)


def seed_demo_connections(*, workspace: Workspace, actor: User | None) -> Connection | None:
    """Connect the local host (once) and collect it, so the dashboard shows real results.
    Seeding again changes nothing; the scheduler of `attestly demo` keeps it fresh."""
    registry = get_registry()
    if DEMO_INTEGRATION not in registry:
        return None
    existing = Connection.objects.filter(workspace=workspace, name=DEMO_CONNECTION).first()
    if existing is not None:
        return existing
    connection = do_create_connection(
        actor=actor,
        workspace=workspace,
        integration=DEMO_INTEGRATION,
        name=DEMO_CONNECTION,
        config={},
        registry=registry,
    )
    run = collect_connection(connection.pk, actor_id=actor.pk if actor else None)
    log.info("demo host collected: %s", run.status)
    return connection
