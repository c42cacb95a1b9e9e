"""factory_boy factories. Tests build rows through these, never `objects.create`.

The named cast: `alice` owns the Acme workspace, `bob` is a viewer there, and `mallory` owns
the Globex workspace and must never see Acme's rows.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import factory
from factory.django import DjangoModelFactory

from attestly.accounts.models import ApiToken, TokenScope, User, hash_token
from attestly.checks.types import Evidence
from attestly.controls.models import Control, ControlMapping
from attestly.core.models import Membership, Role, Workspace
from attestly.evidence.ledger import EvidenceInput
from attestly.frameworks.models import Criterion, Framework
from attestly.readiness.models import CriterionExclusion, FrameworkAdoption, ReadinessSnapshot

TEST_PASSWORD = "correct horse battery staple 42"  # noqa: S105 - tests only


class UserFactory(DjangoModelFactory):
    """A local account whose password is TEST_PASSWORD."""

    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password(TEST_PASSWORD)


class WorkspaceFactory(DjangoModelFactory):
    """A workspace with a unique slug."""

    class Meta:
        model = Workspace
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"ws{n}")
    name = factory.LazyAttribute(lambda w: w.slug.title())


class MembershipFactory(DjangoModelFactory):
    """A user's role in a workspace (default: owner)."""

    class Meta:
        model = Membership

    workspace = factory.SubFactory(WorkspaceFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.OWNER


def make_token(
    user: User, *, scope: str = TokenScope.WRITE, workspace: Workspace | None = None, **fields: Any
) -> tuple[ApiToken, str]:
    """A usable API token and its key, made without going through the audited action."""
    import secrets

    lookup = secrets.token_hex(6)
    key = f"{ApiToken.PREFIX}{lookup}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        user=user,
        workspace=workspace,
        name="test",
        lookup=lookup,
        key_hash=hash_token(key),
        scope=scope,
        **fields,
    )
    return token, key


def criterion(key: str) -> Criterion:
    """A criterion of the loaded catalog by key, e.g. `criterion("soc2:CC6.1")`."""
    return Criterion.objects.select_related("framework", "category").get(key=key)


class ControlFactory(DjangoModelFactory):
    """A workspace control written from scratch (no library template), not started."""

    class Meta:
        model = Control

    workspace = factory.SubFactory(WorkspaceFactory)
    ref = factory.Sequence(lambda n: f"TST-{n:03d}")
    title = factory.Sequence(lambda n: f"Test control {n}")
    description = "A control made for a test."
    family = "testing"
    status = "not_started"


class ControlMappingFactory(DjangoModelFactory):
    """A workspace control meeting a criterion (default soc2:CC6.1)."""

    class Meta:
        model = ControlMapping

    control = factory.SubFactory(ControlFactory)
    criterion = factory.LazyFunction(lambda: criterion("soc2:CC6.1"))
    relationship = "intersect"


class FrameworkAdoptionFactory(DjangoModelFactory):
    """A workspace adopting a framework without creating controls (the action does that).

    `categories` is a list of category slugs; default: the ones always in scope.
    """

    class Meta:
        model = FrameworkAdoption
        skip_postgeneration_save = True

    workspace = factory.SubFactory(WorkspaceFactory)
    framework = factory.LazyFunction(lambda: Framework.objects.get(slug="soc2"))

    @factory.post_generation  # type: ignore[untyped-decorator]  # factory_boy is untyped
    def categories(self, create: bool, extracted: list[str] | None, **kwargs: Any) -> None:
        wanted = set(extracted or [])
        self.categories.set(
            [c for c in self.framework.categories.all() if c.slug in wanted or c.always_in_scope]
        )


class CriterionExclusionFactory(DjangoModelFactory):
    """A criterion declared not applicable (default soc2:P3.2)."""

    class Meta:
        model = CriterionExclusion

    workspace = factory.SubFactory(WorkspaceFactory)
    criterion = factory.LazyFunction(lambda: criterion("soc2:P3.2"))
    reason = "We collect no personal information that needs explicit consent."


class ReadinessSnapshotFactory(DjangoModelFactory):
    """A day's recorded readiness."""

    class Meta:
        model = ReadinessSnapshot

    workspace = factory.SubFactory(WorkspaceFactory)
    framework = factory.LazyFunction(lambda: Framework.objects.get(slug="soc2"))
    date = factory.Sequence(lambda n: dt.date(2026, 1, 1) + dt.timedelta(days=n))
    score = 50.0
    met = 10
    partly_met = 20
    not_met = 31
    not_applicable = 0


class EvidenceInputFactory(factory.Factory):
    """One structured evidence item to pass to `do_record_evidence_batch`."""

    class Meta:
        model = EvidenceInput

    kind = "aws.s3.bucket"
    resource_key = factory.Sequence(lambda n: f"arn:aws:s3:::bucket-{n}")
    content = factory.LazyAttribute(lambda i: {"name": i.resource_key, "encrypted": True})


def record_evidence(
    workspace: Workspace,
    count: int = 3,
    *,
    batch_key: str | None = None,
    actor: User | None = None,
    **fields: Any,
) -> Any:
    """Record `count` items in one batch through the real action; returns its BatchResult."""
    import uuid

    from attestly.evidence.actions import do_record_evidence_batch

    return do_record_evidence_batch(
        actor=actor,
        workspace=workspace,
        source="connection",
        batch_key=batch_key or f"test:{uuid.uuid4()}",
        items=EvidenceInputFactory.build_batch(count, **fields),
    )


class EvidenceFactory(factory.Factory):
    """An evidence item as a check sees it (`attestly.checks.types.Evidence`), in memory."""

    class Meta:
        model = Evidence

    kind = "demo.thing"
    key = factory.Sequence(lambda n: f"thing-{n}")
    data = factory.LazyAttribute(lambda e: {"name": e.key, "ok": True})
    hash = factory.LazyAttribute(lambda e: _content_hash(e.data))
    collected_at = factory.LazyFunction(lambda: _now())


def _now() -> Any:
    from django.utils import timezone

    return timezone.now()


def _content_hash(data: Any) -> str:
    from attestly.core.canonical import canonical_json, sha256_hex

    return sha256_hex(canonical_json(data))


def make_check(
    check_id: str = "demo_thing_ok",
    *,
    evaluate: Any = None,
    rule: dict[str, Any] | None = None,
    **meta: Any,
) -> Any:
    """A registered-looking `Check` built from metadata and a Python function or a rule.

    Default: passes when `data.ok` is true. Not added to the process registry.
    """
    from attestly.checks.registry import build_check
    from attestly.frameworks.catalog.loader import shipped_catalog

    data = {
        "id": check_id,
        "title": "Demo",
        "description": "A demo check.",
        "severity": "high",
        "kinds": ["demo.thing"],
        "criteria": ["CC6.1"],
        "controls": ["CRY-02"],
        "rationale": "Because.",
        "remediation": "Fix it.",
        **meta,
    }
    if rule is not None:
        return build_check({**data, "rule": rule}, shipped_catalog(), f"<{check_id}>")
    module = type(
        "module",
        (),
        {
            "evaluate": staticmethod(evaluate or (lambda item, ctx: item.data.get("ok") is True)),
            "__name__": check_id,
        },
    )
    return build_check(data, shipped_catalog(), f"<{check_id}>", code=module)  # type: ignore[arg-type]


def make_connection(
    workspace: Workspace,
    integration: str = "sample",
    *,
    name: str = "sample-prod",
    config: dict[str, Any] | None = None,
    schedule: str | None = None,
    actor: User | None = None,
    enabled: bool = True,
) -> Any:
    """A connection made through the real action (its secrets sealed). The integration must
    be installed (see `attestly.testing.integrations`)."""
    from attestly.integrations.actions import do_create_connection

    return do_create_connection(
        actor=actor,
        workspace=workspace,
        integration=integration,
        name=name,
        config=config or {},
        schedule=schedule,
        enabled=enabled,
    )
