"""Run a command as a child process and measure it: wall time, peak RSS (the kernel's
`ru_maxrss` of the child and its waited-for descendants, via `wait4`), and the peak of the
summed RSS of its whole process tree (polled from /proc), so both tools are measured alike."""

from __future__ import annotations

import contextlib
import os
import subprocess
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


def _tree_rss(root: int) -> int:
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
    total, todo = 0, [root]
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
    with log.open("w") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(
            list(cmd), env=dict(env), cwd=cwd, stdout=out, stderr=subprocess.STDOUT
        )
        peak = 0
        done = threading.Event()

        def poll() -> None:
            nonlocal peak
            while not done.is_set():
                peak = max(peak, _tree_rss(proc.pid))
                done.wait(poll_s)

        poller = threading.Thread(target=poll, daemon=True)
        poller.start()
        _pid, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        done.set()
        poller.join()
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    return Measured(
        wall,
        usage.ru_maxrss / 1024,
        peak / 2**20,
        proc.returncode,
        usage.ru_utime + usage.ru_stime,
    )


def cpu_seconds(pid: int) -> float:
    """User + system CPU a running process has used so far (to charge the emulator)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
