"""Evidence payloads of the Linux host integration, one model per kind; the key is the host.

Every payload may instead be `{"error": "<why>"}` when the collector could not run at all, and
a part that needs root and was not readable is `{"error": "... needs root"}`.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

KIND_PREFIX = "linux_host"


class _Payload(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Filesystem(_Payload):
    mountpoint: str
    device: str
    fstype: str
    encrypted: bool
    via: str = Field("", description="The dm-crypt mapping that encrypts it, e.g. luks-root.")


class DiskEncryption(_Payload):
    """`linux_host.disk_encryption`: every block-device filesystem and whether dm-crypt backs it."""

    root: Filesystem | None = Field(description="None when / is not on a block device.")
    root_note: str = ""
    data: list[Filesystem] = Field(description="Other block-device filesystems (not /boot).")
    crypttab: list[str] = Field(description="Mapping names listed in /etc/crypttab.")


class Firewall(_Payload):
    """`linux_host.firewall`: the first firewall found with its loaded rules."""

    tool: Literal["nftables", "iptables", "ufw"] | None
    active: bool
    rule_count: int
    tools_found: list[str]
    error: str | None = Field(None, description="Set when listing rules needs root.")


class AutoUpdates(_Payload):
    """`linux_host.auto_updates`: unattended-upgrades or dnf-automatic settings."""

    mechanism: Literal["unattended-upgrades", "dnf-automatic"] | None
    installed: bool
    enabled: bool
    security_only: bool | None = None
    detail: str = ""


class Ssh(_Payload):
    """`linux_host.ssh`: the effective sshd settings (lower-case names) and Match overrides."""

    installed: bool
    source: Literal["sshd -T", "sshd_config", "none"]
    settings: dict[str, str]
    match_overrides: list[dict[str, str]] = Field(
        default_factory=list, description="Per Match block: criteria and the settings it changes."
    )
    files: list[str] = Field(default_factory=list)


class TimeSync(_Payload):
    """`linux_host.time_sync`: time daemons running and what timedatectl reports."""

    daemons: list[str]
    ntp_enabled: bool | None
    synchronized: bool | None


class AuditLogging(_Payload):
    """`linux_host.audit_logging`: auditd, its rules, and whether the journal persists."""

    auditd_running: bool
    audit_rules: int | dict[str, str] | None = Field(
        description="Rule count (`auditctl -l`), or {error} without root, None without auditd."
    )
    journald_storage: str
    journal_persistent: bool
    syslog_daemons: list[str]


class OsRelease(_Payload):
    """`linux_host.os_release`: /etc/os-release identity (the check looks up end of life)."""

    id: str
    id_like: list[str]
    version_id: str
    pretty_name: str
    kernel: str


class PendingUpdates(_Payload):
    """`linux_host.pending_updates`: security updates the package manager would install."""

    manager: Literal["apt", "dnf", "yum"] | None
    security: list[str]
    total: int
    lists_age_days: float | None = None


class Accounts(_Payload):
    """`linux_host.accounts`: UID 0 accounts and accounts with empty passwords."""

    uid0: list[str]
    empty_password: list[str] | dict[str, str] = Field(
        description="Names, or {error} when /etc/shadow is not readable (needs root)."
    )
    users: int


SCHEMAS: dict[str, type[BaseModel]] = {
    f"{KIND_PREFIX}.disk_encryption": DiskEncryption,
    f"{KIND_PREFIX}.firewall": Firewall,
    f"{KIND_PREFIX}.auto_updates": AutoUpdates,
    f"{KIND_PREFIX}.ssh": Ssh,
    f"{KIND_PREFIX}.time_sync": TimeSync,
    f"{KIND_PREFIX}.audit_logging": AuditLogging,
    f"{KIND_PREFIX}.os_release": OsRelease,
    f"{KIND_PREFIX}.pending_updates": PendingUpdates,
    f"{KIND_PREFIX}.accounts": Accounts,
}


def validated(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    """The payload checked against its model and dumped as JSON-ready data."""
    return SCHEMAS[kind].model_validate(data).model_dump(mode="json")
