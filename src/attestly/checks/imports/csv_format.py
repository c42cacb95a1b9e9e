"""Attestly's CSV findings format (see docs/checks.md, "CSV import format").

UTF-8, comma-separated, a header row. Required columns: `check_id`, `resource`, `status`
(pass, fail, error, not_applicable). Optional: `title`, `severity`, `detail`, `criteria`
(SOC 2 ids separated by `;`), `observed_at` (ISO 8601). Unknown columns are refused so a typo
does not silently drop data. A check id without a `tool:` prefix gets `csv:`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

from attestly.checks.imports.common import Finding, ImportRejected, soc2_criterion
from attestly.checks.types import Status

KIND = "import.csv.result"
EVALUATOR = "csv_result_status"
REQUIRED = ("check_id", "resource", "status")
OPTIONAL = ("title", "severity", "detail", "criteria", "observed_at")
MAX_FIELD = 10_000
_STATUSES = {s.value: s for s in (Status.PASS, Status.FAIL, Status.ERROR, Status.NOT_APPLICABLE)}


def parse(text: str) -> list[Finding]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except (StopIteration, csv.Error) as exc:
        raise ImportRejected(f"CSV header unreadable: {exc}") from None
    missing = [c for c in REQUIRED if c not in header]
    unknown = [c for c in header if c not in REQUIRED + OPTIONAL]
    if missing or unknown:
        raise ImportRejected(
            f"CSV header: missing {missing or 'nothing'}, unknown "
            f"{unknown or 'nothing'}; columns are {', '.join(REQUIRED + OPTIONAL)}"
        )
    findings: list[Finding] = []
    try:
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                raise ImportRejected(
                    f"line {line}: {len(row)} fields, the header has {len(header)}"
                )
            record = {name: cell.strip() for name, cell in zip(header, row, strict=True)}
            findings.append(_finding(record, line))
    except csv.Error as exc:
        raise ImportRejected(f"line {reader.line_num}: {exc}") from None
    return findings


def _finding(record: dict[str, str], line: int) -> Finding:
    if any(len(v) > MAX_FIELD for v in record.values()):
        raise ImportRejected(f"line {line}: a field is longer than {MAX_FIELD} characters")
    for column in REQUIRED:
        if not record[column]:
            raise ImportRejected(f"line {line}: {column} is empty")
    status = _STATUSES.get(record["status"].lower())
    if status is None:
        raise ImportRejected(
            f"line {line}: status {record['status']!r} is not one of {', '.join(_STATUSES)}"
        )
    criteria: set[str] = set()
    for code in filter(None, (c.strip() for c in record.get("criteria", "").split(";"))):
        criterion = soc2_criterion(code)
        if criterion is None:
            raise ImportRejected(f"line {line}: {code!r} is not a SOC 2 criterion like CC6.1")
        criteria.add(criterion)
    observed = None
    if record.get("observed_at"):
        try:
            observed = dt.datetime.fromisoformat(record["observed_at"])
        except ValueError:
            raise ImportRejected(f"line {line}: observed_at is not ISO 8601") from None
        observed = observed if observed.tzinfo else observed.replace(tzinfo=dt.UTC)
    check_id = record["check_id"] if ":" in record["check_id"] else f"csv:{record['check_id']}"
    content = {k: v for k, v in record.items() if v}
    content["status"] = status.value
    return Finding(
        check_id=check_id[:200],
        resource_key=record["resource"][:450],
        kind=KIND,
        evaluator=EVALUATOR,
        content=content,
        status=status,
        title=record.get("title") or record["check_id"],
        criteria=criteria,
        observed_at=observed,
    )
