"""Benchmark: the Type II period query over 12 months of daily runs, 20,000 resources x 170
checks, and the storage it takes.

Budget (docs/ARCHITECTURE.md): the period roll-up query in <= 2 s. Also prints the size of
the stored intervals and daily roll-ups against one row per result.

Seeding (untimed) writes what a year of daily runs leaves behind, without running them:
most resources keep one status all year (one interval), some get new evidence every month
(a new interval each time, same status), some are fixed once, and a few flap every 5 to 15
days. Roll-ups are counted from the same intervals with per-day difference arrays. The
roll-up logic itself is tested exactly in tests/checks/test_intervals.py.

    .venv/bin/python bench/bench_rollup.py [--resources 20000] [--checks 170] [--repeat 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

BUDGET_S = 2.0
DAYS = 365
START = dt.date(2025, 1, 1)
STATUSES = ("pass", "fail", "error", "not_applicable")


def setup(data_dir: str) -> Any:
    os.environ["ATTESTLY_DATA_DIR"] = data_dir
    os.environ.setdefault(
        "ATTESTLY_SECRET_KEY", "bench-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
    )
    os.environ["DJANGO_SETTINGS_MODULE"] = "attestly.conf.settings"
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from attestly.core.actions import do_create_workspace

    return do_create_workspace(actor=None, slug="bench", name="Bench")


def stamp(day: int) -> str:
    return f"{START + dt.timedelta(days=day)} 02:00:00"


def intervals(
    rng: random.Random, resources: int, checks: int
) -> Iterator[tuple[int, int, str, int, int]]:
    """(check, resource, status, first day, last day) for every interval of the year."""
    for c in range(checks):
        for r in range(resources):
            roll = rng.random()
            base = (
                "pass"
                if rng.random() < 0.93
                else ("not_applicable" if rng.random() < 0.5 else "fail")
            )
            if roll < 0.90:  # stable all year, same evidence
                yield c, r, base, 0, DAYS - 1
            elif roll < 0.95:  # same status, evidence re-collected with changes monthly
                for m in range(12):
                    yield c, r, base, m * 30, min(DAYS - 1, m * 30 + 29) if m < 11 else DAYS - 1
            elif roll < 0.99:  # failing, fixed once
                day = rng.randrange(1, DAYS)
                yield c, r, "fail", 0, day - 1
                yield c, r, "pass", day, DAYS - 1
            else:  # flapping
                day, status = 0, "pass"
                while day < DAYS:
                    end = min(DAYS - 1, day + rng.randint(5, 15))
                    yield c, r, status, day, end
                    status = (
                        "fail" if status == "pass" else ("error" if rng.random() < 0.1 else "pass")
                    )
                    day = end + 1


def seed(workspace_id: int, resources: int, checks: int) -> tuple[int, int]:
    from django.db import connection

    from attestly.checks.mapping import _expand
    from attestly.frameworks.catalog.loader import shipped_catalog

    catalog = shipped_catalog()
    rng = random.Random(42)
    automated = sorted(k for k, c in catalog.controls.items() if c.nature == "automated")
    maps = {
        c: _expand(rng.sample(automated, rng.randint(1, 2)), [], catalog) for c in range(checks)
    }
    diff: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0] * (DAYS + 1))
    with connection.cursor() as cur:
        raw = cur.connection
        indexes = raw.execute(
            "SELECT name, sql FROM sqlite_master WHERE type='index' AND "
            "tbl_name='checks_checkresult' AND sql IS NOT NULL"
        ).fetchall()
        for name, _sql in indexes:
            raw.execute(f'DROP INDEX "{name}"')
        rows: list[tuple[Any, ...]] = []
        count = 0
        insert = (
            "INSERT INTO checks_checkresult (workspace_id, check_id, resource_key, kind, "
            "status, detail, evidence_hashes, evaluator, first_seen, last_seen, is_current)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?)"
        )
        for c, r, status, first, last in intervals(rng, resources, checks):
            count += 1
            diff[(c, status)][first] += 1
            diff[(c, status)][last + 1] -= 1
            rows.append(
                (
                    workspace_id,
                    f"aws_check_{c:03d}",
                    f"arn:aws:s3:::bucket-{r:06d}",
                    "aws.s3.bucket",
                    status,
                    "",
                    f'["{count:064x}"]',
                    "",
                    stamp(first),
                    stamp(last),
                    last == DAYS - 1,
                )
            )
            if len(rows) >= 100_000:
                raw.executemany(insert, rows)
                rows.clear()
        raw.executemany(insert, rows)
        for _name, sql in indexes:
            raw.execute(sql)
        rollups = list(rollup_rows(workspace_id, checks, maps, diff))
        raw.executemany(
            "INSERT INTO checks_checkrollup (workspace_id, day, level, key, passed, "
            "failed, errored, not_applicable, excepted) VALUES (?,?,?,?,?,?,?,?,0)",
            rollups,
        )
        raw.commit()
        raw.execute("ANALYZE")
    return count, len(rollups)


def rollup_rows(
    workspace_id: int, checks: int, maps: dict[int, Any], diff: dict[tuple[int, str], list[int]]
) -> Iterator[tuple[Any, ...]]:
    per: dict[tuple[str, str], list[list[int]]] = defaultdict(
        lambda: [[0] * DAYS for _ in STATUSES]
    )
    for c in range(checks):
        daily = []
        for status in STATUSES:
            running, values = 0, []
            for day in range(DAYS):
                running += diff[(c, status)][day]
                values.append(running)
            daily.append(values)
        targets = [("check", f"aws_check_{c:03d}")]
        targets += [("control", k) for k in maps[c].controls]
        targets += [("criterion", k) for k in maps[c].criteria]
        for target in targets:
            acc = per[target]
            for s in range(len(STATUSES)):
                row = acc[s]
                for day, n in enumerate(daily[s]):
                    row[day] += n
    for (level, key), counts in per.items():
        for day in range(DAYS):
            yield (
                workspace_id,
                str(START + dt.timedelta(days=day)),
                level,
                key,
                counts[0][day],
                counts[1][day],
                counts[2][day],
                counts[3][day],
            )


def table_bytes() -> dict[str, int]:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name")
        return dict(cur.fetchall())


def period_query(workspace: Any) -> tuple[dict[str, Any], dict[str, float]]:
    """What a Type II period view needs: per check, control and criterion the days failing and
    totals (from the roll-ups) and how many resources failed (from the failing intervals).
    Returns the answers and the seconds each part took."""
    from attestly.checks.queries import failing_resource_counts, period_summary

    end = START + dt.timedelta(days=DAYS - 1)
    parts = {
        "checks": lambda: period_summary(workspace, "check", START, end),
        "controls": lambda: period_summary(workspace, "control", START, end),
        "criteria": lambda: period_summary(workspace, "criterion", START, end),
        "checks with failing resources": lambda: failing_resource_counts(workspace, START, end),
    }
    answers, seconds = {}, {}
    for name, query in parts.items():
        began = time.perf_counter()
        answers[name] = query()
        seconds[name] = time.perf_counter() - began
    return answers, seconds


def drill_down(workspace: Any, check_id: str) -> int:
    """One check's failing resources over the period, with first and last failure."""
    from attestly.checks.queries import failing_resources

    return len(failing_resources(workspace, START, START + dt.timedelta(days=DAYS - 1), check_id))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resources", type=int, default=20_000)
    parser.add_argument("--checks", type=int, default=170)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="attestly-bench-") as data_dir:
        workspace = setup(data_dir)
        started = time.perf_counter()
        intervals_n, rollups_n = seed(workspace.pk, args.resources, args.checks)
        print(
            f"seeded {intervals_n:,} intervals and {rollups_n:,} roll-up rows in "
            f"{time.perf_counter() - started:.0f} s (untimed)"
        )
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            answer, parts = period_query(workspace)
            times.append(time.perf_counter() - start)
            print(
                f"  period query: {times[-1]:.3f} s  ("
                + ", ".join(f"{len(v):,} {k} {parts[k]:.3f} s" for k, v in answer.items())
                + ")",
                flush=True,
            )
        median = statistics.median(times)
        failing = answer["checks with failing resources"]
        print(f"  resources failing at some time in the period: {sum(failing.values()):,}")
        drill = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            listed = drill_down(workspace, "aws_check_000")
            drill.append(time.perf_counter() - start)
        print(
            f"  drill-down, one check's {listed:,} failing resources: median "
            f"{statistics.median(drill):.3f} s"
        )
        sizes = table_bytes()
        interval_bytes = sum(
            v
            for k, v in sizes.items()
            if "checkresult" in k or k.startswith("result_") or k == "one_current_result"
        )
        biggest = sorted(sizes.items(), key=lambda kv: -kv[1])[:8]
        print(
            "  largest tables and indexes: "
            + ", ".join(f"{k} {v / 2**20:,.0f} MiB" for k, v in biggest)
        )
        rollup_bytes = sum(
            v
            for k, v in sizes.items()
            if "checkrollup" in k or k.startswith("rollup_") or k == "one_rollup_per_day"
        )
        results = args.resources * args.checks * DAYS
        per_row = interval_bytes / intervals_n
        naive = results * per_row
        stored = interval_bytes + rollup_bytes
        ok = median <= BUDGET_S
        print(
            f"Type II period query (12 months, {args.resources:,} resources x {args.checks} "
            f"checks): median {median:.3f} s  budget <= {BUDGET_S} s  {'OK' if ok else 'MISSED'}"
        )
        print(
            f"storage: intervals {interval_bytes / 2**20:,.0f} MiB + roll-ups "
            f"{rollup_bytes / 2**20:,.0f} MiB = {stored / 2**20:,.0f} MiB; one row per result "
            f"would be {results:,} rows ~ {naive / 2**30:,.0f} GiB at the same row size "
            f"({naive / stored:,.0f}x more)"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
