from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from attestly.accounts.models import User

pytestmark = pytest.mark.django_db


def test_schema_documents_the_control_and_readiness_endpoints(
    alice: User, api_client_for: Callable[..., APIClient]
) -> None:
    response = api_client_for(alice).get("/api/v1/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    paths = set(response.json()["paths"])
    assert paths >= {
        "/api/v1/controls/",
        "/api/v1/controls/{id}/",
        "/api/v1/controls/{id}/restore/",
        "/api/v1/control-mappings/",
        "/api/v1/library-controls/",
        "/api/v1/library-mappings/",
        "/api/v1/crosswalk/",
        "/api/v1/adoptions/",
        "/api/v1/criterion-exclusions/",
        "/api/v1/readiness/",
        "/api/v1/readiness-history/",
    }


def test_schema_generates_without_warnings(tmp_path: Path) -> None:
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "s.yaml"))
    assert "/api/v1/readiness/" in (tmp_path / "s.yaml").read_text()
