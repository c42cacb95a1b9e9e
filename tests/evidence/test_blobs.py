from __future__ import annotations

import datetime as dt
import importlib.util
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from attestly.core.models import Workspace
from attestly.evidence.actions import do_upload_evidence
from attestly.evidence.blobs import (
    BlobTooLarge,
    LocalBlobStore,
    S3BlobStore,
    get_blob_store,
    hash_blob,
    stage_chunks,
)
from attestly.evidence.verify import verify_workspace
from tests.conftest import require_service

BUCKET = "attestly-evidence"


def test_local_store_keeps_one_file_per_hash(tmp_path: Path, settings: Any) -> None:
    store = LocalBlobStore(tmp_path / "blobs")
    for _ in range(2):
        staged = stage_chunks([b"same ", b"bytes"], max_bytes=100)
        store.put_path(staged.digest, staged.path)
    files = [p for p in (tmp_path / "blobs").rglob("*") if p.is_file()]
    assert [p.name for p in files] == [staged.digest]
    assert hash_blob(store, staged.digest) == staged.digest
    store.delete(staged.digest)
    assert hash_blob(store, staged.digest) is None


def test_staging_past_the_limit_leaves_no_file(evidence_data_dir: Path) -> None:
    with pytest.raises(BlobTooLarge):
        stage_chunks((b"x" * 10 for _ in range(5)), max_bytes=30)
    assert list((evidence_data_dir / "blobs" / ".staging").iterdir()) == []


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def s3_endpoint() -> Iterator[str]:
    """moto's S3 server mode on a free local port, started and stopped by the test."""
    require_service(
        "moto",
        importlib.util.find_spec("moto") is not None,
        "pip install 'moto[server]' (in the dev extras)",
    )
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture
def s3_settings(settings: Any, s3_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    import boto3

    for name in ("AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    client.create_bucket(Bucket=BUCKET)
    settings.OPTIONS = settings.OPTIONS.model_copy(
        update={
            "evidence_blob_backend": "s3",
            "evidence_s3_bucket": BUCKET,
            "evidence_s3_endpoint_url": s3_endpoint,
            "evidence_s3_region": "us-east-1",
            "evidence_s3_access_key_id": "testing",
            "evidence_s3_secret_access_key": SecretStr("testing"),
        }
    )
    return client


@pytest.mark.django_db
def test_s3_store_holds_uploads_once_and_verify_finds_tampering(
    acme: Workspace, s3_settings: Any
) -> None:
    client = s3_settings
    store = get_blob_store()
    assert isinstance(store, S3BlobStore)
    items = [
        do_upload_evidence(
            actor=None,
            workspace=acme,
            chunks=[b"%PDF-1.7 backup log"],
            filename=f"backup-{n}.pdf",
            effective_from=dt.date(2026, 1, n),
        )
        for n in (1, 2)
    ]
    digest = items[0].content_hash
    keys = [o["Key"] for o in client.list_objects_v2(Bucket=BUCKET)["Contents"]]
    assert keys == [f"evidence/{digest}"]
    assert verify_workspace(acme).ok
    client.put_object(Bucket=BUCKET, Key=f"evidence/{digest}", Body=b"%PDF-1.7 forged")
    assert {b.problem.split(": ")[0] for b in verify_workspace(acme).breaks} == {
        f"blob {digest[:16]}… changed"
    }
    client.delete_object(Bucket=BUCKET, Key=f"evidence/{digest}")
    problems = [str(b) for b in verify_workspace(acme).breaks]
    assert len(problems) == 2
    assert all(f"blob {digest[:16]}… missing from the s3 blob store" in p for p in problems)
