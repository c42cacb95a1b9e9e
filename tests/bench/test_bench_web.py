"""bench/bench_web.py at a tiny scale, so the benchmark cannot rot: it seeds, serves, signs
in, measures every endpoint and prints its verdict. Its figures are not checked (not a timed
test); that every endpoint answered is."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from bench.bench_web import API_LISTS, PAGES

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]


def test_seeds_serves_and_measures_every_endpoint_at_a_tiny_scale(tmp_path: Path) -> None:
    # The bench makes its own data directory and SQLite database; nothing of the test run's
    # settings (test database, PostgreSQL URL) may leak into it.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ATTESTLY_", "DJANGO_"))}
    # 80 requests: two clients walking the 30 visits (pages, filters, second pages) reach
    # every endpoint; an editor writes every 0.2 s meanwhile.
    args = ["--days", "3", "--resources", "3", "--clients", "2", "--requests", "80"]
    args += ["--write-every", "0.2"]
    done = subprocess.run(
        [sys.executable, "-m", "bench.bench_web", *args],
        cwd=ROOT,
        env={**env, "TMPDIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    out = done.stdout
    assert done.returncode in (0, 1), done.stderr[-3000:]  # 1: over budget, a figure
    seeded = re.search(r"seeded in \d+ s \(untimed\): (.*)", out)
    assert seeded, out
    assert "3 readiness snapshots" in seeded.group(1)
    assert "30 collection runs" in seeded.group(1)  # 10 connections, a run a day
    for path in (*PAGES, *API_LISTS):
        row = re.search(
            rf"GET {re.escape(path)} +([\d.]+) +([\d.]+) +([\d.]+)  (ok|OVER) +\(alone [\d.]+\)\n",
            out,
        )
        assert row, f"{path} not measured:\n{out}"
        p50, p95, top = (float(x) for x in row.groups()[:3])
        assert 0 < p50 <= p95 <= top
    assert "failed" not in out
    assert re.search(r"PATCH /api/v1/controls/<id>/ .*\((\d+) writes during the run\)", out)
    assert re.search(r"2 concurrent clients: (all p95 within budget OK|MISSED on )", out)
    assert list(tmp_path.iterdir()) == []  # the seeded data directory is removed
