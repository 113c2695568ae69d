"""A PCT's self-assessment for a cycle (domain brief §2, §3 phase 1)."""

from __future__ import annotations

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from .frameworks import RAG, Direction, GovernanceArea

LEVEL_VALIDATORS = [MinValueValidator(1), MaxValueValidator(4)]


class SelfAssessmentStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    # Phase 1 closed before the board's sign-off: the draft is kept, read-only, and the
    # panel still assesses the PCT on what it has (domain brief §4 [rule]).
    NOT_SUBMITTED = "not_submitted", "Not submitted"


#: Self-assessments a panel assesses and a publication ranks: every PCT's, once phase 1 closed.
ASSESSED_STATUSES = (SelfAssessmentStatus.SUBMITTED, SelfAssessmentStatus.NOT_SUBMITTED)


class SelfAssessment(models.Model):
    cycle = models.ForeignKey(
        "assurance.Cycle", on_delete=models.PROTECT, related_name="self_assessments"
    )
    pct = models.ForeignKey(
        "assurance.PCT",
        on_delete=models.PROTECT,
        related_name="self_assessments",
        verbose_name="PCT",
    )
    status = models.CharField(
        max_length=14, choices=SelfAssessmentStatus.choices, default=SelfAssessmentStatus.DRAFT
    )
    board_ratified_on = models.DateField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["cycle", "pct__name"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "pct"], name="self_assessment_unique_pct")
        ]
        indexes = [models.Index(fields=["cycle", "status"])]

    def __str__(self) -> str:
        return f"{self.pct} {self.cycle}"

    @property
    def is_submitted(self) -> bool:
        return self.status == SelfAssessmentStatus.SUBMITTED


class InCycle(models.Model):
    """A per-item row of a self-assessment that also carries its cycle.

    ``cycle`` is denormalised from ``self_assessment.cycle`` (which never changes) so that
    calibration's set-based aggregates read one cycle's rows from a ``(cycle, item)``
    covering index instead of every cycle's (docs/performance.md, "Scale"). ``save()`` fills
    it; code that uses ``bulk_create`` sets ``cycle_id`` itself, and the column is NOT NULL
    so a writer that forgets fails loudly.
    """

    cycle = models.ForeignKey(
        "assurance.Cycle",
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        db_index=False,  # the (cycle, item) indexes of each model lead with it
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if self.cycle_id is None:
            self.cycle_id = self.self_assessment.cycle_id  # type: ignore[attr-defined]
        super().save(*args, **kwargs)


class VersionedEntry(models.Model):
    """An entry PCT staff edit; ``version`` is the optimistic lock against lost updates."""

    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        abstract = True


class CompetencyRating(InCycle, VersionedEntry):
    """The PCT's own level and evidence for a competency (or one of its criteria)."""

    self_assessment = models.ForeignKey(
        SelfAssessment, on_delete=models.CASCADE, related_name="competency_ratings"
    )
    competency = models.ForeignKey(
        "assurance.Competency", on_delete=models.PROTECT, related_name="+"
    )
    criterion = models.ForeignKey(
        "assurance.Criterion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    level = models.PositiveSmallIntegerField(null=True, blank=True, validators=LEVEL_VALIDATORS)
    evidence = models.TextField(blank=True)

    class Meta:
        ordering = ["competency__number"]
        constraints = [
            models.UniqueConstraint(
                fields=["self_assessment", "competency"],
                condition=Q(criterion__isnull=True),
                name="self_rating_unique_competency",
            ),
            models.UniqueConstraint(
                fields=["self_assessment", "criterion"],
                condition=Q(criterion__isnull=False),
                name="self_rating_unique_criterion",
            ),
            models.CheckConstraint(
                name="self_rating_level_1_to_4",
                condition=Q(level__isnull=True) | Q(level__gte=1, level__lte=4),
            ),
        ]
        indexes = [
            models.Index(
                fields=["cycle", "competency"],
                include=["self_assessment", "criterion", "level"],
                name="self_rating_cycle_competency",
            )
        ]


class GovernanceDeclaration(InCycle, VersionedEntry):
    self_assessment = models.ForeignKey(
        SelfAssessment, on_delete=models.CASCADE, related_name="governance_declarations"
    )
    area = models.CharField(max_length=10, choices=GovernanceArea.choices)
    rating = models.CharField(max_length=5, choices=RAG.choices, blank=True)
    commentary = models.TextField(blank=True)

    class Meta:
        ordering = ["self_assessment", "area"]
        constraints = [
            models.UniqueConstraint(
                fields=["self_assessment", "area"], name="declaration_unique_area"
            )
        ]
        indexes = [
            models.Index(
                fields=["cycle", "area"],
                include=["self_assessment", "rating"],
                name="declaration_cycle_area",
            )
        ]


class ChosenOutcome(VersionedEntry):
    """An outcome the PCT chose from the cycle's menu, with its baseline and trajectory."""

    self_assessment = models.ForeignKey(
        SelfAssessment, on_delete=models.CASCADE, related_name="chosen_outcomes"
    )
    indicator = models.ForeignKey(
        "assurance.OutcomeIndicator", on_delete=models.PROTECT, related_name="+"
    )
    baseline = models.DecimalField(max_digits=12, decimal_places=3, null=True, blank=True)
    target = models.DecimalField(
        "this year's trajectory target", max_digits=12, decimal_places=3, null=True, blank=True
    )
    direction = models.CharField(max_length=6, choices=Direction.choices, default=Direction.LOWER)

    class Meta:
        ordering = ["self_assessment", "indicator__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["self_assessment", "indicator"], name="chosen_outcome_unique_indicator"
            )
        ]


class DocumentKind(models.TextChoices):
    STRATEGIC_PLAN = "strategic_plan", "Five-year strategic plan"
    OD_PLAN = "od_plan", "Organisational development plan"
    FINANCIAL_PLAN = "financial_plan", "Financial plan"
    COMMS_STRATEGY = "comms_strategy", "Communications strategy"
    OTHER = "other", "Other evidence"


KEY_DOCUMENT_KINDS = (
    DocumentKind.STRATEGIC_PLAN,
    DocumentKind.OD_PLAN,
    DocumentKind.FINANCIAL_PLAN,
    DocumentKind.COMMS_STRATEGY,
)


def evidence_upload_to(instance: EvidenceDocument, filename: str) -> str:
    # Random names: the original name is kept in a field and never touches the disk path.
    suffix = PurePosixPath(filename).suffix.lower()[:8]
    return f"evidence/{uuid.uuid4().hex}{suffix}"


class EvidenceDocument(models.Model):
    """An uploaded evidence file. Replacing keeps the old version (``replaces``)."""

    self_assessment = models.ForeignKey(
        SelfAssessment, on_delete=models.CASCADE, related_name="documents"
    )
    kind = models.CharField(max_length=20, choices=DocumentKind.choices)
    title = models.CharField(max_length=200, blank=True)
    file = models.FileField(upload_to=evidence_upload_to, max_length=200)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    replaces = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replaced_by"
    )
    is_current = models.BooleanField(default=True)
    removed_at = models.DateTimeField(null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["self_assessment", "kind", "-uploaded_at"]
        indexes = [models.Index(fields=["self_assessment", "is_current"])]

    def __str__(self) -> str:
        return self.title or self.original_name


def submitted_copy_upload_to(instance: SubmittedCopy, filename: str) -> str:
    return f"submitted/{uuid.uuid4().hex}.pdf"


class SubmittedCopy(models.Model):
    """The PDF of a self-assessment as the approver submitted it for the board: rendered
    once after each submission and kept with it (a resubmission after a reopening adds
    another). ``file`` is empty until the background job has rendered it."""

    self_assessment = models.ForeignKey(
        SelfAssessment, on_delete=models.CASCADE, related_name="submitted_copies"
    )
    submitted_at = models.DateTimeField()
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    board_ratified_on = models.DateField()
    file = models.FileField(upload_to=submitted_copy_upload_to, max_length=200, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    rendered_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["self_assessment", "-submitted_at"]
        indexes = [models.Index(fields=["self_assessment", "-submitted_at"])]

    def __str__(self) -> str:
        return f"{self.self_assessment} submitted {self.submitted_at:%Y-%m-%d %H:%M}"
