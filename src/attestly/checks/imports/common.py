"""What every import format shares: limits, decoding, JSON parsing, the parsed finding."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from typing import Any

from attestly.checks.types import Status

MAX_DEPTH = 64
MAX_FINDINGS = 1_000_000
FORMATS = ("ocsf", "sarif", "csv")


class ImportRejected(Exception):
    """The file cannot be imported; the message says why and where. Nothing was stored."""


@dataclass
class Finding:
    """One scanner verdict on one resource, ready to become evidence and a result."""

    check_id: str
    resource_key: str
    kind: str
    evaluator: str
    content: dict[str, Any]
    status: Status
    title: str = ""
    criteria: set[str] = field(default_factory=set)
    observed_at: dt.datetime | None = None

    @property
    def evidence_key(self) -> str:
        # One evidence item per check and resource, so two findings on one bucket stay apart.
        return f"{self.resource_key}#{self.check_id}"[:500]


def decode(data: bytes, max_bytes: int) -> str:
    """UTF-8 text of the file, or a rejection naming the size limit or the bad byte."""
    if len(data) > max_bytes:
        raise ImportRejected(
            f"file is {len(data):,} bytes; the limit is {max_bytes:,} (ATTESTLY_IMPORT_MAX_BYTES)"
        )
    if not data.strip():
        raise ImportRejected("file is empty")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportRejected(f"not UTF-8 text: {exc.reason} at byte {exc.start}") from None


def load_json(text: str) -> Any:
    """Parse JSON, turning every failure into a rejection that says where."""
    try:
        return json.loads(text)
    except RecursionError:
        raise ImportRejected(f"JSON nested too deeply (limit {MAX_DEPTH} levels)") from None
    except json.JSONDecodeError as exc:
        # An unterminated string runs to the end of the text: the file was cut short.
        truncated = exc.pos >= len(text.rstrip()) - 1 or exc.msg.startswith("Unterminated")
        hint = " (the file looks truncated)" if truncated else ""
        raise ImportRejected(
            f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}{hint}"
        ) from None


def check_depth(value: Any, where: str) -> None:
    """Refuse values nested deeper than MAX_DEPTH, without recursion."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ImportRejected(f"{where}: nested deeper than {MAX_DEPTH} levels")
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node)


_SOC2_CODE = re.compile(r"^(cc|a|c|pi|p)[_ ]?([0-9]+)[_.]([0-9]+)$", re.IGNORECASE)


def soc2_criterion(code: str) -> str | None:
    """`cc_6_1`, `CC6.1`, `a_1_2` -> `CC6.1`, `A1.2`; None when it is not a SOC 2 code."""
    match = _SOC2_CODE.match(code.strip())
    if match is None:
        return None
    return f"{match.group(1).upper()}{match.group(2)}.{match.group(3)}"


def product_slug(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return slug[:40] or "scanner"


def parse_findings(data: bytes, fmt: str, max_bytes: int) -> list[Finding]:
    """Parse a whole file in one of FORMATS. Raises ImportRejected; returns >= 1 finding."""
    from attestly.checks.imports import csv_format, ocsf, sarif

    if fmt not in FORMATS:
        raise ImportRejected(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    text = decode(data, max_bytes)
    parser = {"ocsf": ocsf.parse, "sarif": sarif.parse, "csv": csv_format.parse}[fmt]
    findings = parser(text)
    if not findings:
        raise ImportRejected("the file holds no findings")
    if len(findings) > MAX_FINDINGS:
        raise ImportRejected(f"more than {MAX_FINDINGS:,} findings in one file")
    seen: set[tuple[str, str]] = set()
    for finding in findings:
        pair = (finding.check_id, finding.resource_key)
        if pair in seen:
            raise ImportRejected(
                f"two findings for check {finding.check_id} on resource "
                f"{finding.resource_key}; a file may judge a resource once"
            )
        seen.add(pair)
    return findings
