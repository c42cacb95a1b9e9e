"""Demo content of the check engine: a sample Prowler scan and a run of the built-in checks."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from attestly.checks.actions import do_import_findings, do_run_checks

if TYPE_CHECKING:
    from attestly.accounts.models import User
    from attestly.core.models import Workspace

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "samples" / "prowler-demo.ocsf.json"


def seed_demo_checks(*, workspace: Workspace, actor: User | None) -> None:
    """Import the sample scan (once: the same file adds nothing again) and run the checks."""
    do_import_findings(
        actor=actor,
        workspace=workspace,
        data=SAMPLE.read_bytes(),
        fmt="ocsf",
        filename="prowler-demo.ocsf.json",
    )
    do_run_checks(actor=actor, workspace=workspace)
