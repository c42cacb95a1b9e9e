from __future__ import annotations

import pytest

from attestly.accounts.models import User
from attestly.core.models import Membership, Workspace
from attestly.core.scoping import visible_workspace_ids

pytestmark = pytest.mark.django_db


def test_members_see_only_their_workspaces(
    alice: User, mallory: User, acme: Workspace, globex: Workspace
) -> None:
    assert list(Workspace.objects.filter(pk__in=visible_workspace_ids(alice))) == [acme]
    assert list(
        Membership.objects.visible_to(mallory).values_list("workspace__slug", flat=True)
    ) == ["globex"]
