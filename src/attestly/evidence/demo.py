"""Demo evidence: a few manual uploads so the evidence browser of `attestly demo` is not empty."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from attestly.core.models import Workspace
from attestly.evidence.actions import do_upload_evidence, ensure_signing_key

if TYPE_CHECKING:
    from attestly.accounts.models import User

# (file name, content, effective from, effective to, controls)
DEMO_UPLOADS: tuple[tuple[str, bytes, dt.date, dt.date | None, tuple[str, ...]], ...] = (
    ("Q1 access review.csv",
     b"user,system,role,reviewer,decision\nana,aws,admin,cto,keep\nbo,github,write,cto,revoke\n",
     dt.date(2026, 1, 1), dt.date(2026, 3, 31), ("AC-08",)),
    ("Information security policy v3.pdf",
     b"%PDF-1.7\n% Demo policy document approved by the board on 2026-01-15.\n%%EOF\n",
     dt.date(2026, 1, 15), None, ("POL-01",)),
    ("Backup restore test 2026-02.txt",
     b"Restored db-prod snapshot 2026-02-10 into staging; checksums matched; 14 min.\n",
     dt.date(2026, 2, 10), None, ("BAK-03",)),
)  # fmt: skip


def seed_demo_evidence(*, workspace: Workspace, actor: User | None) -> int:
    """Upload the demo files once (idempotent per file). Returns how many items exist."""
    ensure_signing_key()
    for name, data, start, end, controls in DEMO_UPLOADS:
        do_upload_evidence(
            actor=actor, workspace=workspace, chunks=[data], filename=name,
            effective_from=start, effective_to=end, control_refs=controls,
            batch_key=f"demo:upload:{name}",
        )  # fmt: skip
    return len(DEMO_UPLOADS)
