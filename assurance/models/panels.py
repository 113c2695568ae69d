"""Panel days, assessor scoring, consensus and moderation (domain brief §2–3).

A scored *item* is one of: a competency (framework without criteria), a criterion
(``competency`` is also set, denormalised for per-competency queries), a governance
area, or a chosen outcome (its actual value). Exactly one kind is set per row.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from .frameworks import RAG, GovernanceArea
from .self_assessment import LEVEL_VALIDATORS, InCycle

ONE_ITEM_KIND = (
    Q(competency__isnull=False, governance_area="", chosen_outcome__isnull=True)
    | Q(competency__isnull=True, criterion__isnull=True, chosen_outcome__isnull=True)
    & ~Q(governance_area="")
    | Q(
        competency__isnull=True,
        criterion__isnull=True,
        governance_area="",
        chosen_outcome__isnull=False,
    )
)


class PanelDay(models.Model):
    cycle = models.ForeignKey(
        "assurance.Cycle", on_delete=models.PROTECT, related_name="panel_days"
    )
    sha = models.ForeignKey(
        "assurance.SHA", on_delete=models.PROTECT, related_name="panel_days", verbose_name="SHA"
    )
    date = models.DateField()
    venue = models.CharField(max_length=200)
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="panel_days")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date"]
        indexes = [models.Index(fields=["cycle", "sha", "date"])]

    def __str__(self) -> str:
        return f"{self.sha} panel day {self.date:%d %b %Y}"


class PanelSlot(models.Model):
    """A time slot on a panel day, holding one PCT."""

    panel_day = models.ForeignKey(PanelDay, on_delete=models.CASCADE, related_name="slots")
    pct = models.ForeignKey(
        "assurance.PCT", on_delete=models.PROTECT, related_name="panel_slots", verbose_name="PCT"
    )
    starts_at = models.TimeField()
    ends_at = models.TimeField()

    class Meta:
        ordering = ["panel_day", "starts_at"]
        constraints = [
            models.CheckConstraint(
                name="slot_ends_after_start", condition=Q(ends_at__gt=models.F("starts_at"))
            )
        ]


class ReviewNote(models.Model):
    """Phase 2: an assessor's notes on a section of a submitted self-assessment."""

    self_assessment = models.ForeignKey(
        "assurance.SelfAssessment", on_delete=models.CASCADE, related_name="review_notes"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    section = models.CharField(max_length=40)
    note = models.TextField(blank=True)
    questions = models.TextField("questions for the panel day", blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["self_assessment", "section"]
        constraints = [
            models.UniqueConstraint(
                fields=["self_assessment", "author", "section"], name="review_note_unique"
            )
        ]


class ScoreSheet(models.Model):
    """One panel member's scores for one PCT. Others' sheets stay hidden until submitted."""

    self_assessment = models.ForeignKey(
        "assurance.SelfAssessment", on_delete=models.CASCADE, related_name="score_sheets"
    )
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="score_sheets"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["self_assessment", "assessor"], name="score_sheet_unique_assessor"
            )
        ]


class ScoredItem(models.Model):
    """Which item a row scores, and its value: a level, a RAG rating or an actual."""

    competency = models.ForeignKey(
        "assurance.Competency", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    criterion = models.ForeignKey(
        "assurance.Criterion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    governance_area = models.CharField(max_length=10, choices=GovernanceArea.choices, blank=True)
    chosen_outcome = models.ForeignKey(
        "assurance.ChosenOutcome", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    level = models.PositiveSmallIntegerField(null=True, blank=True, validators=LEVEL_VALIDATORS)
    rating = models.CharField(max_length=5, choices=RAG.choices, blank=True)
    actual = models.DecimalField(max_digits=12, decimal_places=3, null=True, blank=True)
    rationale = models.TextField(blank=True)

    class Meta:
        abstract = True

    @property
    def item_key(self) -> str:
        if self.criterion_id:
            return f"criterion:{self.criterion_id}"
        if self.competency_id:
            return f"competency:{self.competency_id}"
        if self.governance_area:
            return f"governance:{self.governance_area}"
        return f"outcome:{self.chosen_outcome_id}"


class PanelScore(ScoredItem):
    sheet = models.ForeignKey(ScoreSheet, on_delete=models.CASCADE, related_name="scores")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(name="panel_score_one_item", condition=ONE_ITEM_KIND),
            models.CheckConstraint(
                name="panel_score_level_1_to_4",
                condition=Q(level__isnull=True) | Q(level__gte=1, level__lte=4),
            ),
        ]
        indexes = [models.Index(fields=["sheet", "competency"])]


class Consensus(InCycle, ScoredItem):
    """The panel's agreed value for an item; moderation may change it (with a reason).

    Tiers use the moderated value, else the consensus (domain brief §3).
    """

    self_assessment = models.ForeignKey(
        "assurance.SelfAssessment", on_delete=models.CASCADE, related_name="consensus_scores"
    )
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    set_at = models.DateTimeField(auto_now_add=True)
    moderated_level = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=LEVEL_VALIDATORS
    )
    moderated_rating = models.CharField(max_length=5, choices=RAG.choices, blank=True)
    moderated_actual = models.DecimalField(max_digits=12, decimal_places=3, null=True, blank=True)

    class Meta:
        verbose_name_plural = "consensus scores"
        constraints = [
            models.CheckConstraint(name="consensus_one_item", condition=ONE_ITEM_KIND),
            models.UniqueConstraint(
                fields=["self_assessment", "competency"],
                condition=Q(competency__isnull=False, criterion__isnull=True),
                name="consensus_unique_competency",
            ),
            models.UniqueConstraint(
                fields=["self_assessment", "criterion"],
                condition=Q(criterion__isnull=False),
                name="consensus_unique_criterion",
            ),
            models.UniqueConstraint(
                fields=["self_assessment", "governance_area"],
                condition=~Q(governance_area=""),
                name="consensus_unique_area",
            ),
            models.UniqueConstraint(
                fields=["self_assessment", "chosen_outcome"],
                condition=Q(chosen_outcome__isnull=False),
                name="consensus_unique_outcome",
            ),
        ]
        indexes = [
            # Calibration reads one cycle's consensus for one item from these alone.
            models.Index(
                fields=["cycle", "competency"],
                include=["self_assessment", "criterion", "level", "moderated_level"],
                name="consensus_cycle_competency",
            ),
            models.Index(
                fields=["cycle", "governance_area"],
                include=["self_assessment", "rating", "moderated_rating"],
                name="consensus_cycle_area",
            ),
        ]

    @property
    def final_level(self) -> int | None:
        return self.moderated_level if self.moderated_level is not None else self.level

    @property
    def final_rating(self) -> str:
        return self.moderated_rating or self.rating

    @property
    def final_actual(self):  # type: ignore[no-untyped-def]
        return self.moderated_actual if self.moderated_actual is not None else self.actual


class ModerationStage(models.TextChoices):
    REGIONAL = "regional", "Regional (SHA)"
    NATIONAL = "national", "National (DH)"


class Moderation(models.Model):
    """A change to a consensus score in calibration: old → new, stage, author, mandatory reason."""

    consensus = models.ForeignKey(Consensus, on_delete=models.CASCADE, related_name="moderations")
    stage = models.CharField(max_length=10, choices=ModerationStage.choices)
    old_value = models.CharField(max_length=20)
    new_value = models.CharField(max_length=20)
    reason = models.TextField()
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    moderated_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["consensus", "moderated_at"]
        constraints = [
            models.CheckConstraint(name="moderation_has_reason", condition=~Q(reason=""))
        ]


class PanelResult(models.Model):
    """Locked when every item of a PCT's panel has a consensus."""

    self_assessment = models.OneToOneField(
        "assurance.SelfAssessment", on_delete=models.CASCADE, related_name="panel_result"
    )
    locked_at = models.DateTimeField(null=True, blank=True)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None
