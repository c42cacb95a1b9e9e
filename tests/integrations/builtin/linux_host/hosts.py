"""Fake Linux hosts: a root directory of files and the outputs of the commands they run.

`HARDENED` is a host in every state the checks want; `WEAK` the opposite. Both are written
under a temporary directory and read through the real collectors with a `RecordedRunner`.
"""

from __future__ import annotations

import json
from pathlib import Path

from attestly.integrations.builtin.linux_host.client import (
    CommandResult,
    HostClient,
    RecordedRunner,
)

PASSWD = """root:x:0:0:root:/root:/bin/bash
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
alice:x:1000:1000:Alice:/home/alice:/bin/bash
"""
SHADOW = """root:!:19000:0:99999:7:::
daemon:*:19000:0:99999:7:::
alice:$y$j9T$abc$def:19000:0:99999:7:::
"""
NFT_RULES = json.dumps(
    {
        "nftables": [
            {"metainfo": {"version": "1.0.6"}},
            {"table": {"family": "inet", "name": "filter"}},
            {"chain": {"family": "inet", "table": "filter", "name": "input", "policy": "drop"}},
            {"rule": {"family": "inet", "table": "filter", "chain": "input", "expr": []}},
            {"rule": {"family": "inet", "table": "filter", "chain": "input", "expr": []}},
        ]
    }
)
APT_CLEAN = "Reading package lists...\n0 upgraded, 0 newly installed, 0 to remove.\n"
SECURITY = "Debian-Security:12/stable-security [amd64]"
APT_PENDING = (
    f"Inst openssl [3.0.11-1~deb12u1] (3.0.15-1~deb12u1 {SECURITY})\n"
    f"Inst libssl3 [3.0.11-1~deb12u1] (3.0.15-1~deb12u1 {SECURITY})\n"
    "Inst tzdata [2024a-0+deb12u1] (2024b-0+deb12u1 Debian:12.8/stable [all])\n"
)

HARDENED: dict[str, str] = {
    "etc/hostname": "web-1\n",
    "etc/os-release": (
        'ID=ubuntu\nID_LIKE=debian\nVERSION_ID="24.04"\nPRETTY_NAME="Ubuntu 24.04.1 LTS"\n'
    ),
    "proc/mounts": (
        "/dev/mapper/luks-root / ext4 rw,relatime 0 0\n"
        "/dev/vda1 /boot ext4 rw 0 0\n"
        "/dev/mapper/vg-srv /srv xfs rw 0 0\n"
        "tmpfs /run tmpfs rw 0 0\n"
    ),
    "sys/class/block/dm-0/dm/name": "luks-root\n",
    "sys/class/block/dm-0/dm/uuid": "CRYPT-LUKS2-0a1b2c-luks-root\n",
    "sys/class/block/dm-1/dm/name": "vg-srv\n",
    "sys/class/block/dm-1/dm/uuid": "LVM-abcdef\n",
    "sys/class/block/dm-1/slaves/dm-2/.keep": "",
    "sys/class/block/dm-2/dm/name": "luks-data\n",
    "sys/class/block/dm-2/dm/uuid": "CRYPT-LUKS2-99-luks-data\n",
    "sys/class/block/vda1/.keep": "",
    "etc/crypttab": "# <name> <device>\nluks-root UUID=1 none luks\nluks-data UUID=2 none luks\n",
    "usr/bin/apt-get": "",
    "usr/bin/unattended-upgrade": "",
    "etc/apt/apt.conf.d/20auto-upgrades": (
        'APT::Periodic::Update-Package-Lists "1";\nAPT::Periodic::Unattended-Upgrade "1";\n'
    ),
    "usr/sbin/sshd": "",
    "etc/ssh/sshd_config": "Include /etc/ssh/sshd_config.d/*.conf\nPort 22\nUsePAM yes\n",
    "etc/ssh/sshd_config.d/10-hardening.conf": (
        "PermitRootLogin no\nPasswordAuthentication no\nMaxAuthTries 3\nX11Forwarding no\n"
        "Match Address 10.0.0.0/8\n    PermitRootLogin no\n"
    ),
    "proc/101/comm": "chronyd\n",
    "proc/102/comm": "auditd\n",
    "proc/103/comm": "sshd\n",
    "etc/systemd/journald.conf": "[Journal]\nStorage=persistent\n",
    "etc/passwd": PASSWD,
    "etc/shadow": SHADOW,
}
HARDENED_COMMANDS = {
    "nft": CommandResult(0, NFT_RULES),
    "timedatectl": CommandResult(0, "NTP=yes\nNTPSynchronized=yes\n"),
    "auditctl": CommandResult(0, "-w /etc/passwd -p wa -k identity\n-a always,exit -S execve\n"),
    "apt-get": CommandResult(0, APT_CLEAN),
}

WEAK: dict[str, str] = {
    "etc/hostname": "legacy-1\n",
    "etc/os-release": 'ID=debian\nVERSION_ID="10"\nPRETTY_NAME="Debian GNU/Linux 10 (buster)"\n',
    "proc/mounts": "/dev/sda1 / ext4 rw 0 0\n/dev/sdb1 /data ext4 rw 0 0\n",
    "sys/class/block/sda1/.keep": "",
    "sys/class/block/sdb1/.keep": "",
    "usr/bin/apt-get": "",
    "usr/sbin/sshd": "",
    "etc/ssh/sshd_config": (
        "PermitRootLogin yes\nPermitEmptyPasswords yes\nX11Forwarding yes\n"
        "Match User deploy\n  PasswordAuthentication yes\n"
    ),
    "etc/systemd/journald.conf": "[Journal]\nStorage=volatile\n",
    "etc/passwd": PASSWD + "toor:x:0:0::/root:/bin/sh\nguest:x:1001:1001::/home/guest:/bin/sh\n",
    "etc/shadow": SHADOW + "toor:$y$j9T$x$y:19000::::::\nguest::19000::::::\n",
}
WEAK_COMMANDS = {
    "ufw": CommandResult(0, "Status: inactive\n"),
    "nft": CommandResult(0, json.dumps({"nftables": [{"metainfo": {}}]})),
    "timedatectl": CommandResult(0, "NTP=no\nNTPSynchronized=no\n"),
    "apt-get": CommandResult(0, APT_PENDING),
}


def write_root(base: Path, files: dict[str, str]) -> Path:
    for relative, content in files.items():
        path = base / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    return base


def host(base: Path, files: dict[str, str], commands: dict[str, CommandResult]) -> HostClient:
    return HostClient(write_root(base, files), RecordedRunner(commands), is_root=True)


class UnprivilegedClient(HostClient):
    """The file system as a non-root user sees it: root-only files raise PermissionError."""

    ROOT_ONLY = frozenset({"/etc/shadow"})

    def read(self, absolute: str) -> str:
        if absolute in self.ROOT_ONLY:
            raise PermissionError(13, "Permission denied", str(self.path(absolute)))
        return super().read(absolute)
