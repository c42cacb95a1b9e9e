"""The process's cache of criteria that lists read mapped criteria from."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from attestly.controls.queries import list_library_controls
from attestly.frameworks.actions import do_sync_catalog
from attestly.frameworks.catalog.loader import shipped_catalog
from attestly.frameworks.models import Criterion
from attestly.frameworks.queries import criteria_by_id, forget_criteria

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_cache() -> Iterator[None]:
    """The rows this test changes are rolled back; the process's cache must not keep them."""
    forget_criteria()
    yield
    forget_criteria()


def test_lists_share_one_cached_criterion_per_id_until_the_catalog_changes() -> None:
    cc61 = Criterion.objects.get(key="soc2:CC6.1")
    first = criteria_by_id()
    assert criteria_by_id() is first  # cached
    assert first[cc61.pk].category.slug == "security" and first[cc61.pk].framework.slug == "soc2"
    mapped = [m.criterion for c in list_library_controls() for m in c.mappings.all()]
    assert any(c is first[cc61.pk] for c in mapped)  # the same instance, not a new one

    # Another criterion stored: the next read sees it.
    added = Criterion.objects.create(
        framework=cc61.framework, key="soc2:XX1.1", ref="XX1.1", group=cc61.group,
        category=cc61.category, title="Added", statement="", position=999,
    )  # fmt: skip
    assert criteria_by_id()[added.pk].title == "Added"

    # A sync (even one that changes nothing) drops the cache, so an edit in place shows.
    Criterion.objects.filter(pk=cc61.pk).update(title="Renamed in place")
    assert criteria_by_id()[cc61.pk].title != "Renamed in place"
    do_sync_catalog(actor=None, catalog=shipped_catalog())
    assert criteria_by_id()[cc61.pk].title == "Renamed in place"
