"""The dashboard's list filters refuse values they do not know, with a 400 naming the field."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from attestly.accounts.models import User
from attestly.core.models import Workspace

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/v1/connections/?state=bogus", "state"),
        ("/api/v1/evidence/?stale=maybe", "stale"),
        ("/api/v1/controls/?checks=" + "x" * 5000, "checks"),
    ],
)
def test_unknown_filter_values_are_refused(
    path: str, field: str, alice: User, acme: Workspace, api_client_for: Callable[..., Any]
) -> None:
    answer = api_client_for(alice).get(path)
    assert answer.status_code == 400, answer.content[:300]
    assert f"{field}:" in answer.json()["detail"]
