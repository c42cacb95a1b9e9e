"""Starting Django stays lean: every process (web worker, CLI command, collection) pays for
what `django.setup()` imports, so libraries only some of them use are imported on first use."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

# What setup once pulled in: the AWS client (boto3), the PostgreSQL integration (psycopg, also
# reached through DRF's django.contrib.postgres import), the TLS collectors (cryptography), and
# the OpenAPI extension (drf_spectacular, DRF, django.test, jinja2) registered at app ready.
ON_FIRST_USE = (
    "boto3",
    "botocore",
    "psycopg",
    "cryptography",
    "drf_spectacular.extensions",
    "rest_framework.fields",
    "django.test",
    "jinja2",
)


def test_django_setup_imports_none_of_the_libraries_loaded_on_first_use(tmp_path: Path) -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("ATTESTLY_") and k != "DJANGO_SETTINGS_MODULE"
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "attestly.conf.settings",
            "ATTESTLY_DATA_DIR": str(tmp_path / "data"),
            "ATTESTLY_SECRET_KEY": "k" * 40,
        }
    )
    code = (
        "import json, sys, django; django.setup(); "
        f"print(json.dumps([m for m in {list(ON_FIRST_USE)!r} if m in sys.modules]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []
