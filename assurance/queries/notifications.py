"""Reads of a person's own notifications (issue 15, part 4)."""

from __future__ import annotations

from django.db.models import QuerySet

from assurance.models import Notification, User


def for_user(user: User) -> QuerySet[Notification]:
    """The person's notifications, newest first (the ``notification_list`` index)."""
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-pk")


def unread_count(user: User) -> int:
    """One query (the partial ``notification_unread`` index)."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
