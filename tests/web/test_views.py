"""Sign-in, the workspace switcher and the framework explorer."""

from __future__ import annotations

import pytest
from django.test import Client

from attestly.accounts.models import User
from attestly.core.models import Membership, Role, Workspace
from attestly.testing.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(alice: User) -> Client:
    client = Client()
    client.force_login(alice)
    return client


def test_pages_need_sign_in() -> None:
    response = Client().get("/frameworks/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_sign_in_with_password_then_out(alice: User) -> None:
    client = Client()
    response = client.post("/login/", {"username": "alice", "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert client.get("/frameworks/").status_code == 200
    client.post("/logout/")
    assert client.get("/frameworks/").status_code == 302


def test_wrong_password_says_so(alice: User) -> None:
    response = Client().post("/login/", {"username": "alice", "password": "nope"})
    assert response.status_code == 200
    assert b"do not match" in response.content


def test_framework_list_shows_counts(signed_in: Client) -> None:
    page = signed_in.get("/frameworks/").content.decode()
    assert "SOC 2 Trust Services Criteria" in page
    assert "<strong>61</strong> criteria" in page
    assert "<strong>330</strong> points of focus" in page


def test_explorer_search_returns_a_partial_for_htmx(signed_in: Client) -> None:
    full = signed_in.get("/frameworks/soc2/", {"q": "insurance"})
    partial = signed_in.get("/frameworks/soc2/", {"q": "insurance"}, HTTP_HX_REQUEST="true")
    assert b"<html" in full.content
    assert b"<html" not in partial.content
    assert b"1 criteria" in partial.content
    assert b"CC9.1" in partial.content


def test_explorer_filters_by_category(signed_in: Client) -> None:
    page = signed_in.get("/frameworks/soc2/", {"category": "confidentiality"}).content
    assert b"C1.1" in page
    assert b"CC6.1" not in page


def test_criterion_page_lists_points_of_focus(signed_in: Client) -> None:
    page = signed_in.get("/criteria/soc2:CC2.2/").content.decode()
    assert "CC2.2.13" in page
    assert page.count("scope-system") == 3


def test_unknown_criterion_is_404(signed_in: Client) -> None:
    assert signed_in.get("/criteria/soc2:XX1.1/").status_code == 404


def test_switcher_changes_workspace(alice: User, globex: Workspace, signed_in: Client) -> None:
    Membership.objects.create(workspace=globex, user=alice, role=Role.VIEWER)
    response = signed_in.post("/workspace/switch/", {"workspace": "globex", "next": "/frameworks/"})
    assert response["Location"] == "/frameworks/"
    page = signed_in.get("/frameworks/").content.decode()
    assert '<option value="globex" selected>' in page


def test_switcher_refuses_a_workspace_the_user_is_not_in(
    globex: Workspace, mallory: User, signed_in: Client
) -> None:
    response = signed_in.post("/workspace/switch/", {"workspace": "globex"})
    assert response.status_code == 404


def test_switcher_does_not_redirect_off_site(signed_in: Client) -> None:
    response = signed_in.post(
        "/workspace/switch/", {"workspace": "acme", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_security_headers_are_set(signed_in: Client) -> None:
    response = signed_in.get("/frameworks/")
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_search_text_is_escaped(signed_in: Client) -> None:
    page = signed_in.get("/frameworks/soc2/", {"q": "<script>alert(1)</script>"}).content
    assert b"<script>alert(1)</script>" not in page
    assert b"&lt;script&gt;" in page


def test_csrf_is_enforced_on_switcher(alice: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    assert client.post("/workspace/switch/", {"workspace": "acme"}).status_code == 403


def test_static_assets_are_served_locally(signed_in: Client) -> None:
    page = signed_in.get("/frameworks/").content.decode()
    assert "/static/attestly/htmx.min.js" in page
    assert "http" not in page.split("<body")[0].replace("http-equiv", "")


def test_healthz() -> None:
    assert Client().get("/healthz").json() == {"status": "ok"}


def test_scope_tags_read_as_words(signed_in: Client) -> None:
    page = signed_in.get("/criteria/soc2:CC2.2/").content.decode()
    assert "All engagements" in page
    assert "System-level" in page


def test_soc2_is_listed_first(signed_in: Client) -> None:
    page = signed_in.get("/frameworks/").content.decode()
    assert page.index("SOC 2 Trust Services Criteria") < page.index("ISO/IEC 27001:2022")


def test_criterion_page_lists_the_library_controls_that_meet_it(signed_in: Client) -> None:
    page = signed_in.get("/criteria/soc2:CC1.2/").text
    assert "Controls that meet it" in page
    assert 'href="/library/GOV-01/"' in page
    assert "/mappings/?criterion=soc2%3ACC1.2" in page
