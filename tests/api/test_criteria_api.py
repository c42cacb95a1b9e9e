from __future__ import annotations

from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from attestly.accounts.models import User

pytestmark = pytest.mark.django_db


def test_soc2_criteria_total_61_with_330_points_of_focus(
    alice: User, api_client_for: Callable[..., APIClient]
) -> None:
    client = api_client_for(alice)
    response = client.get("/api/v1/criteria/", {"framework": "soc2", "page_size": 100})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 61
    assert sum(len(c["points_of_focus"]) for c in body["results"]) == 330
