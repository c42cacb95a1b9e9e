"""Kept page bodies (`attestly.web.fragments`) are shared by everyone who may read a page, so
no template rendered through `cached_fragment`, nor any template it includes, may ask for the
viewer: their user, role or permissions, the request, or a CSRF token."""

from __future__ import annotations

import re
from pathlib import Path

from django.template.loader import get_template
from django.test import Client

from attestly.accounts.models import User
from attestly.core.models import Workspace

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


def test_the_kept_sidebar_reads_only_the_role_and_the_page() -> None:
    """`attestly.web.context.sidebar` keeps the main navigation per (role, page): its templates
    may read the role's actions and the page's names, and nothing about the viewer."""
    templates = with_includes("web/_sidebar.html", set())
    assert templates == {"web/_sidebar.html", "web/_access_nav.html"}
    for template in templates:
        source = Path(get_template(template).origin.name).read_text()
        source = re.sub(r"{% comment %}.*?{% endcomment %}", "", source, flags=re.S)
        assert not VIEWER.findall(source.replace("allowed_actions", "")), template


def test_the_sidebar_marks_the_page_for_each_role(
    client: Client, alice: User, acme: Workspace
) -> None:
    client.force_login(alice)
    html = client.get("/controls/").content.decode()
    assert '<a href="/controls/" aria-current="page">Controls</a>' in html
    html = client.get("/evidence/").content.decode()
    assert '<a href="/evidence/" aria-current="page">Evidence</a>' in html
    assert 'href="/controls/" aria-current' not in html
