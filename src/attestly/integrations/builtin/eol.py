"""End-of-life tables shipped as data (`attestly/data/eol/*.yaml`), validated when loaded."""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict

DATA = Path(__file__).resolve().parents[2] / "data" / "eol"


class EolTable(BaseModel):
    """Product -> release -> last day of security support."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    schema_version: Literal[1]
    releases: dict[str, dict[str, dt.date]]


@cache
def load(name: str) -> EolTable:
    """The table in `data/eol/<name>.yaml`."""
    text = (DATA / f"{name}.yaml").read_text(encoding="utf-8")
    return EolTable.model_validate(yaml.safe_load(text))


def end_of_life(table: str, product: str, version: str) -> dt.date | None:
    """The release's end of support, trying the version then its major; None if unknown."""
    releases = load(table).releases.get(product, {})
    return releases.get(version) or releases.get(version.split(".")[0])
