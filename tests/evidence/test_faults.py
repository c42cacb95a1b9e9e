"""Kill -9 in the middle of a large ingest, in a real subprocess on a real SQLite file."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

RECORDS = 120_000
KILL_AFTER = 40_000


def _env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATTESTLY_")}
    env.update({"ATTESTLY_DATA_DIR": str(data_dir), "ATTESTLY_LOG_LEVEL": "WARNING",
                "ATTESTLY_SECRET_KEY": "fault-test-secret-key-0123456789-abcdefghijklmnop",
                "DJANGO_SETTINGS_MODULE": "attestly.conf.settings"})  # fmt: skip
    return env


def _attestly(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).with_name("attestly")
    return subprocess.run([str(script), *args], env=env, capture_output=True, text=True,
                          timeout=300)  # fmt: skip


def _ingest(env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "attestly.testing.ingest_worker", "--workspace", "acme",
         "--records", str(RECORDS), "--batch-key", "aws:run-1"],
        env=env, capture_output=True, text=True, timeout=300, check=True,
    )  # fmt: skip
    return done.stdout.splitlines()[-1]


def _count(data_dir: Path, table: str) -> int:
    with sqlite3.connect(data_dir / "attestly.sqlite3") as db:
        return int(db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # noqa: S608


@pytest.mark.slow
def test_kill_9_mid_ingest_leaves_nothing_half_written_and_rerun_adds_no_duplicates(
    tmp_path: Path,
) -> None:
    env = _env(tmp_path)
    assert _attestly(env, "migrate").returncode == 0
    with subprocess.Popen(
        [sys.executable, "-m", "attestly.testing.ingest_worker", "--workspace", "acme",
         "--records", str(RECORDS), "--batch-key", "aws:run-1"],
        env=env, stdout=subprocess.PIPE, text=True,
    ) as worker:  # fmt: skip
        assert worker.stdout is not None
        for line in worker.stdout:
            if line.startswith("progress ") and int(line.split()[1]) >= KILL_AFTER:
                os.kill(worker.pid, signal.SIGKILL)
                break
        assert worker.wait(timeout=60) == -signal.SIGKILL

    verified = _attestly(env, "evidence", "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert _count(tmp_path, "evidence_evidenceitem") == 0
    assert _count(tmp_path, "evidence_evidencebatch") == 0

    assert _ingest(env) == f"done {RECORDS} created"
    assert _ingest(env) == f"done {RECORDS} existing"
    assert _count(tmp_path, "evidence_evidenceitem") == RECORDS
    verified = _attestly(env, "evidence", "verify", "--workspace", "acme")
    assert verified.returncode == 0, verified.stdout + verified.stderr
