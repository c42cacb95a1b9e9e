"""Readiness and control endpoints on the demo workspace with a year of daily history.

Run: `.venv/bin/python -m bench.readiness`. Seeds a fresh demo in a temporary data directory
(SQLite), adds 365 daily readiness snapshots, then times each endpoint sequentially through
the Django test client and prints p50/p95 against the 100 ms budget for API list and
dashboard endpoints (docs/ARCHITECTURE: one year of history). Not a timed test.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

BUDGET_MS = 100.0
RUNS = 40


def _setup() -> None:
    data_dir = tempfile.mkdtemp(prefix="attestly-bench-")
    os.environ.update(
        {
            "ATTESTLY_DATA_DIR": data_dir,
            "ATTESTLY_DEMO": "true",
            "DJANGO_SETTINGS_MODULE": "attestly.conf.settings",
        }
    )
    from attestly.cli.bootstrap import ensure_data_dir, setup_django

    ensure_data_dir(Path(data_dir))
    setup_django()
    from attestly.cli.setup_commands import migrate_and_sync

    migrate_and_sync()


def _time(label: str, call: Callable[[], object]) -> tuple[str, float, float]:
    call()  # warm caches
    samples = []
    for _ in range(RUNS):
        start = time.perf_counter()
        call()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return label, statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def main() -> None:
    _setup()
    from django.conf import settings
    from django.test import Client

    from attestly.accounts.models import User
    from attestly.core.demo import do_seed_demo
    from attestly.readiness.models import ReadinessSnapshot
    from attestly.readiness.queries import compute_readiness, list_adoptions

    started = time.perf_counter()
    login = do_seed_demo()
    seed_s = time.perf_counter() - started
    settings.ALLOWED_HOSTS = ["*"]
    adoption = next(iter(list_adoptions([login.workspace.pk])))
    today = dt.date.today()
    ReadinessSnapshot.objects.bulk_create(
        ReadinessSnapshot(
            workspace=login.workspace,
            framework=adoption.framework,
            date=today - dt.timedelta(days=d),
            score=30 + d / 20,
            met=1,
            partly_met=31,
            not_met=6,
            not_applicable=0,
            categories={"security": 40.0},
            criteria={"CC1.1": ["partly_met", 0.5]},
        )
        for d in range(1, 366)
    )
    client = Client()
    client.force_login(User.objects.get(username="demo"))
    rows = [
        _time("compute_readiness (38 criteria, 188 controls)", lambda: compute_readiness(adoption)),
        _time(
            "GET /api/v1/readiness/?workspace=demo",
            lambda: client.get("/api/v1/readiness/", {"workspace": "demo"}),
        ),
        _time(
            "GET /api/v1/readiness-history/ (365 days)",
            lambda: client.get(
                "/api/v1/readiness-history/", {"workspace": "demo", "page_size": 365}
            ),
        ),
        _time(
            "GET /api/v1/controls/ (page of 50)",
            lambda: client.get("/api/v1/controls/", {"workspace": "demo"}),
        ),
        _time(
            "GET /api/v1/controls/?status=implemented&framework=soc2",
            lambda: client.get("/api/v1/controls/", {"status": "implemented", "framework": "soc2"}),
        ),
        _time("GET /readiness/ (heat map + 365-day chart)", lambda: client.get("/readiness/")),
        _time("GET /controls/ (page of 50 of 188)", lambda: client.get("/controls/")),
    ]
    print(f"demo seed (adopt SOC 2, 188 controls, statuses): {seed_s:.2f} s")
    print(f"{'endpoint':58} {'p50 ms':>8} {'p95 ms':>8}  budget {BUDGET_MS:.0f} ms")
    for label, p50, p95 in rows:
        verdict = "ok" if p95 <= BUDGET_MS else "OVER"
        print(f"{label:58} {p50:8.1f} {p95:8.1f}  {verdict}")


if __name__ == "__main__":
    main()
