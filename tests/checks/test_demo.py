from __future__ import annotations

import pytest

from attestly.checks.models import CheckResult
from attestly.core.demo import do_seed_demo

pytestmark = pytest.mark.django_db


def test_demo_has_imported_scan_results_and_seeding_twice_adds_none() -> None:
    login = do_seed_demo()
    results = CheckResult.objects.filter(workspace=login.workspace)
    assert results.filter(check_id__startswith="prowler:", status="fail").count() == 4
    before = results.count()
    do_seed_demo()
    assert CheckResult.objects.filter(workspace=login.workspace).count() == before
