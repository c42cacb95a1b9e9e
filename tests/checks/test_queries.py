"""Reads of check results: counts computed once per workspace inside one page's block."""

from __future__ import annotations

from typing import Any

import pytest

from attestly.accounts.models import User
from attestly.checks.actions import do_run_checks
from attestly.checks.queries import control_check_status, counts_by_check, reusing_check_counts
from attestly.checks.registry import CheckRegistry
from attestly.checks.sources import MemorySource
from attestly.core.models import Workspace
from attestly.testing.factories import EvidenceFactory

pytestmark = pytest.mark.django_db


def test_counts_are_read_once_inside_the_block_and_afresh_outside(
    acme: Workspace,
    alice: User,
    demo_registry: CheckRegistry,
    django_assert_num_queries: Any,
    django_assert_max_num_queries: Any,
) -> None:
    source = MemorySource([EvidenceFactory(key="r1", data={"ok": False})])
    do_run_checks(actor=alice, workspace=acme, source=source, registry=demo_registry)
    with django_assert_max_num_queries(10) as once:
        counts_by_check(acme)
    queries = len(once.captured_queries)
    assert queries >= 1
    with django_assert_num_queries(2 * queries):  # outside a block, every call reads
        counts_by_check(acme)
        counts_by_check(acme)
    with reusing_check_counts():
        first = control_check_status(acme)
        with django_assert_num_queries(0):  # inside, read once per workspace
            assert control_check_status(acme) is first
            assert counts_by_check(acme)["demo_a"].failing == 1
