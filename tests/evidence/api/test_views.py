from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from rest_framework.test import APIClient

from attestly.accounts.models import User
from attestly.core.models import Workspace
from attestly.evidence.models import EvidenceItem
from attestly.testing.factories import record_evidence

pytestmark = pytest.mark.django_db

ClientFor = Callable[..., APIClient]


def _form(
    workspace: str = "acme", data: bytes = b"%PDF-1.7 access review", **extra: object
) -> dict[str, object]:
    return {
        "workspace": workspace,
        "file": SimpleUploadedFile("Q1 review.pdf", data),
        "effective_from": "2026-01-31",
        **extra,
    }


def test_upload_then_list_retrieve_and_download(alice: User, api_client_for: ClientFor) -> None:
    client = api_client_for(alice)
    created = client.post(
        "/api/v1/evidence/",
        _form(effective_to="2026-03-31", control_refs=["AC-01", "CHG-02"]),
        format="multipart",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["filename"], body["media_type"]) == ("Q1 review.pdf", "application/pdf")
    assert (body["effective_from"], body["effective_to"]) == ("2026-01-31", "2026-03-31")
    assert body["control_refs"] == ["AC-01", "CHG-02"]
    listed = client.get("/api/v1/evidence/", {"workspace": "acme"}).json()
    assert [r["id"] for r in listed["results"]] == [body["id"]]
    assert listed["results"][0]["verification"] == {"state": "verified", "problems": []}
    download = client.get(body["download_url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.7 access review"  # type: ignore[attr-defined]
    assert download["X-Evidence-SHA256"] == body["content_hash"]


def test_structured_item_shows_its_content(
    alice: User, acme: Workspace, api_client_for: ClientFor
) -> None:
    record_evidence(acme, 1, content={"name": "logs", "encrypted": True})
    item = EvidenceItem.objects.in_workspace(acme).get()
    body = api_client_for(alice).get(f"/api/v1/evidence/{item.pk}/").json()
    assert body["content"] == {"encrypted": True, "name": "logs"}
    assert body["verification"] == {"state": "verified", "problems": []}


def test_a_tampered_item_shows_broken_in_the_list(
    alice: User, acme: Workspace, api_client_for: ClientFor
) -> None:
    record_evidence(acme, 2)
    item = EvidenceItem.objects.in_workspace(acme).get(seq=1)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE evidence_evidenceitem SET content = %s WHERE id = %s", [b"{}", item.pk]
        )
    results = api_client_for(alice).get("/api/v1/evidence/").json()["results"]
    states = {r["seq"]: r["verification"]["state"] for r in results}
    assert states == {1: "broken", 2: "verified"}


def test_another_workspaces_items_answer_404(
    mallory: User, acme: Workspace, api_client_for: ClientFor
) -> None:
    record_evidence(acme, 1)
    item = EvidenceItem.objects.in_workspace(acme).get()
    client = api_client_for(mallory)
    assert client.get("/api/v1/evidence/").json()["count"] == 0
    assert client.get(f"/api/v1/evidence/{item.pk}/").status_code == 404
    assert client.get(f"/api/v1/evidence/{item.pk}/download/").status_code == 404
    assert client.post("/api/v1/evidence/", _form(), format="multipart").status_code == 404


def test_a_viewer_and_a_read_only_token_cannot_upload(
    alice: User, bob: User, api_client_for: ClientFor
) -> None:
    assert (
        api_client_for(bob).post("/api/v1/evidence/", _form(), format="multipart").status_code
        == 403
    )
    assert (
        api_client_for(alice, scope="read")
        .post("/api/v1/evidence/", _form(), format="multipart")
        .status_code
        == 403
    )
    assert not EvidenceItem.objects.exists()


def test_an_executable_upload_is_refused_with_a_clear_error(
    alice: User, api_client_for: ClientFor
) -> None:
    response = api_client_for(alice).post(
        "/api/v1/evidence/", _form(data=b"MZ\x90\x00" * 20), format="multipart"
    )
    assert response.status_code == 400
    assert "executables are not accepted" in response.json()["detail"]
    assert not EvidenceItem.objects.exists()


def test_an_oversized_upload_answers_413(
    alice: User, api_client_for: ClientFor, settings: object
) -> None:
    settings.OPTIONS = settings.OPTIONS.model_copy(update={"evidence_upload_max_bytes": 10})  # type: ignore[attr-defined]
    response = api_client_for(alice).post(
        "/api/v1/evidence/", _form(data=b"x" * 100_000), format="multipart"
    )
    assert response.status_code == 413
    assert "larger than the limit of 10 bytes" in response.json()["detail"]
    small = api_client_for(alice).post(
        "/api/v1/evidence/", _form(data=b"x" * 1000), format="multipart"
    )
    assert small.status_code == 400
    assert not EvidenceItem.objects.exists()


def test_missing_effective_date_is_a_field_error(alice: User, api_client_for: ClientFor) -> None:
    form = _form()
    del form["effective_from"]
    response = api_client_for(alice).post("/api/v1/evidence/", form, format="multipart")
    assert response.status_code == 400
    assert "effective_from" in response.json()["errors"]
