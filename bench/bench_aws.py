"""AWS: Attestly's collection and check evaluation beside Prowler's, on the same emulated
account.

Targets (issue 5), on the services both cover: Attestly takes at most a tenth of Prowler's
wall time and a quarter of its peak memory, and finds every failure Prowler finds on the
overlapping checks.

    .venv/bin/python bench/bench_aws.py [--resources 1000 10000] [--runs 3] [--prowler-runs 1]
        [--regions us-east-1 eu-west-1] [--skip-prowler] [--prowler-full]

For each N: moto's server starts as a separate process (its CPU and memory are not counted
as either tool's) behind a request counter (bench/aws/server.py), and is seeded with N
resources, a deterministic fraction of them non-compliant (bench/aws/seed.py; untimed).
Then, per run, each tool runs as a child process measured the same way (bench/aws/measure.py:
wall time, peak RSS): Attestly gets a freshly migrated data directory and creates an `aws`
connection (untimed: migration in a process of its own, the connection in the measured
child), then collects and evaluates once (timed); Prowler
(`prowler aws` from bench/.prowler-venv, installed on first use) runs the overlapping checks
with `AWS_ENDPOINT_URL` pointing at the server. "scan s" is each tool's own time for the
work (Attestly: collect + evaluate; Prowler: the "Scan completed in" time it prints);
"process s" the whole child process, start-up included; "CPU s" the child's own CPU time
and "moto CPU s" the emulator's during the run (on a 2-core machine a tool waiting on the
emulator is bounded by the emulator's per-request cost, not by its own work). API calls are
the requests the server saw during the run. Failures are compared per check pair on
normalised resource names (bench/aws/overlap.py).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.aws import overlap  # noqa: E402
from bench.aws.measure import Measured, cpu_seconds, run_measured  # noqa: E402

TIME_RATIO = 0.10
MEMORY_RATIO = 0.25
RESULTS = ROOT / "bench" / "results"


# --- the emulator ------------------------------------------------------------------------


class MotoServer:
    """bench/aws/server.py in a child process, without moto's default AMIs (and their
    ~1,300 snapshots per region, which are not part of the seeded account), with AWS's
    managed IAM policies (AdministratorAccess must exist to be attached)."""

    def __init__(self, log: Path) -> None:
        env = {
            **os.environ,
            "MOTO_IAM_LOAD_MANAGED_POLICIES": "true",
            "MOTO_EC2_LOAD_DEFAULT_AMIS": "false",
            "PYTHONPATH": str(ROOT),
        }
        self._log = log.open("w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bench.aws.server", "--host", "127.0.0.1", "--port", "0"],
            stdout=subprocess.PIPE,
            stderr=self._log,
            text=True,
            env=env,
            cwd=str(ROOT),
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line.startswith("PORT "):
            self.stop()
            raise RuntimeError(f"moto server did not start; see {log}")
        self.endpoint = f"http://127.0.0.1:{int(line.split()[1])}"

    def calls(self) -> list[tuple[str, str, str, int]]:
        with urllib.request.urlopen(f"{self.endpoint}/__bench/calls", timeout=30) as resp:  # noqa: S310
            return [tuple(r) for r in json.load(resp)]

    def reset_calls(self) -> None:
        req = urllib.request.Request(f"{self.endpoint}/__bench/reset", method="POST")  # noqa: S310
        with urllib.request.urlopen(req, timeout=30):  # noqa: S310
            pass

    def cpu_s(self) -> float:
        return cpu_seconds(self.proc.pid)

    def stop(self) -> None:
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self._log.close()


# --- one run of each tool ----------------------------------------------------------------


@dataclass
class ToolRun:
    tool: str
    measured: Measured
    scan_s: float | None
    calls: list[tuple[str, str, str, int]]
    server_cpu_s: float
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def api_calls(self) -> int:
        return sum(n for *_k, n in self.calls)

    def by_service(self) -> Counter[str]:
        counted: Counter[str] = Counter()
        for service, _region, _action, n in self.calls:
            counted[service] += n
        return counted


def run_attestly(server: MotoServer, regions: list[str], workdir: Path) -> ToolRun:
    (workdir / "data").mkdir(parents=True, exist_ok=True)
    out = workdir / "attestly.json"
    env = {
        **os.environ,
        "ATTESTLY_DATA_DIR": str(workdir / "data"),
        "ATTESTLY_SECRET_KEY": "bench-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "ATTESTLY_LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "attestly.conf.settings",
    }
    for name in ("ATTESTLY_DATABASE_URL", "AWS_PROFILE", "AWS_CONFIG_FILE"):
        env.pop(name, None)
    # a fresh data directory is migrated once at install time: untimed, in its own process
    subprocess.run(
        [sys.executable, __file__, "--attestly-prepare"],
        env=env,
        check=True,
        capture_output=True,
    )
    cmd = [sys.executable, __file__, "--attestly-child", "--endpoint", server.endpoint]
    cmd += ["--regions", *regions, "--out", str(out)]
    server.reset_calls()
    server_cpu = server.cpu_s()
    measured = run_measured(cmd, env=env, log=workdir / "attestly.log")
    server_cpu = server.cpu_s() - server_cpu
    calls = server.calls()
    if measured.returncode != 0 or not out.exists():
        tail = (workdir / "attestly.log").read_text(errors="replace")[-3000:]
        raise RuntimeError(f"the Attestly run failed (exit {measured.returncode}):\n{tail}")
    report = json.loads(out.read_text())
    return ToolRun("attestly", measured, report["scan_s"], calls, server_cpu, report)


def run_prowler(
    server: MotoServer, regions: list[str], workdir: Path, checks: list[str] | None
) -> ToolRun:
    from bench.aws import prowler_side

    workdir.mkdir(parents=True, exist_ok=True)
    server.reset_calls()
    server_cpu = server.cpu_s()
    measured, scan, findings = prowler_side.run(server.endpoint, regions, workdir, checks)
    server_cpu = server.cpu_s() - server_cpu
    calls = server.calls()
    if measured.returncode != 0:
        tail = (workdir / "prowler.log").read_text(errors="replace")[-3000:]
        raise RuntimeError(f"the Prowler run failed (exit {measured.returncode}):\n{tail}")
    return ToolRun("prowler", measured, scan, calls, server_cpu, {"findings": findings})


# --- reporting ---------------------------------------------------------------------------


def median(values: list[float | None]) -> float | None:
    vals = [v for v in values if v is not None]
    return statistics.median(vals) if vals else None


def fmt(value: float | None, spec: str = ".2f") -> str:
    return "-" if value is None else format(value, spec)


def summarise(label: str, n: int, runs: list[ToolRun]) -> dict[str, Any]:
    scan = median([r.scan_s for r in runs])
    return {
        "tool": label,
        "n": n,
        "scan_s": scan,
        "process_s": median([r.measured.wall_s for r in runs]),
        "api_calls": median([float(r.api_calls) for r in runs]),
        "resources_per_s": n / scan if scan else None,
        "peak_mb": max(r.measured.peak_mb for r in runs),
        "cpu_s": median([r.measured.cpu_s for r in runs]),
        "server_cpu_s": median([r.server_cpu_s for r in runs]),
        "runs": len(runs),
        "by_service": dict(runs[-1].by_service().most_common()),
    }


def print_table(rows: list[dict[str, Any]]) -> None:
    print(
        f"{'tool':<18} {'N':>7} {'scan s':>8} {'process s':>10} {'API calls':>10} "
        f"{'resources/s':>12} {'peak MB':>8} {'CPU s':>7} {'moto CPU s':>11} {'runs':>5}"
    )
    for r in rows:
        print(
            f"{r['tool']:<18} {r['n']:>7,} {fmt(r['scan_s']):>8} {fmt(r['process_s']):>10} "
            f"{fmt(r['api_calls'], ',.0f'):>10} {fmt(r['resources_per_s'], ',.0f'):>12} "
            f"{r['peak_mb']:>8.1f} {fmt(r['cpu_s'], '.1f'):>7} {fmt(r['server_cpu_s'], '.1f'):>11} "
            f"{r['runs']:>5}"
        )


def print_ratios(ours: dict[str, Any], theirs: dict[str, Any]) -> list[bool]:
    verdicts = []
    for what, key, target in (
        ("scan time", "scan_s", TIME_RATIO),
        ("process time", "process_s", TIME_RATIO),
        ("CPU time", "cpu_s", TIME_RATIO),
        ("peak memory", "peak_mb", MEMORY_RATIO),
    ):
        if not ours[key] or not theirs[key]:
            print(f"  {what}: not measured")
            continue
        ratio = ours[key] / theirs[key]
        ok = ratio <= target
        side = key in ("process_s", "cpu_s")
        if not side:
            verdicts.append(ok)
        print(
            f"  {what:<13} Attestly/Prowler = {ratio:6.3f}  (target <= {target:.2f}): "
            f"{'PASS' if ok else 'MISS'}{'  [side figure]' if side else ''}"
        )
    return verdicts


def print_overlap(pairs: list[overlap.PairResult]) -> int:
    print(
        f"  {'Attestly check':<36} {'Prowler':>7} {'Attestly':>8} {'both':>6} {'missed':>6} "
        f"{'extra':>6}  note"
    )
    missed_total = 0
    for p in pairs:
        if not p.comparable:
            print(f"  {p.attestly:<36} {'':>7} {'':>8} {'':>6} {'':>6} {'':>6}  {p.note}")
            continue
        missed_total += len(p.missed)
        print(
            f"  {p.attestly:<36} {len(p.prowler_fail):>7} {len(p.attestly_fail):>8} "
            f"{len(p.both):>6} {len(p.missed):>6} {len(p.extra):>6}  {p.note}"
        )
    for p in pairs:
        if p.comparable and p.missed:
            shown = sorted(p.missed)[:10]
            more = f" (+{len(p.missed) - 10} more)" if len(p.missed) > 10 else ""
            print(f"  missed by {p.attestly} ({', '.join(p.prowler)}): {', '.join(shown)}{more}")
    compared = sum(1 for p in pairs if p.comparable)
    print(
        f"  {compared} of {len(pairs)} check pairs compared; failures Prowler found that "
        f"Attestly missed: {missed_total} (target 0): {'PASS' if missed_total == 0 else 'MISS'}"
    )
    return missed_total


# --- main --------------------------------------------------------------------------------


def bench_one(n: int, args: argparse.Namespace, workroot: Path) -> dict[str, Any]:
    from bench.aws.attestly_side import aws_available
    from bench.aws.seed import seed

    work = workroot / f"n{n}"
    work.mkdir(parents=True, exist_ok=True)
    server = MotoServer(work / "moto.log")
    try:
        start = time.perf_counter()
        seeded = seed(server.endpoint, n, args.regions, log=print if args.verbose else None)
        print(
            f"N={n:,}: seeded {seeded.total:,} resources in {time.perf_counter() - start:.1f} s "
            f"({', '.join(f'{k} {v}' for k, v in seeded.counts.most_common())}); "
            f"regions {', '.join(args.regions)}; moto server: separate process, not measured"
        )
        rows, ours, theirs = [], None, None
        attestly_runs: list[ToolRun] = []
        prowler_runs: list[ToolRun] = []
        why_not = aws_available()
        for run in range(1, max(args.runs, args.prowler_runs) + 1):
            if why_not is None and run <= args.runs:
                r = run_attestly(server, args.regions, work / f"attestly-{run}")
                attestly_runs.append(r)
                print(
                    f"  attestly run {run}: scan {fmt(r.scan_s)} s, process "
                    f"{r.measured.wall_s:.2f} s, CPU {r.measured.cpu_s:.1f} s (moto "
                    f"{r.server_cpu_s:.1f} s), {r.api_calls:,} calls (run records "
                    f"{r.extra['api_calls']:,}), peak {r.measured.peak_mb:.0f} MB "
                    f"(maxrss {r.measured.maxrss_mb:.0f}, tree {r.measured.tree_peak_mb:.0f}), "
                    "status "
                    f"{r.extra['status']}, results {r.extra['results']} "
                    f"(load average {os.getloadavg()[0]:.1f})"
                )
                slowest = sorted(
                    r.extra["collectors"].items(), key=lambda kv: -kv[1].get("duration_ms", 0)
                )[:3]
                print(
                    "    slowest collectors: "
                    + ", ".join(f"{k} {v.get('duration_ms', 0) / 1000:.2f} s" for k, v in slowest)
                )
                if r.extra["errors"]:
                    print(f"    collector errors: {json.dumps(r.extra['errors'])[:600]}")
            if not args.skip_prowler and run <= args.prowler_runs:
                r = run_prowler(
                    server, args.regions, work / f"prowler-{run}", overlap.PROWLER_CHECKS
                )
                prowler_runs.append(r)
                print(
                    f"  prowler  run {run}: scan {fmt(r.scan_s)} s, process "
                    f"{r.measured.wall_s:.2f} s, CPU {r.measured.cpu_s:.1f} s (moto "
                    f"{r.server_cpu_s:.1f} s), {r.api_calls:,} calls, peak "
                    f"{r.measured.peak_mb:.0f} MB (maxrss {r.measured.maxrss_mb:.0f}, tree "
                    f"{r.measured.tree_peak_mb:.0f}), {len(r.extra['findings']):,} findings "
                    f"(load average {os.getloadavg()[0]:.1f})"
                )
        if why_not is not None:
            print(f"  attestly: skipped: {why_not}")
        else:
            ours = summarise("attestly", n, attestly_runs)
            rows.append(ours)
        if prowler_runs:
            theirs = summarise(f"prowler ({len(overlap.PROWLER_CHECKS)} checks)", n, prowler_runs)
            rows.append(theirs)
        if args.prowler_full and not args.skip_prowler:
            r = run_prowler(server, args.regions, work / "prowler-full", None)
            full = summarise("prowler (all)", n, [r])
            rows.append(full)
            print(
                f"  prowler full check set: scan {fmt(r.scan_s)} s, {r.api_calls:,} calls, "
                f"{len(r.extra['findings']):,} findings"
            )
        print()
        print_table(rows)
        for row in rows:
            top = ", ".join(f"{s} {c:,}" for s, c in list(row["by_service"].items())[:12])
            print(f"  calls by service, {row['tool']}: {top}")
        result: dict[str, Any] = {"n": n, "seeded": dict(seeded.counts), "rows": rows}
        if ours and theirs:
            print(f"\nN={n:,}: Attestly against Prowler on the overlapping checks")
            verdicts = print_ratios(ours, theirs)
            pairs = overlap.compare(
                prowler_runs[-1].extra["findings"],
                [tuple(x) for x in attestly_runs[-1].extra["current"]],
                attestly_runs[-1].extra["checks"],
            )
            print(f"\nN={n:,}: failures on the overlapping checks (last run of each)")
            missed = print_overlap(pairs)
            result["verdicts"] = verdicts
            result["missed"] = missed
            result["pairs"] = [
                {
                    "attestly": p.attestly,
                    "prowler": p.prowler,
                    "prowler_fail": len(p.prowler_fail),
                    "attestly_fail": len(p.attestly_fail),
                    "both": len(p.both),
                    "missed": sorted(p.missed),
                    "extra": sorted(p.extra)[:50],
                    "note": p.note,
                }
                for p in pairs
            ]
        print()
        return result
    finally:
        server.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--resources", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=3, help="Attestly runs per N")
    parser.add_argument("--prowler-runs", type=int, default=1, help="Prowler runs per N")
    parser.add_argument("--regions", nargs="+", default=["us-east-1", "eu-west-1"])
    parser.add_argument("--skip-prowler", action="store_true")
    parser.add_argument("--prowler-full", action="store_true", help="also run all checks")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("--attestly-prepare", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--attestly-child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--endpoint", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.attestly_prepare or args.attestly_child:
        from bench.aws import attestly_side

        attestly_side.setup(os.environ["ATTESTLY_DATA_DIR"], migrate=args.attestly_prepare)
        if args.attestly_child:
            attestly_side.run(args.endpoint, args.regions, Path(args.out))
        return 0
    if not args.skip_prowler:
        from bench.aws.prowler_side import ensure_prowler, version

        ensure_prowler()
        print(f"{version()} from bench/.prowler-venv")
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
    workroot = Path(tempfile.mkdtemp(prefix="attestly-bench-aws-"))
    results = []
    try:
        for n in args.resources:
            results.append(bench_one(n, args, workroot))
    finally:
        if args.keep:
            print(f"work directory kept: {workroot}")
        else:
            import shutil

            shutil.rmtree(workroot, ignore_errors=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (RESULTS / f"aws-{stamp}.json").write_text(json.dumps(results, indent=1, default=str))
    ok = all(all(r.get("verdicts", [True])) and not r.get("missed") for r in results)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
