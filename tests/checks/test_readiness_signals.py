"""A failing automated check makes its control, and the criteria it meets, not met."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import transaction

from attestly.accounts.models import User
from attestly.checks.actions import do_import_findings
from attestly.controls.actions import do_update_control
from attestly.controls.models import Control
from attestly.core.models import Workspace
from attestly.frameworks.models import Framework
from attestly.readiness.actions import do_adopt_framework
from attestly.readiness.queries import compute_readiness
from attestly.readiness.scoring import ControlState, CriterionStatus

# Evidence batches are durable transactions of their own, so these tests commit for real.
pytestmark = pytest.mark.django_db(transaction=True)
PROWLER = (Path(__file__).parent / "fixtures" / "prowler-output.ocsf.json").read_bytes()


def _criteria_of(control: Control) -> set[str]:
    return set(
        control.mappings.filter(criterion__framework__slug="soc2").values_list(
            "criterion__ref", flat=True
        )
    )


def test_failing_check_turns_its_implemented_control_and_criteria_not_met(
    alice: User, acme: Workspace
) -> None:
    with transaction.atomic():
        soc2 = Framework.objects.get(slug="soc2")
        every_category = [c.slug for c in soc2.categories.all()]
        adoption = do_adopt_framework(
            actor=alice, workspace=acme, framework=soc2, categories=every_category
        )
        # Every control implemented: every criterion met before any check has run.
        for control in Control.objects.filter(workspace=acme):
            do_update_control(actor=alice, control=control, status="implemented")
    before = {s.key: s for s in compute_readiness(adoption).score.criteria}
    encryption = Control.objects.get(workspace=acme, ref="CRY-01")
    affected = _criteria_of(encryption)
    assert affected
    assert {before[k].status for k in affected} == {CriterionStatus.MET}

    # Prowler finds an unencrypted RDS instance; the shipped table maps that check to CRY-01.
    do_import_findings(actor=alice, workspace=acme, data=PROWLER, fmt="ocsf")

    after = {s.key: s for s in compute_readiness(adoption).score.criteria}
    for key in affected:
        assert after[key].status == CriterionStatus.NOT_MET
        assert after[key].controls["CRY-01"] == ControlState.FAILING
    assert any("rds_instance_storage_encrypted" in r for r in after[next(iter(affected))].reasons)
    # Criteria the failing controls do not meet stay met.
    failing_refs = {"CRY-01"} | {
        ref
        for s in after.values()
        for ref, state in s.controls.items()
        if state == ControlState.FAILING
    }
    untouched = [
        s
        for s in after.values()
        if not set(s.controls) & failing_refs and s.status != CriterionStatus.NOT_APPLICABLE
    ]
    assert untouched
    assert {s.status for s in untouched} == {CriterionStatus.MET}
