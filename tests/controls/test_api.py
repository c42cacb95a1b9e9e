from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from attestly.accounts.models import User
from attestly.controls.models import Control, ControlMapping
from attestly.core.models import AuditEntry, Workspace
from attestly.testing.factories import ControlFactory, ControlMappingFactory, criterion

pytestmark = pytest.mark.django_db
Client = Callable[..., APIClient]


def test_list_shows_only_the_callers_workspaces(
    acme: Workspace, globex: Workspace, alice: User, mallory: User, api_client_for: Client
) -> None:
    ControlFactory(workspace=acme, ref="A-01")
    ControlFactory(workspace=globex, ref="G-01")
    body = api_client_for(alice).get("/api/v1/controls/").json()
    assert [c["ref"] for c in body["results"]] == ["A-01"]


def test_another_workspaces_control_answers_404_for_every_method(
    acme: Workspace, alice: User, mallory: User, api_client_for: Client
) -> None:
    control = ControlFactory(workspace=acme)
    client = api_client_for(mallory)
    url = f"/api/v1/controls/{control.pk}/"
    assert client.get(url).status_code == 404
    assert client.patch(url, {"status": "implemented"}, format="json").status_code == 404
    assert client.delete(url).status_code == 404
    control.refresh_from_db()
    assert (control.status, control.retired_at) == ("not_started", None)


def test_read_token_and_viewer_cannot_write(
    acme: Workspace, alice: User, bob: User, api_client_for: Client
) -> None:
    control = ControlFactory(workspace=acme)
    url = f"/api/v1/controls/{control.pk}/"
    read_only = api_client_for(alice, scope="read").patch(
        url, {"status": "implemented"}, format="json"
    )
    assert read_only.status_code == 403
    viewer = api_client_for(bob).patch(url, {"status": "implemented"}, format="json")
    assert viewer.status_code == 403
    assert "does not allow control.write" in viewer.json()["detail"]
    control.refresh_from_db()
    assert control.status == "not_started"


def test_create_from_scratch(acme: Workspace, alice: User, api_client_for: Client) -> None:
    response = api_client_for(alice).post(
        "/api/v1/controls/",
        {
            "workspace": "acme",
            "title": "Customer data export approval",
            "owner": "alice",
            "status": "in_progress",
            "frequency": "on_event",
            "mappings": [{"criterion": "soc2:PI1.4", "relationship": "subset"}],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["ref"], body["owner"], body["workspace"]) == ("CUS-01", "alice", "acme")
    assert [m["criterion"] for m in body["mappings"]] == ["soc2:PI1.4"]


def _refused(response: Any, field: str, text: str) -> None:
    assert response.status_code == 400
    body = response.json()
    assert field in body["errors"]
    assert text in body["detail"]


def test_bad_input_is_refused_with_a_clear_message_and_nothing_saved(
    acme: Workspace, alice: User, mallory: User, api_client_for: Client
) -> None:
    client = api_client_for(alice)
    base = {"workspace": "acme", "title": "X", "mappings": [{"criterion": "soc2:CC6.1"}]}
    _refused(
        client.post("/api/v1/controls/", {**base, "status": "not_applicable"}, format="json"),
        "na_reason",
        "needs a reason",
    )
    _refused(
        client.post("/api/v1/controls/", {**base, "owner": "mallory"}, format="json"),
        "owner",
        "mallory is not a member of the acme workspace",
    )
    _refused(
        client.post("/api/v1/controls/", {**base, "status": "done"}, format="json"),
        "status",
        '"done" is not a valid choice',
    )
    _refused(
        client.post("/api/v1/controls/", {**base, "workspace": "globex"}, format="json"),
        "workspace",
        "No workspace 'globex'",
    )
    _refused(
        client.post(
            "/api/v1/controls/", {**base, "mappings": [{"criterion": "soc2:ZZ"}]}, format="json"
        ),
        "mappings",
        "Unknown criterion 'soc2:ZZ'",
    )
    assert Control.objects.count() == 0
    assert ControlMapping.objects.count() == 0
    assert AuditEntry.objects.filter(workspace=acme).count() == 0


def test_bad_update_changes_nothing(
    acme: Workspace, alice: User, mallory: User, api_client_for: Client
) -> None:
    control = ControlFactory(workspace=acme, status="in_progress")
    client = api_client_for(alice)
    url = f"/api/v1/controls/{control.pk}/"
    _refused(
        client.patch(url, {"status": "not_applicable", "title": "Renamed"}, format="json"),
        "na_reason",
        "needs a reason",
    )
    _refused(
        client.patch(url, {"owner": "mallory", "status": "implemented"}, format="json"),
        "owner",
        "not a member",
    )
    _refused(client.patch(url, {"ref": "NEW-01"}, format="json"), "ref", "cannot be changed")
    control.refresh_from_db()
    assert (control.status, control.title, control.owner) == ("in_progress", control.title, None)
    assert AuditEntry.objects.filter(workspace=acme).count() == 0


def test_patch_sets_owner_and_status(acme: Workspace, alice: User, api_client_for: Client) -> None:
    control = ControlFactory(workspace=acme)
    response = api_client_for(alice).patch(
        f"/api/v1/controls/{control.pk}/",
        {"owner": "alice", "status": "implemented"},
        format="json",
    )
    assert response.status_code == 200
    assert (response.json()["owner"], response.json()["status"]) == ("alice", "implemented")


def test_delete_retires_and_restore_brings_back(
    acme: Workspace, alice: User, api_client_for: Client
) -> None:
    control = ControlFactory(workspace=acme)
    client = api_client_for(alice)
    assert client.delete(f"/api/v1/controls/{control.pk}/").status_code == 204
    assert client.get("/api/v1/controls/").json()["count"] == 0
    retired = client.get("/api/v1/controls/", {"retired": "true"}).json()
    assert [c["id"] for c in retired["results"]] == [control.pk]
    restored = client.post(f"/api/v1/controls/{control.pk}/restore/")
    assert restored.json()["retired_at"] is None


def test_filters(acme: Workspace, alice: User, api_client_for: Client) -> None:
    ControlMappingFactory(
        control=ControlFactory(workspace=acme, ref="A-01", status="implemented", owner=alice),
        criterion=criterion("soc2:A1.2"),
    )
    ControlMappingFactory(
        control=ControlFactory(workspace=acme, ref="B-01"), criterion=criterion("iso27001:A.5.15")
    )
    client = api_client_for(alice)

    def refs(**params: str) -> list[str]:
        response = client.get("/api/v1/controls/", params)
        assert response.status_code == 200, response.json()
        return [c["ref"] for c in response.json()["results"]]

    assert refs(framework="soc2") == ["A-01"]
    assert refs(framework="iso27001") == ["B-01"]
    assert refs(criterion="soc2:A1.2") == ["A-01"]
    assert refs(criterion="A.5.15") == ["B-01"]
    assert refs(category="availability") == ["A-01"]
    assert refs(status="not_started") == ["B-01"]
    assert refs(owner="alice") == ["A-01"]


def test_unknown_filter_is_refused(alice: User, api_client_for: Client) -> None:
    response = api_client_for(alice).get("/api/v1/controls/", {"stauts": "implemented"})
    assert response.status_code == 400
    assert "stauts" in response.json()["detail"]


def test_list_does_not_query_per_control(
    acme: Workspace, alice: User, api_client_for: Client, django_assert_max_num_queries: Any
) -> None:
    for _ in range(30):
        ControlMappingFactory(control=ControlFactory(workspace=acme, owner=alice))
    client = api_client_for(alice)
    with django_assert_max_num_queries(8):
        response = client.get("/api/v1/controls/", {"page_size": 100})
    assert response.json()["count"] == 30


def test_library_controls_list_and_detail(
    alice: User, api_client_for: Client, django_assert_max_num_queries: Any
) -> None:
    client = api_client_for(alice)
    # 6, plus the catalog cache's version check and, cold, its one load of every criterion
    with django_assert_max_num_queries(8):
        body = client.get("/api/v1/library-controls/", {"page_size": 500}).json()
    assert body["count"] >= 120
    detail = client.get("/api/v1/library-controls/GOV-01/").json()
    assert {m["framework"] for m in detail["mappings"]} == {"soc2", "iso27001", "nist-csf"}
    assert client.get("/api/v1/library-controls/", {"criterion": "soc2:CC1.2"}).json()["count"] >= 1


def test_library_mappings_reach_all_three_other_frameworks(
    alice: User, api_client_for: Client
) -> None:
    client = api_client_for(alice)
    for fw in ("iso27001", "nist-csf", "gdpr"):
        assert client.get("/api/v1/library-mappings/", {"framework": fw}).json()["count"] > 20


def test_crosswalk_goes_both_ways(alice: User, api_client_for: Client) -> None:
    client = api_client_for(alice)
    there = client.get("/api/v1/crosswalk/", {"criterion": "soc2:CC6.1"}).json()
    assert set(there["counterparts"]) >= {"iso27001", "nist-csf"}
    iso = there["counterparts"]["iso27001"][0]["criterion"]
    back = client.get("/api/v1/crosswalk/", {"criterion": iso}).json()
    assert "soc2:CC6.1" in [c["criterion"] for c in back["counterparts"]["soc2"]]


def test_workspace_mappings_can_be_added_changed_and_removed(
    acme: Workspace, alice: User, mallory: User, api_client_for: Client
) -> None:
    control = ControlFactory(workspace=acme)
    client = api_client_for(alice)
    created = client.post(
        "/api/v1/control-mappings/",
        {"control": control.pk, "criterion": "gdpr:Art.32", "relationship": "subset"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    url = f"/api/v1/control-mappings/{created.json()['id']}/"
    assert (
        client.patch(url, {"relationship": "equal"}, format="json").json()["relationship"]
        == "equal"
    )
    assert api_client_for(mallory).delete(url).status_code == 404
    assert client.delete(url).status_code == 204
    assert ControlMapping.objects.count() == 0
    other = api_client_for(mallory).post(
        "/api/v1/control-mappings/",
        {"control": control.pk, "criterion": "gdpr:Art.32"},
        format="json",
    )
    assert other.status_code == 400


def test_add_a_library_control_outside_adoption(
    acme: Workspace, alice: User, bob: User, api_client_for: Client
) -> None:
    body = {"workspace": "acme", "library_control": "PRV-01"}
    assert (
        api_client_for(bob).post("/api/v1/controls/from-library/", body, format="json").status_code
        == 403
    )
    created = api_client_for(alice).post("/api/v1/controls/from-library/", body, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["library_control"] == "PRV-01"
    again = api_client_for(alice).post("/api/v1/controls/from-library/", body, format="json")
    assert again.status_code == 400
    assert "already has PRV-01" in again.json()["detail"]
    unknown = api_client_for(alice).post(
        "/api/v1/controls/from-library/", {**body, "library_control": "ZZ-99"}, format="json"
    )
    assert "No library control 'ZZ-99'" in unknown.json()["detail"]


def test_mapping_list_does_not_query_per_row(
    acme: Workspace, alice: User, api_client_for: Client, django_assert_max_num_queries: Any
) -> None:
    for _ in range(20):
        ControlMappingFactory(control=ControlFactory(workspace=acme))
    client = api_client_for(alice)
    # Fixed: token, user, the token's last use (once a minute), memberships with versions;
    # then the count and the page, whatever the number of rows.
    with django_assert_max_num_queries(6):
        body = client.get("/api/v1/control-mappings/", {"page_size": 100}).json()
    assert body["count"] == 20
    with django_assert_max_num_queries(5):
        assert client.get("/api/v1/library-mappings/", {"page_size": 500}).status_code == 200


def test_the_fast_control_representation_is_drfs(acme: Workspace, alice: User) -> None:
    """ControlSerializer builds its dict by hand for speed; it must equal what DRF's own walk
    over the declared fields gives, for every kind of control, listed or read alone."""
    from django.utils import timezone
    from rest_framework import serializers

    from attestly.controls.api.serializers import ControlSerializer
    from attestly.controls.queries import attach_mappings, list_controls

    plain = ControlFactory(workspace=acme)
    owned = ControlFactory(workspace=acme, owner=alice, evidence=["a", "b"], guidance="g")
    ControlMappingFactory(control=owned, criterion=criterion("iso27001:A.5.15"))
    ControlMappingFactory(control=owned, criterion=criterion("soc2:CC6.1"))
    retired = ControlFactory(workspace=acme, retired_at=timezone.now(), na_reason="n/a")
    controls = list(list_controls().filter(pk__in=[plain.pk, owned.pk, retired.pk]))
    listed = list(list_controls(mappings=False).filter(pk__in=[plain.pk, owned.pk, retired.pk]))
    attach_mappings(listed)
    for control in [*controls, *listed]:
        serializer = ControlSerializer(control)
        fast = serializer.to_representation(control)
        walked = serializers.ModelSerializer.to_representation(serializer, control)
        assert fast == dict(walked)
    assert ControlSerializer(controls[1]).data["mappings"]
