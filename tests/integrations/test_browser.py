"""Connecting integrations through the real UI, in headless Chromium (the shared `browser`
and `page` fixtures of tests/conftest.py keep a screenshot of each test)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from attestly.accounts.models import User
from attestly.checks.queries import counts_by_check
from attestly.core.models import Workspace
from attestly.integrations.models import CollectionRun, Connection
from attestly.testing.factories import TEST_PASSWORD
from tests.conftest import require_service
from tests.integrations.sample.server import SampleServer

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


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


def test_connect_the_local_host_collect_now_and_see_its_results(
    live_server: Any, page: Any, alice: User, acme: Workspace
) -> None:
    """An owner connects this host (local mode) through the generated form, presses Collect
    now, and the page shows the run and each check's passing and failing resources."""
    require_service("Linux", Path("/proc/self").exists(), "the local host integration reads /proc")
    page.goto(f"{live_server.url}/login/?next=/")
    page.fill("#id_username", "alice")
    page.fill("#id_password", TEST_PASSWORD)
    page.click("button[type=submit]")
    page.click("nav.sidebar >> text=Integrations")
    page.wait_for_url("**/integrations/")
    page.click("a[href='/integrations/linux_host/connect/']")
    page.fill("#id_name", "this-host")
    assert page.input_value("#id_root") == "/"  # local mode: this host's own file system
    page.click("main button[type=submit]")
    page.wait_for_url("**/integrations/connections/*/")
    connection = Connection.objects.get(workspace=acme, name="this-host")
    assert connection.integration == "linux_host"
    assert "No run yet." in page.inner_text("main")

    page.click("#collect-now")
    # The page follows the run, then reloads with it and its results.
    expect(page.locator("#runs tbody tr")).to_have_count(1, timeout=60_000)
    run = CollectionRun.objects.get(connection=connection)
    assert run.status in ("succeeded", "partial"), run.errors
    assert run.status in page.inner_text("#runs")

    counts = counts_by_check(acme)
    rows = page.locator("#connection-checks tbody tr")
    shown = {}
    for i in range(rows.count()):
        row = rows.nth(i)
        failing = row.locator("td.failing").inner_text().split()[0]
        shown[row.get_attribute("data-check")] = (
            int(failing),
            int(row.locator("td.passing").inner_text()),
        )
    expected = {
        check_id: (counts[check_id].failing, counts[check_id].passing)
        for check_id in shown
        if check_id in counts
    }
    assert expected, "no check of the host has a result"
    assert {k: shown[k] for k in expected} == expected
    assert sum(f + p for f, p in expected.values()) > 0
