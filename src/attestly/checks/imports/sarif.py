"""SARIF 2.1.0 logs (code scanners, IaC scanners, Prowler's --output-formats sarif).

Each `runs[].results[]` entry becomes one finding: the check id is `<tool>:<ruleId>`, the
resource the first location's artifact URI (with `:<startLine>` when given), the verdict from
`kind` (pass, fail, open, review, notApplicable, informational; missing means fail).
"""

from __future__ import annotations

from typing import Any

from attestly.checks.imports.common import (
    Finding,
    ImportRejected,
    check_depth,
    load_json,
    product_slug,
)
from attestly.checks.types import Status

KIND = "import.sarif.result"
EVALUATOR = "sarif_result_status"
_STATUS = {
    "pass": Status.PASS,
    "notApplicable": Status.NOT_APPLICABLE,
    "informational": Status.NOT_APPLICABLE,
}


def _location(result: dict[str, Any]) -> str | None:
    locations = result.get("locations")
    if not isinstance(locations, list) or not locations or not isinstance(locations[0], dict):
        return None
    physical = locations[0].get("physicalLocation")
    if not isinstance(physical, dict):
        return None
    artifact = physical.get("artifactLocation")
    uri = artifact.get("uri") if isinstance(artifact, dict) else None
    if not isinstance(uri, str) or not uri:
        return None
    region = physical.get("region")
    line = region.get("startLine") if isinstance(region, dict) else None
    return f"{uri}:{line}" if isinstance(line, int) and not isinstance(line, bool) else uri


def parse(text: str) -> list[Finding]:
    log = load_json(text)
    if not isinstance(log, dict) or not isinstance(log.get("runs"), list):
        raise ImportRejected("not a SARIF log: expected an object with a `runs` list")
    version = log.get("version")
    if version != "2.1.0":
        raise ImportRejected(f"SARIF version {version!r} is not supported; use 2.1.0")
    findings: list[Finding] = []
    for r_index, run in enumerate(log["runs"]):
        where = f"runs[{r_index}]"
        if not isinstance(run, dict):
            raise ImportRejected(f"{where}: must be an object")
        driver = run.get("tool", {}).get("driver") if isinstance(run.get("tool"), dict) else None
        name = driver.get("name") if isinstance(driver, dict) else None
        if not isinstance(name, str) or not name.strip():
            raise ImportRejected(f"{where}: tool.driver.name is required")
        tool = product_slug(name)
        results = run.get("results") or []
        if not isinstance(results, list):
            raise ImportRejected(f"{where}: results must be a list")
        for index, result in enumerate(results):
            at = f"{where}.results[{index}]"
            if not isinstance(result, dict):
                raise ImportRejected(f"{at}: must be an object")
            check_depth(result, at)
            rule = result.get("ruleId") or (result.get("rule") or {}).get("id")
            if not isinstance(rule, str) or not rule.strip():
                raise ImportRejected(f"{at}: ruleId is required")
            resource = _location(result) or f"{tool}:{rule}"
            message = result.get("message")
            title = message.get("text") if isinstance(message, dict) else None
            kind = result.get("kind", "fail")
            findings.append(
                Finding(
                    check_id=f"{tool}:{rule.strip()}"[:200],
                    resource_key=resource[:450],
                    kind=KIND,
                    evaluator=EVALUATOR,
                    content={"tool": name, **result},
                    status=_STATUS.get(kind, Status.FAIL) if kind != "pass" else Status.PASS,
                    title=title if isinstance(title, str) else rule,
                )
            )
    return findings
