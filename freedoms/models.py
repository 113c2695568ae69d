"""What follows from a tier (domain brief §5): grants, notices, plans, franchises, the fund.

Rows here are written only by ``freedoms/services.py``; the rules live in
``freedoms/eligibility.py``. Nothing in ``assurance`` knows this app exists.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from assurance.rules import consequences
from freedoms import eligibility

USER = settings.AUTH_USER_MODEL


class Freedom(models.Model):
    """One of the seven freedoms (§5 [fact]); reference data from fixtures/freedoms.yaml."""

    number = models.PositiveSmallIntegerField(unique=True)
    code = models.CharField(max_length=30, unique=True)
    name = models.CharField(max_length=100)
    description = models.TextField()

    class Meta:
        ordering = ["number"]

    def __str__(self) -> str:
        return self.name


class Regime(models.TextChoices):
    ANNUAL = consequences.Regime.ANNUAL.value, "Annual"
    QUARTERLY = consequences.Regime.QUARTERLY.value, "Quarterly"
    MONTHLY = consequences.Regime.MONTHLY.value, "Monthly"


class Standing(models.Model):
    """A PCT's tier and review regime from the latest confirmed publication."""

    pct = models.OneToOneField("assurance.PCT", on_delete=models.CASCADE, related_name="standing")
    publication = models.ForeignKey(
        "assurance.Publication", on_delete=models.PROTECT, related_name="+"
    )
    tier = models.CharField(max_length=10)
    regime = models.CharField(max_length=10, choices=Regime.choices)
    since = models.DateField(help_text="When the regime began: the publication's confirmation")
    last_review_on = models.DateField(null=True, blank=True)
    next_review_due = models.DateField()

    class Meta:
        indexes = [models.Index(fields=["next_review_due"])]

    def __str__(self) -> str:
        return f"{self.pct}: {self.tier}, {self.regime} review"


class GrantStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    LAPSED = "lapsed", "Lapsed"


class Grant(models.Model):
    """One freedom granted to one PCT by a confirmed publication; lapses, never deleted."""

    pct = models.ForeignKey("assurance.PCT", on_delete=models.PROTECT, related_name="grants")
    freedom = models.ForeignKey(Freedom, on_delete=models.PROTECT, related_name="grants")
    publication = models.ForeignKey(
        "assurance.Publication", on_delete=models.PROTECT, related_name="grants"
    )
    status = models.CharField(
        max_length=10, choices=GrantStatus.choices, default=GrantStatus.ACTIVE
    )
    granted_at = models.DateTimeField()
    granted_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    notes = models.TextField(
        blank=True, help_text="e.g. the DH commitment behind a seat at the table"
    )
    ended_by_publication = models.ForeignKey(
        "assurance.Publication",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ended_grants",
    )
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pct__name", "freedom__number"]
        constraints = [
            models.UniqueConstraint(
                fields=["pct", "freedom"],
                condition=Q(status="active"),
                name="grant_one_active_per_freedom",
            )
        ]
        indexes = [models.Index(fields=["status", "freedom"])]

    def __str__(self) -> str:
        return f"{self.freedom} for {self.pct}"


class DesignationKind(models.TextChoices):
    NOTICE = "notice", "On notice"
    SUPPORT = "support", "Support package"


class DesignationStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    DISCHARGED = "discharged", "Discharged"
    ESCALATED = "escalated", "Escalated"
    ENDED = "ended", "Ended"


class Designation(models.Model):
    """A notice (for each PCT on notice) or a support package (for each PCT in the middle).

    At the next confirmed publication a notice is discharged or escalated and a support
    package ends when the PCT leaves the support tier, recorded with that publication.
    """

    pct = models.ForeignKey("assurance.PCT", on_delete=models.PROTECT, related_name="designations")
    kind = models.CharField(max_length=10, choices=DesignationKind.choices)
    publication = models.ForeignKey(
        "assurance.Publication", on_delete=models.PROTECT, related_name="designations"
    )
    status = models.CharField(
        max_length=12, choices=DesignationStatus.choices, default=DesignationStatus.ACTIVE
    )
    created_at = models.DateTimeField()
    ended_by_publication = models.ForeignKey(
        "assurance.Publication", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    outcome_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["pct__name", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["pct", "kind"],
                condition=Q(status="active"),
                name="designation_one_active_per_kind",
            )
        ]
        indexes = [models.Index(fields=["kind", "status"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.pct}"


class ReviewRecord(models.Model):
    """A performance-management review the SHA held with a PCT (§5 regime)."""

    pct = models.ForeignKey("assurance.PCT", on_delete=models.PROTECT, related_name="reviews")
    regime = models.CharField(max_length=10, choices=Regime.choices)
    held_on = models.DateField()
    summary = models.TextField()
    recorded_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["pct", "held_on"])]


class FranchiseStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    ACCEPTED = "accepted", "Accepted by receiving PCT"
    APPROVED = "approved", "Approved by SHA"
    DECLINED = "declined", "Declined"
    ENDED = "ended", "Ended early"


LIVE_FRANCHISE = [FranchiseStatus.PROPOSED, FranchiseStatus.ACCEPTED, FranchiseStatus.APPROVED]


class FranchiseInitiator(models.TextChoices):
    FRANCHISOR = eligibility.Initiator.FRANCHISOR.value, "Proposed by the franchising PCT"
    RECEIVER = eligibility.Initiator.RECEIVER.value, "Requested by the receiving PCT"


class Franchise(models.Model):
    """A freedoms PCT commissioning a service (or all services) for a poorer performer (§5).

    Either side puts it forward (``initiator``): the franchising PCT proposes, or the poorer
    PCT's approver asks for help. The other side's approver accepts or declines; then the
    receiving PCT's SHA lead approves. ``proposed_by``/``proposed_at`` are whoever put it
    forward; ``accepted_by`` the approver who answered."""

    franchisor = models.ForeignKey(
        "assurance.PCT", on_delete=models.PROTECT, related_name="franchises_held"
    )
    receiver = models.ForeignKey(
        "assurance.PCT", on_delete=models.PROTECT, related_name="franchises_received"
    )
    service = models.CharField(max_length=150, blank=True)
    all_services = models.BooleanField(default=False)
    starts_on = models.DateField()
    ends_on = models.DateField()
    status = models.CharField(
        max_length=10, choices=FranchiseStatus.choices, default=FranchiseStatus.PROPOSED
    )
    initiator = models.CharField(
        max_length=10, choices=FranchiseInitiator.choices, default=FranchiseInitiator.FRANCHISOR
    )
    proposed_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    proposed_at = models.DateTimeField()
    accepted_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.TextField(blank=True)
    needs_sha_review = models.BooleanField(default=False)
    review_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-proposed_at", "-id"]
        indexes = [
            models.Index(fields=["receiver", "status"]),
            models.Index(fields=["franchisor", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                name="franchise_ends_after_start", condition=Q(ends_on__gte=models.F("starts_on"))
            ),
            models.CheckConstraint(
                name="franchise_names_a_service_or_all",
                condition=Q(all_services=True) | ~Q(service=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.franchisor} → {self.receiver}: {self.scope}"

    @property
    def scope(self) -> str:
        return "All services" if self.all_services else self.service

    @property
    def requested(self) -> bool:
        """The receiving PCT asked for it (rather than the franchisor proposing it)."""
        return self.initiator == FranchiseInitiator.RECEIVER

    @property
    def answering_pct_id(self) -> int:
        """The PCT whose approver accepts or declines it: the side that did not put it forward."""
        return self.franchisor_id if self.requested else self.receiver_id

    @property
    def status_label(self) -> str:
        if self.requested and self.status == FranchiseStatus.PROPOSED:
            return "Requested by receiving PCT"
        if self.requested and self.status == FranchiseStatus.ACCEPTED:
            return "Accepted by franchising PCT"
        return self.get_status_display()

    def is_active_on(self, today: dt.date) -> bool:
        return self.status == FranchiseStatus.APPROVED and eligibility.is_active_on(
            self.starts_on, self.ends_on, today
        )


class DecisionStatus(models.TextChoices):
    SUBMITTED = "submitted", "Awaiting decision"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class Decided(models.Model):
    """Something submitted for a decision: approved, or rejected with a reason."""

    status = models.CharField(
        max_length=10, choices=DecisionStatus.choices, default=DecisionStatus.SUBMITTED
    )
    submitted_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    submitted_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)

    class Meta:
        abstract = True


class BudgetProposal(Decided):
    """A specific proposal to set a budget across several years; the SHA decides (§5 #4)."""

    pct = models.ForeignKey(
        "assurance.PCT", on_delete=models.PROTECT, related_name="budget_proposals"
    )
    title = models.CharField(max_length=150)
    first_year = models.PositiveSmallIntegerField(help_text="2010 means 2010/11")
    amounts = models.JSONField(help_text="Amount in pounds for each year, as strings")
    rationale = models.TextField()

    class Meta:
        ordering = ["-submitted_at", "-id"]
        indexes = [models.Index(fields=["pct", "status"])]

    def __str__(self) -> str:
        return self.title

    @property
    def years(self) -> list[tuple[str, Decimal]]:
        return [
            (f"{self.first_year + i}/{(self.first_year + i + 1) % 100:02d}", Decimal(amount))
            for i, amount in enumerate(self.amounts)
        ]

    @property
    def total(self) -> Decimal:
        return sum((Decimal(a) for a in self.amounts), Decimal(0))


class InnovationFund(models.Model):
    """The innovation fund's pot for a financial year (§5 #6: £50m for 2010-11)."""

    financial_year = models.CharField(max_length=7, unique=True, help_text="e.g. 2010-11")
    pot = models.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["-financial_year"]

    def __str__(self) -> str:
        return f"Innovation fund {self.financial_year}"


class FundApplication(Decided):
    fund = models.ForeignKey(InnovationFund, on_delete=models.PROTECT, related_name="applications")
    pct = models.ForeignKey(
        "assurance.PCT", on_delete=models.PROTECT, related_name="fund_applications"
    )
    title = models.CharField(max_length=150)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    summary = models.TextField()

    class Meta:
        ordering = ["submitted_at", "id"]
        indexes = [models.Index(fields=["fund", "status"])]

    def __str__(self) -> str:
        return self.title


class PlanKind(models.TextChoices):
    RECOVERY = consequences.PlanKind.RECOVERY.value, "Recovery plan"
    DEVELOPMENT = consequences.PlanKind.DEVELOPMENT.value, "Development plan"


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "Being drafted"
    AGREED = "agreed", "Agreed with SHA"
    CLOSED = "closed", "Closed"


class Plan(models.Model):
    """A recovery or development plan a publication requires (§2.2, §5).

    ``publication`` is the latest version that requires it: a corrected version of the same
    cycle that still requires the plan carries the row over (docs/decisions.md)."""

    pct = models.ForeignKey("assurance.PCT", on_delete=models.PROTECT, related_name="plans")
    publication = models.ForeignKey(
        "assurance.Publication", on_delete=models.PROTECT, related_name="plans"
    )
    kind = models.CharField(max_length=12, choices=PlanKind.choices)
    subject = models.CharField(max_length=30, help_text="notice, governance:finance, competency:6")
    title = models.CharField(max_length=150)
    status = models.CharField(max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    agreed_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    agreed_at = models.DateTimeField(null=True, blank=True)
    closed_by_publication = models.ForeignKey(
        "assurance.Publication", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["pct__name", "kind", "subject"]
        constraints = [
            models.UniqueConstraint(
                fields=["pct", "publication", "subject"], name="plan_unique_subject"
            )
        ]
        indexes = [models.Index(fields=["pct", "status"])]

    def __str__(self) -> str:
        return f"{self.title} ({self.pct})"


class ActionStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"


class PlanAction(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="actions")
    description = models.TextField()
    owner = models.CharField(max_length=150)
    due_on = models.DateField()
    status = models.CharField(
        max_length=12, choices=ActionStatus.choices, default=ActionStatus.NOT_STARTED
    )

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["status", "due_on"])]

    def is_overdue(self, today: dt.date) -> bool:
        return eligibility.is_overdue(self.due_on, self.status == ActionStatus.DONE, today)


class SentNotification(models.Model):
    """One row per email sent: the unique key is what stops the same email going twice."""

    key = models.CharField(max_length=200, unique=True)
    sent_at = models.DateTimeField(auto_now_add=True)
    recipients = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.key
