from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from attestly.controls.models import Control
from attestly.core.models import AuditEntry, Workspace
from attestly.frameworks.actions import do_sync_catalog
from attestly.frameworks.catalog import Catalog
from attestly.frameworks.catalog.loader import shipped_catalog
from attestly.frameworks.models import LibraryControl, LibraryControlMapping
from attestly.testing.factories import ControlFactory

pytestmark = pytest.mark.django_db


def _with_controls(controls: dict[str, object]) -> Catalog:
    return dataclasses.replace(shipped_catalog(), controls=controls)  # type: ignore[arg-type]


def test_library_controls_and_mappings_are_in_the_database() -> None:
    catalog = shipped_catalog()
    assert LibraryControl.objects.count() == len(catalog.controls)
    assert LibraryControlMapping.objects.count() == sum(
        len(t) for c in catalog.controls.values() for t in c.maps.values()
    )
    gov = LibraryControl.objects.get(ref="GOV-01")
    assert gov.source.endswith("administrative.yaml")
    assert ("soc2:CC1.2", "intersect") in set(
        gov.mappings.values_list("criterion__key", "relationship")
    )


def test_an_unchanged_catalog_is_skipped(django_assert_max_num_queries: Any) -> None:
    entries = AuditEntry.objects.count()
    with django_assert_max_num_queries(10):
        report = do_sync_catalog(actor=None, catalog=shipped_catalog())
    assert (report.controls_changed, report.controls_removed) == (0, 0)
    assert report.controls_unchanged == len(shipped_catalog().controls)
    assert AuditEntry.objects.count() == entries


def test_a_changed_control_is_updated_and_a_removed_one_detached(acme: Workspace) -> None:
    catalog = shipped_catalog()
    adopted = ControlFactory(
        workspace=acme, ref="GOV-02", library_control=LibraryControl.objects.get(ref="GOV-02")
    )
    changed = catalog.controls["GOV-01"].model_copy(update={"title": "Board reviews security"})
    controls = {k: v for k, v in catalog.controls.items() if k != "GOV-02"} | {"GOV-01": changed}
    report = do_sync_catalog(actor=None, catalog=_with_controls(controls))
    assert (report.controls_changed, report.controls_removed) == (1, 1)
    assert LibraryControl.objects.get(ref="GOV-01").title == "Board reviews security"
    assert not LibraryControl.objects.filter(ref="GOV-02").exists()
    adopted.refresh_from_db()
    assert adopted.library_control is None
    entry = AuditEntry.objects.filter(action="catalog.sync_controls").last()
    assert entry is not None
    assert entry.after == {"changed": 1, "unchanged": len(controls) - 1, "removed": 1}
    back = do_sync_catalog(actor=None, catalog=catalog)
    assert back.controls_changed == 2
    assert LibraryControl.objects.get(ref="GOV-02").mappings.exists()
    assert Control.objects.filter(pk=adopted.pk).exists()
