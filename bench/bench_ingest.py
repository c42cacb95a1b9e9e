"""Ingest N evidence records (canonical JSON, SHA-256, chain, store) into SQLite.

Budget: 1,000,000 records in <= 15 s with peak RSS <= 500 MB.
Usage: .venv/bin/python bench/bench_ingest.py [--records N] [--runs R]
Each run uses a fresh SQLite database in a temporary data directory.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

BUDGET_S = 15.0
BUDGET_RSS_MB = 500.0


def one_run(records: int) -> None:
    """Runs inside a fresh process: migrate (untimed), then ingest (timed)."""
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from attestly.core.actions import do_create_workspace
    from attestly.evidence.actions import do_record_evidence_batch
    from attestly.testing.synthetic import s3_bucket_inputs

    workspace = do_create_workspace(actor=None, slug="bench", name="Bench")
    cpu_start = time.process_time()
    start = time.perf_counter()
    result = do_record_evidence_batch(
        actor=None,
        workspace=workspace,
        source="connection",
        batch_key="bench",
        items=s3_bucket_inputs(records),
    )
    elapsed = time.perf_counter() - start
    cpu = time.process_time() - cpu_start
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    assert result.item_count == records
    print(f"RESULT {elapsed:.3f} {rss_mb:.1f} {cpu:.3f}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        one_run(args.records)
        return 0
    times, rss, cpus = [], [], []
    for run in range(1, args.runs + 1):
        with tempfile.TemporaryDirectory(prefix="attestly-bench-") as data_dir:
            env = {
                **os.environ,
                "ATTESTLY_DATA_DIR": data_dir,
                "ATTESTLY_DEMO": "true",
                "DJANGO_SETTINGS_MODULE": "attestly.conf.settings",
                "ATTESTLY_LOG_LEVEL": "WARNING",
            }
            env.pop("ATTESTLY_DATABASE_URL", None)
            out = subprocess.run(
                [sys.executable, __file__, "--child", "--records", str(args.records)],
                env=env,
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            line = next(x for x in out.splitlines() if x.startswith("RESULT "))
            seconds, mb, cpu = (float(v) for v in line.split()[1:])
            times.append(seconds)
            rss.append(mb)
            cpus.append(cpu)
            rate = args.records / seconds
            print(
                f"run {run}: {seconds:6.2f} s wall, {cpu:6.2f} s CPU  {rate:10,.0f} records/s  "
                f"peak RSS {mb:6.1f} MB  (load average {os.getloadavg()[0]:.1f})"
            )
    med_t, peak = statistics.median(times), max(rss)
    scale = args.records / 1_000_000
    budget_t = BUDGET_S * scale
    ok = med_t <= budget_t and peak <= BUDGET_RSS_MB
    print(
        f"ingest {args.records:,} records: median {med_t:.2f} s (budget {budget_t:.2f} s; "
        f"median CPU time {statistics.median(cpus):.2f} s), "
        f"peak RSS {peak:.1f} MB (budget {BUDGET_RSS_MB:.0f} MB): {'OK' if ok else 'OVER BUDGET'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
