"""Framework adoption and scope per workspace."""

from __future__ import annotations

from django.db import models

from attestly.core.models import Workspace
from attestly.core.scoping import WorkspaceScopedManager
from attestly.frameworks.models import Category, Framework


class FrameworkAdoption(models.Model):
    """A workspace working towards a framework, with the categories it has in scope."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="adoptions")
    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="adoptions")
    categories = models.ManyToManyField(Category, related_name="+")
    adopted_at = models.DateTimeField(auto_now_add=True)

    objects = WorkspaceScopedManager["FrameworkAdoption"]()

    class Meta:
        ordering = ["workspace", "framework__slug"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "framework"], name="adopt_framework_once")
        ]

    def __str__(self) -> str:
        return f"{self.workspace} adopts {self.framework.slug}"
