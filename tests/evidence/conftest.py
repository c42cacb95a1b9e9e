"""Each evidence test gets its own data directory: its own blobs and signing key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def evidence_data_dir(settings: Any, tmp_path: Path) -> Path:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    settings.OPTIONS = settings.OPTIONS.model_copy(update={"data_dir": data_dir})
    return data_dir
