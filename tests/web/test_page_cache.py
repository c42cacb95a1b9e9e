"""Whole pages are kept per session, role and workspace data version (`attestly.web.pagecache`):
a kept page is sent without running its view, yet never to another session, never after an
audited write or a role change, never to a signed-out session, and never instead of a flash
message."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import connection
from django.http import HttpRequest
from django.test import Client
from django.test.utils import CaptureQueriesContext

from attestly.accounts.models import User
from attestly.core import datacache
from attestly.core.actions import do_set_membership
from attestly.core.models import Role, Workspace
from attestly.frameworks.models import Framework
from attestly.readiness.actions import do_adopt_framework

pytestmark = pytest.mark.django_db

# A kept page costs the reads every signed-in request makes: session, user, and workspaces
# with roles and data versions.
KEPT_PAGE_QUERIES = 3
PAGES = ("/", "/controls/", "/evidence/", "/checks/", "/integrations/", "/audit/")


@pytest.fixture(autouse=True)
def data_cache_on(settings: Any) -> None:
    settings.DATA_CACHE_SECONDS = 60
    datacache.clear()


@pytest.fixture
def adopted(acme: Workspace, alice: User) -> Workspace:
    soc2 = Framework.objects.get(slug="soc2")
    do_adopt_framework(actor=alice, workspace=acme, framework=soc2, categories=[])
    return acme


def browser(user: User) -> Client:
    """A client as a browser has it after signing in: a session and a CSRF cookie."""
    client = Client()
    client.get("/login/")
    client.force_login(user)
    assert "csrftoken" in client.cookies
    return client


def queries_of(client: Client, path: str) -> tuple[int, bytes]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return len(captured.captured_queries), response.content


@pytest.mark.parametrize("path", PAGES)
def test_a_second_read_is_sent_without_running_the_view(
    adopted: Workspace, alice: User, path: str
) -> None:
    client = browser(alice)
    first_queries, first = queries_of(client, path)
    second_queries, second = queries_of(client, path)
    assert second == first
    assert second_queries <= KEPT_PAGE_QUERIES < first_queries


def test_pages_are_kept_per_session(adopted: Workspace, alice: User, bob: User) -> None:
    alices, bobs = browser(alice), browser(bob)
    queries_of(alices, "/controls/")
    bob_queries, bob_page = queries_of(bobs, "/controls/")
    assert bob_queries > KEPT_PAGE_QUERIES  # not alice's page
    assert b"bob" in bob_page and b"alice" not in bob_page.split(b"<main", 1)[0]
    # Another session of the same user gets its own page (its own CSRF token).
    second_session_queries, _ = queries_of(browser(alice), "/controls/")
    assert second_session_queries > KEPT_PAGE_QUERIES


def test_a_role_change_is_never_answered_from_a_kept_page(
    adopted: Workspace, alice: User, bob: User
) -> None:
    client = browser(bob)
    queries_of(client, "/controls/")
    assert queries_of(client, "/controls/")[0] <= KEPT_PAGE_QUERIES
    do_set_membership(actor=alice, workspace=adopted, user=bob, role=Role.EMPLOYEE)
    # An employee may not read controls: refused, not served the viewer's kept page.
    assert client.get("/controls/").status_code == 403


def test_an_audited_write_makes_every_kept_page_stale(
    adopted: Workspace, alice: User, bob: User
) -> None:
    client = browser(bob)
    queries_of(client, "/controls/")
    do_set_membership(actor=alice, workspace=adopted, user=bob, role=Role.EDITOR)
    assert queries_of(client, "/controls/")[0] > KEPT_PAGE_QUERIES


def test_a_signed_out_session_gets_the_sign_in_page(adopted: Workspace, alice: User) -> None:
    client = browser(alice)
    queries_of(client, "/")
    client.logout()
    response = client.get("/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_without_a_csrf_cookie_nothing_is_kept(adopted: Workspace, alice: User) -> None:
    client = Client()
    client.force_login(alice)
    queries_of(client, "/controls/")
    assert queries_of(client, "/controls/")[0] > KEPT_PAGE_QUERIES


def test_a_flash_message_is_shown_not_replaced_by_a_kept_page(
    adopted: Workspace, alice: User
) -> None:
    client = browser(alice)
    queries_of(client, "/controls/")  # kept
    # A message as a redirect leaves it for the next page (Django's cookie storage).
    storage = CookieStorage(HttpRequest())
    client.cookies[storage.cookie_name] = storage._encode(
        [Message(constants.SUCCESS, "Shown exactly once")]
    )
    assert b"Shown exactly once" in client.get("/controls/").content
    assert b"Shown exactly once" not in client.get("/controls/").content


def test_nothing_is_kept_when_the_cache_is_off(
    adopted: Workspace, alice: User, settings: Any
) -> None:
    settings.DATA_CACHE_SECONDS = 0
    client = browser(alice)
    queries_of(client, "/controls/")
    assert queries_of(client, "/controls/")[0] > KEPT_PAGE_QUERIES
