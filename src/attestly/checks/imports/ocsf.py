"""OCSF Detection Finding JSON (class_uid 2004), as Prowler writes it (`--output-formats
json-ocsf`): a JSON array of findings, one object, or one object per line.

Read per finding: `status_code` (PASS, FAIL, MANUAL...), `metadata.event_code` (the scanner's
check id), `metadata.product.name`, `resources[].uid`, `finding_info.title`, and SOC 2
requirements from `unmapped.compliance` ({"SOC2": ["cc_6_1", ...]}) or
`compliance.requirements`. The whole finding is kept as the evidence content.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from attestly.checks.imports.common import (
    Finding,
    ImportRejected,
    check_depth,
    load_json,
    product_slug,
    soc2_criterion,
)
from attestly.checks.types import Status

KIND = "import.ocsf.finding"
EVALUATOR = "ocsf_finding_status"
_STATUS = {"PASS": Status.PASS, "FAIL": Status.FAIL}


def _documents(text: str) -> list[Any]:
    stripped = text.lstrip()
    if stripped.startswith("[") or "\n" not in stripped.strip():
        data = load_json(text)
        return data if isinstance(data, list) else [data]
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) > 1 and all(line.lstrip().startswith("{") for line in lines):
        return [load_json(line) for line in lines]  # JSON Lines
    data = load_json(text)
    return data if isinstance(data, list) else [data]


def _text(value: Any, where: str, name: str, required: bool = True) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not value.strip():
        raise ImportRejected(f"{where}: {name} must be a non-empty string")
    return value.strip()


def _criteria(finding: dict[str, Any]) -> set[str]:
    found: set[str] = set()
    unmapped = finding.get("unmapped")
    compliance = unmapped.get("compliance") if isinstance(unmapped, dict) else None
    if isinstance(compliance, dict):
        for framework, codes in compliance.items():
            if "soc2" in str(framework).lower().replace(" ", "") and isinstance(codes, list):
                found.update(c for c in map(soc2_criterion, map(str, codes)) if c)
    structured = finding.get("compliance")
    if isinstance(structured, dict):
        standards = " ".join(map(str, structured.get("standards") or [])).lower()
        requirements = structured.get("requirements") or []
        if "soc" in standards and isinstance(requirements, list):
            found.update(c for c in map(soc2_criterion, map(str, requirements)) if c)
    return found


def _observed(finding: dict[str, Any]) -> dt.datetime | None:
    value = finding.get("time_dt")
    if isinstance(value, str):
        try:
            parsed = dt.datetime.fromisoformat(value)
        except ValueError:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
    stamp = finding.get("time")
    if isinstance(stamp, int | float) and not isinstance(stamp, bool) and stamp > 0:
        seconds = stamp / 1000 if stamp > 10**11 else stamp  # OCSF time is epoch milliseconds
        try:
            return dt.datetime.fromtimestamp(seconds, tz=dt.UTC)
        except (OverflowError, OSError, ValueError):
            return None
    return None


def parse(text: str) -> list[Finding]:
    findings: list[Finding] = []
    for index, finding in enumerate(_documents(text)):
        where = f"finding {index + 1}"
        if not isinstance(finding, dict):
            raise ImportRejected(f"{where}: expected a JSON object, got {type(finding).__name__}")
        check_depth(finding, where)
        status_code = _text(finding.get("status_code"), where, "status_code").upper()
        metadata = finding.get("metadata")
        if not isinstance(metadata, dict):
            raise ImportRejected(f"{where}: metadata must be an object (is this OCSF?)")
        event_code = _text(metadata.get("event_code"), where, "metadata.event_code")
        product = metadata.get("product")
        product_name = product.get("name") if isinstance(product, dict) else None
        prefix = product_slug(product_name) if isinstance(product_name, str) else "ocsf"
        resources = finding.get("resources")
        if not isinstance(resources, list) or not resources:
            raise ImportRejected(f"{where}: resources must be a non-empty list")
        info = finding.get("finding_info")
        title = info.get("title") if isinstance(info, dict) else None
        criteria = _criteria(finding)
        for r_index, resource in enumerate(resources):
            if not isinstance(resource, dict):
                raise ImportRejected(f"{where}: resources[{r_index}] must be an object")
            uid = _text(
                resource.get("uid") or resource.get("name"), where, f"resources[{r_index}].uid"
            )
            findings.append(
                Finding(
                    check_id=f"{prefix}:{event_code}"[:200],
                    resource_key=uid[:450],
                    kind=KIND,
                    evaluator=EVALUATOR,
                    content=finding,
                    status=_STATUS.get(status_code, Status.NOT_APPLICABLE),
                    title=title if isinstance(title, str) else event_code,
                    criteria=criteria,
                    observed_at=_observed(finding),
                )
            )
    return findings
