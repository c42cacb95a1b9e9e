"""The readiness rule on plain inputs: no database."""

from __future__ import annotations

from attestly.readiness.scoring import (
    ControlInput,
    ControlSignal,
    ControlState,
    CriterionInput,
    CriterionStatus,
    SignalEffect,
    control_state,
    score_criterion,
    score_framework,
)

FAILING_CHECK = ControlSignal("check", SignalEffect.FAIL, "2 of 14 buckets unencrypted")
STALE_EVIDENCE = ControlSignal("evidence", SignalEffect.DEGRADE, "last upload 400 days ago")


def _controls(**statuses: str) -> dict[str, ControlInput]:
    return {k: ControlInput(k, v) for k, v in statuses.items()}


def test_control_states_follow_status() -> None:
    assert control_state(ControlInput("a", "implemented")) == ControlState.IMPLEMENTED
    assert control_state(ControlInput("a", "in_progress")) == ControlState.PARTIAL
    assert control_state(ControlInput("a", "not_started")) == ControlState.NOT_IMPLEMENTED
    assert control_state(ControlInput("a", "not_applicable")) == ControlState.EXCLUDED
    assert control_state(ControlInput("a", "implemented", retired=True)) == ControlState.EXCLUDED


def test_a_failing_signal_makes_an_implemented_control_failing() -> None:
    assert (
        control_state(ControlInput("a", "implemented", signals=(FAILING_CHECK,)))
        == ControlState.FAILING
    )


def test_a_degrading_signal_caps_an_implemented_control_at_partial() -> None:
    assert (
        control_state(ControlInput("a", "implemented", signals=(STALE_EVIDENCE,)))
        == ControlState.PARTIAL
    )
    assert (
        control_state(ControlInput("a", "not_started", signals=(STALE_EVIDENCE,)))
        == ControlState.NOT_IMPLEMENTED
    )


def test_criterion_met_only_when_every_applicable_control_is_implemented() -> None:
    controls = _controls(a="implemented", b="implemented", c="not_applicable")
    result = score_criterion(CriterionInput("CC6.1", "security", ("a", "b", "c")), controls)
    assert result.status == CriterionStatus.MET
    assert result.score == 1.0


def test_criterion_partly_met_scores_the_mean_credit() -> None:
    controls = _controls(a="implemented", b="in_progress", c="not_started", d="not_started")
    result = score_criterion(CriterionInput("CC6.1", "security", ("a", "b", "c", "d")), controls)
    assert result.status == CriterionStatus.PARTLY_MET
    assert result.score == (1 + 0.5 + 0 + 0) / 4


def test_criterion_without_applicable_controls_is_not_met() -> None:
    result = score_criterion(
        CriterionInput("CC9.1", "security", ("a",)), _controls(a="not_applicable")
    )
    assert result.status == CriterionStatus.NOT_MET
    assert result.score == 0.0
    assert result.reasons == ("no applicable control meets it",)


def test_one_failing_control_makes_the_criterion_not_met_and_says_why() -> None:
    controls = {
        "a": ControlInput("a", "implemented", signals=(FAILING_CHECK,)),
        "b": ControlInput("b", "implemented"),
    }
    result = score_criterion(CriterionInput("CC6.1", "security", ("a", "b")), controls)
    assert result.status == CriterionStatus.NOT_MET
    assert result.score == 0.0
    assert result.reasons == ("a: check: 2 of 14 buckets unencrypted",)


def test_not_applicable_criterion_has_no_score() -> None:
    result = score_criterion(
        CriterionInput("P3.2", "privacy", ("a",), not_applicable=True), _controls(a="implemented")
    )
    assert result.status == CriterionStatus.NOT_APPLICABLE
    assert result.score is None


def test_framework_and_category_scores_are_means_over_applicable_criteria() -> None:
    controls = _controls(a="implemented", b="not_started", c="in_progress")
    criteria = [
        CriterionInput("CC1.1", "security", ("a",)),  # 1.0
        CriterionInput("CC1.2", "security", ("b",)),  # 0.0
        CriterionInput("A1.1", "availability", ("c",)),  # 0.5
        CriterionInput("A1.2", "availability", ("a",), not_applicable=True),
    ]
    result = score_framework(criteria, controls, ["security", "availability"])
    assert result.score == 0.5
    assert result.percent == 50.0
    assert [(c.slug, c.score) for c in result.categories] == [
        ("security", 0.5),
        ("availability", 0.5),
    ]
    assert result.counts == {
        CriterionStatus.MET: 1,
        CriterionStatus.PARTLY_MET: 1,
        CriterionStatus.NOT_MET: 1,
        CriterionStatus.NOT_APPLICABLE: 1,
    }


def test_implementing_a_control_raises_exactly_the_criteria_it_maps_to() -> None:
    criteria = [
        CriterionInput("X", "security", ("a", "b")),
        CriterionInput("Y", "security", ("b",)),
        CriterionInput("Z", "security", ("c",)),
    ]
    before = score_framework(criteria, _controls(a="in_progress", b="not_started", c="not_started"))
    after = score_framework(criteria, _controls(a="implemented", b="not_started", c="not_started"))
    raised = {
        a.key
        for a, b in zip(after.criteria, before.criteria, strict=True)
        if (a.score or 0) > (b.score or 0)
    }
    assert raised == {"X"}


def test_empty_framework_scores_zero_percent() -> None:
    result = score_framework([], {})
    assert result.score is None
    assert result.percent == 0.0
