"""Benchmark: the dashboard and list endpoints, one year of history, 20 concurrent clients.

Budget (ARCHITECTURE.md, performance budgets): p95 <= 100 ms for the dashboard and the API
list endpoints with one year of history at 20 concurrent clients; the HTML list pages are
measured against the same figure.

Seeding (untimed; bench/web/seed.py) starts from the demo `attestly demo` serves, then adds
what a year leaves behind: a readiness snapshot per day, check results as intervals over the
year with their daily roll-ups, evidence items collected daily, connections with a run per
day, and audit entries through the real audit chain. The real server (`attestly serve`,
waitress) then runs in a subprocess on that data directory (or PostgreSQL database).

The load is what a team does, not one URL asked hundreds of times: `--clients` clients
(bench/web/load.py: one asyncio loop on raw keep-alive connections, so the client's own CPU
stays out of the figures) are the members of a team (the demo's owner, then admins, editors,
viewers and auditors), each signed in with their own account for pages and their own read
token for the API, and walk every page and API list their role may read with the query
variants people use on it (second pages, filters) in their own random order, closed loop with
no think time; meanwhile an editor changes a control through the API every `--write-every`
seconds. Each write is audited and moves the workspace's version for controls: whatever the
server keeps that shows controls is computed again, as in real use. Figures per endpoint
(all its variants), and beside each what one request costs alone right after such a write.
`--workers` sets the server's processes (default: its own, one per core).

    .venv/bin/python -m bench.bench_web [--days 365] [--resources 400] [--clients 20]
        [--requests 12000] [--write-every 2] [--database-url postgresql://...]

Not a timed test: it prints its figures against the budget (tests/bench/ runs it tiny).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import httpx

from bench.web.load import Load
from bench.web.seed import Member, environment, seed, setup

BUDGET_MS = 100.0
SOLO_REQUESTS = 10
# Pages (session cookie) and API lists (token) measured, each with the query variants a team
# uses on it (pages of the list, its filters). The clients walk all of them in their own random
# order, so the server meets as many different requests as it would in use, not one URL asked
# hundreds of times in a row.
PAGE_VARIANTS = {
    "/": ("",),
    "/controls/": ("", "?page=2", "?status=implemented", "?owner=-", "?checks=failing"),
    "/evidence/": ("", "?page=2", "?stale=1"),
    "/checks/": ("", "?status=failing"),
    "/integrations/": ("", "?state=error"),
    "/audit/": ("", "?page=2"),
}
API_VARIANTS = {
    "/api/v1/controls/": ("", "?page=2", "?status=implemented", "?owner=-"),
    "/api/v1/evidence/": ("", "?page=2", "?stale=true"),
    "/api/v1/check-results/": ("", "?page=2", "?status=fail"),
    "/api/v1/connections/": ("", "?state=error"),
    "/api/v1/runs/": ("", "?page=2"),
    "/api/v1/audit-entries/": ("", "?page=2"),
    "/api/v1/readiness-history/": ("", "?page=2"),
}
PAGES = tuple(PAGE_VARIANTS)
API_LISTS = tuple(API_VARIANTS)
# The editor's writes alternate a control between these statuses.
WRITE_STATUSES = ("implemented", "in_progress")
# Pages and API lists that need more than every reading role has.
NEEDS_AUDIT_READ = ("/audit/", "/api/v1/audit-entries/")
AUDIT_READERS = ("owner", "admin", "auditor")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def start_server(
    env: dict[str, str], port: int, log: Path, workers: int | None = None
) -> subprocess.Popen[bytes]:
    """`attestly serve` in a subprocess, its output in `log` (a pipe nobody reads would fill
    and stop the server); returns once it answers /healthz."""
    attestly = Path(sys.executable).with_name("attestly")
    command = [str(attestly)] if attestly.exists() else [sys.executable, "-m", "attestly.cli"]
    with log.open("wb") as out:
        server = subprocess.Popen(
            [*command, "serve", "--host", "127.0.0.1", "--port", str(port)]
            + ([] if workers is None else ["--workers", str(workers)]),
            env={**os.environ, **env},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(
                f"attestly serve exited with {server.returncode}: {log.read_text()[-2000:]}"
            )
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    server.kill()
    raise SystemExit("attestly serve did not answer /healthz within 60 s")


def signed_in(base: str, username: str, password: str) -> httpx.Client:
    """A client holding a session cookie, signed in through the login form."""
    client = httpx.Client(base_url=base, timeout=30)
    page = client.get("/login/")
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    if match is None:
        raise SystemExit("no CSRF token on the login page")
    response = client.post(
        "/login/",
        data={"csrfmiddlewaretoken": match.group(1), "username": username, "password": password},
        headers={"Referer": f"{base}/login/"},
    )
    if response.status_code != 302:
        raise SystemExit(f"sign-in failed: {response.status_code}")
    return client


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


class Editor(threading.Thread):
    """Someone editing while the others read: every `every` seconds a control's status is
    changed through the API. Each change is an audited write: what the server keeps that shows
    controls (the dashboard, the controls lists, the audit log) is computed again, as in use."""

    def __init__(self, base: str, token: str, every: float) -> None:
        super().__init__(daemon=True)
        self.every = every
        self.client = httpx.Client(
            base_url=base, headers={"Authorization": f"Token {token}"}, timeout=30
        )
        found = self.client.get("/api/v1/controls/", params={"page_size": 10}).json()
        self.controls = [row["id"] for row in found["results"]]
        self.writes = 0
        self.latencies_ms: list[float] = []
        self.failures: list[str] = []
        self._halt = threading.Event()

    def write(self) -> None:
        pk = self.controls[self.writes % len(self.controls)]
        status = WRITE_STATUSES[(self.writes // len(self.controls)) % len(WRITE_STATUSES)]
        began = time.perf_counter()
        answer = self.client.patch(f"/api/v1/controls/{pk}/", json={"status": status})
        self.latencies_ms.append((time.perf_counter() - began) * 1000)
        if answer.status_code != 200:
            self.failures.append(f"{answer.status_code} {answer.text[:200]}")
        self.writes += 1

    def run(self) -> None:
        while not self._halt.wait(self.every):
            self.write()

    def stop(self) -> None:
        self._halt.set()
        if self.is_alive():
            self.join()
        self.client.close()


def targets(
    team: Sequence[Member], sessions: Sequence[dict[str, str]]
) -> list[list[tuple[str, str, dict[str, str]]]]:
    """Per client (a member of the team): every (endpoint, path with query, headers) its role
    may read; pages with the member's session cookie, API lists with the member's token."""
    per_client = []
    for member, session in zip(team, sessions, strict=True):
        token = {"Authorization": f"Token {member.token}"}
        may = member.role in AUDIT_READERS
        visits = [
            (p, p + q, session)
            for p, qs in PAGE_VARIANTS.items()
            for q in qs
            if may or p not in NEEDS_AUDIT_READ
        ]
        visits += [
            (p, p + q, token)
            for p, qs in API_VARIANTS.items()
            for q in qs
            if may or p not in NEEDS_AUDIT_READ
        ]
        per_client.append(visits)
    return per_client


def usable(
    visits: list[list[tuple[str, str, dict[str, str]]]], client: httpx.Client
) -> list[list[tuple[str, str, dict[str, str]]]]:
    """The visits the seeded data can answer, tried by the first client (the owner, who may
    read everything): a second page that does not exist (a tiny seeding) is left out; any other
    answer but 200 (a filter the server refuses) stops the bench."""
    missing = set()
    for _label, path, headers in visits[0]:
        answer = client.get(path, headers=None if "Cookie" in headers else headers)
        if answer.status_code == 404 and "page=" in path:
            missing.add(path)
        elif answer.status_code != 200:
            raise SystemExit(f"{path} answered {answer.status_code}: {answer.text[:300]}")
    return [[v for v in own if v[1] not in missing] for own in visits]


def walks(
    visits: Sequence[Sequence[tuple[str, str, dict[str, str]]]], requests: int, seed: int
) -> list[list[tuple[str, str, dict[str, str]]]]:
    """Each client's walk: its visits, shuffled anew on every pass, until its share of
    `requests` is used up."""
    clients = len(visits)
    result = []
    for i, own in enumerate(visits):
        rng = random.Random(seed * 1000 + i)
        share = requests // clients + (i < requests % clients)
        walk: list[tuple[str, str, dict[str, str]]] = []
        while len(walk) < share:
            round_ = list(own)
            rng.shuffle(round_)
            walk += round_
        result.append(walk[:share])
    return result


def run(args: argparse.Namespace) -> int:
    data_dir = tempfile.mkdtemp(prefix="attestly-bench-web-")
    env = environment(data_dir, args.database_url)
    setup(env)
    started = time.perf_counter()
    seeded = seed(args.days, args.resources, team_size=args.clients)
    print(
        f"seeded in {time.perf_counter() - started:.0f} s (untimed): "
        + ", ".join(f"{n:,} {what}" for what, n in seeded.counts.items()),
        flush=True,
    )
    from django.db import connection, connections

    # The database as a year of use leaves it: PostgreSQL's autovacuum, after bulk changes,
    # gathers the planner's statistics (without them the newest run of a workspace is found by
    # sorting all its runs) and marks pages all-visible (without that an index-only scan, like
    # the dashboard's count of current results, reads the table too). Right after seeding it
    # has not run yet. SQLite has only the statistics.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    connections.close_all()
    port = free_port()
    server = start_server(env, port, Path(data_dir) / "serve.log", args.workers)
    base = f"http://127.0.0.1:{port}"
    clients: list[httpx.Client] = []
    loads: list[Load] = []
    editor: Editor | None = None
    try:
        # Each client is one member of the team: their own session cookie for pages, their
        # own token for the API.
        clients = [signed_in(base, m.username, m.password) for m in seeded.team]
        sessions = [
            {"Cookie": "; ".join(f"{k}={v}" for k, v in c.cookies.items())} for c in clients
        ]
        visits = usable(targets(seeded.team, sessions), clients[0])
        editor = Editor(base, seeded.token, args.write_every)
        # Each client keeps its connection (and so its serving process) throughout, as a
        # browser does. One untimed pass over every visit warms every process's imports.
        load = Load("127.0.0.1", port, args.clients)
        loads.append(load)
        for label, outcome in load.walk(visits).items():
            if outcome.failures:
                raise SystemExit(f"warm-up: {label} answered {outcome.failures[0]}")
        # What one request costs alone right after the editor's write: computed again where
        # it shows controls (the dashboard, the controls lists, the audit log), kept elsewhere.
        alone: dict[str, float] = {}
        for label, path, headers in visits[0]:
            if label != path:
                continue
            costs = []
            for _ in range(SOLO_REQUESTS):
                editor.write()
                costs += load.run(path, [headers], 1).latencies_ms
            alone[label] = statistics.median(costs or [0])
        per_client = args.requests // args.clients
        roles = ", ".join(
            f"{n} {role}" for role, n in Counter(m.role for m in seeded.team).most_common()
        )
        avg = os.getloadavg()
        print(
            f"{args.clients} concurrent clients (a team: {roles}), closed loop with no think "
            f"time, each walking the {len(visits[0])} pages and API lists its role may read "
            f"(with their filters and pages) in its own random order, {per_client} requests "
            f"each; an editor changes a control every "
            f"{args.write_every:g} s; load average {avg[0]:.2f} {avg[1]:.2f} {avg[2]:.2f} on "
            f"{os.cpu_count()} cores"
        )
        writes_before = editor.writes
        editor.start()
        began = time.perf_counter()
        outcomes = load.walk(walks(visits, args.requests, seed=6))
        elapsed = time.perf_counter() - began
        editor.stop()
        heading = f"{'endpoint':32} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}"
        print(f"{heading}  budget p95 <= {BUDGET_MS:.0f} ms   (alone: right after an edit)")
        missed = []
        every: list[float] = []
        for path in (*PAGES, *API_LISTS):
            outcome = outcomes.get(path)
            if outcome is None or not outcome.latencies_ms:
                missed.append(path)
                why = outcome.failures[0] if outcome and outcome.failures else "no requests"
                print(f"{('GET ' + path):32} every request failed ({why})", flush=True)
                continue
            latencies, failures = outcome.latencies_ms, outcome.failures
            every += latencies
            p95 = percentile(latencies, 0.95)
            verdict = "ok" if p95 <= BUDGET_MS and not failures else "OVER"
            if verdict != "ok":
                missed.append(path)
            failed = f"  {len(failures)} failed ({failures[0]})" if failures else ""
            print(
                f"{('GET ' + path):32} {statistics.median(latencies):8.1f} {p95:8.1f} "
                f"{max(latencies):8.1f}  {verdict:4}  (alone {alone.get(path, 0):.1f})"
                f"{failed}",
                flush=True,
            )
        writes = editor.writes - writes_before
        if every:
            print(
                f"{'all requests':32} {statistics.median(every):8.1f} "
                f"{percentile(every, 0.95):8.1f} {max(every):8.1f}  "
                f"({len(every) / elapsed:.0f} requests/s over {elapsed:.1f} s)"
            )
        if editor.latencies_ms:
            print(
                f"{'PATCH /api/v1/controls/<id>/':32} "
                f"{statistics.median(editor.latencies_ms[-max(writes, 1) :]):8.1f} "
                f"{percentile(editor.latencies_ms[-max(writes, 1) :], 0.95):8.1f}"
                f"{'':9}  ({writes} writes during the run)"
            )
        if editor.failures:
            missed.append("writes")
            print(f"{len(editor.failures)} writes failed: {editor.failures[0]}")
        avg = os.getloadavg()
        print(f"load average after: {avg[0]:.2f} {avg[1]:.2f} {avg[2]:.2f}")
    finally:
        # The server first: whatever fails below must not leave it running.
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        if editor is not None:
            editor.stop()
        for client in clients:
            client.close()
        for opened in loads:
            opened.close()
        if not args.keep and not args.database_url:
            shutil.rmtree(data_dir, ignore_errors=True)
    ok = not missed
    print(
        f"dashboard and lists, {args.days} days of history, {args.clients} concurrent clients: "
        + ("all p95 within budget OK" if ok else f"MISSED on {', '.join(missed)}")
    )
    return 0 if ok else 1


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--days", type=int, default=365, help="days of history to seed")
    parser.add_argument("--resources", type=int, default=400, help="resources per check")
    parser.add_argument("--clients", type=int, default=20, help="concurrent clients")
    parser.add_argument(
        "--requests", type=int, default=12000, help="requests in all, shared by the clients"
    )
    parser.add_argument(
        "--write-every", type=float, default=2.0, help="seconds between the editor's writes"
    )
    parser.add_argument(
        "--workers", type=int, default=None, help="serving processes (default: serve's own)"
    )
    parser.add_argument("--database-url", default=None, help="PostgreSQL URL (default SQLite)")
    parser.add_argument("--keep", action="store_true", help="keep the seeded data directory")
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
