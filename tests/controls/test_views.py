from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from attestly.accounts.models import User
from attestly.controls.actions import do_retire_control
from attestly.controls.models import Control
from attestly.core.models import AuditEntry, Workspace
from attestly.testing.factories import ControlFactory, ControlMappingFactory, criterion

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_library_page_filters_by_framework_criterion_and_category(alice: User) -> None:
    client = _client(alice)
    page = client.get("/library/")
    assert page.status_code == 200
    assert "GOV-01" in page.text
    assert 'href="/controls/"' in page.text  # nav link
    gdpr = client.get("/library/", {"framework": "gdpr"}, **HTMX)
    assert "<html" not in gdpr.text
    assert "GOV-01" not in gdpr.text
    one = client.get("/library/", {"criterion": "soc2:CC1.2"}, **HTMX)
    assert "GOV-01" in one.text
    assert "AC-01" not in one.text
    privacy = client.get("/library/", {"category": "privacy"}, **HTMX)
    assert "GOV-01" not in privacy.text


def test_library_control_page_lists_criteria_in_every_framework(alice: User) -> None:
    page = _client(alice).get("/library/GOV-01/")
    assert page.status_code == 200
    for text in ("CC1.2", "Evidence an auditor expects", "iso27001", "GV.OV-01"):
        assert text in page.text


def test_control_list_shows_only_the_current_workspace(
    acme: Workspace, globex: Workspace, alice: User, mallory: User
) -> None:
    ControlFactory(workspace=acme, ref="ACME-01")
    ControlFactory(workspace=globex, ref="GLOBEX-01")
    page = _client(mallory).get("/controls/")
    assert "GLOBEX-01" in page.text
    assert "ACME-01" not in page.text
    assert _client(mallory).get("/controls/ACME-01/").status_code == 404


def test_control_list_filters_by_status_owner_and_criterion(acme: Workspace, alice: User) -> None:
    ControlMappingFactory(
        control=ControlFactory(workspace=acme, ref="DONE-01", status="implemented", owner=alice),
        criterion=criterion("soc2:CC6.1"),
    )
    ControlMappingFactory(
        control=ControlFactory(workspace=acme, ref="TODO-01"), criterion=criterion("soc2:CC7.2")
    )
    client = _client(alice)
    assert "TODO-01" not in client.get("/controls/", {"status": "implemented"}, **HTMX).text
    assert "TODO-01" not in client.get("/controls/", {"owner": "alice"}, **HTMX).text
    assert "DONE-01" not in client.get("/controls/", {"owner": "-"}, **HTMX).text
    by_criterion = client.get("/controls/", {"criterion": "soc2:CC7.2"}, **HTMX).text
    assert "TODO-01" in by_criterion
    assert "DONE-01" not in by_criterion
    assert (
        "DONE-01"
        in client.get("/controls/", {"category": "security", "framework": "soc2"}, **HTMX).text
    )


def test_control_page_shows_mappings_and_inline_form(acme: Workspace, alice: User) -> None:
    control = ControlFactory(workspace=acme, ref="X-01")
    ControlMappingFactory(control=control, criterion=criterion("iso27001:A.5.15"))
    page = _client(alice).get("/controls/X-01/")
    assert page.status_code == 200
    assert "A.5.15" in page.text
    assert 'hx-post="/controls/X-01/edit/"' in page.text


def test_inline_edit_sets_owner_and_status_through_the_action(acme: Workspace, alice: User) -> None:
    control = ControlFactory(workspace=acme, ref="X-01")
    response = _client(alice).post(
        "/controls/X-01/edit/", {"owner": "alice", "status": "implemented", "na_reason": ""}, **HTMX
    )
    assert response.status_code == 200
    assert "<html" not in response.text
    control.refresh_from_db()
    assert (control.owner, control.status) == (alice, "implemented")
    assert AuditEntry.objects.filter(workspace=acme, action="control.update").count() == 1


def test_inline_edit_refuses_bad_input_and_saves_nothing(
    acme: Workspace, alice: User, mallory: User
) -> None:
    ControlFactory(workspace=acme, ref="X-01", status="in_progress")
    client = _client(alice)
    na = client.post("/controls/X-01/edit/", {"status": "not_applicable", "na_reason": ""}, **HTMX)
    assert "needs a reason" in na.text
    outsider = client.post(
        "/controls/X-01/edit/", {"owner": "mallory", "status": "implemented"}, **HTMX
    )
    assert "mallory is not a member" in outsider.text
    bogus = client.post("/controls/X-01/edit/", {"status": "finished"})
    assert bogus.status_code == 400
    control = Control.objects.get(ref="X-01")
    assert (control.status, control.owner) == ("in_progress", None)
    assert AuditEntry.objects.filter(workspace=acme).count() == 0


def test_inline_edit_needs_csrf_and_an_editor(acme: Workspace, alice: User, bob: User) -> None:
    ControlFactory(workspace=acme, ref="X-01")
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(alice)
    assert strict.post("/controls/X-01/edit/", {"status": "implemented"}).status_code == 403
    viewer = _client(bob)
    assert 'name="status"' not in viewer.get("/controls/X-01/").text
    assert viewer.post("/controls/X-01/edit/", {"status": "implemented"}).status_code == 403
    assert Control.objects.get(ref="X-01").status == "not_started"


def test_non_htmx_edit_redirects_back(acme: Workspace, alice: User) -> None:
    ControlFactory(workspace=acme, ref="X-01")
    response = _client(alice).post("/controls/X-01/edit/", {"status": "in_progress"})
    assert response.status_code == 302
    assert response["Location"] == "/controls/X-01/"


def test_mapping_view_goes_from_soc2_to_counterparts_and_back(alice: User) -> None:
    client = _client(alice)
    page = client.get("/mappings/", {"criterion": "soc2:CC6.1"})
    assert page.status_code == 200
    for fw in ("iso27001", "nist-csf"):
        assert f"fw-{fw}" in page.text
    assert "/mappings/?criterion=iso27001%3AA.5.15" in page.text
    back = client.get("/mappings/", {"criterion": "iso27001:A.5.15"})
    assert "/mappings/?criterion=soc2%3ACC6.1" in back.text


def test_mapping_view_with_workspace_mappings(acme: Workspace, alice: User) -> None:
    control = ControlFactory(workspace=acme, ref="MINE-01")
    ControlMappingFactory(control=control, criterion=criterion("soc2:CC6.1"))
    ControlMappingFactory(control=control, criterion=criterion("gdpr:Art.32"))
    page = _client(alice).get("/mappings/", {"criterion": "soc2:CC6.1", "source": "workspace"})
    assert "MINE-01" in page.text
    assert "Art.32" in page.text
    assert "A.5.15" not in page.text


def test_list_pages_do_not_query_per_row(
    acme: Workspace, alice: User, django_assert_max_num_queries: Any
) -> None:
    for _ in range(25):
        ControlMappingFactory(control=ControlFactory(workspace=acme, owner=alice))
    client = _client(alice)
    with django_assert_max_num_queries(14):
        assert client.get("/controls/").status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get("/library/").status_code == 200


def test_add_from_the_library_page(acme: Workspace, alice: User, bob: User) -> None:
    client = _client(alice)
    assert "Add to Acme" in client.get("/library/PRV-01/").text
    assert "Add to Acme" not in _client(bob).get("/library/PRV-01/").text
    assert _client(bob).post("/library/PRV-01/add/").status_code == 403
    response = client.post("/library/PRV-01/add/")
    assert response["Location"] == "/controls/PRV-01/"
    assert Control.objects.filter(workspace=acme, ref="PRV-01").exists()
    assert "Add to Acme" not in client.get("/library/PRV-01/").text


def test_retired_control_page_says_so_and_offers_no_form(acme: Workspace, alice: User) -> None:
    control = ControlFactory(workspace=acme, ref="OLD-01")
    do_retire_control(actor=alice, control=control)
    page = _client(alice).get("/controls/OLD-01/").text
    assert "Retired on" in page
    assert 'name="status"' not in page


def test_history_restore_gets_the_whole_page(alice: User) -> None:
    page = _client(alice).get(
        "/library/", HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    )
    assert "<html" in page.text


def test_lists_page_by_50_keeping_filters(alice: User) -> None:
    client = _client(alice)
    first = client.get("/library/", {"framework": "soc2"}).text
    assert "209 controls" in first
    assert "Page 1 of 5" in first
    assert 'href="?framework=soc2&amp;page=2"' in first
    last = client.get("/library/", {"framework": "soc2", "page": "99"}).text
    assert "Page 5 of 5" in last
    assert len(re.findall(r'href="/library/[A-Z]', last)) == 209 - 4 * 50
