from __future__ import annotations

from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from attestly.accounts.models import User

pytestmark = pytest.mark.django_db


def test_soc2_criteria_total_61_with_330_points_of_focus(
    alice: User, api_client_for: Callable[..., APIClient]
) -> None:
    client = api_client_for(alice)
    response = client.get("/api/v1/criteria/", {"framework": "soc2", "page_size": 100})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 61
    assert sum(len(c["points_of_focus"]) for c in body["results"]) == 330


def test_filter_by_category_returns_only_that_category(
    alice: User, api_client_for: Callable[..., APIClient]
) -> None:
    body = (
        api_client_for(alice)
        .get("/api/v1/criteria/", {"framework": "soc2", "category": "availability"})
        .json()
    )
    assert [c["id"] for c in body["results"]] == ["A1.1", "A1.2", "A1.3"]


def test_search_matches_points_of_focus_text(
    alice: User, api_client_for: Callable[..., APIClient]
) -> None:
    body = (
        api_client_for(alice)
        .get("/api/v1/criteria/", {"framework": "soc2", "search": "encrypt"})
        .json()
    )
    assert "CC6.1" in {c["id"] for c in body["results"]}


def test_criterion_by_key_and_by_unambiguous_ref(
    alice: User, api_client_for: Callable[..., APIClient]
) -> None:
    client = api_client_for(alice)
    by_key = client.get("/api/v1/criteria/soc2:CC6.1/").json()
    by_ref = client.get("/api/v1/criteria/CC6.1/").json()
    assert by_key == by_ref
    assert len(by_key["points_of_focus"]) == 13
    assert by_key["category"] == "security"


@pytest.mark.parametrize("params", [{"categry": "security"}, {"framework": "soc2", "x": "1"}])
def test_unknown_filter_is_400_with_detail(
    alice: User, api_client_for: Callable[..., APIClient], params: dict[str, str]
) -> None:
    response = api_client_for(alice).get("/api/v1/criteria/", params)
    assert response.status_code == 400
    assert "Unknown filter" in response.json()["detail"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/criteria/soc2:CC99.9/",
        "/api/v1/criteria/%ff%fe/",
        "/api/v1/criteria/' OR 1=1--/",
        "/api/v1/frameworks/nope/",
        "/api/v1/no-such-endpoint/",
    ],
)
def test_missing_or_malformed_ids_are_404_with_detail(
    alice: User, api_client_for: Callable[..., APIClient], path: str
) -> None:
    response = api_client_for(alice).get(path)
    assert response.status_code == 404
    assert response.json()["detail"]


def test_bad_page_number_is_404_with_detail(
    alice: User, api_client_for: Callable[..., APIClient]
) -> None:
    response = api_client_for(alice).get("/api/v1/criteria/", {"page": "zzz"})
    assert response.status_code == 404
    assert response.json()["detail"]


def test_page_size_is_capped(alice: User, api_client_for: Callable[..., APIClient]) -> None:
    body = api_client_for(alice).get("/api/v1/criteria/", {"page_size": 100000}).json()
    assert body["count"] == 61 + 116 + 106 + 40
    assert len(body["results"]) == 323  # under the 500 cap, everything fits


def test_list_queries_do_not_grow_with_page_size(
    alice: User,
    api_client_for: Callable[..., APIClient],
    django_assert_max_num_queries: Callable[..., object],
) -> None:
    client = api_client_for(alice)
    with django_assert_max_num_queries(8):  # type: ignore[attr-defined]
        client.get("/api/v1/criteria/", {"page_size": 300})


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/api/v1/criteria/%00/", {}),
        ("/api/v1/criteria/", {"framework": "soc2\x00"}),
        ("/api/v1/criteria/", {"search": "a\x00b"}),
    ],
)
def test_nul_bytes_are_400_not_500(
    alice: User, api_client_for: Callable[..., APIClient], path: str, params: dict[str, str]
) -> None:
    response = api_client_for(alice).get(path, params)
    assert response.status_code == 400
    assert "NUL" in response.json()["detail"]
