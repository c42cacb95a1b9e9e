"""The Linux host collectors on this machine and on fake hosts in states it is not in."""

from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from attestly.integrations.base import PermissionDenied, Record
from attestly.integrations.builtin.linux_host.client import (
    CommandResult,
    HostClient,
    RecordedRunner,
)
from attestly.integrations.builtin.linux_host.collectors import (
    COLLECTORS,
    NotLinux,
    collect_facet,
    collect_host,
)

from .hosts import (
    HARDENED,
    HARDENED_COMMANDS,
    WEAK,
    WEAK_COMMANDS,
    UnprivilegedClient,
    host,
    write_root,
)

LINUX_CHECKS = 17


def statuses(judged: dict[tuple[str, str], tuple[str, str]]) -> dict[str, str]:
    return {check: status for (check, _key), (status, _detail) in judged.items()}


def test_this_machine_is_collected_for_real(judge: Callable[..., Any]) -> None:
    records, errors = collect_host(HostClient())
    assert errors == {}
    assert sorted(r.kind for r in records) == sorted(f"linux_host.{f}" for f in COLLECTORS)
    assert {r.key for r in records} == {socket.gethostname()}
    by_kind = {r.kind: r.data for r in records}
    assert "root" in by_kind["linux_host.accounts"]["uid0"]
    assert by_kind["linux_host.os_release"]["id"] != ""
    assert all(isinstance(r, Record) for r in records)
    assert len(statuses(judge(records, "linux_host_"))) == LINUX_CHECKS


def test_a_hardened_host_passes_every_check(tmp_path: Path, judge: Callable[..., Any]) -> None:
    records, errors = collect_host(host(tmp_path, HARDENED, HARDENED_COMMANDS), system="Linux")
    assert errors == {}
    found = statuses(judge(records, "linux_host_"))
    assert found == dict.fromkeys(found, "pass")
    assert len(found) == LINUX_CHECKS


def test_a_weak_host_fails_every_check(tmp_path: Path, judge: Callable[..., Any]) -> None:
    records, _errors = collect_host(host(tmp_path, WEAK, WEAK_COMMANDS), system="Linux")
    found = statuses(judge(records, "linux_host_"))
    assert found == dict.fromkeys(found, "fail")
    assert len(found) == LINUX_CHECKS


def test_weak_host_details_name_what_is_wrong(tmp_path: Path, judge: Callable[..., Any]) -> None:
    records, _errors = collect_host(host(tmp_path, WEAK, WEAK_COMMANDS), system="Linux")
    judged = {check: detail for (check, _k), (_s, detail) in judge(records, "linux_host_").items()}
    assert judged["linux_host_ssh_root_login_disabled"] == "permitrootlogin is yes in sshd_config"
    assert judged["linux_host_ssh_password_auth_disabled"] == (
        "passwordauthentication is yes in sshd_config"  # the OpenSSH default
    )
    assert judged["linux_host_accounts_single_uid0"] == "UID 0 besides root: toor"
    assert judged["linux_host_accounts_no_empty_passwords"] == "empty password: guest"
    assert judged["linux_host_root_filesystem_encrypted"] == (
        "/ is on /dev/sda1 (ext4) with no dm-crypt layer"
    )
    assert judged["linux_host_os_release_supported"].startswith(
        "Debian GNU/Linux 10 (buster): security support ended on 2024-06-30"
    )
    assert judged["linux_host_security_updates_none_pending"] == (
        "2 security updates pending: libssl3, openssl"
    )


def test_a_match_block_that_reenables_passwords_is_kept_apart(tmp_path: Path) -> None:
    files = {**HARDENED, "etc/ssh/sshd_config.d/20-deploy.conf": "Match User deploy\n"
             "  PasswordAuthentication yes\n"}  # fmt: skip
    record = collect_facet(host(tmp_path, files, HARDENED_COMMANDS), "ssh", "web-1")
    assert record.data["settings"]["passwordauthentication"] == "no"
    assert record.data["match_overrides"] == [
        {"match": "Address 10.0.0.0/8", "permitrootlogin": "no"},
        {"match": "User deploy", "passwordauthentication": "yes"},
    ]
    assert record.data["settings"]["port"] == "22"  # after the Include: global again


def test_root_filesystem_through_lvm_on_luks_counts_as_encrypted(tmp_path: Path) -> None:
    record = collect_facet(host(tmp_path, HARDENED, HARDENED_COMMANDS), "disk_encryption", "h")
    assert record.data["data"] == [
        {"mountpoint": "/srv", "device": "/dev/mapper/vg-srv", "fstype": "xfs",
         "encrypted": True, "via": "luks-data"},
    ]  # fmt: skip


def test_without_root_shadow_and_firewall_are_errors_not_passes(
    tmp_path: Path, judge: Callable[..., Any]
) -> None:
    denied = CommandResult(1, "", "Operation not permitted (you must be root)")
    runner = RecordedRunner({**HARDENED_COMMANDS, "nft": denied})
    client = UnprivilegedClient(write_root(tmp_path, HARDENED), runner, is_root=False)
    records, errors = collect_host(client, system="Linux")
    assert errors == {}
    judged = judge(records, "linux_host_")
    assert judged[("linux_host_accounts_no_empty_passwords", "web-1")] == (
        "error",
        "empty_password: /etc/shadow is not readable without root",
    )
    assert judged[("linux_host_firewall_active", "web-1")] == (
        "error",
        "firewall rules (nftables) are not readable without root (CAP_NET_ADMIN)",
    )
    assert judged[("linux_host_accounts_single_uid0", "web-1")][0] == "pass"


def test_an_unreadable_file_fails_only_its_collector(tmp_path: Path) -> None:
    client = UnprivilegedClient(write_passwdless(tmp_path), RecordedRunner({}), is_root=False)
    client.ROOT_ONLY = frozenset({"/proc/mounts"})  # type: ignore[misc]
    with pytest.raises(PermissionDenied, match=r"disk_encryption: .*mounts is not readable"):
        collect_facet(client, "disk_encryption", "h")


def write_passwdless(base: Path) -> Path:
    return write_root(base, {"proc/mounts": "", "etc/os-release": "ID=debian\n"})


def test_a_host_that_is_not_linux_is_refused() -> None:
    with pytest.raises(NotLinux, match="this host runs Darwin, not Linux"):
        collect_host(HostClient(), system="Darwin")


def test_as_root_the_effective_config_from_sshd_t_wins(tmp_path: Path) -> None:
    effective = "port 22\npermitrootlogin without-password\npasswordauthentication no\n"
    commands = {**HARDENED_COMMANDS, "sshd": CommandResult(0, effective)}
    record = collect_facet(host(tmp_path, HARDENED, commands), "ssh", "web-1")
    assert record.data["source"] == "sshd -T"
    assert record.data["settings"]["permitrootlogin"] == "without-password"


RHEL = {
    "etc/hostname": "db-1\n",
    "etc/os-release": 'ID="rocky"\nID_LIKE="rhel centos fedora"\nVERSION_ID="9.4"\n',
    "usr/bin/dnf": "",
    "etc/dnf/automatic.conf": "[commands]\nupgrade_type = security\napply_updates = yes\n",
    "etc/systemd/system/timers.target.wants/dnf-automatic.timer": "",
}
DNF_SECURITY = (
    "RLSA-2024:1234 Important/Sec. openssl-1:3.0.7-27.el9.x86_64\n"
    "RLSA-2024:1250 Moderate/Sec.  curl-7.76.1-29.el9.x86_64\n"
)


def test_a_rhel_family_host_uses_dnf(tmp_path: Path, judge: Callable[..., Any]) -> None:
    commands = {"dnf": CommandResult(0, DNF_SECURITY)}
    client = host(tmp_path, RHEL, commands)
    updates = collect_facet(client, "auto_updates", "db-1").data
    assert (updates["mechanism"], updates["enabled"], updates["security_only"]) == (
        "dnf-automatic",
        True,
        True,
    )
    pending = collect_facet(client, "pending_updates", "db-1").data
    assert pending["security"] == ["curl-7.76.1-29.el9.x86_64", "openssl-1:3.0.7-27.el9.x86_64"]


@pytest.mark.parametrize(
    ("commands", "expected"),
    [
        ({"ufw": CommandResult(0, "Status: active\n\nTo Action From\n22/tcp ALLOW Anywhere\n")},
         ("ufw", True, 1)),
        ({"iptables-save": CommandResult(0, "*filter\n:INPUT DROP [0:0]\n-A INPUT -i lo -j ACCEPT\n"
                                            "-A INPUT -p tcp --dport 22 -j ACCEPT\nCOMMIT\n")},
         ("iptables", True, 2)),
        ({"iptables-save": CommandResult(0, "*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n")},
         ("iptables", False, 0)),
    ],
)  # fmt: skip
def test_ufw_and_iptables_rules_are_counted(
    tmp_path: Path, commands: dict[str, CommandResult], expected: tuple[str, bool, int]
) -> None:
    data = collect_facet(host(tmp_path, {"etc/hostname": "h\n"}, commands), "firewall", "h").data
    assert (data["tool"], data["active"], data["rule_count"]) == expected
