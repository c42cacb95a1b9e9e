"""The role walk: every API endpoint and page, for every role, allowed or refused per the matrix.

URL patterns are enumerated from the URL configuration, so an endpoint or page added later is
walked without touching this file, and one that declares no action (or an unknown one) fails.
Placeholder ids are used: a request that passes the permission check may answer 404, 405 or
400; a refused one answers 403 before the view runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter
from rest_framework.test import APIClient
from rest_framework.views import APIView

from attestly.accounts.models import User
from attestly.api.permissions import ActionPermission, required_action
from attestly.core.models import Role, Workspace
from attestly.core.permissions import UNDECLARED, is_known, role_allows
from attestly.testing.factories import MembershipFactory, UserFactory
from attestly.web.access import ACCOUNT, effective_page_action

pytestmark = pytest.mark.django_db

# Not behind the matrix on purpose: the OpenAPI schema and its viewer describe the API, and
# the catch-all answers 404 in JSON to any path.
API_OPEN = {"api-schema", "api-docs", None}
PLACEHOLDER = "none-such"


@dataclass(frozen=True)
class Endpoint:
    name: str | None
    url: str
    method: str
    action: str | None  # None: public; ACCOUNT: any signed-in user
    api: bool


def _walk(patterns: list[Any], namespace: str = "") -> list[tuple[str | None, URLPattern]]:
    found: list[tuple[str | None, URLPattern]] = []
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            found.extend(_walk(entry.url_patterns, ns))
        elif isinstance(entry, URLPattern):
            found.append((f"{namespace}{entry.name}" if entry.name else None, entry))
    return found


def _placeholder_kwargs(pattern: URLPattern) -> dict[str, str] | None:
    converters = getattr(pattern.pattern, "converters", {})
    names = list(pattern.pattern.regex.groupindex)
    if "format" in names:
        return None  # DRF's format-suffix twin of a pattern walked already
    return {
        name: "999999" if isinstance(converters.get(name), IntConverter) else PLACEHOLDER
        for name in names
    }


# URL patterns restrict their ids differently (slugs, check ids, numbers); the first
# placeholder a pattern accepts is used.
PLACEHOLDERS = (PLACEHOLDER, "none_such", "nonesuch", "999999")


def _reverse_with_placeholders(name: str, kwargs: dict[str, str]) -> str:
    last: Exception | None = None
    for candidate in PLACEHOLDERS:
        try:
            return reverse(
                name, kwargs={k: v if v == "999999" else candidate for k, v in kwargs.items()}
            )
        except NoReverseMatch as exc:
            last = exc
    raise AssertionError(f"no placeholder fits the URL pattern {name}: {last}")


def endpoints() -> list[Endpoint]:
    found = []
    for name, pattern in _walk(get_resolver().url_patterns):
        kwargs = _placeholder_kwargs(pattern)
        if kwargs is None or name is None:
            continue
        url = _reverse_with_placeholders(name, kwargs)
        callback = pattern.callback
        view_class = getattr(callback, "cls", None)
        if url.startswith("/api/"):
            if name.split(":")[-1] in API_OPEN:
                continue
            assert view_class is not None and issubclass(view_class, APIView), name
            actions = getattr(callback, "actions", None) or {
                m: m for m in ("get", "post", "put", "patch", "delete") if hasattr(view_class, m)
            }
            for method, view_action in actions.items():
                view = view_class()
                view.action = view_action
                found.append(
                    Endpoint(name, url, method.upper(), required_action(view, method.upper()), True)
                )
        else:
            for method in ("GET", "POST"):
                action = effective_page_action(callback, method)
                found.append(Endpoint(name, url, method, action, False))
    return found


def test_every_endpoint_declares_a_known_action() -> None:
    walked = endpoints()
    assert len(walked) > 20
    # A page's unsafe methods fall back to owners-only when it declares a read action; that
    # is the safe default at work, not a missing declaration.
    declared = [e for e in walked if e.api or e.method == "GET"]
    undeclared = [e for e in declared if e.action == UNDECLARED]
    unknown = [e for e in walked if e.action not in (None, ACCOUNT) and not is_known(e.action)]
    assert undeclared == []
    assert unknown == []


def test_api_views_all_use_the_action_permission() -> None:
    for name, pattern in _walk(get_resolver().url_patterns):
        view_class = getattr(pattern.callback, "cls", None)
        if view_class is None or (name or "").split(":")[-1] in API_OPEN:
            continue
        assert ActionPermission in view_class.permission_classes, name


def _expected(endpoint: Endpoint, role: str) -> bool:
    if endpoint.action in (None, ACCOUNT):
        return True
    return role_allows(role, endpoint.action)


@pytest.mark.parametrize("role", Role.values)
def test_role_walk(role: str, acme: Workspace) -> None:
    user = UserFactory(username=f"walker-{role}")
    MembershipFactory(workspace=acme, user=user, role=role)
    api, pages = APIClient(), Client()
    api.force_login(user)
    pages.force_login(user)
    mismatches = []
    for endpoint in endpoints():
        if not endpoint.api:
            pages.force_login(user)  # the walk POSTs to /logout/ too
        client = api if endpoint.api else pages
        response = client.generic(endpoint.method, endpoint.url, "{}", "application/json")
        assert response.status_code < 500, (endpoint, response.content[:300])
        allowed = response.status_code not in (401, 403)
        if allowed != _expected(endpoint, role):
            mismatches.append(
                (endpoint.method, endpoint.url, endpoint.action, response.status_code)
            )
    assert mismatches == []


@pytest.mark.urls("tests.core.walk_urls")
def test_the_walk_finds_endpoints_added_without_a_declaration(bob: User, alice: User) -> None:
    forgotten = {
        (e.url, e.action) for e in endpoints() if "forgotten" in e.url and e.method == "GET"
    }
    assert forgotten == {("/api/v1/forgotten/", UNDECLARED), ("/forgotten-page/", UNDECLARED)}
    viewer, owner = Client(), Client()
    viewer.force_login(bob)
    owner.force_login(alice)
    assert viewer.get("/forgotten-page/").status_code == 403  # fails closed
    assert owner.get("/forgotten-page/").status_code == 200
