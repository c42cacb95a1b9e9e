"""Settings for the test suite.

The suite runs on SQLite by default and on PostgreSQL when ATTESTLY_TEST_DATABASE_URL is set
(scripts/test.sh does both).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

os.environ.setdefault("ATTESTLY_DATA_DIR", tempfile.mkdtemp(prefix="attestly-test-"))
os.environ.setdefault(
    "ATTESTLY_SECRET_KEY", "test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
)
if os.environ.get("ATTESTLY_TEST_DATABASE_URL"):
    os.environ["ATTESTLY_DATABASE_URL"] = os.environ["ATTESTLY_TEST_DATABASE_URL"]

from attestly.conf.settings import *  # noqa: F403
from attestly.conf.settings import DATABASES

_DATA_DIR = Path(os.environ["ATTESTLY_DATA_DIR"])
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast, tests only
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["NAME"] = str(_DATA_DIR / "test.sqlite3")
    DATABASES["default"]["TEST"] = {"NAME": str(_DATA_DIR / "t.sqlite3")}
else:
    # One test database per checkout, so two checkouts on one machine (or CI beside a
    # developer) never drop each other's database. pytest-xdist adds _gw0, _gw1 to it.
    _checkout = hashlib.sha1(str(Path(__file__).resolve()).encode()).hexdigest()[:8]  # noqa: S324
    DATABASES["default"]["TEST"] = {"NAME": f"test_attestly_{_checkout}"}
# Persistent connections would outlive the live-server threads of browser tests (and keep
# PostgreSQL from dropping the test database).
DATABASES["default"]["CONN_MAX_AGE"] = 0
LOGGING = {"version": 1, "disable_existing_loggers": False}
