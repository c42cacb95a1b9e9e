"""The permission matrix as data."""

from __future__ import annotations

import pytest

from attestly.accounts.models import User
from attestly.core.models import Role, Workspace
from attestly.core.permissions import (
    ACTIONS,
    MATRIX,
    UNDECLARED,
    matrix_markdown,
    roles_with,
    user_can,
)


def test_every_role_has_a_row_and_only_known_actions() -> None:
    assert set(MATRIX) == set(Role.values)
    for actions in MATRIX.values():
        assert actions <= set(ACTIONS) | {UNDECLARED}


def test_only_owners_hold_undeclared_and_sso() -> None:
    assert roles_with(UNDECLARED) == [Role.OWNER]
    assert roles_with("sso.manage") == [Role.OWNER]


def test_auditors_read_everything_and_write_nothing() -> None:
    reads = {a for a in ACTIONS if a.endswith(".read")}
    assert reads <= MATRIX[Role.AUDITOR]
    writes = {a for a in ACTIONS if a.endswith((".write", ".upload", ".manage"))} - {"token.manage"}
    assert not writes & MATRIX[Role.AUDITOR]


def test_employees_only_have_their_own_tasks_and_policies() -> None:
    assert MATRIX[Role.EMPLOYEE] == {"task.own", "policy.accept"}


def test_markdown_has_a_row_per_action() -> None:
    assert matrix_markdown().count("\n") == len(ACTIONS) + 2


@pytest.mark.django_db
def test_user_can_follows_the_role_in_that_workspace(
    alice: User, bob: User, acme: Workspace, globex: Workspace
) -> None:
    assert user_can(alice, acme, "member.manage")
    assert not user_can(bob, acme, "member.manage")
    assert user_can(bob, acme, "control.read")
    assert not user_can(alice, globex, "control.read")
    assert not user_can(alice, None, "control.read")
