from __future__ import annotations

import pytest

from attestly.checks.models import CheckResult
from attestly.core.demo import do_seed_demo
from attestly.integrations.models import CollectionRun, Connection

pytestmark = pytest.mark.django_db


def test_the_demo_connects_this_host_and_collects_it_once() -> None:
    login = do_seed_demo()
    connection = Connection.objects.get(workspace=login.workspace, name="this-host")
    assert connection.integration == "linux_host"
    run = CollectionRun.objects.get(connection=connection)
    assert run.evidence_items > 0
    assert CheckResult.objects.filter(
        workspace=login.workspace, check_id__startswith="linux_host_"
    ).exists()
    do_seed_demo()
    assert CollectionRun.objects.filter(connection=connection).count() == 1
