"""Publications: immutable snapshots of a cycle's ranked results, and their PDFs (§4)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from assurance.rules import tiers

# Choices derive from the one tier enum of the rules (assurance.rules.tiers.Tier).
Tier = models.TextChoices("Tier", [(t.name, (t.value, t.label)) for t in tiers.Tier])


class PublicationStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    COMPUTING = "computing", "Computing results"
    RENDERING = "rendering", "Rendering documents"
    COMPLETE = "complete", "Complete"
    FAILED = "failed", "Failed"
    SUPERSEDED = "superseded", "Superseded"


class Publication(models.Model):
    """Version N of a cycle's published results. The job row is the truth the browser polls."""

    cycle = models.ForeignKey(
        "assurance.Cycle", on_delete=models.PROTECT, related_name="publications"
    )
    version = models.PositiveSmallIntegerField()
    status = models.CharField(
        max_length=12, choices=PublicationStatus.choices, default=PublicationStatus.QUEUED
    )
    rule_settings = models.JSONField(default=dict, help_text="The cycle's settings as used")
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    computed_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    superseded_by = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="supersedes"
    )
    error = models.TextField(blank=True)
    challenges_override = models.TextField(
        blank=True,
        help_text="DH staff's recorded reason for starting while challenges were unanswered",
    )
    illustrative = models.BooleanField(
        default=False, help_text="Copied from the cycle: demo results, labelled as such"
    )
    not_assessed = models.JSONField(
        default=list,
        blank=True,
        help_text='PCTs DH left out, frozen: [{"pct_id", "code", "name", "sha", "reason"}]',
    )

    class Meta:
        ordering = ["cycle", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "version"], name="publication_unique_version")
        ]
        indexes = [models.Index(fields=["cycle", "status"])]

    def __str__(self) -> str:
        return f"{self.cycle} publication v{self.version}"

    @property
    def is_complete(self) -> bool:
        return self.status in {PublicationStatus.COMPLETE, PublicationStatus.SUPERSEDED}


class PublishedResult(models.Model):
    """One PCT's frozen result in a publication. Later score changes never touch it."""

    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="results")
    pct = models.ForeignKey(
        "assurance.PCT", on_delete=models.PROTECT, related_name="published_results"
    )
    sha = models.ForeignKey("assurance.SHA", on_delete=models.PROTECT, related_name="+")
    rank = models.PositiveIntegerField()
    regional_rank = models.PositiveIntegerField(
        null=True, blank=True, help_text="Rank among the PCTs of its SHA (§4)"
    )
    mark = models.DecimalField(max_digits=5, decimal_places=2)
    tier = models.CharField(max_length=10, choices=Tier.choices)
    elite_candidate = models.BooleanField(default=False)
    governance = models.JSONField(help_text='{"strategy": "green", ...}')
    competency_levels = models.JSONField(help_text='{"1": 2, ...} by competency number')
    competency_scores = models.JSONField(default=dict, blank=True)
    governance_points = models.PositiveSmallIntegerField()
    competency_points = models.DecimalField(max_digits=7, decimal_places=2)
    outcome_score = models.DecimalField(max_digits=4, decimal_places=3, null=True, blank=True)
    reasons = models.JSONField(default=list)
    previous_rank = models.PositiveIntegerField(null=True, blank=True)
    previous_tier = models.CharField(max_length=10, choices=Tier.choices, blank=True)
    previous_mark = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    previous_regional_rank = models.PositiveIntegerField(null=True, blank=True)
    self_assessment_submitted = models.BooleanField(
        default=True, help_text="False: ranked on the panel's assessment of an unsubmitted draft"
    )

    class Meta:
        ordering = ["publication", "rank", "pct__name"]
        constraints = [
            models.UniqueConstraint(fields=["publication", "pct"], name="result_unique_pct")
        ]
        indexes = [
            models.Index(fields=["publication", "rank"]),
            models.Index(fields=["publication", "tier"]),
            models.Index(fields=["publication", "sha"]),
        ]

    @property
    def movement(self) -> int | None:
        """Places gained since the previous cycle (positive = up); None when new."""
        if self.previous_rank is None:
            return None
        return self.previous_rank - self.rank

    @property
    def regional_movement(self) -> int | None:
        if self.previous_regional_rank is None or self.regional_rank is None:
            return None
        return self.previous_regional_rank - self.regional_rank


class LeftOut(models.Model):
    """DH staff leave a PCT out of a cycle's publication, with the reason (§4 [rule]): the
    league table lists it as "not assessed" with that reason. Removable until published."""

    cycle = models.ForeignKey("assurance.Cycle", on_delete=models.CASCADE, related_name="left_out")
    pct = models.ForeignKey("assurance.PCT", on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=500)
    left_out_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    left_out_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["cycle", "pct__name"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "pct"], name="left_out_once_per_cycle")
        ]

    def __str__(self) -> str:
        return f"{self.pct} left out of {self.cycle}"


class DocumentStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    RUNNING = "running", "Rendering"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


def publication_upload_to(instance: PublishedDocument, filename: str) -> str:
    return (
        f"publications/{instance.publication.cycle_id}/v{instance.publication.version}/{filename}"
    )


class PublishedDocument(models.Model):
    """A PDF of a publication: the league table (``pct`` empty) or one PCT's report."""

    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="documents")
    pct = models.ForeignKey(
        "assurance.PCT", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        max_length=10, choices=DocumentStatus.choices, default=DocumentStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    file = models.FileField(upload_to=publication_upload_to, max_length=200, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    error = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["publication", "pct"],
                condition=Q(pct__isnull=False),
                name="document_unique_pct_report",
            ),
            models.UniqueConstraint(
                fields=["publication"],
                condition=Q(pct__isnull=True),
                name="document_unique_league_table",
            ),
        ]
        indexes = [models.Index(fields=["publication", "status"])]
