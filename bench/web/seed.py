"""Seeding for bench/bench_web.py (untimed): the demo plus what a year leaves behind, and the
team the clients play.

Starts from the demo `attestly demo` serves (SOC 2 adopted, owners and statuses, evidence,
checks, the local host connected), then adds a readiness snapshot per day, check results as
intervals over the year with their daily roll-ups, evidence items collected daily,
connections with a run per day, audit entries through the real audit chain, and the members of
the team, each with a role and a read token of their own.
"""

from __future__ import annotations

import datetime as dt
import os
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

SECRET = "bench-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"  # noqa: S105  # a throwaway data dir
# Resources a year of daily collections leaves, per check; `--resources` scales them.
STATUSES = ("pass", "fail", "error", "not_applicable")
# The team the clients play, after the demo's owner: its roles in turn (so 20 clients are the
# owner, 3 admins, 8 editors, 6 viewers and 2 auditors). Each reads what its role may.
TEAM_ROLES = ("editor", "viewer", "admin", "editor", "viewer", "editor", "auditor")


@dataclass(frozen=True)
class Member:
    """One member of the team the clients play: their login, their role and their own
    read-only API token."""

    username: str
    password: str
    role: str
    token: str


@dataclass(frozen=True)
class Seeded:
    username: str
    password: str
    token: str
    counts: dict[str, int]
    team: tuple[Member, ...] = ()


def environment(data_dir: str, database_url: str | None) -> dict[str, str]:
    env = {
        "ATTESTLY_DATA_DIR": data_dir,
        "ATTESTLY_DEMO": "true",
        "ATTESTLY_SECRET_KEY": SECRET,
        "ATTESTLY_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SETTINGS_MODULE": "attestly.conf.settings",
    }
    if database_url:
        env["ATTESTLY_DATABASE_URL"] = database_url
    return env


def setup(env: dict[str, str]) -> None:
    os.environ.update(env)
    from attestly.cli.bootstrap import ensure_data_dir, setup_django

    ensure_data_dir(Path(env["ATTESTLY_DATA_DIR"]))
    setup_django()
    import logging

    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request otherwise
    from attestly.cli.setup_commands import migrate_and_sync

    migrate_and_sync()


def year_intervals(rng: random.Random, days: int) -> Iterator[tuple[str, int, int]]:
    """(status, first day, last day) of one resource's results over `days` days: mostly one
    status all along, some re-collected monthly, some fixed once, a few flapping."""
    roll = rng.random()
    base = "pass" if rng.random() < 0.85 else ("fail" if rng.random() < 0.7 else "not_applicable")
    if roll < 0.85:
        yield base, 0, days - 1
    elif roll < 0.92:
        for start in range(0, days, 30):
            yield base, start, min(days - 1, start + 29)
    elif roll < 0.98:
        fixed = rng.randrange(0, days)
        if fixed:
            yield "fail", 0, fixed - 1
        yield "pass", fixed, days - 1
    else:
        day, status = 0, "pass"
        while day < days:
            end = min(days - 1, day + rng.randint(5, 15))
            yield status, day, end
            status = "fail" if status == "pass" else ("error" if rng.random() < 0.1 else "pass")
            day = end + 1


def seed(days: int, resources: int, team_size: int = 1) -> Seeded:
    """The demo plus a year (`days`) of history; returns the login and what was added."""
    from django.db import transaction
    from django.utils import timezone

    from attestly.checks.models import CheckResult, CheckRollup
    from attestly.checks.registry import get_registry as get_check_registry
    from attestly.core import audit
    from attestly.core.demo import do_seed_demo
    from attestly.integrations.models import CollectionRun, Connection
    from attestly.readiness.models import ReadinessSnapshot
    from attestly.readiness.queries import list_adoptions
    from attestly.testing.factories import record_evidence

    login = do_seed_demo()
    workspace = login.workspace
    rng = random.Random(6)
    now = timezone.now().replace(microsecond=0)
    first_day = now - dt.timedelta(days=days - 1)

    def at(day: int) -> dt.datetime:
        return first_day + dt.timedelta(days=day)

    counts: dict[str, int] = {}
    adoption = next(iter(list_adoptions([workspace.pk])))
    today = timezone.localdate()
    ReadinessSnapshot.objects.filter(workspace=workspace).delete()
    counts["readiness snapshots"] = len(
        ReadinessSnapshot.objects.bulk_create(
            ReadinessSnapshot(
                workspace=workspace,
                framework=adoption.framework,
                date=today - dt.timedelta(days=d),
                score=round(60 - 30 * d / max(days, 1), 1),
                met=20,
                partly_met=12,
                not_met=6,
                not_applicable=0,
                categories={"security": 55.0, "availability": 60.0, "confidentiality": 50.0},
                criteria={"CC1.1": ["partly_met", 0.5]},
            )
            for d in range(days)
        )
    )

    # Check results over the year, as intervals, for the registered checks with their
    # mapped controls and criteria; and the daily roll-ups those intervals make.
    checks = [c for c in get_check_registry() if c.scheduled][:40]
    results: list[CheckResult] = []
    daily: dict[tuple[str, str], list[list[int]]] = {}
    for check in checks:
        targets = [("check", check.id)]
        targets += [("control", ref) for ref in check.controls]
        targets += [("criterion", key) for key in check.criteria]
        per_check = [[0] * (days + 1) for _ in STATUSES]
        for r in range(resources):
            key = f"bench-host-{r:05d}"
            for status, first, last in year_intervals(rng, days):
                results.append(
                    CheckResult(
                        workspace=workspace,
                        check_id=check.id,
                        resource_key=key,
                        kind=check.meta.kinds[0] if check.meta.kinds else "",
                        status=status,
                        detail="",
                        evidence_hashes=[f"{rng.getrandbits(256):064x}"],
                        evaluator="bench",
                        first_seen=at(first),
                        last_seen=at(last),
                        is_current=last == days - 1,
                    )
                )
                s = STATUSES.index(status)
                per_check[s][first] += 1
                per_check[s][last + 1] -= 1
        for target in targets:
            acc = daily.setdefault(target, [[0] * days for _ in STATUSES])
            for s in range(len(STATUSES)):
                running = 0
                for day in range(days):
                    running += per_check[s][day]
                    acc[s][day] += running
    CheckResult.objects.bulk_create(results, batch_size=2000)
    counts["check result intervals"] = len(results)
    CheckRollup.objects.filter(workspace=workspace).delete()
    rollups = [
        CheckRollup(
            workspace=workspace,
            day=(first_day + dt.timedelta(days=day)).date(),
            level=level,
            key=key,
            passed=acc[0][day],
            failed=acc[1][day],
            errored=acc[2][day],
            not_applicable=acc[3][day],
        )
        for (level, key), acc in daily.items()
        for day in range(days)
    ]
    CheckRollup.objects.bulk_create(rollups, batch_size=2000)
    counts["daily roll-ups"] = len(rollups)

    # Evidence collected daily through the real ledger (hashed, chained), some stale.
    per_day = max(1, resources // 20)
    for day in range(days):
        valid = at(day) + dt.timedelta(days=30)
        record_evidence(workspace, per_day, batch_key=f"bench:{day}", valid_until=valid)
    counts["evidence items"] = per_day * days

    # Connections, each with a run a day.
    connections = Connection.objects.bulk_create(
        Connection(
            workspace=workspace,
            name=f"bench-{i:02d}",
            integration="linux_host",
            config={},
            schedule="24h",
            last_run_at=at(days - 1),
            last_status="failed" if i % 5 == 0 else "succeeded",
            next_run_at=now + dt.timedelta(days=1),
        )
        for i in range(10)
    )
    runs = [
        CollectionRun(
            workspace=workspace,
            connection=c,
            connection_name=c.name,
            integration=c.integration,
            trigger="schedule",
            status="succeeded" if rng.random() < 0.95 else "failed",
            started_at=at(day),
            finished_at=at(day) + dt.timedelta(seconds=3),
            duration_ms=3000,
            resources=8,
            evidence_items=8,
            results={"pass": 20, "fail": 3},
        )
        for c in connections
        for day in range(days)
    ]
    CollectionRun.objects.bulk_create(runs, batch_size=2000)
    counts["connections"] = len(connections)
    counts["collection runs"] = len(runs)

    # Audit entries through the real chain, a few a day.
    entries = 0
    with transaction.atomic():
        for day in range(days):
            for i in range(5):
                audit.record(
                    actor=None,
                    action="bench.activity",
                    workspace=workspace,
                    object_type="bench.thing",
                    object_id=f"{day}-{i}",
                    object_repr=f"thing {day}/{i}",
                    after={"day": day, "i": i},
                )
                entries += 1
    counts["audit entries"] = entries
    owner = Member(login.username, login.password, "owner", login.token)
    team = (owner, *seed_team(workspace, team_size - 1))
    counts["team members"] = len(team)
    return Seeded(login.username, login.password, login.token, counts, team)


def seed_team(workspace: object, size: int) -> list[Member]:
    """`size` more people in the demo workspace, with the roles of TEAM_ROLES in turn, each
    with a password and a read-only API token of their own."""
    from attestly.accounts.actions import do_create_api_token, do_create_user
    from attestly.core.actions import do_set_membership

    team = []
    for i in range(size):
        role = TEAM_ROLES[i % len(TEAM_ROLES)]
        password = f"bench-{i:02d}-{SECRET[:12]}"
        user = do_create_user(
            actor=None,
            username=f"bench-{role}-{i:02d}",
            email=f"bench-{i:02d}@example.com",
            password=password,
            check_password=False,
        )
        do_set_membership(actor=None, workspace=workspace, user=user, role=role)  # type: ignore[arg-type]
        _token, key = do_create_api_token(
            actor=user,
            user=user,
            name="bench",
            scope="read",
            workspace=workspace,  # type: ignore[arg-type]
        )
        team.append(Member(user.get_username(), password, role, key))
    return team
