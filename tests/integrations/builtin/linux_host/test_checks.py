"""Every Linux host check on recorded evidence: pass, fail, and error (facet unreadable)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from attestly.checks.registry import get_registry

from ..conftest import record

NOW = dt.datetime(2026, 11, 22, 12, 0, tzinfo=dt.UTC)
K = "linux_host."


def fs(mount: str, encrypted: bool) -> dict[str, Any]:
    via = "luks" if encrypted else ""
    return {"mountpoint": mount, "device": "/dev/x", "fstype": "ext4", "encrypted": encrypted,
            "via": via}  # fmt: skip


def disks(root: bool, data: bool) -> dict[str, Any]:
    return {"root": fs("/", root), "root_note": "", "data": [fs("/srv", data)], "crypttab": []}


def firewall(active: bool, rules: int) -> dict[str, Any]:
    return {"tool": "nftables", "active": active, "rule_count": rules, "tools_found": ["nftables"],
            "error": None}  # fmt: skip


def ssh(**settings: str) -> dict[str, Any]:
    base = {"permitrootlogin": "no", "passwordauthentication": "no", "permitemptypasswords": "no",
            "maxauthtries": "3", "x11forwarding": "no"}  # fmt: skip
    return {"installed": True, "source": "sshd_config", "settings": {**base, **settings},
            "match_overrides": [], "files": []}  # fmt: skip


def audit(running: bool = True, rules: Any = 3, persistent: bool = True) -> dict[str, Any]:
    return {"auditd_running": running, "audit_rules": rules, "journald_storage": "auto",
            "journal_persistent": persistent, "syslog_daemons": []}  # fmt: skip


def release(os_id: str, version: str) -> dict[str, Any]:
    return {"id": os_id, "id_like": [], "version_id": version, "pretty_name": "",
            "kernel": "6.1"}  # fmt: skip


def updates(enabled: bool) -> dict[str, Any]:
    return {"mechanism": "unattended-upgrades", "installed": True, "enabled": enabled,
            "security_only": None, "detail": ""}  # fmt: skip


def accounts(uid0: list[str], empty: Any) -> dict[str, Any]:
    return {"uid0": uid0, "empty_password": empty, "users": 3}


def pending(*names: str) -> dict[str, Any]:
    return {"manager": "apt", "security": list(names), "total": len(names),
            "lists_age_days": 0.5}  # fmt: skip


def time_sync(synced: bool | None, daemons: list[str]) -> dict[str, Any]:
    return {"daemons": daemons, "ntp_enabled": synced, "synchronized": synced}


CASES: list[tuple[str, str, dict[str, Any], dict[str, Any]]] = [
    ("linux_host_root_filesystem_encrypted", "disk_encryption", disks(True, True),
     disks(False, True)),
    ("linux_host_data_filesystems_encrypted", "disk_encryption", disks(True, True),
     disks(True, False)),
    ("linux_host_firewall_active", "firewall", firewall(True, 4), firewall(False, 0)),
    ("linux_host_firewall_rules_present", "firewall", firewall(True, 4), firewall(True, 0)),
    ("linux_host_security_updates_automatic", "auto_updates", updates(True), updates(False)),
    ("linux_host_ssh_root_login_disabled", "ssh", ssh(),
     ssh(permitrootlogin="prohibit-password")),
    ("linux_host_ssh_password_auth_disabled", "ssh", ssh(), ssh(passwordauthentication="yes")),
    ("linux_host_ssh_empty_passwords_disabled", "ssh", ssh(), ssh(permitemptypasswords="yes")),
    ("linux_host_ssh_max_auth_tries_limited", "ssh", ssh(), ssh(maxauthtries="6")),
    ("linux_host_ssh_x11_forwarding_disabled", "ssh", ssh(), ssh(x11forwarding="yes")),
    ("linux_host_time_synchronised", "time_sync", time_sync(None, ["chronyd"]),
     time_sync(None, [])),
    ("linux_host_audit_daemon_running", "audit_logging", audit(), audit(running=False)),
    ("linux_host_system_logs_persistent", "audit_logging", audit(), audit(persistent=False)),
    ("linux_host_os_release_supported", "os_release", release("debian", "12"),
     release("ubuntu", "20.04")),
    ("linux_host_security_updates_none_pending", "pending_updates", pending(),
     pending("openssl")),
    ("linux_host_accounts_no_empty_passwords", "accounts", accounts(["root"], []),
     accounts(["root"], ["guest"])),
    ("linux_host_accounts_single_uid0", "accounts", accounts(["root"], []),
     accounts(["root", "toor"], [])),
]  # fmt: skip


def verdict(judge: Callable[..., Any], check: str, facet: str, data: dict[str, Any]) -> Any:
    return judge([record(K + facet, data)], check, NOW)[(check, "r1")]


def test_every_linux_check_has_a_case() -> None:
    registered = {c.id for c in get_registry() if c.id.startswith("linux_host_")}
    assert registered == {case[0] for case in CASES}


@pytest.mark.parametrize(("check", "facet", "passing", "failing"), CASES)
def test_pass_fail_and_error(
    judge: Callable[..., Any], check: str, facet: str, passing: Any, failing: Any
) -> None:
    assert verdict(judge, check, facet, passing)[0] == "pass"
    assert verdict(judge, check, facet, failing)[0] == "fail"
    unreadable = {"error": "/proc/mounts is not readable without root"}
    assert verdict(judge, check, facet, unreadable) == ("error", unreadable["error"])


def test_audit_rules_unreadable_without_root_is_an_error(judge: Callable[..., Any]) -> None:
    data = audit(rules={"error": "audit rules are not readable without root (auditctl -l)"})
    assert verdict(judge, "linux_host_audit_daemon_running", "audit_logging", data) == (
        "error",
        "audit_rules: audit rules are not readable without root (auditctl -l)",
    )


def test_ssh_checks_do_not_apply_without_sshd(judge: Callable[..., Any]) -> None:
    data = {"installed": False, "source": "none", "settings": {}}
    assert verdict(judge, "linux_host_ssh_root_login_disabled", "ssh", data) == (
        "not_applicable",
        "sshd is not installed",
    )


def test_a_root_filesystem_that_is_not_a_block_device_does_not_apply(
    judge: Callable[..., Any],
) -> None:
    data = {"root": None, "root_note": "/ is overlay from overlay, not a block device",
            "data": [], "crypttab": []}  # fmt: skip
    assert verdict(judge, "linux_host_root_filesystem_encrypted", "disk_encryption", data) == (
        "not_applicable",
        "/ is overlay from overlay, not a block device",
    )


def test_an_os_release_missing_from_the_table_is_an_error(judge: Callable[..., Any]) -> None:
    data = release("gentoo", "2.15")
    assert verdict(judge, "linux_host_os_release_supported", "os_release", data) == (
        "error",
        "gentoo 2.15: release not in the end-of-life table",
    )


def test_a_rhel_point_release_is_looked_up_by_its_major(judge: Callable[..., Any]) -> None:
    data = release("rocky", "9.4")
    assert verdict(judge, "linux_host_os_release_supported", "os_release", data)[0] == "pass"
