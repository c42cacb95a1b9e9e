"""The check pages driven in headless Chromium against a live server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from attestly.accounts.models import User
from attestly.checks.actions import do_import_findings
from attestly.core.models import Workspace
from attestly.testing.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]
PROWLER = (Path(__file__).parent / "fixtures" / "prowler-output.ocsf.json").read_bytes()


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
