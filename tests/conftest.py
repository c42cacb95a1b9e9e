"""Fixtures shared by the whole suite: the named cast and API clients."""

from __future__ import annotations

import os
import shutil
import socket
from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from attestly.accounts.models import User
from attestly.core.models import Role, Workspace
from attestly.testing.factories import MembershipFactory, UserFactory, WorkspaceFactory, make_token

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require_service(name: str, available: bool, why: str) -> None:
    """Skip with a reason on a laptop; fail in CI, where every service must be present."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{name} is required in CI but is not available: {why}")
    pytest.skip(f"{name} not available: {why}")


def port_open(host: str, port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def have_binary(name: str) -> bool:
    return shutil.which(name) is not None


@pytest.fixture
def acme(db: None) -> Workspace:
    return WorkspaceFactory(slug="acme", name="Acme")


@pytest.fixture
def globex(db: None) -> Workspace:
    return WorkspaceFactory(slug="globex", name="Globex")


@pytest.fixture
def alice(acme: Workspace) -> User:
    user = UserFactory(username="alice")
    MembershipFactory(workspace=acme, user=user, role=Role.OWNER)
    return user


@pytest.fixture
def bob(acme: Workspace) -> User:
    user = UserFactory(username="bob")
    MembershipFactory(workspace=acme, user=user, role=Role.VIEWER)
    return user


@pytest.fixture
def mallory(globex: Workspace) -> User:
    user = UserFactory(username="mallory")
    MembershipFactory(workspace=globex, user=user, role=Role.OWNER)
    return user


@pytest.fixture
def api_client_for() -> Callable[..., APIClient]:
    """`api_client_for(user, scope="write")` returns a client sending that user's token."""

    def build(user: User, **token_fields: object) -> APIClient:
        _token, key = make_token(user, **token_fields)  # type: ignore[arg-type]
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return client

    return build
