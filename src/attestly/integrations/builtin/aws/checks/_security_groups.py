"""Reading security group ingress rules (AWS IpPermissions) for the EC2 checks.

A rule is open to the world when one of its IPv4 or IPv6 ranges is the whole address space
(`0.0.0.0/0`, `::/0`, or any other spelling of a /0). Ranges named through a managed prefix
list (`PrefixListIds`) or another security group are not resolved and count as not open.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from typing import Any

from attestly.checks.types import Status, Verdict
from attestly.integrations.builtin.common import fail, unreadable

ALL_PROTOCOLS = "-1"
TCP = frozenset({"tcp", "6"})
PORTED = frozenset({"tcp", "6", "udp", "17"})
LAST_PORT = 65535

# TCP ports of remote administration, databases, caches, search and message brokers that must
# not face the internet (SSH 22 and RDP 3389 have their own checks).
ADMIN_PORTS: Mapping[int, str] = {
    20: "FTP data",
    21: "FTP",
    23: "Telnet",
    445: "SMB",
    1433: "SQL Server",
    1434: "SQL Server browser",
    1521: "Oracle",
    2375: "Docker API",
    2376: "Docker API (TLS)",
    2483: "Oracle",
    2484: "Oracle (TLS)",
    3306: "MySQL",
    5432: "PostgreSQL",
    5500: "VNC listener",
    5601: "Kibana",
    5900: "VNC",
    5985: "WinRM",
    5986: "WinRM (TLS)",
    6379: "Redis",
    7199: "Cassandra JMX",
    8888: "Cassandra OpsCenter",
    9042: "Cassandra",
    9092: "Kafka",
    9160: "Cassandra Thrift",
    9200: "Elasticsearch",
    9300: "Elasticsearch transport",
    11211: "Memcached",
    27017: "MongoDB",
    27018: "MongoDB",
}


def _is_world(cidr: Any) -> bool:
    try:
        return ipaddress.ip_network(str(cidr), strict=False).prefixlen == 0
    except ValueError:
        return False


def world_sources(rule: Mapping[str, Any]) -> list[str]:
    """The rule's IPv4/IPv6 ranges that are the whole internet."""
    found = [r.get("CidrIp") for r in rule.get("IpRanges") or [] if _is_world(r.get("CidrIp"))]
    found += [
        r.get("CidrIpv6") for r in rule.get("Ipv6Ranges") or [] if _is_world(r.get("CidrIpv6"))
    ]
    return [str(c) for c in found]


def describe(rule: Mapping[str, Any], sources: Iterable[str]) -> str:
    protocol = str(rule.get("IpProtocol"))
    where = ", ".join(sources)
    if protocol == ALL_PROTOCOLS:
        return f"all traffic from {where}"
    low, high = rule.get("FromPort"), rule.get("ToPort")
    ports = "" if low is None else (f" {low}" if low == high else f" {low}-{high}")
    return f"{protocol}{ports} from {where}"


def _ports(rule: Mapping[str, Any]) -> tuple[int, int] | None:
    """The port range a TCP/UDP rule opens (None: the rule has no port range)."""
    low, high = rule.get("FromPort"), rule.get("ToPort")
    if not isinstance(low, int) or not isinstance(high, int):
        return None
    if low == -1 and high == -1:  # "all ports" as some tools write it
        return 0, LAST_PORT
    return low, high


def opens_tcp_port(rule: Mapping[str, Any], port: int) -> bool:
    protocol = str(rule.get("IpProtocol"))
    if protocol == ALL_PROTOCOLS:
        return True
    if protocol not in TCP:
        return False
    span = _ports(rule)
    return span is not None and span[0] <= port <= span[1]


def opens_everything(rule: Mapping[str, Any]) -> bool:
    """All protocols, or every TCP or UDP port."""
    protocol = str(rule.get("IpProtocol"))
    if protocol == ALL_PROTOCOLS:
        return True
    span = _ports(rule) if protocol in PORTED else None
    return span is not None and span[0] <= 0 and span[1] >= LAST_PORT


def ingress(data: Mapping[str, Any]) -> list[Mapping[str, Any]] | Verdict:
    """The group's ingress rules, or an `error` verdict when they were not recorded."""
    if (error := unreadable(data)) is not None:
        return error
    rules = data.get("ingress")
    if not isinstance(rules, list):
        return Verdict(Status.ERROR, "the security group's ingress rules were not recorded")
    return rules


def in_use(data: Mapping[str, Any]) -> str:
    count = data.get("network_interfaces")
    if not isinstance(count, int):
        return ""
    if count == 0:
        return " (the group is not attached to any network interface)"
    return f" (attached to {count} network interface{'s' if count != 1 else ''})"


def verdict_for_port(data: Mapping[str, Any], port: int, name: str) -> bool | Verdict:
    """Pass unless an ingress rule opens TCP `port` to the world."""
    rules = ingress(data)
    if isinstance(rules, Verdict):
        return rules
    bad = [
        describe(rule, sources)
        for rule in rules
        if (sources := world_sources(rule)) and opens_tcp_port(rule, port)
    ]
    if bad:
        return fail(f"{name} (TCP {port}) is open to the internet: {'; '.join(bad)}{in_use(data)}")
    return True
