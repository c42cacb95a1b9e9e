"""A failing migration leaves the database exactly as it was, on SQLite and PostgreSQL.

The upgrade is simulated with a throwaway app whose first migration creates a table and
whose second one fails; it runs in a fresh process, as `attestly migrate` would.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import port_open, require_service

FAULTY_0001 = """
from django.db import migrations, models

class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [migrations.CreateModel("Thing", fields=[
        ("id", models.AutoField(primary_key=True)), ("name", models.CharField(max_length=10))])]
"""
FAULTY_0002 = """
from django.db import migrations

def boom(apps, schema_editor):
    apps.get_model("faultyapp", "Thing").objects.create(name="half")
    raise RuntimeError("simulated failure in 0002")

class Migration(migrations.Migration):
    dependencies = [("faultyapp", "0001_initial")]
    operations = [migrations.RunPython(boom)]
"""
SETTINGS = """
from attestly.conf.settings import *  # noqa
INSTALLED_APPS = [*INSTALLED_APPS, "faultyapp"]
"""
MIGRATE = textwrap.dedent("""
    import django, json, sys
    django.setup()
    from django.db import connection
    from attestly.core.migrating import MigrationFailed, safe_migrate
    try:
        safe_migrate()
        print(json.dumps({"ok": True}))
    except MigrationFailed as exc:
        tables = connection.introspection.table_names()
        with connection.cursor() as c:
            c.execute("SELECT COUNT(*) FROM django_migrations WHERE app = 'faultyapp'")
            recorded = c.fetchone()[0]
            c.execute("SELECT name FROM core_workspace")
            workspaces = [r[0] for r in c.fetchall()]
        print(json.dumps({"ok": False, "error": str(exc), "faulty_table": "faultyapp_thing" in
                          tables, "recorded": recorded, "workspaces": workspaces}))
""")
SEED = textwrap.dedent("""
    import django
    django.setup()
    from attestly.core.migrating import safe_migrate
    safe_migrate()
    from attestly.core.actions import do_create_workspace
    do_create_workspace(actor=None, slug="before", name="Before upgrade")
""")


def _faulty_project(root: Path) -> Path:
    app = root / "faultyapp"
    (app / "migrations").mkdir(parents=True)
    (app / "__init__.py").write_text("")
    (app / "models.py").write_text("")
    (app / "migrations" / "__init__.py").write_text("")
    (root / "faulty_settings.py").write_text(SETTINGS)
    return app


def _run(code: str, env: dict[str, str]) -> str:
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""


def _env(root: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATTESTLY_")}
    env.update(
        {
            "PYTHONPATH": f"{root}{os.pathsep}{env.get('PYTHONPATH', '')}",
            "DJANGO_SETTINGS_MODULE": "faulty_settings",
            "ATTESTLY_DATA_DIR": str(root / "data"),
            "ATTESTLY_SECRET_KEY": "k" * 40,
        }
    )
    env.update(extra)
    return env


def _upgrade_fails_cleanly(root: Path, env: dict[str, str]) -> dict[str, object]:
    import json

    app = _faulty_project(root)
    # The installed version: every Attestly migration and one row of data.
    (app / "__init__.py").write_text("")
    env_without_app = {**env, "DJANGO_SETTINGS_MODULE": "attestly.conf.settings"}
    _run(SEED, env_without_app)
    # The "upgrade" adds two migrations, the second of which fails.
    (app / "migrations" / "0001_initial.py").write_text(FAULTY_0001)
    (app / "migrations" / "0002_boom.py").write_text(FAULTY_0002)
    return dict(json.loads(_run(MIGRATE, env)))


@pytest.mark.slow
def test_sqlite_failed_migration_restores_the_copy(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    outcome = _upgrade_fails_cleanly(tmp_path, _env(tmp_path))
    assert outcome["ok"] is False
    assert "restored" in str(outcome["error"])
    assert outcome["faulty_table"] is False
    assert outcome["recorded"] == 0
    assert outcome["workspaces"] == ["Before upgrade"]


@pytest.fixture
def scratch_postgres() -> Iterator[str]:
    """A new, empty PostgreSQL database on the local server, dropped afterwards."""
    host, port = "127.0.0.1", 5432
    require_service("PostgreSQL", port_open(host, port), f"nothing listens on {host}:{port}")
    import psycopg

    name = f"attestly_mig_{uuid.uuid4().hex[:10]}"
    admin = os.environ.get(
        "ATTESTLY_TEST_PG_ADMIN_URL", f"postgresql://postgres@{host}:{port}/postgres"
    )
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield admin.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.slow
@pytest.mark.postgres
def test_postgres_failed_migration_rolls_back_the_whole_plan(
    tmp_path: Path, scratch_postgres: str
) -> None:
    env = _env(tmp_path, ATTESTLY_DATABASE_URL=scratch_postgres)
    outcome = _upgrade_fails_cleanly(tmp_path, env)
    assert outcome["ok"] is False
    assert "rolled back" in str(outcome["error"])
    assert outcome["faulty_table"] is False  # 0001 succeeded, then was rolled back with 0002
    assert outcome["recorded"] == 0
    assert outcome["workspaces"] == ["Before upgrade"]
