"""Keep the stored catalog in line with the catalog files after every migrate (and flush)."""

from __future__ import annotations

from typing import Any

from django.apps import AppConfig


def sync_catalog_after_migrate(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    """Like contenttypes and permissions: the catalog is part of a migrated database.

    Django also sends post_migrate after a test-case flush, so tests always see the catalog.
    Frameworks whose content hash is unchanged are skipped, so this costs one query.
    """
    if sender.label != "frameworks":
        return
    from attestly.frameworks.actions import do_sync_catalog
    from attestly.frameworks.catalog.loader import shipped_catalog

    do_sync_catalog(actor=None, catalog=shipped_catalog())
