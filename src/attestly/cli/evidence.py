"""`attestly evidence …`: the evidence ledger from the command line.

The check-engine side adds `import` to this Typer app (`app.command("import")(...)`).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from attestly.cli.bootstrap import console, err_console, fail, setup_django
from attestly.cli.output import Format, emit

if TYPE_CHECKING:
    from attestly.core.models import Workspace
    from attestly.evidence.models import EvidenceItem

app = typer.Typer(help="The evidence ledger: list, upload, verify, export.", no_args_is_help=True)

WORKSPACE_OPT = typer.Option(None, "--workspace", "-w", help="Workspace slug.")
FORMAT_OPT = typer.Option(Format.TABLE, "--format", "-f")
FILE_ARG = typer.Argument(..., exists=True, dir_okay=False, readable=True)
CONTROL_OPT = typer.Option([], "--control", help="Control id it supports (repeat).")
OUTPUT_OPT = typer.Option(..., "--output", "-o", help="Zip file to write.")


def get_workspace(slug: str | None, *, required: bool = True) -> Workspace | None:
    """The workspace named by --workspace (or the only one), else exit naming the problem."""
    from attestly.core.models import Workspace

    if slug is None:
        if not required:
            return None
        only = list(Workspace.objects.all()[:2])
        if len(only) == 1:
            return only[0]
        raise fail("--workspace is required when there is not exactly one workspace")
    workspace = Workspace.objects.filter(slug=slug).first()
    if workspace is None:
        raise fail(f"no workspace {slug!r}")
    return workspace


def item_row(item: EvidenceItem) -> dict[str, Any]:
    return {
        "id": item.pk, "seq": item.seq, "kind": item.kind, "resource": item.resource_key,
        "source": item.source, "collected_at": item.collected_at.isoformat(),
        "effective_from": item.effective_from.isoformat() if item.effective_from else None,
        "effective_to": item.effective_to.isoformat() if item.effective_to else None,
        "valid_until": item.valid_until.isoformat() if item.valid_until else None,
        "content_hash": item.content_hash, "size": item.size, "media_type": item.media_type,
        "filename": item.filename, "controls": list(item.control_refs or []),
        "chain_hash": item.chain_hash, "tombstoned": item.is_tombstoned,
    }  # fmt: skip


@app.command("list")
def list_items(
    workspace: str | None = WORKSPACE_OPT,
    kind: str | None = typer.Option(None, help="Only items of this kind."),
    limit: int = typer.Option(50, min=1, help="Newest N items."),
    fmt: Format = FORMAT_OPT,
) -> None:
    """List evidence items, newest first."""
    setup_django()
    from attestly.evidence.models import EvidenceItem

    ws = get_workspace(workspace)
    items = EvidenceItem.objects.in_workspace(ws).defer("content").order_by("-seq")
    if kind:
        items = items.filter(kind=kind)
    rows = [item_row(i) for i in items[:limit]]
    for row in rows:
        row["sha256"] = row["content_hash"][:12] + "…"
    emit(rows, fmt, columns=["id", "seq", "kind", "resource", "source", "collected_at",
                             "effective_from", "sha256"], title="Evidence")  # fmt: skip


@app.command("show")
def show(item_id: int = typer.Argument(..., help="Item id."),
         fmt: Format = FORMAT_OPT) -> None:  # fmt: skip
    """Show one item with its hashes and, for structured evidence, its content."""
    setup_django()
    import json

    from attestly.evidence.models import EvidenceItem

    item = EvidenceItem.objects.filter(pk=item_id).first()
    if item is None:
        raise fail(f"no evidence item {item_id}")
    row = item_row(item)
    if item.content is not None:
        row["content"] = json.loads(bytes(item.content))
    if fmt == Format.JSON:
        emit([row], fmt, columns=list(row), json_payload=row)
        return
    for key, value in row.items():
        console.print(f"[bold]{key}[/]: {value}", highlight=False)


def _date(value: str | None, option: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise fail(f"{option}: {value!r} is not a date like 2026-01-31") from None


@app.command("upload")
def upload(
    file: Path = FILE_ARG,
    workspace: str | None = WORKSPACE_OPT,
    effective: str = typer.Option(..., "--effective", help="Date it is effective for (or from)."),
    effective_to: str | None = typer.Option(None, "--effective-to", help="End of the period."),
    control: list[str] = CONTROL_OPT,
    kind: str = typer.Option("manual.upload", help="Evidence kind."),
) -> None:
    """Upload a file as manual evidence (streamed, hashed, type sniffed, chained, signed)."""
    setup_django()
    from django.core.exceptions import ValidationError

    from attestly.evidence.actions import do_upload_evidence
    from attestly.evidence.blobs import iter_file
    from attestly.evidence.uploads import UploadRejected

    ws = get_workspace(workspace)
    assert ws is not None
    try:
        with file.open("rb") as fh:
            item = do_upload_evidence(
                actor=None, workspace=ws, chunks=iter_file(fh), filename=file.name,
                effective_from=_date(effective, "--effective"),
                effective_to=_date(effective_to, "--effective-to"), control_refs=control,
                kind=kind,
            )  # fmt: skip
    except UploadRejected as exc:
        raise fail(f"upload refused: {exc}") from None
    except ValidationError as exc:
        raise fail(" ".join(exc.messages)) from None
    console.print(f"[green]stored[/] item {item.pk} (#{item.seq}) {item.filename} "
                  f"{item.media_type} sha256:{item.content_hash}", highlight=False)  # fmt: skip


@app.command("verify")
def verify(
    workspace: str | None = WORKSPACE_OPT,
    skip_blobs: bool = typer.Option(False, "--skip-blobs", help="Do not re-hash blob files."),
) -> None:
    """Recompute chains, content and blob hashes and checkpoint signatures; exit 1 on a break."""
    setup_django()
    from attestly.evidence.verify import verify_all

    ws = get_workspace(workspace, required=False)
    reports = verify_all(ws, check_blobs=not skip_blobs)
    broken = [b for r in reports for b in r.breaks]
    for r in reports:
        state = "[green]ok[/]" if r.ok else f"[bold red]{len(r.breaks)} breaks[/]"
        console.print(f"{r.workspace}: {r.items} items, {r.blobs} blobs, {r.checkpoints} "
                      f"checkpoints: {state}", highlight=False)  # fmt: skip
    if broken:
        err_console.print("[bold red]evidence ledger broken[/]:", highlight=False)
        for b in broken:
            err_console.print(f"  • {b}", highlight=False, soft_wrap=True)
        raise typer.Exit(1)
    console.print("[green]ok[/]: evidence ledger verified")


@app.command("export")
def export(
    output: Path = OUTPUT_OPT,
    workspace: str | None = WORKSPACE_OPT,
) -> None:
    """Write a zip an auditor verifies without Attestly: items, blobs, manifest, verify.py."""
    setup_django()
    from attestly.evidence.export import write_package

    ws = get_workspace(workspace)
    assert ws is not None
    summary = write_package(ws, output)
    console.print(f"[green]wrote[/] {output}: {summary.items} items, {summary.blobs} blobs, "
                  f"{summary.checkpoints} checkpoints. Verify with: python verify.py {output.name}",
                  highlight=False)  # fmt: skip


@app.command("rotate-key")
def rotate_key() -> None:
    """Make a new signing key; the old public key is kept so old checkpoints still verify."""
    setup_django()
    from attestly.evidence.actions import do_rotate_signing_key

    old, new = do_rotate_signing_key(actor=None)
    console.print(f"[green]rotated[/] signing key {old} -> {new}")


def _register_import() -> None:
    # `attestly evidence import` lives with the check engine, which turns findings into results.
    from attestly.cli.checks import import_findings

    app.command("import")(import_findings)


_register_import()


AS_OPT = typer.Option(..., "--as", help="Your username, recorded as who removed the content.")
REASON_OPT = typer.Option(..., "--reason", help="Why the content is removed (kept on the item).")


@app.command("tombstone")
def tombstone(
    item_id: int = typer.Argument(..., help="Item id."),
    reason: str = REASON_OPT,
    actor: str = AS_OPT,
) -> None:
    """Delete an item's content for privacy; its hashes stay so the chain still verifies."""
    setup_django()
    from django.core.exceptions import ValidationError

    from attestly.accounts.models import User
    from attestly.evidence.actions import do_tombstone_evidence
    from attestly.evidence.models import EvidenceItem

    user = User.objects.filter(username=actor).first()
    if user is None:
        raise fail(f"--as: no user {actor!r}")
    item = EvidenceItem.objects.filter(pk=item_id).first()
    if item is None:
        raise fail(f"no evidence item {item_id}")
    try:
        do_tombstone_evidence(actor=user, item=item, reason=reason)
    except ValidationError as exc:
        raise fail(" ".join(exc.messages)) from None
    console.print(f"[green]removed[/] the content of item {item_id}; its hash stays in the chain")
