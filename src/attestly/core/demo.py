"""The demo workspace `attestly demo` serves: real catalog, a demo company, a user, a token.

Later capabilities add their demo content here, so `attestly demo` always shows all of it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.db import transaction

from attestly.accounts.actions import do_create_api_token, do_create_user, do_set_password
from attestly.accounts.models import TokenScope, User
from attestly.controls.actions import do_update_control
from attestly.controls.models import Control
from attestly.core.actions import do_create_workspace, do_set_membership
from attestly.core.models import Role, Workspace
from attestly.frameworks.models import Framework
from attestly.readiness.actions import do_adopt_framework

DEMO_USERNAME = "demo"
DEMO_EMAIL = "demo@example.com"
DEMO_WORKSPACE = "demo"
DEMO_SCOPE = ("security", "availability", "confidentiality")
# Teammates who own controls (no password: they exist to be assigned).
DEMO_TEAM = (("dana", "dana@example.com", "editor"), ("sam", "sam@example.com", "editor"))
# Families well under way in the demo company, and ones just started.
DEMO_MOSTLY_DONE = {
    "governance",
    "organisation",
    "policies",
    "human_resources",
    "access_control",
    "cryptography",
}
DEMO_UNDER_WAY = {
    "risk_management",
    "change_management",
    "logging_monitoring",
    "vendor_management",
    "backup_availability",
    "endpoint_security",
}
DEMO_OWNERS = {
    "human_resources": "sam",
    "policies": "sam",
    "vendor_management": "sam",
    "change_management": "dana",
    "logging_monitoring": "dana",
    "backup_availability": "dana",
    "endpoint_security": "dana",
}


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    token: str
    workspace: Workspace


def do_seed_demo() -> DemoLogin:
    """Create (or refresh) the demo workspace. Gives the demo user a new password and token."""
    password = secrets.token_urlsafe(12)
    with transaction.atomic():
        user = User.objects.filter(username=DEMO_USERNAME).first()
        if user is None:
            user = do_create_user(
                actor=None, username=DEMO_USERNAME, email=DEMO_EMAIL, password=password
            )
        else:
            do_set_password(actor=None, user=user, password=password)
        workspace = Workspace.objects.filter(slug=DEMO_WORKSPACE).first()
        if workspace is None:
            workspace = do_create_workspace(
                actor=user, slug=DEMO_WORKSPACE, name="Demo Company", owner=user
            )
        else:
            do_set_membership(actor=None, workspace=workspace, user=user, role=Role.OWNER)
        soc2 = Framework.objects.get(slug="soc2")
        do_adopt_framework(actor=user, workspace=workspace, framework=soc2, categories=DEMO_SCOPE)
        _seed_control_progress(user, workspace)
        _token, key = do_create_api_token(
            actor=user, user=user, name="demo token", scope=TokenScope.WRITE
        )
    # Evidence batches are durable transactions of their own, so they run after the block.
    from attestly.evidence.demo import seed_demo_evidence

    seed_demo_evidence(workspace=workspace, actor=user)
    # Evidence batches commit durably on their own, so check content is seeded after the above.
    from attestly.checks.demo import seed_demo_checks

    seed_demo_checks(workspace=workspace, actor=user)
    # The local host, connected and collected once, so the dashboard shows real results.
    from attestly.integrations.demo import seed_demo_connections

    seed_demo_connections(workspace=workspace, actor=user)
    return DemoLogin(username=DEMO_USERNAME, password=password, token=key, workspace=workspace)


def _teammate(workspace: Workspace, username: str, email: str, role: str) -> User:
    mate = User.objects.filter(username=username).first()
    if mate is None:
        mate = do_create_user(actor=None, username=username, email=email, password=None)
    do_set_membership(actor=None, workspace=workspace, user=mate, role=role)
    return mate


def _seed_control_progress(user: User, workspace: Workspace) -> None:
    """Give the demo's controls owners and a plausible mix of statuses, once.

    Skipped when any control has left "not started", so a refresh keeps what a visitor did.
    """
    controls = list(
        Control.objects.filter(workspace=workspace, retired_at__isnull=True).order_by(
            "family", "ref"
        )
    )
    if any(c.status != "not_started" for c in controls):
        return
    team = {"demo": user} | {
        name: _teammate(workspace, name, email, role) for name, email, role in DEMO_TEAM
    }
    position: dict[str, int] = {}
    for control in controls:
        i = position[control.family] = position.get(control.family, -1) + 1
        if control.family in DEMO_MOSTLY_DONE:
            status = "in_progress" if i % 4 == 3 else "implemented"
        elif control.family in DEMO_UNDER_WAY:
            status = "implemented" if i == 0 else ("in_progress" if i % 2 else "not_started")
        elif control.family == "physical_security" and i == 0:
            do_update_control(
                actor=user,
                control=control,
                status="not_applicable",
                na_reason="Fully remote company; the cloud provider runs the "
                "data centres (see its SOC 2 report).",
            )
            continue
        else:
            continue
        owner = team[DEMO_OWNERS.get(control.family, "demo")]
        do_update_control(actor=user, control=control, status=status, owner=owner)
