"""The Linux host declaration: its connection test and an agent-fed connection."""

from __future__ import annotations

import pytest

from attestly.integrations.base import CollectContext, CollectorError
from attestly.integrations.builtin.linux_host.integration import (
    NEEDS_ROOT,
    LinuxHostConfig,
    integration,
)


def test_the_connection_test_names_the_release_and_the_privilege() -> None:
    outcome = integration.test_connection(CollectContext(config=LinuxHostConfig()))
    assert outcome.ok
    assert ": collecting as root" in outcome.message  # the tests run as root in CI


def test_every_facet_is_a_collector_of_its_own_kind() -> None:
    assert [c.kinds for c in integration.collectors] == [
        (f"linux_host.{c.name}",) for c in integration.collectors
    ]
    assert set(NEEDS_ROOT) <= {c.name for c in integration.collectors}


def test_an_agent_fed_connection_does_not_collect_on_the_server() -> None:
    config = LinuxHostConfig(host_name="web-1", agent=True)
    with pytest.raises(CollectorError, match=r"web-1 reports through `attestly agent`"):
        list(integration.collectors[0].collect(CollectContext(config=config)))
