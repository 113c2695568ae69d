"""A person's own settings (the "Your account" page): reminder emails and the calendar feed.

The feed's secret token is made with :mod:`secrets` (256 bits) and only its SHA-256 is
stored, so a copy of the database does not hold working feed URLs; the URL is shown once,
when made. A new token replaces the old one (the old URL stops at once); revoking deletes it.
"""

from __future__ import annotations

import secrets

from django.db import transaction

from assurance.models import CalendarFeed, User
from assurance.queries.calendar import token_hash
from assurance.services.audit import record


@transaction.atomic
def set_reminder_emails(user: User, *, on: bool) -> User:
    """Turn reminder emails on or off (reminders in the product stay). Audited."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.reminder_emails != on:
        user.reminder_emails = on
        user.save(update_fields=["reminder_emails"])
        record(
            actor=user,
            action="account.reminder_emails",
            obj=user,
            label=f"Reminder emails turned {'on' if on else 'off'}",
            old=not on,
            new=on,
        )
    return user


@transaction.atomic
def new_calendar_feed(user: User) -> str:
    """Make (or remake) the person's feed; returns the secret token, shown once."""
    token = secrets.token_urlsafe(32)
    CalendarFeed.objects.update_or_create(user=user, defaults={"token_hash": token_hash(token)})
    record(actor=user, action="account.calendar_feed_made", obj=user, label="Calendar feed made")
    return token


@transaction.atomic
def revoke_calendar_feed(user: User) -> bool:
    """End the person's feed URL. Returns whether there was one."""
    deleted, _ = CalendarFeed.objects.filter(user=user).delete()
    if deleted:
        record(
            actor=user,
            action="account.calendar_feed_revoked",
            obj=user,
            label="Calendar feed revoked",
        )
    return bool(deleted)
