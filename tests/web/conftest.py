"""Headless Chromium (the system's, from Debian) driven by Playwright against a live server."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import require_service

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
