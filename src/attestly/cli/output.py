"""Printing rows as a Rich table, JSON or CSV: one place, so every command agrees."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Sequence
from enum import StrEnum
from typing import Any

from rich.console import Console
from rich.table import Table


class Format(StrEnum):
    TABLE = "table"
    JSON = "json"
    CSV = "csv"


def emit(
    rows: Sequence[dict[str, Any]],
    fmt: Format,
    *,
    columns: Sequence[str],
    title: str | None = None,
    json_payload: Any = None,
) -> None:
    """Print `rows`. JSON prints `json_payload` when given (full nested records)."""
    if fmt == Format.JSON:
        sys.stdout.write(
            json.dumps(
                json_payload if json_payload is not None else list(rows),
                indent=2,
                ensure_ascii=False,
            )
            + "\n"
        )
    elif fmt == Format.CSV:
        writer = csv.DictWriter(
            sys.stdout, fieldnames=list(columns), extrasaction="ignore", lineterminator="\n"
        )
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _flat(row.get(k)) for k in columns})
    else:
        table = Table(title=title, show_lines=False, header_style="bold")
        for col in columns:
            table.add_column(col.replace("_", " "), overflow="fold")
        for row in rows:
            table.add_row(*(_flat(row.get(c)) for c in columns))
        Console().print(table)


def _flat(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return "; ".join(_flat(v) for v in value)
    return str(value)
