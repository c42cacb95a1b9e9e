"""Connecting the sample integration through the real UI, in headless Chromium."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connections

from attestly.accounts.models import User
from attestly.core.models import Workspace
from attestly.integrations.models import Connection
from attestly.testing.factories import TEST_PASSWORD
from tests.conftest import have_binary, require_service
from tests.integrations.sample.server import SampleServer

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture
def page(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    require_service(
        "playwright",
        importlib.util.find_spec("playwright") is not None,
        "pip install playwright (dev extras)",
    )
    require_service("chromium", have_binary(CHROMIUM), f"no browser at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True)
        try:
            yield browser.new_page()
        finally:
            browser.close()
            # ORM calls made while Playwright's event loop runs open connections in its
            # context; close them here, or PostgreSQL refuses to drop the test database.
            connections.close_all()


def test_connect_through_the_generated_form_then_test_the_connection(
    live_server: Any,
    page: Any,
    alice: User,
    acme: Workspace,
    sample_installed: Any,
    sample_server: SampleServer,
) -> None:
    page.goto(f"{live_server.url}/login/?next=/")
    page.fill("#id_username", "alice")
    page.fill("#id_password", TEST_PASSWORD)
    page.click("button[type=submit]")
    page.click("nav.sidebar >> text=Integrations")
    page.wait_for_url("**/integrations/")
    page.click("a[href='/integrations/sample/connect/']")
    page.fill("#id_name", "prod")
    page.fill("#id_url", sample_server.url)
    page.fill("#id_token", sample_server.token)
    page.click("main button[type=submit]")
    page.wait_for_url("**/integrations/connections/*/")
    assert Connection.objects.get(name="prod").integration == "sample"
    assert sample_server.token not in page.content()
    page.click("text=Test connection")
    page.wait_for_selector("#test-result.ok")
    assert page.inner_text("#test-result") == "ok: connected as robot"
