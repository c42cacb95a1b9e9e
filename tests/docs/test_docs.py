"""Generated parts of the docs stay in line with the code."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from attestly.conf.options import options_markdown
from attestly.frameworks.catalog.publish import json_schema

ROOT = Path(__file__).resolve().parents[2]


def test_configuration_doc_lists_every_option_as_the_code_declares_it() -> None:
    assert options_markdown() in (ROOT / "docs" / "configuration.md").read_text()


@pytest.mark.parametrize("kind", ["framework", "controls", "description"])
def test_published_json_schemas_match_the_models(kind: str) -> None:
    published = json.loads((ROOT / "docs" / "schemas" / f"catalog-{kind}.schema.json").read_text())
    assert published == json_schema(kind)


def test_readme_opens_with_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text()
    first_block = readme.split("```sh", 1)[1].split("```", 1)[0]
    assert ".venv/bin/attestly demo" in first_block
    assert "./scripts/test.sh" in first_block
    assert "./scripts/test.sh" in (ROOT / ".ci" / "run").read_text()


def test_permissions_doc_shows_the_matrix_as_the_code_declares_it() -> None:
    from attestly.core.permissions import matrix_markdown

    assert matrix_markdown() in (ROOT / "docs" / "permissions.md").read_text()
