"""`attestly agent`: collect this Linux host's posture and send it to the server (or a file).

Runs on the host, without Django and without a database: it only needs the attestly package.
Run it from cron or a systemd timer; each report becomes one collection run on the server.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import typer

from attestly.cli.bootstrap import console, fail
from attestly.integrations.base import CollectorError

SERVER_OPT = typer.Option(None, "--server", help="Attestly URL, e.g. https://attestly.example.")
TOKEN_OPT = typer.Option(
    None, "--token", envvar="ATTESTLY_TOKEN", help="Write API token (better: one limited to W)."
)
WORKSPACE_OPT = typer.Option(..., "--workspace", "-w", help="Workspace slug.")
OUTPUT_OPT = typer.Option(None, "--output", "-o", help="Write the report to this JSON file.")
TIMEOUT_OPT = typer.Option(60.0, "--timeout", help="Seconds to wait for the server.")


def send(server: str, token: str, report: dict[str, Any], timeout: float) -> dict[str, Any]:
    """POST the report to /api/v1/host-reports/; raise typer.Exit with the server's reason."""
    url = server.rstrip("/") + "/api/v1/host-reports/"
    if not url.startswith(("https://", "http://")):
        raise fail(f"--server must be an http(s) URL, not {server!r}")
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
        url,
        data=json.dumps(report).encode("utf-8"),
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            answer: dict[str, Any] = json.loads(response.read())
            return answer
    except urllib.error.HTTPError as exc:
        try:
            detail = json.loads(exc.read()).get("detail", "")
        except ValueError:
            detail = ""
        raise fail(f"the server refused the report: HTTP {exc.code} {detail}".rstrip(), 1) from exc
    except urllib.error.URLError as exc:
        raise fail(f"cannot reach {url}: {exc.reason}", 1) from exc


def agent(
    server: str | None = SERVER_OPT,
    token: str | None = TOKEN_OPT,
    workspace: str = WORKSPACE_OPT,
    output: Path | None = OUTPUT_OPT,
    timeout: float = TIMEOUT_OPT,
) -> None:
    """Collect this host (disks, firewall, updates, SSH, time, audit, OS, accounts) and send it."""
    from attestly.integrations.builtin.linux_host.agent import build_report
    from attestly.integrations.builtin.linux_host.integration import NEEDS_ROOT

    if server is None and output is None:
        raise fail("give --server URL --token T, or --output FILE (or both)")
    if server is not None and not token:
        raise fail("--server needs --token (or ATTESTLY_TOKEN): a write token for the workspace")
    try:
        report = build_report(workspace)
    except CollectorError as exc:
        raise fail(str(exc)) from exc
    records, errors = report["records"], report["errors"]
    console.print(f"[bold]{report['host']}[/]: {len(records)} facets collected")
    for facet, error in errors.items():
        console.print(f"  [yellow]{facet}[/]: {error['message']}", highlight=False)
    if os.geteuid() != 0:
        console.print(
            "  not running as root; these answer error: " + ", ".join(sorted(NEEDS_ROOT)),
            highlight=False,
        )
    if output is not None:
        output.write_text(json.dumps(report, indent=2, sort_keys=True), encoding="utf-8")
        console.print(f"report written to {output}", soft_wrap=True)
    if server is not None and token:
        answer = send(server, token, report, timeout)
        console.print(
            f"recorded as run {answer['run']} of {answer['connection']} ({answer['status']}): "
            f"{answer['evidence_items']} evidence items, results {answer['results']}",
            highlight=False,
        )


AS_OPT = typer.Option(..., "--as", help="The editor, admin or owner the token acts as.")
NAME_OPT = typer.Option("", "--name", help="Token name (default: agent:<workspace>).")
DAYS_OPT = typer.Option(365, "--expires-days", min=1, help="Days until the token expires.")


def agent_token(
    workspace: str = WORKSPACE_OPT,
    username: str = AS_OPT,
    name: str = NAME_OPT,
    expires_days: int = DAYS_OPT,
) -> None:
    """Create the write token `attestly agent` uses, limited to one workspace (shown once)."""
    import datetime as dt

    from attestly.cli.bootstrap import setup_django

    setup_django()
    from attestly.accounts.actions import do_create_api_token
    from attestly.accounts.models import TokenScope, User
    from attestly.checks.api.views import WRITERS
    from attestly.core.models import Membership, Workspace

    found = Workspace.objects.filter(slug=workspace).first()
    if found is None:
        raise fail(f"--workspace: no workspace {workspace!r}")
    user = User.objects.filter(username=username).first()
    if user is None:
        raise fail(f"--as: no user {username!r}")
    if not Membership.objects.filter(workspace=found, user=user, role__in=WRITERS).exists():
        raise fail(f"--as: {username} is not an editor, admin or owner of {workspace}")
    _token, key = do_create_api_token(
        actor=user,
        user=user,
        name=name or f"agent:{workspace}",
        scope=TokenScope.WRITE,
        workspace=found,
        expires_in=dt.timedelta(days=expires_days),
    )
    console.print(f"{key}", soft_wrap=True, highlight=False)
    console.print(
        f"write token for {workspace} only, expires in {expires_days} days; it is not shown again",
        highlight=False,
    )
