from __future__ import annotations

import pytest

from attestly.core.models import Workspace
from attestly.evidence.demo import DEMO_UPLOADS, seed_demo_evidence
from attestly.evidence.models import EvidenceItem
from attestly.evidence.verify import verify_workspace

pytestmark = pytest.mark.django_db


def test_demo_evidence_is_seeded_once_and_verifies(acme: Workspace) -> None:
    seed_demo_evidence(workspace=acme, actor=None)
    seed_demo_evidence(workspace=acme, actor=None)
    items = EvidenceItem.objects.in_workspace(acme)
    assert items.count() == len(DEMO_UPLOADS)
    assert {i.media_type for i in items} == {"text/plain", "application/pdf"}
    assert all(i.effective_from is not None and i.control_refs for i in items)
    assert verify_workspace(acme).ok
