"""Celery tasks for freedoms: thin shells around services, safe to run twice."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from freedoms.services import remind_overdue_actions


@shared_task(name="freedoms.remind_overdue_actions")
def remind_overdue_actions_task() -> int:
    """Daily (CELERY_BEAT_SCHEDULE): email PCTs about overdue plan actions, once each."""
    return remind_overdue_actions(timezone.localdate())
