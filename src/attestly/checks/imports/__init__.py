"""Reading scanner findings (OCSF JSON, SARIF 2.1.0, Attestly CSV) into evidence and results.

Parsing is strict and whole-file: any problem rejects the file before anything is stored.
"""

from __future__ import annotations

from attestly.checks.imports.common import Finding, ImportRejected, parse_findings

__all__ = ["Finding", "ImportRejected", "parse_findings"]
