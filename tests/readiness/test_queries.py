"""Later inputs (checks, evidence freshness, tasks) plug in as control signals."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

import pytest

from attestly.controls.models import Control
from attestly.core.models import Workspace
from attestly.readiness.queries import (
    compute_readiness,
    register_signal_provider,
    unregister_signal_provider,
)
from attestly.readiness.scoring import ControlSignal, SignalEffect
from attestly.testing.factories import (
    ControlFactory,
    ControlMappingFactory,
    FrameworkAdoptionFactory,
    criterion,
)

pytestmark = pytest.mark.django_db


def failing_check(
    workspace: Workspace, controls: Sequence[Control]
) -> Mapping[int, Sequence[ControlSignal]]:
    return {
        c.pk: [ControlSignal("check", SignalEffect.FAIL, "MFA off for 3 users")]
        for c in controls
        if c.ref == "MFA-01"
    }


@pytest.fixture
def check_provider() -> Iterator[None]:
    register_signal_provider(failing_check)
    yield
    unregister_signal_provider(failing_check)


def test_a_failing_check_makes_the_control_and_its_criteria_not_met(
    acme: Workspace, check_provider: None
) -> None:
    adoption = FrameworkAdoptionFactory(workspace=acme)
    mfa = ControlFactory(workspace=acme, ref="MFA-01", status="implemented")
    other = ControlFactory(workspace=acme, ref="SSO-01", status="implemented")
    for control in (mfa, other):
        ControlMappingFactory(control=control, criterion=criterion("soc2:CC6.1"))
    ControlMappingFactory(control=other, criterion=criterion("soc2:CC6.2"))
    score = compute_readiness(adoption).score
    cc61 = score.criterion("CC6.1")
    assert cc61.status == "not_met"
    assert cc61.controls == {"MFA-01": "failing", "SSO-01": "implemented"}
    assert cc61.reasons == ("MFA-01: check: MFA off for 3 users",)
    assert score.criterion("CC6.2").status == "met"


def test_without_providers_status_alone_decides(acme: Workspace) -> None:
    adoption = FrameworkAdoptionFactory(workspace=acme)
    ControlMappingFactory(
        control=ControlFactory(workspace=acme, ref="MFA-01", status="implemented"),
        criterion=criterion("soc2:CC6.1"),
    )
    assert compute_readiness(adoption).score.criterion("CC6.1").status == "met"


def test_retired_controls_and_other_frameworks_criteria_leave_the_score(acme: Workspace) -> None:
    adoption = FrameworkAdoptionFactory(workspace=acme)
    retired = ControlFactory(workspace=acme, status="not_started")
    retired.retired_at = retired.created_at
    retired.save()
    ControlMappingFactory(control=retired, criterion=criterion("soc2:CC6.1"))
    ControlMappingFactory(
        control=ControlFactory(workspace=acme, status="implemented"),
        criterion=criterion("soc2:CC6.1"),
    )
    readiness = compute_readiness(adoption)
    assert readiness.score.criterion("CC6.1").status == "met"
    assert {c.framework.slug for c in readiness.criteria} == {"soc2"}
    assert {c.category.slug for c in readiness.criteria} == {"security"}


def test_readiness_queries_stay_constant(
    acme: Workspace, django_assert_max_num_queries: object
) -> None:
    adoption = FrameworkAdoptionFactory(workspace=acme)
    for i in range(40):
        ControlMappingFactory(
            control=ControlFactory(workspace=acme), criterion=criterion(f"soc2:CC{1 + i % 9}.1")
        )
    # 6 for the rule's inputs, 3 for the automated-check signals; none grow with the data.
    with django_assert_max_num_queries(9):  # type: ignore[operator]
        compute_readiness(adoption)
