"""The evidence browser driven in headless Chromium against a live server."""

from __future__ import annotations

import datetime as dt
import importlib.util
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from attestly.accounts.models import User
from attestly.core.models import Workspace
from attestly.evidence.actions import do_upload_evidence
from attestly.testing.factories import TEST_PASSWORD, record_evidence
from conftest import have_binary, require_service

# transaction=True also makes pytest-django run this after the tests that share one transaction.
pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture
def page(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    from django.db import connection

    if connection.vendor != "sqlite":
        # On PostgreSQL the session-wide live server keeps a connection that blocks dropping
        # the test database at the end; the UI does not depend on the database engine.
        pytest.skip("the browser test runs on SQLite only")
    require_service(
        "playwright",
        importlib.util.find_spec("playwright") is not None,
        "pip install playwright (dev extras)",
    )
    require_service("chromium", have_binary(CHROMIUM), f"no browser at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; the ORM calls the test makes
    # meanwhile are ordinary synchronous calls, which Django would otherwise refuse.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True)
        try:
            yield browser.new_page()
        finally:
            browser.close()


def test_sign_in_browse_filter_and_upload(
    live_server: Any, page: Any, alice: User, acme: Workspace, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    record_evidence(acme, 2)
    record_evidence(acme, 1, kind="github.repo", resource_key="acme/api")
    do_upload_evidence(
        actor=alice,
        workspace=acme,
        chunks=[b"%PDF-1.7 policy"],
        filename="policy.pdf",
        effective_from=dt.date(2026, 1, 31),
    )
    page.goto(f"{live_server.url}/login/?next=/evidence/")
    page.fill("#id_username", "alice")
    page.fill("#id_password", TEST_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/evidence/")
    expect(page.locator("#evidence-table .badge-verified")).to_have_count(4)

    page.select_option("#f-kind", "github.repo")
    # The page's CSP forbids eval, so wait from Python rather than with a JS predicate.
    expect(page.locator("#evidence-table tbody tr")).to_have_count(1)
    assert "acme/api" in page.inner_text("#evidence-table")

    evidence = tmp_path / "Q1 access review.csv"
    evidence.write_text("user,decision\nana,keep\n")
    page.goto(f"{live_server.url}/evidence/upload/")
    page.set_input_files("#id_file", str(evidence))
    page.fill("#id_effective_from", "2026-01-01")
    page.fill("#id_effective_to", "2026-03-31")
    page.fill("#id_control_refs", "AC-08")
    page.click("button[type=submit]:has-text('Upload')")
    page.wait_for_url("**/evidence/*/")
    assert "Q1 access review.csv" in page.inner_text("h1")
    expect(page.locator("h1 .badge-verified")).to_have_count(1)
    assert "AC-08" in page.inner_text(".facts")
