"""Throw-away PostgreSQL clusters for tests, made with the installed server binaries.

`PgCluster(...).start()` runs initdb into a fresh temporary directory, writes the given
postgresql.conf settings and pg_hba.conf lines, starts the server with pg_ctl on a free local
port, and `stop()` shuts it down and deletes the directory. initdb refuses to run as root, so
when the tests run as root every server command runs as the `postgres` user (runuser) in a
directory that user owns.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

SERVER_USER = "postgres"


def find_bindir() -> Path | None:
    """The newest installed PostgreSQL bin directory holding initdb, or None."""
    override = os.environ.get("ATTESTLY_PG_BINDIR")
    if override:
        return Path(override) if (Path(override) / "initdb").exists() else None
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    if found:
        return found[-1].parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def unavailable_reason() -> str:
    """'' when clusters can be made here, else why not."""
    if find_bindir() is None:
        return "no PostgreSQL server binaries (initdb) installed"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam(SERVER_USER)
        except KeyError:
            return f"running as root and there is no {SERVER_USER!r} user to run initdb as"
        if shutil.which("runuser") is None:
            return "running as root and runuser is missing"
    return ""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


class PgCluster:
    """One temporary cluster. `superuser`/`password` is the bootstrap superuser."""

    def __init__(
        self,
        settings: Mapping[str, str],
        hba: Sequence[str],
        *,
        password: str,
        files: Mapping[str, bytes] = {},
    ) -> None:
        bindir = find_bindir()
        if bindir is None:
            raise RuntimeError(unavailable_reason())
        self.bindir = bindir
        self.settings = dict(settings)
        self.hba = list(hba)
        self.password = password
        self.files = dict(files)
        self.superuser = "postgres"
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="attestly-pg-"))
        self.data = self.root / "data"
        self.as_root = os.geteuid() == 0

    def _run(self, *argv: str) -> subprocess.CompletedProcess[str]:
        command = [str(self.bindir / argv[0]), *argv[1:]]
        if self.as_root:
            command = ["runuser", "-u", SERVER_USER, "--", *command]
        return subprocess.run(  # noqa: S603 - fixed argv
            command, capture_output=True, text=True, check=True, timeout=120
        )

    def _own(self, path: Path) -> None:
        if self.as_root:
            entry = pwd.getpwnam(SERVER_USER)
            os.chown(path, entry.pw_uid, entry.pw_gid)

    def start(self) -> PgCluster:
        self._own(self.root)
        pwfile = self.root / "pwfile"
        pwfile.write_text(self.password + "\n")
        pwfile.chmod(0o600)
        self._own(pwfile)
        self._run(
            "initdb", "-D", str(self.data), "-U", self.superuser, "--pwfile", str(pwfile),
            "-A", "scram-sha-256", "--no-sync", "-E", "UTF8", "--locale", "C",
        )  # fmt: skip
        pwfile.unlink()
        for name, content in self.files.items():
            path = self.data / name
            path.write_bytes(content)
            path.chmod(0o600)
            self._own(path)
        lines = [f"{name} = '{value}'" for name, value in self.settings.items()]
        defaults = {
            "listen_addresses": "'127.0.0.1'",
            "port": str(self.port),
            "unix_socket_directories": f"'{self.root}'",
            "fsync": "off",
            "shared_buffers": "'16MB'",
            "max_connections": "20",
        }
        lines += [f"{name} = {value}" for name, value in defaults.items()]
        with (self.data / "postgresql.conf").open("a", encoding="utf-8") as conf:
            conf.write("\n" + "\n".join(lines) + "\n")
        (self.data / "pg_hba.conf").write_text("\n".join(self.hba) + "\n", encoding="utf-8")
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "log"), "-w", "start")
        return self

    def stop(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError, FileNotFoundError):
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)

    def log(self) -> str:
        path = self.root / "log"
        return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""
