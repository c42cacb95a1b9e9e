from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client

from attestly.accounts.models import User
from attestly.core.models import Workspace
from attestly.evidence.models import EvidenceItem
from attestly.testing.factories import record_evidence

pytestmark = pytest.mark.django_db


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_browser_lists_items_with_a_badge_each_and_a_nav_link(alice: User, acme: Workspace) -> None:
    record_evidence(acme, 3)
    broken = EvidenceItem.objects.in_workspace(acme).get(seq=2)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE evidence_evidenceitem SET kind = 'forged' WHERE id = %s", [broken.pk]
        )
    page = _client(alice).get("/evidence/")
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count("badge-verified") == 2
    assert html.count("badge-broken") == 1
    assert 'href="/evidence/"' in html


def test_browser_filters_by_kind(alice: User, acme: Workspace) -> None:
    record_evidence(acme, 2, kind="aws.s3.bucket")
    record_evidence(acme, 1, kind="github.repo", resource_key="acme/api")
    html = _client(alice).get("/evidence/", {"kind": "github.repo"}).content.decode()
    assert "acme/api" in html
    assert "arn:aws:s3" not in html


def test_upload_form_stores_the_file_and_shows_it(alice: User, acme: Workspace) -> None:
    client = _client(alice)
    assert client.get("/evidence/upload/").status_code == 200
    response = client.post(
        "/evidence/upload/",
        {
            "file": SimpleUploadedFile("screenshot.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 32),
            "effective_from": "2026-02-01",
            "control_refs": "AC-01, AC-02",
        },
    )
    item = EvidenceItem.objects.in_workspace(acme).get()
    assert response.status_code == 302 and response["Location"] == f"/evidence/{item.pk}/"
    assert (item.media_type, item.control_refs) == ("image/png", ["AC-01", "AC-02"])
    detail = client.get(f"/evidence/{item.pk}/").content.decode()
    assert "badge-verified" in detail
    download = client.get(f"/evidence/{item.pk}/download/")
    assert b"".join(download.streaming_content).startswith(b"\x89PNG")  # type: ignore[attr-defined]


def test_upload_form_shows_a_refusal(alice: User, acme: Workspace) -> None:
    response = _client(alice).post(
        "/evidence/upload/",
        {
            "file": SimpleUploadedFile("tool.pdf", b"\x7fELF" + b"\x00" * 32),
            "effective_from": "2026-02-01",
        },
    )
    assert response.status_code == 200
    assert "executables are not accepted" in response.content.decode()
    assert not EvidenceItem.objects.exists()


def test_a_viewer_cannot_upload_and_others_items_are_404(
    bob: User, mallory: User, acme: Workspace
) -> None:
    record_evidence(acme, 1)
    item = EvidenceItem.objects.in_workspace(acme).get()
    assert _client(bob).get("/evidence/upload/").status_code == 403
    assert _client(bob).get(f"/evidence/{item.pk}/").status_code == 200
    assert _client(mallory).get(f"/evidence/{item.pk}/").status_code == 404
    assert _client(mallory).get(f"/evidence/{item.pk}/download/").status_code == 404


def test_an_oversized_upload_is_refused_before_it_is_read(
    alice: User, acme: Workspace, settings: Any
) -> None:
    settings.OPTIONS = settings.OPTIONS.model_copy(update={"evidence_upload_max_bytes": 10})
    response = _client(alice).post(
        "/evidence/upload/",
        {
            "file": SimpleUploadedFile("big.txt", b"x" * 100_000),
            "effective_from": "2026-02-01",
        },
    )
    assert response.status_code == 413
    assert "larger than the limit of 10 bytes" in response.content.decode()
    assert not EvidenceItem.objects.exists()
