"""`attestly checks …` and `attestly evidence import`: the check engine from the shell."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from attestly.cli.bootstrap import console, err_console, fail, setup_django
from attestly.cli.output import Format, emit

if TYPE_CHECKING:
    from attestly.accounts.models import User
    from attestly.core.models import Workspace

app = typer.Typer(
    help="Automated checks: list, run, replay, exceptions, mappings.", no_args_is_help=True
)

FORMAT_OPT = typer.Option(Format.TABLE, "--format", "-f", help="table, json or csv")
WORKSPACE_OPT = typer.Option(..., "--workspace", "-w", help="Workspace slug")
ACTOR_OPT = typer.Option(None, "--as", help="Username recorded in the audit log as the actor")


def _workspace(slug: str) -> Workspace:
    from attestly.core.models import Workspace

    workspace = Workspace.objects.filter(slug=slug).first()
    if workspace is None:
        raise fail(f"no workspace {slug!r}")
    return workspace


def _user(username: str | None, what: str = "--as") -> User | None:
    if username is None:
        return None
    from attestly.accounts.models import User

    user = User.objects.filter(username=username).first()
    if user is None:
        raise fail(f"{what}: no user {username!r}")
    return user


def _validation_message(exc: Any) -> str:
    if hasattr(exc, "message_dict"):
        return "; ".join(f"{k}: {' '.join(map(str, v))}" for k, v in exc.message_dict.items())
    return " ".join(map(str, exc.messages))


@app.command("list")
def list_checks(fmt: Format = FORMAT_OPT) -> None:
    """Every registered check: built-in, from integrations and from your checks directories."""
    setup_django()
    from attestly.checks.registry import get_registry

    rows = [
        {
            "id": c.id,
            "title": c.meta.title,
            "severity": c.meta.severity.value,
            "kinds": c.meta.kinds,
            "controls": list(c.controls),
            "criteria": list(c.criteria),
            "type": "declarative" if c.declarative else "python",
            "mode": c.meta.mode.value,
        }
        for c in get_registry()
    ]
    emit(
        rows,
        fmt,
        columns=["id", "title", "severity", "kinds", "controls", "type", "mode"],
        title="Checks",
    )


@app.command("show")
def show(
    check_id: str,
    workspace: str | None = typer.Option(
        None, "--workspace", "-w", help="Also show its results here"
    ),
    fmt: Format = FORMAT_OPT,
) -> None:
    """A check's metadata, remediation, and (with --workspace) its failing resources."""
    setup_django()
    from attestly.checks.registry import get_registry

    registry = get_registry()
    if check_id not in registry:
        raise fail(f"no check {check_id!r}; see `attestly checks list`")
    check = registry.get(check_id)
    payload: dict[str, Any] = {
        **check.meta.model_dump(mode="json"),
        "origin": check.origin,
        "criteria_supported": list(check.criteria),
    }
    if workspace is not None:
        from attestly.checks.queries import current_with_status

        payload["results"] = [
            {
                "id": r.pk,
                "resource": r.resource_key,
                "status": status,
                "since": r.first_seen.isoformat(),
                "detail": r.detail,
            }
            for r, status in current_with_status(_workspace(workspace), check_id)
        ]
    if fmt == Format.JSON:
        emit([], fmt, columns=[], json_payload=payload)
        return
    fields = [
        "id",
        "title",
        "severity",
        "kinds",
        "controls",
        "criteria_supported",
        "description",
        "rationale",
        "remediation",
        "origin",
    ]
    emit(
        [{"field": k, "value": payload[k]} for k in fields],
        fmt,
        columns=["field", "value"],
        title=check.meta.title,
    )
    if "results" in payload:
        emit(
            payload["results"],
            fmt,
            columns=["id", "resource", "status", "since", "detail"],
            title=f"Results in {workspace}",
        )


@app.command("run")
def run(
    workspace: str = WORKSPACE_OPT,
    check: Annotated[list[str] | None, typer.Option("--check", "-c", help="Only these")] = None,
    actor: str | None = ACTOR_OPT,
) -> None:
    """Evaluate scheduled checks over the workspace's current evidence and store the results."""
    setup_django()
    from attestly.checks.actions import do_run_checks
    from attestly.checks.registry import get_registry

    registry = get_registry()
    check = check or []
    unknown = [c for c in check if c not in registry]
    if unknown:
        raise fail(f"no check {unknown[0]!r}; see `attestly checks list`")
    result = do_run_checks(actor=_user(actor), workspace=_workspace(workspace), check_ids=check)
    counts = ", ".join(f"{n} {s}" for s, n in sorted(result.counts.items())) or "no evidence"
    console.print(
        f"[green]ok[/]: run {result.pk} at {result.evaluated_at:%Y-%m-%d %H:%M} UTC: {counts}",
        highlight=False,
    )


@app.command("results")
def results(
    workspace: str = WORKSPACE_OPT,
    status: str | None = typer.Option(None, "--status", help="fail, pass, excepted…"),
    check: str | None = typer.Option(None, "--check", "-c"),
    fmt: Format = FORMAT_OPT,
) -> None:
    """Current results with their effective status (exceptions applied), failing first."""
    setup_django()
    from attestly.checks.queries import current_with_status

    rows = [
        {
            "id": r.pk,
            "check": r.check_id,
            "resource": r.resource_key,
            "status": s,
            "since": r.first_seen.isoformat(timespec="seconds"),
            "last_seen": r.last_seen.isoformat(timespec="seconds"),
            "detail": r.detail,
        }
        for r, s in current_with_status(_workspace(workspace), check)
        if status is None or s == status
    ]
    emit(
        rows,
        fmt,
        columns=["id", "check", "resource", "status", "since", "last_seen"],
        title="Results",
    )


@app.command("replay")
def replay(result_id: int) -> None:
    """Re-run a stored result's check over exactly the evidence it read. Exits 1 on a
    different verdict or when that evidence is gone."""
    setup_django()
    from attestly.checks.models import CheckResult
    from attestly.checks.queries import replay as replay_result

    result = CheckResult.objects.select_related("workspace").filter(pk=result_id).first()
    if result is None:
        raise fail(f"no result {result_id}")
    outcome = replay_result(result)
    console.print(
        f"result {result.pk}: {result.check_id} on {result.resource_key}", highlight=False
    )
    console.print(f"  evidence: {', '.join(result.evidence_hashes)}", highlight=False)
    console.print(
        f"  as of {result.last_seen.isoformat()}: stored {outcome.stored}, "
        f"replayed {outcome.replayed}",
        highlight=False,
    )
    if not outcome.same:
        err_console.print(f"[bold red]different verdict[/]: {outcome.detail}", highlight=False)
        raise typer.Exit(1)
    console.print("[green]same verdict[/]")


@app.command("except")
def grant_exception(
    result_id: int,
    expires: Annotated[
        dt.datetime,
        typer.Option("--expires", formats=["%Y-%m-%d"], help="Last day it holds, YYYY-MM-DD"),
    ],
    reason: str = typer.Option(..., "--reason", help="Why it is accepted"),
    approver: str = typer.Option(..., "--approver", help="Approving user"),
    actor: str = typer.Option(..., "--as", help="Your username"),
) -> None:
    """Accept a failing result until a date; it shows as excepted, then fails again."""
    setup_django()
    from django.core.exceptions import ValidationError

    from attestly.checks.actions import do_grant_exception
    from attestly.checks.models import CheckResult

    result = CheckResult.objects.select_related("workspace").filter(pk=result_id).first()
    if result is None:
        raise fail(f"no result {result_id}")
    actor_user, approver_user = _user(actor), _user(approver, "--approver")
    assert actor_user is not None and approver_user is not None
    try:
        exception = do_grant_exception(
            actor=actor_user,
            workspace=result.workspace,
            check_id=result.check_id,
            resource_key=result.resource_key,
            reason=reason,
            approver=approver_user,
            expires_on=expires.date(),
        )
    except ValidationError as exc:
        raise fail(_validation_message(exc)) from None
    console.print(f"[green]ok[/]: exception {exception.pk} until {exception.expires_on}")


@app.command("map")
def map_check(
    check_id: str,
    workspace: str = WORKSPACE_OPT,
    control: Annotated[list[str] | None, typer.Option("--control", help="Control id")] = None,
    criterion: Annotated[list[str] | None, typer.Option("--criterion", help="SOC 2 id")] = None,
    remove: bool = typer.Option(False, "--remove", help="Drop this workspace's mapping"),
    actor: str | None = ACTOR_OPT,
) -> None:
    """Map an imported check id (e.g. prowler:iam_x) to library controls in a workspace."""
    setup_django()
    from django.core.exceptions import ValidationError

    from attestly.checks.actions import do_delete_check_mapping, do_set_check_mapping
    from attestly.checks.models import CheckMapping

    ws = _workspace(workspace)
    if remove:
        mapping = CheckMapping.objects.filter(workspace=ws, check_id=check_id).first()
        if mapping is None:
            raise fail(f"no mapping of {check_id!r} in {workspace}")
        do_delete_check_mapping(actor=_user(actor), mapping=mapping)
        console.print(f"[green]ok[/]: removed; the shipped mapping applies to {check_id}")
        return
    try:
        mapping = do_set_check_mapping(
            actor=_user(actor),
            workspace=ws,
            check_id=check_id,
            controls=control or [],
            criteria=criterion or [],
        )
    except ValidationError as exc:
        raise fail(_validation_message(exc)) from None
    console.print(f"[green]ok[/]: {check_id} -> {', '.join(mapping.controls + mapping.criteria)}")


def import_findings(
    path: Annotated[Path, typer.Argument(help="Findings file")],
    fmt: str = typer.Option(..., "--format", help="ocsf, sarif or csv"),
    workspace: str = WORKSPACE_OPT,
    actor: str | None = ACTOR_OPT,
) -> None:
    """Import scanner findings (Prowler/OCSF JSON, SARIF 2.1.0, CSV) as evidence and results."""
    setup_django()
    from attestly.checks.actions import do_import_findings
    from attestly.checks.imports import ImportRejected

    ws = _workspace(workspace)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise fail(f"{path}: cannot be read ({exc.strerror})") from None
    try:
        summary = do_import_findings(
            actor=_user(actor), workspace=ws, data=data, fmt=fmt, filename=path.name
        )
    except ImportRejected as exc:
        raise fail(f"{path}: {exc}; nothing was stored") from None
    if not summary.created:
        console.print(f"already imported: {path.name} ({summary.findings} findings); nothing added")
        return
    counts = ", ".join(f"{n} {s}" for s, n in sorted(summary.counts.items()))
    console.print(
        f"[green]ok[/]: {summary.findings} findings from {path.name}: "
        f"{summary.evidence_items} evidence items, results {counts}, "
        f"{len(summary.check_ids)} checks",
        highlight=False,
    )
