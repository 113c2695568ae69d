"""Due process (domain brief §8): the factual accuracy check before a publication and the
rating review after it. Choices derive from the rules' enums."""

from __future__ import annotations

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.db.models import Q

from assurance.rules import due_process as rules

ChallengeStatus = models.TextChoices(
    "ChallengeStatus", [(s.name, (s.value, s.label)) for s in rules.ChallengeStatus]
)
ReviewStatus = models.TextChoices(
    "ReviewStatus", [(s.name, (s.value, s.label)) for s in rules.ReviewStatus]
)


class AccuracyCheck(models.Model):
    """A cycle's factual accuracy check window. DH staff open and close it (§8)."""

    cycle = models.OneToOneField(
        "assurance.Cycle", on_delete=models.CASCADE, related_name="accuracy_check"
    )
    opens_on = models.DateField()
    closes_on = models.DateField()
    is_open = models.BooleanField(default=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    opened_at = models.DateTimeField(auto_now_add=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="accuracy_check_closes_after_opening",
                condition=Q(closes_on__gte=models.F("opens_on")),
            )
        ]

    def __str__(self) -> str:
        return f"{self.cycle} factual accuracy check"


class Challenge(models.Model):
    """A PCT approver's challenge to one item of the PCT's draft result, and its answer."""

    cycle = models.ForeignKey("assurance.Cycle", on_delete=models.CASCADE, related_name="+")
    pct = models.ForeignKey("assurance.PCT", on_delete=models.PROTECT, related_name="challenges")
    consensus = models.ForeignKey(
        "assurance.Consensus", on_delete=models.PROTECT, related_name="challenges"
    )
    what_is_wrong = models.TextField()
    correction = models.TextField("correction asked for")
    evidence = models.TextField(blank=True)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    raised_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(
        max_length=12, choices=ChallengeStatus.choices, default=ChallengeStatus.UNANSWERED
    )
    answer = models.TextField(blank=True, help_text="The SHA lead's reasons")
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    moderation = models.OneToOneField(
        "assurance.Moderation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="challenge",
    )

    class Meta:
        ordering = ["raised_at", "pk"]
        indexes = [models.Index(fields=["cycle", "status", "pct"])]
        constraints = [
            models.UniqueConstraint(
                fields=["consensus"],
                condition=Q(status="unanswered"),
                name="challenge_one_open_per_item",
            ),
            models.CheckConstraint(
                name="challenge_answered_has_reasons",
                condition=Q(status="unanswered") | ~Q(answer=""),
            ),
        ]

    def __str__(self) -> str:
        return f"Challenge {self.pk} ({self.pct})"

    @property
    def is_answered(self) -> bool:
        return self.status != ChallengeStatus.UNANSWERED


def challenge_upload_to(instance: ChallengeDocument, filename: str) -> str:
    # A random name, like evidence: the uploader's own name is kept in original_name only.
    suffix = PurePosixPath(filename).suffix.lower()[:8]
    return f"challenges/{uuid.uuid4().hex}{suffix}"


class ChallengeDocument(models.Model):
    """An uploaded file supporting a challenge, checked like evidence (rules/uploads.py)."""

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="documents")
    file = models.FileField(upload_to=challenge_upload_to, max_length=200)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.original_name


class RatingReview(models.Model):
    """A PCT approver asks DH for a review of named items of one publication version."""

    publication = models.ForeignKey(
        "assurance.Publication", on_delete=models.PROTECT, related_name="reviews"
    )
    pct = models.ForeignKey(
        "assurance.PCT", on_delete=models.PROTECT, related_name="rating_reviews"
    )
    grounds = models.TextField()
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    asked_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(
        max_length=12, choices=ReviewStatus.choices, default=ReviewStatus.PENDING
    )
    decision = models.TextField(blank=True, help_text="DH staff's reasons")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["asked_at", "pk"]
        indexes = [models.Index(fields=["publication", "status", "pct"])]
        constraints = [
            models.CheckConstraint(
                name="review_decided_has_reasons",
                condition=Q(status="pending") | ~Q(decision=""),
            )
        ]

    def __str__(self) -> str:
        return f"Rating review {self.pk} ({self.pct})"


class RatingReviewItem(models.Model):
    """One named item of a review. An item of a version is reviewed at most once."""

    review = models.ForeignKey(RatingReview, on_delete=models.CASCADE, related_name="items")
    publication = models.ForeignKey(
        "assurance.Publication", on_delete=models.PROTECT, related_name="+"
    )
    consensus = models.ForeignKey(
        "assurance.Consensus", on_delete=models.PROTECT, related_name="review_items"
    )
    moderation = models.OneToOneField(
        "assurance.Moderation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="review_item",
    )

    class Meta:
        ordering = ["review", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["publication", "consensus"], name="review_item_once_per_version"
            )
        ]
