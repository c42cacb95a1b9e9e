"""A collection run in its own process, for the kill -9 fault test and manual experiments.

    python -m attestly.testing.ingest_worker --workspace acme --records 100000 --batch-key run-1

Prints `progress N` after each chunk written and `done N created|existing` at the end.
"""

from __future__ import annotations

import argparse
import os
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workspace", required=True)
    parser.add_argument("--records", type=int, required=True)
    parser.add_argument("--batch-key", required=True)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "attestly.conf.settings")
    import django

    django.setup()
    from attestly.core.actions import do_create_workspace
    from attestly.core.models import Workspace
    from attestly.evidence.actions import do_record_evidence_batch
    from attestly.testing.synthetic import s3_bucket_inputs

    workspace = Workspace.objects.filter(slug=args.workspace).first()
    if workspace is None:
        workspace = do_create_workspace(actor=None, slug=args.workspace, name=args.workspace)

    def progress(count: int) -> None:
        sys.stdout.write(f"progress {count}\n")
        sys.stdout.flush()

    result = do_record_evidence_batch(
        actor=None, workspace=workspace, source="connection", batch_key=args.batch_key,
        items=s3_bucket_inputs(args.records, run=args.batch_key), on_progress=progress,
    )  # fmt: skip
    state = "created" if result.created else "existing"
    sys.stdout.write(f"done {result.item_count} {state}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
