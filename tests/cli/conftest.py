from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

ATTESTLY = [sys.executable, "-m", "attestly.cli"]


@pytest.fixture
def run_cli(tmp_path: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run the real `attestly` command in a fresh process with its own empty data dir."""
    data_dir = tmp_path / "data"

    def run(
        *args: str,
        env: dict[str, str] | None = None,
        timeout: float = 120,
        stdin: str | None = None,
    ) -> subprocess.CompletedProcess[str]:
        clean = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith("ATTESTLY_") and k != "DJANGO_SETTINGS_MODULE"
        }
        clean.update({"ATTESTLY_DATA_DIR": str(data_dir), "COLUMNS": "200", "NO_COLOR": "1"})
        clean.update(env or {})
        return subprocess.run(
            [*ATTESTLY, *args],
            env=clean,
            capture_output=True,
            text=True,
            timeout=timeout,
            input=stdin,
            check=False,
        )

    return run
