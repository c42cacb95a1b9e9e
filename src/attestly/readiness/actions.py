"""Adopting frameworks, setting their scope, declaring criteria not applicable, recording scores."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from attestly.controls.actions import adopt_library_controls
from attestly.core import audit
from attestly.core.models import Workspace
from attestly.frameworks.models import Category, Criterion, Framework
from attestly.readiness.models import CriterionExclusion, FrameworkAdoption, ReadinessSnapshot
from attestly.readiness.queries import Readiness, compute_readiness
from attestly.readiness.scoring import CriterionStatus, FrameworkScore

if TYPE_CHECKING:
    from attestly.accounts.models import User


def _resolve_categories(framework: Framework, slugs: Iterable[str]) -> list[Category]:
    wanted = set(slugs)
    found = {c.slug: c for c in framework.categories.all()}
    unknown = sorted(wanted - set(found))
    if unknown:
        raise ValidationError(
            {
                "categories": f"Unknown {framework.slug} categories: "
                f"{', '.join(unknown)}. Known: {', '.join(found)}."
            }
        )
    # Categories that are always in scope (SOC 2 security) cannot be left out. A framework
    # with none marked so (ISO, CSF, GDPR) takes all its categories when none are named.
    chosen = [c for c in found.values() if c.slug in wanted or c.always_in_scope]
    return chosen or list(found.values())


def do_adopt_framework(
    *,
    actor: User | None,
    workspace: Workspace,
    framework: Framework,
    categories: Iterable[str] | None = None,
) -> FrameworkAdoption:
    """Adopt a framework (or change its scope if already adopted).

    `categories` None keeps an existing adoption's scope (and takes the default scope for a
    new one); a list sets the scope to exactly those plus the always-in-scope ones.
    Library controls that meet in-scope criteria become workspace controls; ones the
    workspace already has are reused. Narrowing the scope keeps controls (they still count
    for other frameworks); retire them explicitly if they are no longer run.
    """
    if categories is None:
        current = FrameworkAdoption.objects.filter(workspace=workspace, framework=framework)
        categories = current.values_list("categories__slug", flat=True).exclude(
            categories__slug=None
        )
    chosen = _resolve_categories(framework, list(categories))
    with transaction.atomic():
        adoption, created = FrameworkAdoption.objects.get_or_create(
            workspace=workspace, framework=framework
        )
        before = None if created else sorted(c.slug for c in adoption.categories.all())
        adoption.categories.set(chosen)
        new, reused = adopt_library_controls(
            workspace=workspace, framework=framework, categories=chosen
        )
        audit.record(
            actor=actor,
            action="framework.adopt" if created else "framework.scope",
            obj=adoption,
            workspace=workspace,
            before={"categories": before},
            after={
                "categories": sorted(c.slug for c in chosen),
                "controls_created": new,
                "controls_reused": len(reused),
            },
        )
    return adoption


def do_exclude_criterion(
    *, actor: User | None, workspace: Workspace, criterion: Criterion, reason: str
) -> CriterionExclusion:
    """Declare a criterion not applicable (the DC 8 disclosure); it leaves the score."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {
                "reason": f"Say why {criterion.key} does not apply; the system "
                "description must disclose it."
            }
        )
    if not FrameworkAdoption.objects.filter(
        workspace=workspace, framework_id=criterion.framework_id
    ).exists():
        raise ValidationError(
            {"criterion": f"{workspace.slug} has not adopted {criterion.key.split(':')[0]}."}
        )
    with transaction.atomic():
        exclusion, created = CriterionExclusion.objects.get_or_create(
            workspace=workspace,
            criterion=criterion,
            defaults={"reason": reason, "created_by": actor},
        )
        before = None if created else {"reason": exclusion.reason}
        if not created:
            exclusion.reason = reason
            exclusion.save(update_fields=["reason"])
        audit.record(
            actor=actor,
            action="criterion.exclude",
            obj=exclusion,
            workspace=workspace,
            before=before,
            after={"criterion": criterion.key, "reason": reason},
        )
    return exclusion


def do_include_criterion(*, actor: User | None, exclusion: CriterionExclusion) -> None:
    """Withdraw a not-applicable declaration: the criterion counts again."""
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="criterion.include",
            obj=exclusion,
            workspace=exclusion.workspace,
            before={"criterion": exclusion.criterion.key, "reason": exclusion.reason},
        )
        exclusion.delete()


def _snapshot_fields(score: FrameworkScore) -> dict[str, object]:
    return {
        "score": score.percent,
        "met": score.counts[CriterionStatus.MET],
        "partly_met": score.counts[CriterionStatus.PARTLY_MET],
        "not_met": score.counts[CriterionStatus.NOT_MET],
        "not_applicable": score.counts[CriterionStatus.NOT_APPLICABLE],
        "categories": {
            c.slug: None if c.score is None else round(100 * c.score, 1) for c in score.categories
        },
        "criteria": {
            c.key: [c.status.value, None if c.score is None else round(c.score, 4)]
            for c in score.criteria
        },
    }


def do_record_readiness(
    *,
    actor: User | None,
    workspace: Workspace,
    framework: Framework,
    score: FrameworkScore,
    on: dt.date | None = None,
) -> tuple[ReadinessSnapshot, bool]:
    """Keep the day's score: create the day's snapshot, or update it if the score moved.

    Returns (snapshot, written). Nothing is written (or audited) when nothing changed.
    """
    day = on or timezone.localdate()
    fields = _snapshot_fields(score)
    with transaction.atomic():
        current = (
            ReadinessSnapshot.objects.select_for_update()
            .filter(workspace=workspace, framework=framework, date=day)
            .first()
        )
        if current is not None and all(getattr(current, k) == v for k, v in fields.items()):
            return current, False
        before = None if current is None else {"score": current.score}
        snap, _ = ReadinessSnapshot.objects.update_or_create(
            workspace=workspace, framework=framework, date=day, defaults=fields
        )
        audit.record(
            actor=actor,
            action="readiness.record",
            obj=snap,
            workspace=workspace,
            before=before,
            after={"framework": framework.slug, "date": day.isoformat(), "score": fields["score"]},
        )
    return snap, True


def do_refresh_readiness(*, actor: User | None, adoption: FrameworkAdoption) -> Readiness:
    """Compute a framework's readiness now and keep it as the day's snapshot."""
    readiness = compute_readiness(adoption)
    do_record_readiness(
        actor=actor,
        workspace=adoption.workspace,
        framework=adoption.framework,
        score=readiness.score,
    )
    return readiness


def do_record_all_readiness(*, actor: User | None = None) -> int:
    """Keep today's score of every adopted framework in every workspace; returns how many moved.

    `attestly serve` runs this every hour and `attestly readiness --record` on demand, so a
    day has its snapshot even when nobody opens the readiness page.
    """
    written = 0
    for adoption in FrameworkAdoption.objects.select_related("workspace", "framework"):
        readiness = compute_readiness(adoption)
        _snap, moved = do_record_readiness(
            actor=actor,
            workspace=adoption.workspace,
            framework=adoption.framework,
            score=readiness.score,
        )
        written += int(moved)
    return written
