"""docs/integrations/aws.md lists every AWS check and every IAM action the collectors call."""

from __future__ import annotations

from pathlib import Path

from attestly.checks.registry import get_registry
from attestly.integrations.builtin.aws.collectors import SERVICES

DOC = Path(__file__).resolve().parents[2] / "docs" / "integrations" / "aws.md"


def test_every_aws_check_is_documented() -> None:
    text = DOC.read_text()
    missing = [c.id for c in get_registry() if c.id.startswith("aws_") and f"`{c.id}`" not in text]
    assert missing == []


def test_every_permission_and_kind_is_documented() -> None:
    text = DOC.read_text()
    missing = [
        item
        for service in SERVICES
        for item in (*service.permissions, *service.kinds)
        if f"`{item}`" not in text and item not in text
    ]
    assert missing == []
