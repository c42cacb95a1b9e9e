"""Kept page bodies (`attestly.web.fragments`) are shared by everyone who may read a page, so
no template rendered through `cached_fragment`, nor any template it includes, may ask for the
viewer: their user, role or permissions, the request, or a CSRF token."""

from __future__ import annotations

import re
from pathlib import Path

from django.template.loader import get_template

SRC = Path(__file__).resolve().parents[2] / "src" / "attestly"
CALL = re.compile(r"cached_fragment\(\s*request,\s*workspace,\s*\"([^\"]+)\"", re.S)
INCLUDE = re.compile(r"{%\s*include\s+\"([^\"]+)\"")
# Names a body may not read: they would differ between viewers (and they are not in its
# context anyway, since a body is rendered without the request: they would come out empty).
# (`m.user`, a member's account, is data; a bare `user` would be the viewer.)
VIEWER = re.compile(
    r"{[{%][^}]*(?<![.\w])(user|request|perms|csrf_token|allowed_actions|workspace_role"
    r"|messages)\b"
)


def fragment_templates() -> set[str]:
    return {m for path in SRC.rglob("*.py") for m in CALL.findall(path.read_text())}


def with_includes(name: str, seen: set[str]) -> set[str]:
    if name in seen:
        return seen
    seen.add(name)
    source = Path(get_template(name).origin.name).read_text()
    for included in INCLUDE.findall(source):
        with_includes(included, seen)
    return seen


def test_every_kept_body_is_found() -> None:
    names = fragment_templates()
    assert {
        "web/_dashboard_body.html",
        "controls/_control_table.html",
        "controls/_list_filters.html",
        "evidence/_items_table.html",
        "evidence/_filters.html",
        "checks/_check_tables.html",
        "core/_audit_rows.html",
        "integrations/_connection_table.html",
        "integrations/_catalogue.html",
    } <= names


def test_no_kept_body_reads_the_viewer() -> None:
    offending = {}
    for name in fragment_templates():
        for template in with_includes(name, set()):
            source = Path(get_template(template).origin.name).read_text()
            found = VIEWER.findall(source)
            if found:
                offending[template] = sorted(set(found))
    assert offending == {}
