from __future__ import annotations

from django.apps import AppConfig


class FrameworksConfig(AppConfig):
    name = "attestly.frameworks"
    label = "frameworks"
    verbose_name = "Frameworks"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from attestly.frameworks.signals import sync_catalog_after_migrate

        post_migrate.connect(
            sync_catalog_after_migrate, sender=self, dispatch_uid="attestly.frameworks.sync_catalog"
        )
