from __future__ import annotations

from typing import Any

from attestly.integrations.queries import integration_data
from tests.integrations.sample import integration as sample


def test_a_catalogue_entry_names_collectors_checks_and_the_config_schema(
    sample_installed: Any,
) -> None:
    _integrations, checks = sample_installed
    data = integration_data(sample.integration, checks)
    assert data["collectors"] == [
        {"name": "users", "kinds": ["sample.user"], "description": ""},
        {"name": "repos", "kinds": ["sample.repo"], "description": ""},
    ]
    assert data["checks"] == ["sample_repo_private", "sample_user_mfa_enabled"]
    assert data["secret_fields"] == ["token"]
    assert data["config_schema"]["properties"]["org"]["default"] == "acme"
