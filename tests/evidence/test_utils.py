from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from django.test import RequestFactory

from attestly.evidence.utils import spool_uploads_to_disk


def test_even_a_small_upload_is_spooled_to_disk_not_memory() -> None:
    request = RequestFactory().post(
        "/evidence/upload/", {"file": SimpleUploadedFile("a.txt", b"tiny")}
    )
    spool_uploads_to_disk(request)
    upload = request.FILES["file"]
    assert isinstance(upload, TemporaryUploadedFile)
    assert upload.read() == b"tiny"
    upload.close()
