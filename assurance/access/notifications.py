"""Who may see a notification: only the person it was sent to (issue 15). Another person's
is not found (404), as another PCT's record is."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404

from assurance.models import Notification


def get_notification_for_user(user: Any, pk: int) -> Notification:
    return get_object_or_404(Notification.objects.filter(recipient=user), pk=pk)
