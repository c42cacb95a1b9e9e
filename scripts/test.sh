#!/usr/bin/env bash
# Install Attestly with its development tools into .venv, then run every check:
# ruff, mypy (strict), and the whole test suite on SQLite and again on PostgreSQL.
#
# PostgreSQL: ATTESTLY_TEST_PG_URL (default postgresql://postgres:postgres@127.0.0.1:5432/postgres).
# With no server there, the PostgreSQL pass is skipped with a message, except under CI=true,
# where a missing service is a failure.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
PG_URL=${ATTESTLY_TEST_PG_URL:-postgresql://postgres:postgres@127.0.0.1:5432/postgres}
CI=${CI:-}

step() { printf '\n== %s\n' "$*"; }

step "install into .venv"
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[dev]'

step "ruff"
.venv/bin/ruff check src tests bench
.venv/bin/ruff format --check src tests bench

step "mypy (strict)"
.venv/bin/mypy src

# Two workers: this is a 2-core machine. pytest-django gives each worker its own database.
PYTEST=(.venv/bin/pytest -p no:cacheprovider -n 2 --dist loadfile)

step "tests on SQLite"
"${PYTEST[@]}" "$@"

step "tests on PostgreSQL"
if .venv/bin/python - "$PG_URL" <<'PY'
import sys, psycopg
try:
    psycopg.connect(sys.argv[1], connect_timeout=3).close()
except Exception as exc:
    print(f"PostgreSQL not reachable at {sys.argv[1]}: {exc}")
    sys.exit(1)
PY
then
  # Only the tests that touch a database (or start `attestly` in a subprocess): the others
  # ran on the SQLite pass and would run exactly the same (tests/conftest.py).
  ATTESTLY_TEST_DATABASE_URL="$PG_URL" ATTESTLY_TEST_DATABASE_ONLY=1 "${PYTEST[@]}" "$@"
elif [ -n "$CI" ] && [ "$CI" != "false" ]; then
  echo "CI=true: PostgreSQL is required; failing." >&2
  exit 1
else
  echo "skipped: no PostgreSQL server (set ATTESTLY_TEST_PG_URL or run .ci/run to install one)"
fi
