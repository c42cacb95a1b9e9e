"""Writes of the check engine. Each is one transaction with one audit entry."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from attestly.checks.engine import evaluate_all, evaluate_check
from attestly.checks.intervals import IntervalChanges, apply_outcomes
from attestly.checks.mapping import validate_targets
from attestly.checks.models import CheckException, CheckMapping, CheckResult, CheckRun, RunKind
from attestly.checks.registry import Check, CheckRegistry, get_registry
from attestly.checks.sources import EvidenceSource, LedgerSource
from attestly.checks.types import Context, Evidence, Outcome, Status
from attestly.core import audit
from attestly.core.models import Membership, Workspace
from attestly.frameworks.catalog.loader import shipped_catalog

if TYPE_CHECKING:
    from attestly.accounts.models import User


def _run_summary(run: CheckRun, changes: IntervalChanges) -> dict[str, object]:
    return {
        "counts": changes.counts,
        "opened": changes.opened,
        "extended": changes.extended,
        "closed": changes.closed,
        "evaluated_at": run.evaluated_at.isoformat(),
    }


def do_run_checks(
    *,
    actor: User | None,
    workspace: Workspace,
    check_ids: Iterable[str] = (),
    now: dt.datetime | None = None,
    source: EvidenceSource | None = None,
    registry: CheckRegistry | None = None,
) -> CheckRun:
    """Evaluate scheduled checks (all, or `check_ids`) over the workspace's current evidence
    and store the outcomes as intervals with today's roll-ups."""
    registry = registry or get_registry()
    wanted = list(check_ids)
    checks: list[Check] = (
        [registry.get(c) for c in wanted] if wanted else [c for c in registry if c.scheduled]
    )
    now = now or timezone.now()
    source = source or LedgerSource()
    kinds = sorted({k for c in checks for k in c.meta.kinds})
    items = source.current(workspace, kinds)
    evaluations = evaluate_all(checks, items, Context(now=now))
    outcomes = [o for e in evaluations for o in e.outcomes()]
    with transaction.atomic():
        changes = apply_outcomes(
            workspace, outcomes, {c.id for c in checks}, now, {}, registry=registry
        )
        run = CheckRun.objects.create(
            workspace=workspace,
            kind=RunKind.RUN,
            evaluated_at=now,
            finished_at=timezone.now(),
            actor=actor,
            counts=changes.counts,
        )
        audit.record(
            actor=actor,
            action="checks.run",
            obj=run,
            workspace=workspace,
            after={**_run_summary(run, changes), "checks": sorted(c.id for c in checks)},
        )
    return run


def do_record_imported_results(
    *,
    actor: User | None,
    workspace: Workspace,
    outcomes: list[Outcome],
    evaluators: dict[str, str],
    now: dt.datetime,
    source_ref: str,
    extra_criteria: dict[str, set[str]],
) -> CheckRun:
    """Store the verdicts of an import. Runs inside the import's transaction."""
    with transaction.atomic():
        changes = apply_outcomes(
            workspace, outcomes, {o.check_id for o in outcomes}, now, evaluators, extra_criteria
        )
        run = CheckRun.objects.create(
            workspace=workspace,
            kind=RunKind.IMPORT,
            evaluated_at=now,
            finished_at=timezone.now(),
            actor=actor,
            source_ref=source_ref[:300],
            counts=changes.counts,
        )
        audit.record(
            actor=actor,
            action="checks.import_results",
            obj=run,
            workspace=workspace,
            after={**_run_summary(run, changes), "source": source_ref[:300]},
        )
    return run


def do_grant_exception(
    *,
    actor: User,
    workspace: Workspace,
    check_id: str,
    resource_key: str,
    reason: str,
    approver: User,
    expires_on: dt.date,
) -> CheckException:
    """Accept a failing resource until `expires_on` (inclusive)."""
    errors: dict[str, str] = {}
    if not reason.strip():
        errors["reason"] = "Say why the failure is accepted."
    if expires_on < timezone.now().date():
        errors["expires_on"] = "The expiry date is in the past."
    if not Membership.objects.filter(workspace=workspace, user=approver).exists():
        errors["approver"] = "The approver must be a member of the workspace."
    if not CheckResult.objects.filter(
        workspace=workspace, check_id=check_id, resource_key=resource_key
    ).exists():
        errors["resource_key"] = f"No result of {check_id} for {resource_key!r} in this workspace."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        exception = CheckException.objects.create(
            workspace=workspace,
            check_id=check_id,
            resource_key=resource_key,
            reason=reason.strip(),
            approver=approver,
            expires_on=expires_on,
            created_by=actor,
        )
        audit.record(
            actor=actor,
            action="checks.exception.grant",
            obj=exception,
            workspace=workspace,
            after={
                "check_id": check_id,
                "resource_key": resource_key,
                "reason": exception.reason,
                "approver": approver.get_username(),
                "expires_on": expires_on.isoformat(),
            },
        )
    return exception


def do_revoke_exception(*, actor: User, exception: CheckException) -> CheckException:
    """End an exception now; the resource shows as failing again."""
    if exception.revoked_at is not None:
        raise ValidationError({"detail": "The exception is already revoked."})
    with transaction.atomic():
        exception.revoked_at = timezone.now()
        exception.save(update_fields=["revoked_at"])
        audit.record(
            actor=actor,
            action="checks.exception.revoke",
            obj=exception,
            workspace=exception.workspace,
            before={"revoked_at": None},
            after={"revoked_at": exception.revoked_at.isoformat()},
        )
    return exception


def do_set_check_mapping(
    *,
    actor: User | None,
    workspace: Workspace,
    check_id: str,
    controls: list[str],
    criteria: list[str] | None = None,
) -> CheckMapping:
    """Map an imported check id to library controls (and criteria) in one workspace."""
    criteria = criteria or []
    if not check_id.strip() or len(check_id) > 200:
        raise ValidationError({"check_id": "Give the imported check id, e.g. prowler:iam_x."})
    if check_id in get_registry():
        raise ValidationError({"check_id": "A registered check's mapping lives in its YAML."})
    problems = validate_targets(controls, criteria, shipped_catalog())
    if problems:
        raise ValidationError({"controls": problems})
    if not controls and not criteria:
        raise ValidationError({"controls": "Map to at least one control or criterion."})
    with transaction.atomic():
        mapping = CheckMapping.objects.filter(workspace=workspace, check_id=check_id).first()
        before = (
            None
            if mapping is None
            else {"controls": mapping.controls, "criteria": mapping.criteria}
        )
        if mapping is None:
            mapping = CheckMapping(workspace=workspace, check_id=check_id)
        mapping.controls = sorted(set(controls))
        mapping.criteria = sorted(set(criteria))
        mapping.save()
        audit.record(
            actor=actor,
            action="checks.mapping.set",
            obj=mapping,
            workspace=workspace,
            before=before,
            after={"controls": mapping.controls, "criteria": mapping.criteria},
        )
    return mapping


def do_delete_check_mapping(*, actor: User | None, mapping: CheckMapping) -> None:
    """Drop a workspace's mapping; the shipped mapping (if any) applies again."""
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="checks.mapping.delete",
            obj=mapping,
            workspace=mapping.workspace,
            before={
                "check_id": mapping.check_id,
                "controls": mapping.controls,
                "criteria": mapping.criteria,
            },
        )
        mapping.delete()


@dataclass(frozen=True)
class ImportSummary:
    """What an import stored: evidence batch, results, and whether it was new."""

    batch_key: str
    created: bool
    findings: int
    evidence_items: int
    counts: dict[str, int]
    check_ids: tuple[str, ...]
    run_id: int | None


def do_import_findings(
    *,
    actor: User | None,
    workspace: Workspace,
    data: bytes,
    fmt: str,
    filename: str = "",
    now: dt.datetime | None = None,
) -> ImportSummary:
    """Import a findings file: each finding becomes an evidence item and a check result.

    The whole file is parsed and validated first, so bad input (malformed, truncated, too
    deep, too big, not UTF-8) raises `ImportRejected` with nothing stored. Importing the same
    bytes again adds nothing (the evidence batch key is the file's SHA-256).
    """
    from attestly.checks.imports import parse_findings
    from attestly.evidence.actions import do_record_evidence_batch
    from attestly.evidence.ledger import EvidenceInput
    from attestly.evidence.models import EvidenceItem, Source

    max_bytes = settings.OPTIONS.import_max_bytes
    findings = parse_findings(data, fmt, max_bytes)
    now = now or timezone.now()
    batch_key = f"import:{fmt}:{hashlib.sha256(data).hexdigest()}"
    source_ref = (filename or f"{fmt} import")[:300]
    batch = do_record_evidence_batch(
        actor=actor,
        workspace=workspace,
        source=Source.IMPORT,
        batch_key=batch_key,
        source_ref=source_ref,
        items=(
            EvidenceInput(
                kind=f.kind,
                resource_key=f.evidence_key,
                content=f.content,
                collected_at=f.observed_at,
            )
            for f in findings
        ),
    )
    check_ids = tuple(sorted({f.check_id for f in findings}))
    existing = CheckRun.objects.filter(
        workspace=workspace, kind=RunKind.IMPORT, source_ref=batch_key
    ).first()
    if existing is not None:  # the same file again: its evidence and results are stored
        return ImportSummary(
            batch_key,
            False,
            len(findings),
            batch.item_count,
            existing.counts,
            check_ids,
            existing.pk,
        )
    items = (
        EvidenceItem.objects.filter(workspace=workspace, batch_id=batch.batch_id)
        .order_by("seq")
        .values_list("content_hash", "collected_at")
    )
    outcomes = _judge(findings, list(items), now)
    known = {c.id for c in shipped_catalog().framework("soc2").criteria}
    extra = {f.check_id: {c for c in f.criteria if c in known} for f in findings}
    run = do_record_imported_results(
        actor=actor,
        workspace=workspace,
        outcomes=outcomes,
        evaluators={f.check_id: f.evaluator for f in findings},
        now=now,
        source_ref=batch_key,
        extra_criteria=extra,
    )
    return ImportSummary(
        batch_key, batch.created, len(findings), batch.item_count, run.counts, check_ids, run.pk
    )


def _judge(
    findings: list[Any], stored: list[tuple[str, dt.datetime]], now: dt.datetime
) -> list[Outcome]:
    """Evaluate each finding's evidence with its evaluator check, as a replay will."""
    registry = get_registry()
    outcomes = []
    ctx = Context(now=now)
    for finding, (digest, collected_at) in zip(findings, stored, strict=True):
        item = Evidence(
            kind=finding.kind,
            key=finding.evidence_key,
            hash=digest,
            data=finding.content,
            collected_at=collected_at,
        )
        evaluation = evaluate_check(registry.get(finding.evaluator), [item], ctx)
        status = evaluation.statuses[0] or Status.ERROR
        outcomes.append(
            Outcome(
                finding.check_id,
                finding.resource_key,
                status,
                evaluation.details.get(0, finding.title)[:1000],
                (digest,),
                finding.kind,
            )
        )
    return outcomes
