"""Competency frameworks as data (domain brief §2.1), and the national outcome menu (§2.3)."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from assurance.rules.scoring import GOVERNANCE_AREAS, GOVERNANCE_LABELS


class Framework(models.Model):
    """A year's competency framework. Never edited once a cycle using it has opened."""

    name = models.CharField(max_length=150)
    year_label = models.CharField(max_length=7, help_text="e.g. 2009/10")
    version = models.PositiveSmallIntegerField(default=1)
    description = models.TextField(blank=True)
    imported_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-year_label", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["year_label", "version"], name="framework_unique_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} (v{self.version})"

    @property
    def is_locked(self) -> bool:
        """True once any cycle using this framework has opened a phase."""
        from .cycles import Phase

        return Phase.objects.filter(cycle__framework=self, opened_at__isnull=False).exists()


class Competency(models.Model):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="competencies")
    number = models.PositiveSmallIntegerField()
    short_name = models.CharField(max_length=100)
    statement = models.TextField(blank=True)

    class Meta:
        ordering = ["framework", "number"]
        verbose_name_plural = "competencies"
        constraints = [
            models.UniqueConstraint(fields=["framework", "number"], name="competency_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.short_name}"


class Criterion(models.Model):
    """Optional numbered criteria (e.g. 1.1–1.3); only from a framework file that defines them."""

    competency = models.ForeignKey(Competency, on_delete=models.CASCADE, related_name="criteria")
    number = models.CharField(max_length=10, help_text="e.g. 1.2")
    position = models.PositiveSmallIntegerField()
    text = models.TextField()

    class Meta:
        ordering = ["competency", "position"]
        verbose_name_plural = "criteria"
        constraints = [
            models.UniqueConstraint(fields=["competency", "number"], name="criterion_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.text[:60]}"


class LevelDescriptor(models.Model):
    framework = models.ForeignKey(
        Framework, on_delete=models.CASCADE, related_name="level_descriptors"
    )
    level = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    name = models.CharField(max_length=50)
    description = models.TextField()

    class Meta:
        ordering = ["framework", "level"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "level"], name="level_unique_per_framework"
            )
        ]

    def __str__(self) -> str:
        return f"{self.level} {self.name}"


# Choices derive from the one list of areas in the rules (assurance.rules.scoring).
GovernanceArea = models.TextChoices(
    "GovernanceArea", [(a.upper(), (a, GOVERNANCE_LABELS[a])) for a in GOVERNANCE_AREAS]
)


class RAG(models.TextChoices):
    RED = "red", "Red"
    AMBER = "amber", "Amber"
    GREEN = "green", "Green"


class GovernanceSubIndicator(models.Model):
    """Optional framework data that informs, never replaces, the area rating (§2.2)."""

    framework = models.ForeignKey(
        Framework, on_delete=models.CASCADE, related_name="governance_sub_indicators"
    )
    area = models.CharField(max_length=10, choices=GovernanceArea.choices)
    number = models.CharField(max_length=10)
    text = models.TextField()

    class Meta:
        ordering = ["framework", "area", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "area", "number"], name="subindicator_unique_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_area_display()} {self.number}"


class Direction(models.TextChoices):
    HIGHER = "higher", "Higher is better"
    LOWER = "lower", "Lower is better"


class OutcomeIndicator(models.Model):
    """An indicator on the national outcome menu, managed by DH staff."""

    code = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=150)
    unit = models.CharField(
        max_length=100, blank=True, help_text="What a value counts, e.g. per 100,000 population"
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
