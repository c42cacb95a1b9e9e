"""Run a command as a child process and measure it: wall time, peak RSS (the kernel's
`ru_maxrss` of the child and its waited-for descendants, via `wait4`), and the peak of the
summed RSS of its whole process tree (polled from /proc), so both tools are measured alike.

The command is started by a small launcher process (`python -m bench.aws.measure OUT CMD...`),
not by the bench itself: Linux carries the high-water RSS of the address space a process
replaced at exec into its `ru_maxrss`, so a command spawned (vfork + exec) straight from the
bench would be charged with the bench's own peak (hundreds of MB once it holds Prowler's
findings). The launcher's image is a few MB."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

PAGE = os.sysconf("SC_PAGE_SIZE")


@dataclass
class Measured:
    wall_s: float
    maxrss_mb: float  # largest single process (kernel accounting)
    tree_peak_mb: float  # largest sum over the process tree seen by polling
    returncode: int
    cpu_s: float = 0.0  # user + system CPU of the child and its waited-for descendants

    @property
    def peak_mb(self) -> float:
        return max(self.maxrss_mb, self.tree_peak_mb)


def _tree_rss(root: int, include_root: bool = True) -> int:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    total, todo = 0, [root] if include_root else list(children.get(root, ()))
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, ()))
        with contextlib.suppress(OSError):
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE
    return total


def run_measured(
    cmd: Sequence[str],
    *,
    env: Mapping[str, str],
    log: Path,
    cwd: str | None = None,
    poll_s: float = 0.25,
) -> Measured:
    result = log.with_suffix(".measure.json")
    launcher = [sys.executable, "-I", "-S", str(Path(__file__).resolve()), str(result)]
    with log.open("w") as out:
        proc = subprocess.Popen(
            [*launcher, *cmd], env=dict(env), cwd=cwd, stdout=out, stderr=subprocess.STDOUT
        )
        peak = 0
        done = threading.Event()

        def poll() -> None:
            nonlocal peak
            while not done.is_set():
                peak = max(peak, _tree_rss(proc.pid, include_root=False))
                done.wait(poll_s)

        poller = threading.Thread(target=poll, daemon=True)
        poller.start()
        proc.wait()
        done.set()
        poller.join()
    got = json.loads(result.read_text())
    return Measured(got["wall_s"], got["maxrss_kb"] / 1024, peak / 2**20, got["rc"], got["cpu_s"])


def _launch(result: str, cmd: list[str]) -> int:
    """The launcher: run `cmd`, reap it with wait4, write what it used to `result`."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd)
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = rc = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    Path(result).write_text(
        json.dumps(
            {
                "wall_s": wall,
                "maxrss_kb": usage.ru_maxrss,
                "cpu_s": usage.ru_utime + usage.ru_stime,
                "rc": rc,
            }
        )
    )
    return 0


def cpu_seconds(pid: int) -> float:
    """User + system CPU a running process has used so far (to charge the emulator)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


if __name__ == "__main__":
    sys.exit(_launch(sys.argv[1], sys.argv[2:]))
