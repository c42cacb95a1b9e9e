from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from attestly.accounts.models import User
from attestly.checks.actions import (
    do_grant_exception,
    do_revoke_exception,
    do_run_checks,
    do_set_check_mapping,
)
from attestly.checks.models import CheckMapping, CheckResult
from attestly.checks.queries import (
    control_check_status,
    counts_by_check,
    current_with_status,
    replay,
)
from attestly.checks.registry import CheckRegistry
from attestly.checks.sources import MemorySource
from attestly.core.models import AuditEntry, Workspace
from attestly.evidence.actions import do_upload_evidence
from attestly.testing.factories import EvidenceFactory, make_check, record_evidence

pytestmark = pytest.mark.django_db


@pytest.fixture
def s3_registry() -> CheckRegistry:
    registry = CheckRegistry()
    registry.register(
        make_check(
            "aws_s3_bucket_encrypted",
            kinds=["aws.s3.bucket"],
            evaluate=lambda item, ctx: item.data["encrypted"] is True,
        )
    )
    registry.freeze()
    return registry


def test_run_over_the_ledger_stores_results_and_replays_them(
    acme: Workspace, alice: User, s3_registry: CheckRegistry
) -> None:
    record_evidence(acme, 2)
    record_evidence(
        acme, 1, content={"name": "open", "encrypted": False}, resource_key="arn:aws:s3:::open"
    )
    run = do_run_checks(actor=alice, workspace=acme, registry=s3_registry)
    assert run.counts == {"pass": 2, "fail": 1}
    assert AuditEntry.objects.filter(action="checks.run", workspace=acme).count() == 1
    failing = CheckResult.objects.get(workspace=acme, status="fail")
    assert failing.resource_key == "arn:aws:s3:::open"
    assert len(failing.evidence_hashes) == 1
    # replay needs the check in the process registry; the built-in checks are there
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("attestly.checks.queries.get_registry", lambda: s3_registry)
        again = replay(failing)
    assert (again.stored, again.replayed, again.same) == ("fail", "fail", True)


def test_uploaded_evidence_past_its_date_fails_the_builtin_freshness_check(
    acme: Workspace, alice: User
) -> None:
    now = timezone.now()
    for name, valid in (
        ("policy.pdf", now + dt.timedelta(days=30)),
        ("review.pdf", now - dt.timedelta(days=1)),
    ):
        do_upload_evidence(
            actor=alice,
            workspace=acme,
            chunks=[b"%PDF-1.4\n" + name.encode()],
            filename=name,
            effective_from=now.date(),
            valid_until=valid,
        )
    do_run_checks(
        actor=alice,
        workspace=acme,
        check_ids=["evidence_upload_fresh", "evidence_upload_effective_recent"],
    )
    statuses = {
        (r.check_id, r.resource_key): r.status for r in CheckResult.objects.filter(workspace=acme)
    }
    assert statuses == {
        ("evidence_upload_fresh", "policy.pdf"): "pass",
        ("evidence_upload_fresh", "review.pdf"): "fail",
        ("evidence_upload_effective_recent", "policy.pdf"): "pass",
        ("evidence_upload_effective_recent", "review.pdf"): "pass",
    }
    stale = CheckResult.objects.get(resource_key="review.pdf", check_id="evidence_upload_fresh")
    assert stale.detail.startswith("expired on ")
    assert replay(stale).same


def test_exception_shows_excepted_until_it_expires(
    acme: Workspace, alice: User, bob: User, demo_registry: CheckRegistry
) -> None:
    source = MemorySource(
        [EvidenceFactory(key=k, data={"ok": False}) for k in ("r1", "r2")]
        + [EvidenceFactory(key="r3", data={"ok": True})]
    )
    do_run_checks(actor=alice, workspace=acme, source=source, registry=demo_registry)
    today = timezone.now().date()

    def counted() -> tuple[int, int, int]:
        counts = counts_by_check(acme)["demo_a"]
        return counts.failing, counts.excepted, counts.passing

    assert counted() == (2, 0, 1)
    exception = do_grant_exception(
        actor=alice,
        workspace=acme,
        check_id="demo_a",
        resource_key="r1",
        reason="Legacy bucket, retired in Q1",
        approver=bob,
        expires_on=today,
    )
    assert AuditEntry.objects.filter(action="checks.exception.grant").count() == 1
    assert [s for r, s in current_with_status(acme) if r.check_id == "demo_a"] == [
        "fail",
        "excepted",
        "pass",
    ]
    assert counted() == (1, 1, 1)  # counted in the database, the exception applied after
    # the next run records the failure as excepted
    do_run_checks(actor=alice, workspace=acme, source=source, registry=demo_registry)
    assert (
        CheckResult.objects.get(
            workspace=acme, check_id="demo_a", resource_key="r1", is_current=True
        ).status
        == "excepted"
    )
    assert counted() == (1, 1, 1)
    # the day after the expiry date it is failing again, even before the next run
    with pytest.MonkeyPatch.context() as patch:
        later = timezone.now() + dt.timedelta(days=1)
        patch.setattr("attestly.checks.queries.timezone.now", lambda: later)
        assert [s for r, s in current_with_status(acme) if r.check_id == "demo_a"][:2] == [
            "fail",
            "fail",
        ]
        assert counted() == (2, 0, 1)  # stored as excepted, but the exception has expired
    do_revoke_exception(actor=alice, exception=exception)
    assert counted() == (2, 0, 1)


@pytest.mark.parametrize(
    ("field", "changes"),
    [
        ("reason", {"reason": "  "}),
        ("expires_on", {"expires_on": dt.date(2000, 1, 1)}),
        ("resource_key", {"resource_key": "nope"}),
    ],
)
def test_exception_needs_reason_future_date_and_a_result(
    acme: Workspace,
    alice: User,
    demo_registry: CheckRegistry,
    field: str,
    changes: dict[str, object],
) -> None:
    do_run_checks(
        actor=alice,
        workspace=acme,
        registry=demo_registry,
        source=MemorySource([EvidenceFactory(key="r1", data={"ok": False})]),
    )
    fields: dict[str, object] = {
        "check_id": "demo_a",
        "resource_key": "r1",
        "reason": "ok",
        "approver": alice,
        "expires_on": timezone.now().date() + dt.timedelta(days=9),
    }
    with pytest.raises(ValidationError) as caught:
        do_grant_exception(actor=alice, workspace=acme, **{**fields, **changes})  # type: ignore[arg-type]
    assert field in caught.value.message_dict


def test_approver_must_be_a_member(
    acme: Workspace, alice: User, mallory: User, demo_registry: CheckRegistry
) -> None:
    do_run_checks(
        actor=alice,
        workspace=acme,
        registry=demo_registry,
        source=MemorySource([EvidenceFactory(key="r1", data={"ok": False})]),
    )
    with pytest.raises(ValidationError, match="approver"):
        do_grant_exception(
            actor=alice,
            workspace=acme,
            check_id="demo_a",
            resource_key="r1",
            reason="x",
            approver=mallory,
            expires_on=timezone.now().date() + dt.timedelta(days=1),
        )


def test_control_status_for_readiness(
    acme: Workspace, alice: User, demo_registry: CheckRegistry
) -> None:
    source = MemorySource(
        [
            EvidenceFactory(key="r1", data={"ok": False}),
            EvidenceFactory(key="r2", data={"ok": True}),
        ]
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("attestly.checks.mapping.get_registry", lambda: demo_registry)
        do_run_checks(actor=alice, workspace=acme, source=source, registry=demo_registry)
        status = control_check_status(acme)
    assert (status["CRY-02"].failing, status["CRY-02"].passing) == (1, 1)
    assert (status["NET-03"].failing, status["NET-03"].passing) == (0, 2)
    assert status["CRY-02"].checks == {"demo_a"}


def test_mapping_edits_are_validated_and_audited(acme: Workspace, alice: User) -> None:
    mapping = do_set_check_mapping(
        actor=alice,
        workspace=acme,
        check_id="prowler:custom_x",
        controls=["CRY-01"],
        criteria=["CC6.1"],
    )
    assert CheckMapping.objects.get(pk=mapping.pk).controls == ["CRY-01"]
    assert AuditEntry.objects.filter(action="checks.mapping.set").count() == 1
    with pytest.raises(ValidationError, match="unknown library control"):
        do_set_check_mapping(
            actor=alice, workspace=acme, check_id="prowler:custom_x", controls=["ZZ-99"]
        )
    with pytest.raises(ValidationError, match="registered check"):
        do_set_check_mapping(
            actor=alice, workspace=acme, check_id="evidence_upload_fresh", controls=["CRY-01"]
        )


def test_a_run_judges_the_newest_item_of_each_resource(
    acme: Workspace, alice: User, s3_registry: CheckRegistry
) -> None:
    record_evidence(acme, 1, resource_key="arn:aws:s3:::b", content={"encrypted": False})
    record_evidence(acme, 1, resource_key="arn:aws:s3:::b", content={"encrypted": True})
    run = do_run_checks(actor=alice, workspace=acme, registry=s3_registry)
    assert run.counts == {"pass": 1}
