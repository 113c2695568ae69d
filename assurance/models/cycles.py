"""The assurance cycle, its phases and its rule settings (domain brief §3, §4)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models


class Cycle(models.Model):
    """One assurance year. Rule settings are editable by DH staff until publication."""

    year_label = models.CharField(max_length=7, unique=True, help_text="e.g. 2009/10")
    framework = models.ForeignKey(
        "assurance.Framework", on_delete=models.PROTECT, related_name="cycles"
    )
    previous = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="next_cycles"
    )
    indicators = models.ManyToManyField(
        "assurance.OutcomeIndicator",
        related_name="cycles",
        blank=True,
        help_text="The national outcome menu for this cycle.",
    )
    # Rule settings (§4). Defaults are the domain brief's.
    freedoms_cap = models.PositiveSmallIntegerField(default=15)
    notice_cap = models.PositiveSmallIntegerField(default=7)
    min_level_four = models.PositiveSmallIntegerField(
        "minimum number of level-4 competencies for freedoms", default=2
    )
    elite_share = models.DecimalField(
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.200"),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1))],
    )
    outcome_threshold = models.DecimalField(
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.500"),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1))],
    )
    # Due process (§8).
    accuracy_check_days = models.PositiveSmallIntegerField(
        "working days of the factual accuracy check",
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    review_days = models.PositiveSmallIntegerField(
        "days after confirmation to ask for a rating review",
        default=28,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    illustrative = models.BooleanField(
        default=False,
        help_text="Demo data: its results are illustrative, not the programme's, and every "
        "page, PDF and export that shows them says so (domain brief §7).",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-year_label"]

    def __str__(self) -> str:
        return self.year_label

    @property
    def slug(self) -> str:
        """The year label as it appears in URLs: ``2009/10`` → ``2009-10``."""
        return self.year_label.replace("/", "-")

    def phase(self, kind: int) -> Phase:
        """The phase of this kind (phases are prefetched by views that need several)."""
        for phase in self.phases.all():
            if phase.kind == kind:
                return phase
        raise Phase.DoesNotExist(f"{self} has no phase {kind}")

    def is_phase_open(self, kind: int) -> bool:
        try:
            return self.phase(kind).is_open
        except Phase.DoesNotExist:
            return False

    @property
    def current_phase(self) -> Phase | None:
        open_phases = [p for p in self.phases.all() if p.is_open]
        return max(open_phases, key=lambda p: p.kind) if open_phases else None


class PhaseKind(models.IntegerChoices):
    SELF_ASSESSMENT = 1, "Self-assessment"
    PLANS_ANALYSED = 2, "Plans analysed"
    PANEL_DAYS = 3, "Panel days"
    CALIBRATION = 4, "Calibration"
    PUBLICATION = 5, "Publication"


class PhaseStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Not yet open"
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class Phase(models.Model):
    """A phase of a cycle. DH staff open and close it; its dates are the published schedule.

    Whether a phase is open is DH staff's explicit decision (recorded as a PhaseChange),
    not a clock: the close date is the deadline shown to users (docs/decisions.md).
    """

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="phases")
    kind = models.PositiveSmallIntegerField(choices=PhaseKind.choices)
    opens_on = models.DateField()
    closes_on = models.DateField()
    status = models.CharField(
        max_length=10, choices=PhaseStatus.choices, default=PhaseStatus.SCHEDULED
    )
    opened_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["cycle", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "kind"], name="phase_unique_kind"),
            models.CheckConstraint(
                name="phase_closes_after_opening",
                condition=models.Q(closes_on__gte=models.F("opens_on")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cycle} {self.get_kind_display()}"

    @property
    def is_open(self) -> bool:
        return self.status == PhaseStatus.OPEN


class PhaseChange(models.Model):
    """Who opened, closed or reopened a phase, when and why."""

    class Action(models.TextChoices):
        OPEN = "open", "Opened"
        CLOSE = "close", "Closed"
        REOPEN = "reopen", "Reopened"

    phase = models.ForeignKey(Phase, on_delete=models.CASCADE, related_name="changes")
    action = models.CharField(max_length=10, choices=Action.choices)
    reason = models.TextField(blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-changed_at"]
