"""Bad input at the door: tampered cookies and CSRF tokens, oversized bodies."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

from attestly.accounts.models import User
from attestly.testing.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def test_a_tampered_session_cookie_is_a_signed_out_visitor(alice: User) -> None:
    client = Client()
    client.force_login(alice)
    cookie = client.cookies["sessionid"]
    cookie.set("sessionid", cookie.value[:-2] + "xx", cookie.value[:-2] + "xx")
    response = client.get("/frameworks/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_a_tampered_csrf_token_is_refused(alice: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.get("/login/")
    token = client.cookies["csrftoken"].value
    response = client.post(
        "/login/",
        {
            "username": "alice",
            "password": TEST_PASSWORD,
            "csrfmiddlewaretoken": token[:-4] + "AAAA",
        },
    )
    assert response.status_code == 403
    ok = client.post(
        "/login/", {"username": "alice", "password": TEST_PASSWORD, "csrfmiddlewaretoken": token}
    )
    assert ok.status_code == 302


def test_session_api_writes_need_the_csrf_token(alice: User) -> None:
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(alice)
    response = client.post("/api/v1/sso-configs/", {"workspace": "acme"}, format="json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_an_oversized_json_body_is_413_with_detail(alice: User, api_client_for: object) -> None:
    client = api_client_for(alice)  # type: ignore[operator]
    body = '{"name": "' + "x" * (3 * 1024 * 1024) + '"}'
    response = client.post("/api/v1/sso-configs/", body, content_type="application/json")
    assert response.status_code == 413
    assert "too large" in response.json()["detail"]


def test_an_oversized_form_is_refused(alice: User) -> None:
    body = "username=alice&password=" + "x" * (3 * 1024 * 1024)
    urlencoded = Client().post("/login/", body, content_type="application/x-www-form-urlencoded")
    assert urlencoded.status_code == 413
    assert "too large" in urlencoded.json()["detail"]
    # Multipart bodies stream; Django refuses their oversized fields when it reads them.
    multipart = Client().post("/login/", {"username": "alice", "password": "x" * 3_000_000})
    assert multipart.status_code == 400


def test_an_overlong_password_is_refused_by_the_policy(alice: User) -> None:
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="too long"):
        validate_password("Vq9!" * 100, alice)
    with pytest.raises(ValidationError, match="too common"):
        validate_password("password1234", alice)


def test_a_read_page_refuses_unsafe_methods_to_roles_without_write(alice: User, bob: User) -> None:
    viewer, owner = Client(), Client()
    viewer.force_login(bob)
    owner.force_login(alice)
    assert viewer.get("/settings/members/").status_code == 200
    assert viewer.post("/settings/members/").status_code == 403
    assert owner.post("/settings/members/").status_code == 405  # allowed through, not handled


def test_signed_out_visitors_are_sent_to_sign_in_with_next(bob: User) -> None:
    response = Client().get("/audit/?actor=x")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/audit/%3Factor%3Dx"
