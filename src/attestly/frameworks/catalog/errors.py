from __future__ import annotations

from pathlib import Path


class CatalogError(Exception):
    """A catalog file is wrong. Says which file, which entry and which field."""

    def __init__(self, path: Path | str, entry: str, field: str, problem: str) -> None:
        self.path = str(path)
        self.entry = entry
        self.field = field
        self.problem = problem
        super().__init__(f"{self.path}: entry {entry}: field {field}: {problem}")
