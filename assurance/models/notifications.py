"""What the product tells a person: notifications (in the product, and by email), the
reminder-email preference and the personal calendar feed's token (issue 15, parts 3–5)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class NotificationKind(models.TextChoices):
    REMINDER = "reminder", "Reminder"
    MESSAGE = "message", "Message"


class Notification(models.Model):
    """One notice to one person. Every email the product sends is also one of these.

    ``key`` says what it is about (``reminder:self_assessment:…:30``,
    ``plan:12:agreed``); it is unique per person, so a job that runs twice, or two workers
    at once, record and email it once (the unique constraint decides, not a prior read).
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    key = models.CharField(max_length=200)
    kind = models.CharField(
        max_length=10, choices=NotificationKind.choices, default=NotificationKind.MESSAGE
    )
    subject = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    link = models.CharField(
        max_length=300, blank=True, help_text="A path within the site: the thing concerned"
    )
    created_at = models.DateTimeField(default=timezone.now)
    emailed = models.BooleanField(default=False, help_text="Whether an email was sent too")
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], name="notification_once_per_key")
        ]
        indexes = [
            # The header's unread count and the list, newest first.
            models.Index(
                fields=["recipient"], condition=Q(read_at__isnull=True), name="notification_unread"
            ),
            models.Index(fields=["recipient", "-created_at"], name="notification_list"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {self.recipient_id}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class CalendarFeed(models.Model):
    """A person's calendar feed. Only the SHA-256 of its secret token is stored: the URL is
    shown once, when made; making a new one or revoking it ends the old URL at once."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Calendar feed of {self.user_id}"
