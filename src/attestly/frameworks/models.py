"""Frameworks as stored for querying. The YAML catalog is the source; see actions.do_sync_catalog.

Frameworks are installation-wide reference data, not workspace rows: every workspace reads
the same criteria. What a workspace adopts and scopes lives in `attestly.readiness`.
"""

from __future__ import annotations

from django.db import models


class Framework(models.Model):
    """A standard or regulation (SOC 2, ISO 27001, NIST CSF, GDPR, or a user's own)."""

    slug = models.SlugField(max_length=63, unique=True)
    name = models.CharField(max_length=200)
    version = models.CharField(max_length=200)
    publisher = models.CharField(max_length=200)
    description = models.TextField()
    source = models.CharField(max_length=500, help_text="File the framework was loaded from.")
    content_hash = models.CharField(max_length=64)
    synced_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.name


class Category(models.Model):
    """A scoping unit of a framework (SOC 2: the trust services categories)."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="categories")
    slug = models.SlugField(max_length=63)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    always_in_scope = models.BooleanField(default=False)
    position = models.PositiveIntegerField()

    class Meta:
        ordering = ["framework", "position"]
        verbose_name_plural = "categories"
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "slug"], name="category_slug_per_framework"
            )
        ]

    def __str__(self) -> str:
        return self.name


class CriterionGroup(models.Model):
    """A heading criteria sit under (CC6, A.8, GV.OC, Chapter III)."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="groups")
    ref = models.CharField(max_length=40)
    name = models.CharField(max_length=200)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    coso_component = models.CharField(max_length=40, blank=True)
    position = models.PositiveIntegerField()

    class Meta:
        ordering = ["framework", "position"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "ref"], name="group_ref_per_framework")
        ]

    def __str__(self) -> str:
        return f"{self.ref} {self.name}"


class Criterion(models.Model):
    """One requirement: a SOC 2 criterion, an ISO control or clause, a CSF subcategory…

    `key` is `<framework>:<ref>` (soc2:CC6.1) and is what the API and mappings use.
    """

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="criteria")
    key = models.CharField(max_length=110, unique=True)
    ref = models.CharField(max_length=40)
    group = models.ForeignKey(CriterionGroup, on_delete=models.PROTECT, related_name="criteria")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="criteria")
    title = models.CharField(max_length=200)
    statement = models.TextField()
    coso_principle = models.PositiveSmallIntegerField(null=True, blank=True)
    position = models.PositiveIntegerField()

    class Meta:
        ordering = ["framework", "position"]
        verbose_name_plural = "criteria"
        constraints = [
            models.UniqueConstraint(fields=["framework", "ref"], name="criterion_ref_per_framework")
        ]

    def __str__(self) -> str:
        return f"{self.ref} {self.title}"


SCOPE_LABELS = {
    "coso": "COSO",
    "all": "All engagements",
    "system": "System-level",
    "availability": "Availability",
    "confidentiality": "Confidentiality",
    "processing_integrity": "Processing integrity",
    "privacy": "Privacy",
}


class PointOfFocus(models.Model):
    """An aspect of a criterion the auditor looks at. Scope says when it applies."""

    criterion = models.ForeignKey(
        Criterion, on_delete=models.CASCADE, related_name="points_of_focus"
    )
    ref = models.CharField(max_length=48)
    scope = models.CharField(max_length=24)
    privacy_role = models.CharField(max_length=16, blank=True)
    goods_only = models.BooleanField(default=False)
    text = models.TextField()
    position = models.PositiveIntegerField()

    class Meta:
        ordering = ["criterion", "position"]
        verbose_name_plural = "points of focus"
        constraints = [
            models.UniqueConstraint(fields=["criterion", "ref"], name="pof_ref_per_criterion")
        ]

    def __str__(self) -> str:
        return self.ref

    @property
    def scope_label(self) -> str:
        return SCOPE_LABELS.get(self.scope, self.scope)


class Nature(models.TextChoices):
    """How a control is performed."""

    MANUAL = "manual", "Manual"
    AUTOMATED = "automated", "Automated"
    IT_DEPENDENT_MANUAL = "it_dependent_manual", "IT-dependent manual"


class Frequency(models.TextChoices):
    """How often a control operates."""

    CONTINUOUS = "continuous", "Continuous"
    DAILY = "daily", "Daily"
    WEEKLY = "weekly", "Weekly"
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"
    SEMI_ANNUAL = "semi_annual", "Semi-annual"
    ANNUAL = "annual", "Annual"
    ON_EVENT = "on_event", "On event"


class Relationship(models.TextChoices):
    """How a control stands to a requirement (NIST set-theory relationships)."""

    EQUAL = "equal", "Equal"
    SUBSET = "subset", "Subset"
    SUPERSET = "superset", "Superset"
    INTERSECT = "intersect", "Intersect"


class LibraryControl(models.Model):
    """A control template from the shipped (or an extra) control library.

    Installation-wide reference data like frameworks; workspaces adopt copies of it
    (`attestly.controls.models.Control`).
    """

    ref = models.CharField(max_length=16, unique=True)
    title = models.CharField(max_length=200)
    family = models.SlugField(max_length=63)
    description = models.TextField()
    owner_role = models.CharField(max_length=200)
    nature = models.CharField(max_length=24, choices=Nature.choices)
    frequency = models.CharField(max_length=16, choices=Frequency.choices)
    evidence = models.JSONField(default=list)
    guidance = models.TextField()
    source = models.CharField(max_length=500, help_text="File the control was loaded from.")
    content_hash = models.CharField(max_length=64)
    position = models.PositiveIntegerField()

    class Meta:
        ordering = ["position"]

    def __str__(self) -> str:
        return f"{self.ref} {self.title}"


class LibraryControlMapping(models.Model):
    """A library control meets (part of) one criterion of some framework."""

    control = models.ForeignKey(LibraryControl, on_delete=models.CASCADE, related_name="mappings")
    criterion = models.ForeignKey(
        Criterion, on_delete=models.CASCADE, related_name="library_mappings"
    )
    relationship = models.CharField(max_length=16, choices=Relationship.choices)

    class Meta:
        ordering = ["control", "criterion__framework__slug", "criterion__position"]
        constraints = [
            models.UniqueConstraint(fields=["control", "criterion"], name="library_map_once")
        ]

    def __str__(self) -> str:
        return f"{self.control.ref} {self.relationship} {self.criterion.key}"
