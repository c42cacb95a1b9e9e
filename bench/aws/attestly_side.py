"""The Attestly side, run in a child process of its own (see bench_aws.py --attestly-child):
migrate a fresh data directory and create an `aws` connection (untimed), then one collection
and check evaluation (timed), then the current results written as JSON."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.aws.seed import CREDENTIALS


def setup(data_dir: str, migrate: bool = True) -> None:
    """Django for `data_dir`; with `migrate`, create its database and the bench workspace."""
    os.environ["ATTESTLY_DATA_DIR"] = data_dir
    os.environ.setdefault(
        "ATTESTLY_SECRET_KEY", "bench-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
    )
    os.environ["DJANGO_SETTINGS_MODULE"] = "attestly.conf.settings"
    os.environ.setdefault("ATTESTLY_LOG_LEVEL", "WARNING")
    import django
    from django.core.management import call_command

    django.setup()
    if migrate:
        call_command("migrate", verbosity=0)
        from attestly.core.actions import do_create_workspace

        do_create_workspace(actor=None, slug="bench", name="Bench")


def aws_available() -> str | None:
    """None if the aws integration is installed, else why not."""
    import importlib.util

    if importlib.util.find_spec("attestly.integrations.builtin.aws") is None:
        return "attestly.integrations.builtin.aws is not present yet"
    from attestly.integrations.registry import get_registry

    if "aws" not in get_registry():
        return "the aws integration is not registered (reinstall: pip install -e .)"
    return None


def run(endpoint: str, regions: Sequence[str], out: Path) -> dict[str, Any]:
    """In a process with a migrated data directory: collect once, evaluate, report."""
    from attestly.checks.models import CheckResult
    from attestly.checks.registry import get_registry as get_check_registry
    from attestly.core.models import Workspace
    from attestly.integrations.actions import do_create_connection
    from attestly.integrations.tasks import collect_connection

    workspace = Workspace.objects.get(slug="bench")
    connection = do_create_connection(
        actor=None,
        workspace=workspace,
        integration="aws",
        name="bench",
        config={
            "access_key_id": CREDENTIALS["aws_access_key_id"],
            "secret_access_key": CREDENTIALS["aws_secret_access_key"],
            "regions": list(regions),
            "endpoint_url": endpoint,
        },
    )
    cpu = time.process_time()
    start = time.perf_counter()
    collection = collect_connection(connection.pk)
    elapsed = time.perf_counter() - start
    cpu = time.process_time() - cpu
    results = list(
        CheckResult.objects.filter(workspace=workspace, is_current=True).values_list(
            "check_id", "resource_key", "status"
        )
    )
    checks = sorted(c.id for c in get_check_registry() if c.id.startswith("aws_"))
    report = {
        "scan_s": elapsed,
        "cpu_s": cpu,
        "status": str(collection.status),
        "api_calls": collection.api_calls,
        "resources": collection.resources,
        "evidence_items": collection.evidence_items,
        "results": collection.results,
        "errors": collection.errors,
        "collectors": collection.collectors,
        "run_duration_ms": collection.duration_ms,
        "checks": checks,
        "current": [list(r) for r in results],
    }
    out.write_text(json.dumps(report))
    return report
