"""Fixtures shared by the whole suite: the named cast and API clients."""

from __future__ import annotations

import os
import shutil
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from rest_framework.test import APIClient

from attestly.accounts.models import User
from attestly.core.models import Role, Workspace
from attestly.testing.factories import MembershipFactory, UserFactory, WorkspaceFactory, make_token

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require_service(name: str, available: bool, why: str) -> None:
    """Skip with a reason on a laptop; fail in CI, where every service must be present."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{name} is required in CI but is not available: {why}")
    pytest.skip(f"{name} not available: {why}")


def port_open(host: str, port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def have_binary(name: str) -> bool:
    return shutil.which(name) is not None


@pytest.fixture
def acme(db: None) -> Workspace:
    return WorkspaceFactory(slug="acme", name="Acme")


@pytest.fixture
def globex(db: None) -> Workspace:
    return WorkspaceFactory(slug="globex", name="Globex")


@pytest.fixture
def alice(acme: Workspace) -> User:
    user = UserFactory(username="alice")
    MembershipFactory(workspace=acme, user=user, role=Role.OWNER)
    return user


@pytest.fixture
def bob(acme: Workspace) -> User:
    user = UserFactory(username="bob")
    MembershipFactory(workspace=acme, user=user, role=Role.VIEWER)
    return user


@pytest.fixture
def mallory(globex: Workspace) -> User:
    user = UserFactory(username="mallory")
    MembershipFactory(workspace=globex, user=user, role=Role.OWNER)
    return user


@pytest.fixture
def api_client_for() -> Callable[..., APIClient]:
    """`api_client_for(user, scope="write")` returns a client sending that user's token."""

    def build(user: User, **token_fields: object) -> APIClient:
        _token, key = make_token(user, **token_fields)  # type: ignore[arg-type]
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return client

    return build


# --- headless Chromium (the system's, from Debian) driven by Playwright -------------------

CHROMIUM = os.environ.get("ATTESTLY_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
# Flags for a machine with no network and no display; see docs/development.md.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One Chromium per test module, stopped when the module is done.

    Not per session: while Playwright's sync API is running, Django's context-local database
    connections for later tests are not the ones pytest-django closes, and PostgreSQL then
    refuses to drop the test database.
    """
    require_service("Chromium", Path(CHROMIUM).exists(), f"no browser at {CHROMIUM}")
    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # around it are synchronous and safe, so Django's async guard is relaxed for these tests.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh page; its screenshot is kept under test-artifacts/screenshots/."""
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    yield page
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()
    # A test that is refused a page on purpose says which status it expects to see logged.
    marker = request.node.get_closest_marker("http_error_expected")
    expected = [f"status of {status} " for status in (marker.args if marker else ())]
    errors = [e for e in errors if not any(s in e for s in expected)]
    assert errors == [], f"browser console errors: {errors}"


@pytest.fixture(scope="session")
def live_server(django_db_setup: None, live_server: Any) -> Any:
    """pytest-django's live server, set up after (so torn down before) the test database.

    Otherwise its threads can still hold a connection when PostgreSQL drops the database.
    """
    return live_server


# -- the PostgreSQL pass runs only what touches a database ---------------------------------

DATABASE_FIXTURES = frozenset(
    {"db", "transactional_db", "django_db_reset_sequences", "django_db_serialized_rollback",
     "live_server", "django_db_setup"}
)  # fmt: skip
# Folders whose tests start `attestly` in a subprocess, which inherits the database setting.
SUBPROCESS_DIRS = (
    "tests/cli/",
    "tests/core/test_migrating",
    "tests/core/test_demo",
    "tests/evidence/test_faults",
    "tests/evidence/test_export",
    "tests/integrations/builtin/tls/test_cli",
    "tests/integrations/builtin/aws/test_integration",
    "tests/bench/",
)


def _uses_database(item: pytest.Item) -> bool:
    if item.get_closest_marker("django_db") or item.get_closest_marker("postgres"):
        return True
    if DATABASE_FIXTURES.intersection(getattr(item, "fixturenames", ())):
        return True
    path = str(item.path.relative_to(Path(__file__).resolve().parents[1]))
    return path.startswith(SUBPROCESS_DIRS)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """With ATTESTLY_TEST_DATABASE_ONLY=1 (the PostgreSQL pass of scripts/test.sh), skip the
    tests that touch no database: they ran already on the SQLite pass and would run the same."""
    if os.environ.get("ATTESTLY_TEST_DATABASE_ONLY") != "1":
        return
    keep = [item for item in items if _uses_database(item)]
    dropped = [item for item in items if not _uses_database(item)]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep


@pytest.fixture(autouse=True)
def _no_data_cache(settings: Any) -> Iterator[None]:
    """The suite's factories write without the audit log, which the data cache keys on; it is
    off here and on in tests/core/test_datacache.py."""
    from attestly.core import datacache

    settings.DATA_CACHE_SECONDS = 0
    datacache.clear()
    yield
    datacache.clear()
