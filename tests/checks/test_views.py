from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from attestly.accounts.models import User
from attestly.checks.actions import do_import_findings
from attestly.core.models import Workspace

pytestmark = pytest.mark.django_db
PROWLER = (Path(__file__).parent / "fixtures" / "prowler-output.ocsf.json").read_bytes()


@pytest.fixture
def imported(acme: Workspace, alice: User) -> Workspace:
    do_import_findings(actor=alice, workspace=acme, data=PROWLER, fmt="ocsf")
    return acme


def page(user: User, url: str) -> tuple[int, str]:
    client = Client()
    client.force_login(user)
    response = client.get(url)
    return response.status_code, response.content.decode()


def test_check_list_links_builtin_and_imported_checks(imported: Workspace, alice: User) -> None:
    status, html = page(alice, "/checks/")
    assert status == 200
    assert 'href="/checks/evidence_upload_fresh/"' in html
    assert "prowler:s3_bucket_default_encryption" in html
    assert 'aria-current="page">Checks' in html


def test_check_page_shows_failing_resources_history_and_mapping(
    imported: Workspace, alice: User
) -> None:
    status, html = page(alice, "/checks/prowler:s3_bucket_default_encryption/")
    assert status == 200
    assert "Failing resources (1)" in html
    assert "arn:aws:s3:::acme-exports" in html
    assert "CRY-02" in html
    assert "Last 30 days" in html


def test_builtin_check_page_shows_remediation(acme: Workspace, alice: User) -> None:
    status, html = page(alice, "/checks/evidence_upload_fresh/")
    assert status == 200
    assert "How to fix it" in html and "Repeat the activity" in html


def test_another_workspaces_imported_check_is_not_found(imported: Workspace, mallory: User) -> None:
    assert page(mallory, "/checks/prowler:s3_bucket_default_encryption/")[0] == 404
