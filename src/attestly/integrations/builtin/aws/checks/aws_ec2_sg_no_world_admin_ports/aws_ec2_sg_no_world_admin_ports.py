"""Fail when an ingress rule lets the world reach one of the ADMIN_PORTS over TCP."""

from __future__ import annotations

from attestly.checks.types import Context, Evidence, Verdict
from attestly.integrations.builtin.aws.checks._security_groups import (
    ADMIN_PORTS,
    in_use,
    ingress,
    opens_tcp_port,
    world_sources,
)
from attestly.integrations.builtin.common import fail

SHOWN = 8  # ports named in the detail; the rest are counted


def evaluate(item: Evidence, ctx: Context) -> bool | Verdict | None:
    rules = ingress(item.data)
    if isinstance(rules, Verdict):
        return rules
    open_ports: set[int] = set()
    for rule in rules:
        if world_sources(rule):
            open_ports.update(port for port in ADMIN_PORTS if opens_tcp_port(rule, port))
    if not open_ports:
        return True
    ports = sorted(open_ports)
    named = [f"{port} ({ADMIN_PORTS[port]})" for port in ports[:SHOWN]]
    if len(ports) > SHOWN:
        named.append(f"and {len(ports) - SHOWN} more")
    return fail(f"open to the internet on TCP {', '.join(named)}{in_use(item.data)}")
