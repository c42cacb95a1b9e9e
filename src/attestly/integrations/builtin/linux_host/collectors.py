"""Collectors for one Linux host: the only code here that reads files or runs commands.

Each facet collector returns one complete record for the host or raises a `CollectorError`
(nothing partial); `collect_host` runs them all for the agent and keeps the errors apart.
Parts that need root and cannot be read without it are recorded as `{"error": ...}`.
"""

from __future__ import annotations

import json
import logging
import platform
import socket
import time
from collections.abc import Callable

from attestly.integrations.base import CollectorError, PermissionDenied, Record
from attestly.integrations.builtin.linux_host import sshd
from attestly.integrations.builtin.linux_host.client import HostClient
from attestly.integrations.builtin.linux_host.schemas import KIND_PREFIX, validated

log = logging.getLogger(__name__)
NEEDS_ROOT = "not readable without root"


class NotLinux(CollectorError):
    """The host is not a Linux host."""

    category = "unsupported_host"


DISK_FILESYSTEMS = {"ext2", "ext3", "ext4", "xfs", "btrfs", "f2fs", "jfs", "reiserfs", "zfs"}
SKIP_MOUNTS = ("/boot", "/boot/efi", "/efi")
TIME_DAEMONS = {"chronyd", "systemd-timesyn", "ntpd", "openntpd", "timesyncd"}
SYSLOG_DAEMONS = {"rsyslogd", "syslog-ng", "syslogd"}


def _block_name(client: HostClient, device: str) -> str | None:
    """`/dev/mapper/x`, `/dev/dm-0` or `/dev/sda2` → its name under /sys/class/block."""
    if device.startswith("/dev/mapper/"):
        wanted = device.removeprefix("/dev/mapper/")
        for name_file in client.glob("/sys/class/block", "*/dm/name"):
            if name_file.read_text(encoding="utf-8").strip() == wanted:
                return name_file.parent.parent.name
        return None
    name = device.removeprefix("/dev/")
    return name if client.exists(f"/sys/class/block/{name}") else None


def _crypt_mapping(client: HostClient, block: str, depth: int = 0) -> str:
    """The dm-crypt mapping under a block device (through LVM and RAID layers), or ''."""
    if depth > 8:
        return ""
    uuid = client.read_or_none(f"/sys/class/block/{block}/dm/uuid") or ""
    if uuid.startswith("CRYPT-"):
        return (client.read_or_none(f"/sys/class/block/{block}/dm/name") or block).strip()
    for slave in client.glob(f"/sys/class/block/{block}/slaves", "*"):
        found = _crypt_mapping(client, slave.name, depth + 1)
        if found:
            return found
    return ""


def collect_disk_encryption(client: HostClient) -> dict[str, object]:
    """Each block-device filesystem and the dm-crypt mapping under it, if any."""
    mounts = client.read("/proc/mounts")
    root: dict[str, object] | None = None
    root_note = ""
    data: list[dict[str, object]] = []
    seen: set[str] = set()
    for line in mounts.splitlines():
        fields = line.split()
        if len(fields) < 3 or fields[1] in seen:
            continue
        device, mountpoint, fstype = fields[0], fields[1].replace("\\040", " "), fields[2]
        if mountpoint == "/" and not device.startswith("/dev/"):
            root_note = f"/ is {fstype} from {device}, not a block device (a container?)"
        if not device.startswith("/dev/") or fstype not in DISK_FILESYSTEMS:
            continue
        seen.add(mountpoint)
        block = _block_name(client, device)
        via = _crypt_mapping(client, block) if block else ""
        entry = {
            "mountpoint": mountpoint,
            "device": device,
            "fstype": fstype,
            "encrypted": bool(via),
            "via": via,
        }
        if mountpoint == "/":
            root = entry
        elif not mountpoint.startswith(SKIP_MOUNTS):
            data.append(entry)
    crypttab = client.read_or_none("/etc/crypttab") or ""
    names = [ln.split()[0] for ln in crypttab.splitlines() if ln.strip() and ln[0] != "#"]
    return {"root": root, "root_note": root_note, "data": data, "crypttab": names}


def _nft_rules(output: str) -> int:
    return sum(1 for obj in json.loads(output).get("nftables", []) if "rule" in obj)


def collect_firewall(client: HostClient) -> dict[str, object]:
    """The first active firewall (ufw, nftables, iptables) and its rule count."""
    found: list[str] = []
    ufw = client.run("ufw", "status")
    if not ufw.missing:
        found.append("ufw")
        if ufw.returncode == 0 and "Status: active" in ufw.stdout:
            rules = sum(1 for ln in ufw.stdout.splitlines() if " ALLOW" in ln or " DENY" in ln)
            return _firewall("ufw", True, rules, found)
    nft = client.run("nft", "-j", "list", "ruleset")
    if not nft.missing:
        found.append("nftables")
        if nft.returncode == 0:
            count = _nft_rules(nft.stdout or "{}")
            if count:
                return _firewall("nftables", True, count, found)
    ipt = client.run("iptables-save")
    if not ipt.missing:
        found.append("iptables")
        if ipt.returncode == 0:
            rules = sum(1 for ln in ipt.stdout.splitlines() if ln.startswith("-A "))
            return _firewall("iptables", rules > 0, rules, found)
    if found and not client.is_root:
        error = f"firewall rules ({', '.join(found)}) are {NEEDS_ROOT} (CAP_NET_ADMIN)"
        return _firewall(None, False, 0, found, error)
    return _firewall(None, False, 0, found)


def _firewall(
    tool: str | None, active: bool, rules: int, found: list[str], error: str | None = None
) -> dict[str, object]:
    return {
        "tool": tool,
        "active": active,
        "rule_count": rules,
        "tools_found": found,
        "error": error,
    }


def _apt_setting(text: str, name: str) -> str | None:
    for line in text.splitlines():
        if line.strip().startswith(name):
            return line.split(name, 1)[1].strip().strip(";").strip().strip('"')
    return None


def collect_auto_updates(client: HostClient) -> dict[str, object]:
    """unattended-upgrades (apt) or dnf-automatic: installed and enabled?"""
    if client.exists("/usr/bin/apt-get"):
        installed = client.exists("/usr/bin/unattended-upgrade")
        conf = "".join(
            p.read_text(errors="replace") for p in client.glob("/etc/apt/apt.conf.d", "*")
        )
        periodic = _apt_setting(conf, "APT::Periodic::Unattended-Upgrade")
        enabled = installed and periodic not in (None, "0")
        return {
            "mechanism": "unattended-upgrades",
            "installed": installed,
            "enabled": enabled,
            "security_only": None,
            "detail": f"APT::Periodic::Unattended-Upgrade = {periodic!r}",
        }
    conf_text = client.read_or_none("/etc/dnf/automatic.conf")
    if conf_text is not None or client.exists("/usr/bin/dnf"):
        settings = dict(
            (k.strip(), v.strip())
            for k, _, v in (ln.partition("=") for ln in (conf_text or "").splitlines())
            if v
        )
        timer = any(client.glob("/etc/systemd/system/timers.target.wants", "dnf-automatic*"))
        apply = settings.get("apply_updates", "no").lower() in {"yes", "true", "1"}
        return {
            "mechanism": "dnf-automatic",
            "installed": conf_text is not None,
            "enabled": conf_text is not None and apply and timer,
            "security_only": settings.get("upgrade_type", "default") == "security",
            "detail": f"apply_updates={settings.get('apply_updates')}, timer enabled={timer}",
        }
    return {"mechanism": None, "installed": False, "enabled": False, "detail": "no apt or dnf"}


def collect_ssh(client: HostClient) -> dict[str, object]:
    """sshd's effective settings: `sshd -T` as root on the live host, else the files."""
    binary = client.exists("/usr/sbin/sshd")
    if client.is_root and binary:
        effective = client.run("sshd", "-T")
        if effective.returncode == 0 and effective.stdout:
            config = sshd.parse(
                "/etc/ssh/sshd_config", client.read_or_none, sshd.glob_under(client.root)
            )
            settings = sshd.parse_sshd_t(effective.stdout)
            return {
                "installed": True,
                "source": "sshd -T",
                "settings": settings,
                "match_overrides": config.matches,
                "files": config.files,
            }
    if not binary and not client.exists("/etc/ssh/sshd_config"):
        return {"installed": False, "source": "none", "settings": {}}
    config = sshd.parse("/etc/ssh/sshd_config", client.read_or_none, sshd.glob_under(client.root))
    return {
        "installed": True,
        "source": "sshd_config",
        "settings": config.settings,
        "match_overrides": config.matches,
        "files": config.files,
    }


def collect_time_sync(client: HostClient) -> dict[str, object]:
    """Time daemons running and timedatectl's NTP state."""
    daemons = sorted(client.processes() & TIME_DAEMONS)
    show = client.run("timedatectl", "show", "-p", "NTP", "-p", "NTPSynchronized")
    values = dict(ln.partition("=")[::2] for ln in show.stdout.splitlines()) if show.stdout else {}
    ntp = values.get("NTP")
    synced = values.get("NTPSynchronized")
    return {
        "daemons": daemons,
        "ntp_enabled": None if ntp is None else ntp == "yes",
        "synchronized": None if synced is None else synced == "yes",
    }


def collect_audit_logging(client: HostClient) -> dict[str, object]:
    """auditd and its rules, journald persistence, syslog daemons."""
    running = client.processes()
    auditd = "auditd" in running
    rules: int | dict[str, str] | None = None
    if auditd:
        listed = client.run("auditctl", "-l")
        if listed.returncode == 0:
            rules = sum(1 for ln in listed.stdout.splitlines() if ln.startswith("-"))
        else:
            rules = {"error": f"audit rules are {NEEDS_ROOT} (auditctl -l)"}
    conf = client.read_or_none("/etc/systemd/journald.conf") or ""
    for extra in client.glob("/etc/systemd/journald.conf.d", "*.conf"):
        conf += "\n" + extra.read_text(errors="replace")
    storage = "auto"
    for line in conf.splitlines():
        if line.strip().startswith("Storage="):
            storage = line.split("=", 1)[1].strip().lower()
    persistent = storage == "persistent" or (
        storage == "auto" and client.path("/var/log/journal").is_dir()
    )
    return {
        "auditd_running": auditd,
        "audit_rules": rules,
        "journald_storage": storage,
        "journal_persistent": persistent,
        "syslog_daemons": sorted(running & SYSLOG_DAEMONS),
    }


def collect_os_release(client: HostClient) -> dict[str, object]:
    """The distribution and release from os-release, and the kernel."""
    text = client.read_or_none("/etc/os-release") or client.read_or_none("/usr/lib/os-release")
    if text is None:
        raise CollectorError("neither /etc/os-release nor /usr/lib/os-release exists")
    values = {}
    for line in text.splitlines():
        name, sep, value = line.partition("=")
        if sep:
            values[name.strip()] = value.strip().strip('"').strip("'")
    kernel = (client.read_or_none("/proc/sys/kernel/osrelease") or "").strip()
    return {
        "id": values.get("ID", "linux").lower(),
        "id_like": values.get("ID_LIKE", "").lower().split(),
        "version_id": values.get("VERSION_ID", ""),
        "pretty_name": values.get("PRETTY_NAME", ""),
        "kernel": kernel,
    }


def collect_pending_updates(client: HostClient, now: float | None = None) -> dict[str, object]:
    """Security updates apt or dnf would install now."""
    if client.exists("/usr/bin/apt-get"):
        sim = client.run("apt-get", "-s", "-o", "Debug::NoLocking=1", "upgrade")
        if sim.returncode != 0:
            raise CollectorError(f"apt-get -s upgrade failed: {sim.stderr.strip()[:300]}")
        installs = [ln for ln in sim.stdout.splitlines() if ln.startswith("Inst ")]
        security = sorted(ln.split()[1] for ln in installs if "-security" in ln.lower())
        lists = client.glob("/var/lib/apt/lists", "*Packages*")
        newest = max((p.stat().st_mtime for p in lists), default=None)
        age = None if newest is None else round(((now or time.time()) - newest) / 86400, 1)
        return {
            "manager": "apt",
            "security": security,
            "total": len(installs),
            "lists_age_days": age,
        }
    if client.exists("/usr/bin/dnf"):
        listed = client.run("dnf", "-q", "updateinfo", "list", "--security")
        if listed.returncode != 0:
            raise CollectorError(f"dnf updateinfo failed: {listed.stderr.strip()[:300]}")
        security = sorted({ln.split()[-1] for ln in listed.stdout.splitlines() if ln.strip()})
        return {"manager": "dnf", "security": security, "total": len(security)}
    return {"manager": None, "security": [], "total": 0}


def collect_accounts(client: HostClient) -> dict[str, object]:
    """UID 0 accounts, and empty passwords (from /etc/shadow when readable)."""
    passwd = client.read("/etc/passwd")
    uid0: list[str] = []
    empty: list[str] = []
    users = 0
    for line in passwd.splitlines():
        fields = line.split(":")
        if len(fields) < 7:
            continue
        users += 1
        if fields[2] == "0":
            uid0.append(fields[0])
        if fields[1] == "":
            empty.append(fields[0])
    empty_password: list[str] | dict[str, str]
    try:
        shadow = client.read("/etc/shadow")
    except PermissionError:
        empty_password = {"error": f"/etc/shadow is {NEEDS_ROOT}"}
    else:
        for line in shadow.splitlines():
            fields = line.split(":")
            if len(fields) > 1 and fields[1] == "":
                empty.append(fields[0])
        empty_password = sorted(set(empty))
    return {"uid0": uid0, "empty_password": empty_password, "users": users}


COLLECTORS: dict[str, Callable[[HostClient], dict[str, object]]] = {
    "disk_encryption": collect_disk_encryption,
    "firewall": collect_firewall,
    "auto_updates": collect_auto_updates,
    "ssh": collect_ssh,
    "time_sync": collect_time_sync,
    "audit_logging": collect_audit_logging,
    "os_release": collect_os_release,
    "pending_updates": collect_pending_updates,
    "accounts": collect_accounts,
}


def host_name(client: HostClient) -> str:
    """The host's name: the live host name, or /etc/hostname under a fake root."""
    if str(client.root) == "/":
        return socket.gethostname()
    return (client.read_or_none("/etc/hostname") or "localhost").strip() or "localhost"


def ensure_linux(system: str | None = None) -> None:
    """Refuse a host that is not Linux with a message that says what it is."""
    found = system or platform.system()
    if found != "Linux":
        raise NotLinux(
            f"this host runs {found}, not Linux: the linux_host integration and "
            "`attestly agent` collect from Linux hosts only"
        )


def collect_facet(client: HostClient, facet: str, key: str) -> Record:
    """One facet's complete record, or a `CollectorError` that says what went wrong."""
    kind = f"{KIND_PREFIX}.{facet}"
    try:
        return Record(kind, key, validated(kind, COLLECTORS[facet](client)))
    except PermissionError as exc:
        raise PermissionDenied(
            f"read {exc.filename}", f"{facet}: {exc.filename} is {NEEDS_ROOT}"
        ) from exc
    except (OSError, ValueError) as exc:
        raise CollectorError(f"{facet}: {type(exc).__name__}: {exc}") from exc


def collect_host(
    client: HostClient, *, host: str | None = None, system: str | None = None
) -> tuple[list[Record], dict[str, CollectorError]]:
    """Every facet of the host: the records of facets that worked, the errors of the others."""
    ensure_linux(system)
    key = host or host_name(client)
    records: list[Record] = []
    errors: dict[str, CollectorError] = {}
    for facet in COLLECTORS:
        try:
            records.append(collect_facet(client, facet, key))
        except CollectorError as exc:
            log.warning("linux_host collector failed", extra={"facet": facet, "error": str(exc)})
            errors[facet] = exc
    return records, errors
