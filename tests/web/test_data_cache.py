"""The dashboard's figures are cached per workspace data version: a write shows at once, and
no workspace's figures reach another's users."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from attestly.accounts.models import User
from attestly.controls.actions import do_update_control
from attestly.controls.models import Control
from attestly.core import datacache
from attestly.core.models import Workspace
from attestly.frameworks.models import Framework
from attestly.readiness.actions import do_adopt_framework

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def data_cache_on(settings: Any) -> None:
    settings.DATA_CACHE_SECONDS = 60
    datacache.clear()


def unowned(client: Client) -> int:
    html = client.get("/").content.decode()
    match = re.search(r'<a id="unowned-controls" href="[^"]+" aria-label="(\d+) ', html)
    assert match, html[:2000]
    return int(match.group(1))


def adopt(workspace: Workspace, actor: User) -> None:
    soc2 = Framework.objects.get(slug="soc2")
    do_adopt_framework(actor=actor, workspace=workspace, framework=soc2, categories=[])


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_control_edit_changes_the_dashboard_at_once(alice: User, acme: Workspace) -> None:
    adopt(acme, alice)
    client = signed_in(alice)
    before = unowned(client)
    assert before > 0 and unowned(client) == before  # the second read is served cached
    control = Control.objects.filter(workspace=acme, owner__isnull=True).order_by("ref")[0]
    do_update_control(actor=alice, control=control, owner=alice)
    assert unowned(client) == before - 1


def test_a_write_the_audit_log_never_saw_shows_after_the_time_to_live(
    alice: User, acme: Workspace, settings: Any
) -> None:
    adopt(acme, alice)
    client = signed_in(alice)
    before = unowned(client)
    first = Control.objects.filter(workspace=acme, owner__isnull=True).order_by("ref")[0]
    Control.objects.filter(pk=first.pk).update(owner=alice)
    assert unowned(client) == before  # cached: no audited write happened
    settings.DATA_CACHE_SECONDS = 0
    assert unowned(client) == before - 1


def test_workspaces_never_share_figures(
    alice: User, acme: Workspace, mallory: User, globex: Workspace
) -> None:
    adopt(acme, alice)
    adopt(globex, mallory)
    for control in Control.objects.filter(workspace=globex).order_by("ref")[:3]:
        do_update_control(actor=mallory, control=control, owner=mallory)
    alice_sees, mallory_sees = unowned(signed_in(alice)), unowned(signed_in(mallory))
    assert alice_sees == Control.objects.filter(workspace=acme, owner__isnull=True).count()
    assert mallory_sees == Control.objects.filter(workspace=globex, owner__isnull=True).count()
    assert alice_sees == mallory_sees + 3
    html = signed_in(mallory).get("/").content.decode()
    assert "alice" not in html and "Acme" not in html


def test_a_viewer_gets_the_same_figures_without_an_owners_links(
    alice: User, bob: User, acme: Workspace
) -> None:
    adopt(acme, alice)
    owner_page = signed_in(alice).get("/").content.decode()
    viewer_page = signed_in(bob).get("/").content.decode()
    assert unowned(signed_in(bob)) == unowned(signed_in(alice))
    assert "bob" in viewer_page and "bob" not in owner_page
    tokens = [
        re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', p)
        for p in (owner_page, viewer_page)
    ]
    assert not set(tokens[0]) & set(tokens[1])


def test_list_tables_follow_writes_and_never_cross_workspaces(
    alice: User, acme: Workspace, mallory: User, globex: Workspace
) -> None:
    adopt(acme, alice)
    adopt(globex, mallory)
    control = Control.objects.filter(workspace=acme).order_by("ref")[0]
    alices, mallorys = signed_in(alice), signed_in(mallory)
    for path in ("/controls/", "/evidence/", "/checks/", "/audit/"):
        assert alices.get(path).status_code == 200
    assert "control.update" not in mallorys.get("/audit/").content.decode()
    do_update_control(actor=alice, control=control, title="Renamed for the cache test")
    assert "Renamed for the cache test" in alices.get("/controls/").content.decode()
    assert "Renamed for the cache test" not in mallorys.get("/controls/").content.decode()
    assert "control.update" in alices.get("/audit/").content.decode()
    assert "control.update" not in mallorys.get("/audit/").content.decode()


def test_the_version_follows_the_newest_run_past_ten_runs(acme: Workspace) -> None:
    """Ids compared as numbers, not text (text would call run 9 newer than run 10)."""
    from django.utils import timezone

    from attestly.integrations.models import CollectionRun

    def run() -> CollectionRun:
        return CollectionRun.objects.create(
            workspace=acme, connection_name="c", integration="tls", started_at=timezone.now()
        )

    for _ in range(12):
        run()
    before = datacache.data_versions([acme.pk], on=(datacache.RUNS,))
    newest = run()
    after = datacache.data_versions([acme.pk], on=(datacache.RUNS,))
    assert after != before
    assert after[1][0][1] == f"{newest.pk}:running:"  # (installation, run)


def test_a_write_renews_only_what_depends_on_its_part(alice: User, acme: Workspace) -> None:
    """Editing a control renews the controls list; the evidence list, which does not show
    controls, stays kept until evidence is recorded."""
    from attestly.evidence.models import EvidenceItem
    from attestly.testing.factories import record_evidence

    adopt(acme, alice)
    client = signed_in(alice)
    record_evidence(acme, 1, batch_key="first")
    assert "changed-behind-the-cache" not in client.get("/evidence/").content.decode()
    # A change no action made (so no domain moved): only the time to live would show it.
    EvidenceItem.objects.filter(workspace=acme).update(resource_key="changed-behind-the-cache")
    control = Control.objects.filter(workspace=acme).order_by("ref")[0]
    do_update_control(actor=alice, control=control, title="Renamed, evidence untouched")
    assert "Renamed, evidence untouched" in client.get("/controls/").content.decode()
    assert "changed-behind-the-cache" not in client.get("/evidence/").content.decode()
    record_evidence(acme, 1, batch_key="second")  # an audited write about evidence
    assert "changed-behind-the-cache" in client.get("/evidence/").content.decode()


def test_every_reader_of_a_workspace_shares_its_kept_bodies(
    alice: User, bob: User, acme: Workspace
) -> None:
    """The owner's visit keeps the controls table; the viewer's visit is answered from it (no
    query for the controls) inside a layout of their own."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    adopt(acme, alice)
    signed_in(alice).get("/controls/")
    viewer = signed_in(bob)
    with CaptureQueriesContext(connection) as captured:
        page = viewer.get("/controls/").content.decode()
    assert not [q for q in captured.captured_queries if "controls_control" in q["sql"]]
    assert "bob" in page and "alice" not in page.split("<main")[0]


def test_requests_wanting_the_same_value_at_once_compute_it_once(acme: Workspace) -> None:
    """Right after a write, the first request computes what is kept and the ones arriving
    meanwhile wait for it instead of computing it too; a failed computation leaves the others
    to compute it themselves."""
    import threading
    import time

    calls: list[int] = []

    def slow() -> int:
        calls.append(1)
        time.sleep(0.2)
        return 42

    answers: list[int] = []

    def ask() -> None:
        from django.db import connection

        try:
            answers.append(datacache.cached(("x",), [acme.pk], slow, on=("c",)))
        finally:
            connection.close()  # this thread's own

    threads = [threading.Thread(target=ask) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [42] * 5
    assert len(calls) == 1

    def failing() -> int:
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        datacache.cached(("y",), [acme.pk], failing, on=("c",))
    assert datacache.cached(("y",), [acme.pk], lambda: 7, on=("c",)) == 7


def test_a_sign_in_renews_nothing_kept(alice: User, acme: Workspace) -> None:
    """Sign-ins are audited on the installation's chain, beside the catalog's syncs: only the
    catalog's part of that chain is in the keys, or every sign-in would empty the cache."""
    from attestly.accounts.actions import do_record_sign_in

    adopt(acme, alice)
    client = signed_in(alice)
    before = unowned(client)
    first = Control.objects.filter(workspace=acme, owner__isnull=True).order_by("ref")[0]
    Control.objects.filter(pk=first.pk).update(owner=alice)  # unaudited: stays unseen
    do_record_sign_in(user=alice, ip="127.0.0.1", method="password")
    assert unowned(client) == before
