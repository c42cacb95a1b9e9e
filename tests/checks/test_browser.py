"""The check pages driven in headless Chromium against a live server."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from attestly.accounts.models import User
from attestly.checks.actions import do_import_findings
from attestly.core.models import Workspace
from attestly.testing.factories import TEST_PASSWORD
from conftest import have_binary, require_service

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]
CHROMIUM = "/usr/bin/chromium"
PROWLER = (Path(__file__).parent / "fixtures" / "prowler-output.ocsf.json").read_bytes()


@pytest.fixture
def page(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    from django.db import connection

    if connection.vendor != "sqlite":
        # On PostgreSQL the session-wide live server keeps a connection that blocks dropping
        # the test database at the end; the pages do not depend on the database engine.
        pytest.skip("the browser test runs on SQLite only")
    require_service(
        "playwright",
        importlib.util.find_spec("playwright") is not None,
        "pip install playwright (dev extras)",
    )
    require_service("chromium", have_binary(CHROMIUM), f"no browser at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; allow the test's ORM calls.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True)
        try:
            yield browser.new_page()
        finally:
            browser.close()


def test_sign_in_open_checks_and_see_failing_resources(
    live_server: Any, page: Any, alice: User, acme: Workspace
) -> None:
    do_import_findings(actor=alice, workspace=acme, data=PROWLER, fmt="ocsf")
    page.goto(f"{live_server.url}/login/?next=/")
    page.fill("#id_username", "alice")
    page.fill("#id_password", TEST_PASSWORD)
    page.click("button[type=submit]")
    page.click("nav.sidebar >> text=Checks")
    page.wait_for_url("**/checks/")
    page.click("text=prowler:rds_instance_storage_encrypted")
    page.wait_for_url("**/checks/prowler:rds_instance_storage_encrypted/")
    assert "Failing resources (1)" in page.inner_text("main")
    assert "legacy-reporting" in page.inner_text("main")
    assert "CRY-01" in page.inner_text(".facts")
