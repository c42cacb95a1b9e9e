"""The Linux host integration: this server's own host, or any host through `attestly agent`.

A connection collects the host Attestly runs on (or a host file system mounted at `root`).
Remote hosts run `attestly agent`, which uses the same collectors and posts the records.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from pydantic import Field

from attestly.integrations.base import (
    CollectContext,
    Collector,
    CollectorError,
    ConnectionTest,
    Integration,
    IntegrationConfig,
    Record,
)
from attestly.integrations.builtin.linux_host.client import HostClient
from attestly.integrations.builtin.linux_host.collectors import (
    COLLECTORS,
    collect_facet,
    ensure_linux,
    host_name,
)
from attestly.integrations.builtin.linux_host.schemas import KIND_PREFIX

SLUG = "linux_host"
# What a collector cannot see without root, said in the connection test and the docs.
NEEDS_ROOT = {
    "firewall": "listing nftables/iptables/ufw rules (CAP_NET_ADMIN)",
    "accounts": "reading /etc/shadow (empty passwords)",
    "audit_logging": "auditctl -l (audit rules)",
    "ssh": "sshd -T (effective config; the files are parsed otherwise)",
}


class LinuxHostConfig(IntegrationConfig):
    """Where the host's file system is and what to call the host."""

    root: str = Field("/", description="Root of the host file system (/ for this host).")
    host_name: str = Field("", description="Resource name; the host's own name when empty.")
    agent: bool = Field(
        False,
        description="Reports come from `attestly agent` on the host; the server does not collect.",
    )


def client_for(config: LinuxHostConfig) -> HostClient:
    """A client on the configured root; commands run only against the live host."""
    return HostClient(Path(config.root))


def _collector(facet: str) -> Collector:
    def collect(ctx: CollectContext[LinuxHostConfig]) -> Iterable[Record]:
        if ctx.config.agent:
            raise CollectorError(
                f"{ctx.config.host_name or 'this host'} reports through `attestly agent`; "
                "run the agent on that host (the server does not collect it)"
            )
        ensure_linux()
        client = client_for(ctx.config)
        yield collect_facet(client, facet, ctx.config.host_name or host_name(client))

    return Collector(
        facet,
        kinds=(f"{KIND_PREFIX}.{facet}",),
        collect=collect,
        description=f"{facet.replace('_', ' ')} of the host",
    )


def test_connection(ctx: CollectContext[LinuxHostConfig]) -> ConnectionTest:
    """Linux, a readable root, and which facets need root when not running as root."""
    try:
        ensure_linux()
        client = client_for(ctx.config)
        release = collect_facet(client, "os_release", "probe").data
    except CollectorError as exc:
        return ConnectionTest.from_error(exc)
    name = release.get("pretty_name") or release.get("id")
    if os.geteuid() == 0:
        return ConnectionTest.success(f"{name}: collecting as root, every facet is readable")
    missing = "; ".join(f"{facet}: {what}" for facet, what in NEEDS_ROOT.items())
    return ConnectionTest.success(
        f"{name}: collecting without root; these need root and will answer error: {missing}",
        needs_root=sorted(NEEDS_ROOT),
    )


integration = Integration(
    slug=SLUG,
    name="Linux host",
    version="1.0.0",
    description=(
        "Disk encryption, firewall, automatic updates, SSH hardening, time sync, audit "
        "logging, OS support, pending security updates and risky accounts of a Linux host."
    ),
    config=LinuxHostConfig,
    collectors=tuple(_collector(facet) for facet in COLLECTORS),
    test_connection=test_connection,
    checks="attestly.integrations.builtin.linux_host.checks",
    docs_url="docs/integrations/linux_host.md",
    default_schedule="6h",
)
