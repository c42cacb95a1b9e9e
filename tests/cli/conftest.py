"""CLI tests use the sample integration's fixtures."""

from __future__ import annotations

from integrations.sample.fixtures import (  # noqa: F401 - fixtures
    options,
    sample_installed,
    sample_server,
)
