"""The demo workspace `attestly demo` serves: real catalog, a demo company, a user, a token.

Later capabilities add their demo content here, so `attestly demo` always shows all of it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.db import transaction

from attestly.accounts.actions import do_create_api_token, do_create_user, do_set_password
from attestly.accounts.models import TokenScope, User
from attestly.core.actions import do_create_workspace, do_set_membership
from attestly.core.models import Role, Workspace
from attestly.frameworks.models import Framework
from attestly.readiness.actions import do_adopt_framework

DEMO_USERNAME = "demo"
DEMO_EMAIL = "demo@example.com"
DEMO_WORKSPACE = "demo"
DEMO_SCOPE = ("security", "availability", "confidentiality")


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
            user = do_create_user(actor=None, username=DEMO_USERNAME, email=DEMO_EMAIL,
                                  password=password)
        else:
            do_set_password(actor=None, user=user, password=password)
        workspace = Workspace.objects.filter(slug=DEMO_WORKSPACE).first()
        if workspace is None:
            workspace = do_create_workspace(actor=user, slug=DEMO_WORKSPACE,
                                            name="Demo Company", owner=user)
        else:
            do_set_membership(actor=None, workspace=workspace, user=user, role=Role.OWNER)
        soc2 = Framework.objects.get(slug="soc2")
        do_adopt_framework(actor=user, workspace=workspace, framework=soc2, categories=DEMO_SCOPE)
        _token, key = do_create_api_token(actor=user, user=user, name="demo token",
                                          scope=TokenScope.WRITE)
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
