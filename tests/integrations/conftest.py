"""The sample integration's fixtures for every integrations test."""

from __future__ import annotations

from tests.integrations.sample.fixtures import (  # noqa: F401 - fixtures
    options,
    sample_connection,
    sample_installed,
    sample_server,
)
