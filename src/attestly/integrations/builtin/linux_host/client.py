"""Reading a Linux host: files under a root directory and commands through a runner.

Collectors never touch the file system or spawn processes directly; they go through a
`HostClient`, so the same code reads the live host (`root=/`, `SubprocessRunner`) or a fake
root directory with recorded command outputs in tests (`root=tmp`, `RecordedRunner`).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol


@dataclass(frozen=True)
class CommandResult:
    """What a command printed and returned. `missing` is True when it is not installed."""

    returncode: int
    stdout: str = ""
    stderr: str = ""
    missing: bool = False


class CommandRunner(Protocol):
    """Runs a fixed argv (no shell) and returns its result."""

    def __call__(self, argv: Sequence[str], timeout: float) -> CommandResult: ...


class SubprocessRunner:
    """Runs real commands; a command that is not on PATH gives `missing=True`."""

    def __call__(self, argv: Sequence[str], timeout: float) -> CommandResult:
        if shutil.which(argv[0]) is None:
            return CommandResult(127, missing=True)
        try:
            done = subprocess.run(  # noqa: S603 - fixed argv from the collectors
                list(argv),
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
                env={**os.environ, "LC_ALL": "C"},
            )
        except subprocess.TimeoutExpired:
            return CommandResult(124, stderr=f"timed out after {timeout:g}s")
        return CommandResult(done.returncode, done.stdout, done.stderr)


class RecordedRunner:
    """Replays recorded outputs by command name; unknown commands are "not installed"."""

    def __init__(self, outputs: Mapping[str, CommandResult]) -> None:
        self.outputs = dict(outputs)
        self.calls: list[tuple[str, ...]] = []

    def __call__(self, argv: Sequence[str], timeout: float) -> CommandResult:
        self.calls.append(tuple(argv))
        return self.outputs.get(argv[0], CommandResult(127, missing=True))


class HostClient:
    """A Linux host seen through a root directory and a command runner."""

    def __init__(
        self,
        root: Path | str = "/",
        runner: CommandRunner | None = None,
        *,
        is_root: bool | None = None,
        timeout: float = 30.0,
    ) -> None:
        self.root = Path(root)
        self.runner: CommandRunner = runner or SubprocessRunner()
        self.is_root = os.geteuid() == 0 if is_root is None else is_root
        self.timeout = timeout

    def path(self, absolute: str) -> Path:
        """`/etc/passwd` under this client's root."""
        return self.root / absolute.lstrip("/")

    def read(self, absolute: str) -> str:
        """A text file's content; raises FileNotFoundError or PermissionError."""
        return self.path(absolute).read_text(encoding="utf-8", errors="replace")

    def read_or_none(self, absolute: str) -> str | None:
        """A text file's content, or None when it does not exist (permission errors raise)."""
        try:
            return self.read(absolute)
        except (FileNotFoundError, NotADirectoryError):
            return None

    def exists(self, absolute: str) -> bool:
        return self.path(absolute).exists()

    def glob(self, absolute_dir: str, pattern: str) -> list[Path]:
        base = self.path(absolute_dir)
        try:
            return sorted(base.glob(pattern))
        except OSError:
            return []

    def run(self, *argv: str) -> CommandResult:
        return self.runner(argv, self.timeout)

    def processes(self) -> set[str]:
        """Names (comm) of running processes, read from /proc without privileges."""
        names: set[str] = set()
        for entry in self.glob("/proc", "[0-9]*/comm"):
            try:
                names.add(entry.read_text(encoding="utf-8").strip())
            except OSError:
                continue  # the process ended while we looked
        return names
