from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from attestly.accounts.models import User
from attestly.controls.actions import do_update_control
from attestly.controls.models import Control, ControlMapping
from attestly.core.models import AuditEntry, Workspace
from attestly.frameworks.models import Framework, LibraryControl
from attestly.readiness.actions import (
    do_adopt_framework,
    do_exclude_criterion,
    do_include_criterion,
    do_record_readiness,
    do_refresh_readiness,
)
from attestly.readiness.models import CriterionExclusion, ReadinessSnapshot
from attestly.testing.factories import FrameworkAdoptionFactory, criterion

pytestmark = pytest.mark.django_db


def _fw(slug: str) -> Framework:
    return Framework.objects.get(slug=slug)


def test_adopting_soc2_creates_a_control_per_library_control_meeting_scoped_criteria(
    acme: Workspace, alice: User
) -> None:
    do_adopt_framework(actor=alice, workspace=acme, framework=_fw("soc2"), categories=["security"])
    expected = (
        LibraryControl.objects.filter(
            mappings__criterion__framework__slug="soc2",
            mappings__criterion__category__slug="security",
        )
        .distinct()
        .count()
    )
    assert Control.objects.filter(workspace=acme).count() == expected
    assert Control.objects.filter(workspace=acme, library_control__isnull=True).count() == 0


def test_adopted_controls_carry_every_library_mapping(acme: Workspace, alice: User) -> None:
    do_adopt_framework(actor=alice, workspace=acme, framework=_fw("soc2"), categories=["security"])
    control = Control.objects.get(workspace=acme, ref="GOV-01")
    library = LibraryControl.objects.get(ref="GOV-01")
    assert sorted(
        ControlMapping.objects.filter(control=control).values_list("criterion__key", "relationship")
    ) == sorted(library.mappings.values_list("criterion__key", "relationship"))


def test_adopting_iso_after_soc2_creates_no_duplicate_controls(
    acme: Workspace, alice: User
) -> None:
    soc2_scope = ["security", "availability", "confidentiality", "processing_integrity", "privacy"]
    do_adopt_framework(actor=alice, workspace=acme, framework=_fw("soc2"), categories=soc2_scope)
    after_soc2 = set(Control.objects.filter(workspace=acme).values_list("ref", flat=True))
    do_adopt_framework(actor=alice, workspace=acme, framework=_fw("iso27001"))
    refs = list(
        Control.objects.filter(workspace=acme).values_list("library_control__ref", flat=True)
    )
    assert len(refs) == len(set(refs))
    # Every library control meeting ISO also meets SOC 2, so ISO adds nothing new.
    assert set(refs) == after_soc2
    entry = AuditEntry.objects.filter(workspace=acme, action="framework.adopt").last()
    assert entry is not None
    assert entry.after["controls_created"] == []
    assert entry.after["controls_reused"] > 80


def test_adopting_iso_first_then_soc2_only_adds_the_missing_controls(
    acme: Workspace, alice: User
) -> None:
    do_adopt_framework(actor=alice, workspace=acme, framework=_fw("iso27001"))
    iso_refs = set(Control.objects.filter(workspace=acme).values_list("ref", flat=True))
    do_adopt_framework(actor=alice, workspace=acme, framework=_fw("soc2"), categories=["security"])
    refs = list(Control.objects.filter(workspace=acme).values_list("ref", flat=True))
    assert len(refs) == len(set(refs))
    soc2_security = set(
        LibraryControl.objects.filter(
            mappings__criterion__framework__slug="soc2",
            mappings__criterion__category__slug="security",
        ).values_list("ref", flat=True)
    )
    assert set(refs) == iso_refs | soc2_security


def test_widening_scope_adds_controls_and_one_audit_entry(acme: Workspace, alice: User) -> None:
    do_adopt_framework(actor=alice, workspace=acme, framework=_fw("soc2"))
    before = Control.objects.filter(workspace=acme).count()
    entries = AuditEntry.objects.filter(workspace=acme).count()
    do_adopt_framework(actor=alice, workspace=acme, framework=_fw("soc2"), categories=["privacy"])
    assert Control.objects.filter(workspace=acme).count() > before
    assert AuditEntry.objects.filter(workspace=acme).count() == entries + 1


def test_unknown_category_is_refused_and_nothing_is_adopted(acme: Workspace, alice: User) -> None:
    with pytest.raises(ValidationError, match="Unknown soc2 categories: nope"):
        do_adopt_framework(actor=alice, workspace=acme, framework=_fw("soc2"), categories=["nope"])
    assert Control.objects.filter(workspace=acme).count() == 0


def test_excluding_a_criterion_needs_a_reason(acme: Workspace, alice: User) -> None:
    FrameworkAdoptionFactory(workspace=acme, categories=["privacy"])
    with pytest.raises(ValidationError, match=r"Say why soc2:P3\.2"):
        do_exclude_criterion(
            actor=alice, workspace=acme, criterion=criterion("soc2:P3.2"), reason="  "
        )
    assert CriterionExclusion.objects.count() == 0


def test_excluding_a_criterion_of_a_framework_not_adopted_is_refused(
    acme: Workspace, alice: User
) -> None:
    with pytest.raises(ValidationError, match="has not adopted iso27001"):
        do_exclude_criterion(
            actor=alice, workspace=acme, criterion=criterion("iso27001:A.7.1"), reason="No offices"
        )


def test_excluded_criterion_leaves_the_score_and_comes_back(acme: Workspace, alice: User) -> None:
    adoption = FrameworkAdoptionFactory(workspace=acme)
    exclusion = do_exclude_criterion(
        actor=alice,
        workspace=acme,
        criterion=criterion("soc2:CC6.4"),
        reason="Fully remote; the cloud provider runs the sites.",
    )
    score = do_refresh_readiness(actor=None, adoption=adoption).score
    assert score.criterion("CC6.4").status == "not_applicable"
    assert score.counts["not_applicable"] == 1
    do_include_criterion(actor=alice, exclusion=exclusion)
    assert (
        do_refresh_readiness(actor=None, adoption=adoption).score.criterion("CC6.4").status
        == "not_met"
    )


def test_recording_readiness_keeps_one_snapshot_per_day_and_skips_unchanged(
    acme: Workspace, alice: User
) -> None:
    adoption = FrameworkAdoptionFactory(workspace=acme)
    score = do_refresh_readiness(actor=None, adoption=adoption).score
    day = dt.date(2026, 3, 1)
    _snap, written = do_record_readiness(
        actor=None, workspace=acme, framework=adoption.framework, score=score, on=day
    )
    assert written
    _snap, written = do_record_readiness(
        actor=None, workspace=acme, framework=adoption.framework, score=score, on=day
    )
    assert not written
    assert ReadinessSnapshot.objects.filter(workspace=acme, date=day).count() == 1


def test_readopting_without_categories_keeps_the_scope(acme: Workspace, alice: User) -> None:
    do_adopt_framework(actor=alice, workspace=acme, framework=_fw("soc2"), categories=["privacy"])
    adoption = do_adopt_framework(actor=alice, workspace=acme, framework=_fw("soc2"))
    assert sorted(adoption.categories.values_list("slug", flat=True)) == ["privacy", "security"]
    fresh = do_adopt_framework(actor=alice, workspace=acme, framework=_fw("gdpr"))
    assert list(fresh.categories.values_list("slug", flat=True)) == ["core"]


def test_a_control_implemented_for_soc2_counts_for_iso_too(acme: Workspace, alice: User) -> None:
    do_adopt_framework(actor=alice, workspace=acme, framework=_fw("soc2"))
    iso = do_adopt_framework(actor=alice, workspace=acme, framework=_fw("iso27001"))
    control = Control.objects.get(workspace=acme, ref="AC-01")
    iso_refs = set(
        control.mappings.filter(criterion__framework__slug="iso27001").values_list(
            "criterion__ref", flat=True
        )
    )
    before = do_refresh_readiness(actor=None, adoption=iso).score
    do_update_control(actor=alice, control=control, status="implemented")
    after = do_refresh_readiness(actor=None, adoption=iso).score
    raised = {
        a.key
        for a, b in zip(after.criteria, before.criteria, strict=True)
        if (a.score or 0) > (b.score or 0)
    }
    assert iso_refs
    assert raised == iso_refs


def test_record_all_readiness_keeps_one_snapshot_per_day_and_skips_unchanged(
    alice: User, acme: Workspace
) -> None:
    from attestly.readiness.actions import do_record_all_readiness
    from attestly.readiness.models import ReadinessSnapshot

    do_adopt_framework(actor=alice, workspace=acme, framework=Framework.objects.get(slug="soc2"))
    assert do_record_all_readiness() == 1
    assert do_record_all_readiness() == 0  # nothing moved: nothing written or audited
    assert ReadinessSnapshot.objects.filter(workspace=acme).count() == 1
