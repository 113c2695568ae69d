"""Email notifications for freedoms, franchises and plans (templates in templates/emails/).

Every email has a key; a ``SentNotification`` row with that unique key is written in the
caller's transaction, so the same email is never sent twice (the overdue-action job runs
daily and may run twice). The email itself leaves after the transaction commits.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string

from assurance.models import PCT, SHA, Role, User
from freedoms.models import SentNotification


def pct_people(pct: PCT, *, approvers_only: bool = False) -> list[str]:
    users = User.objects.filter(pct=pct, is_active=True)
    if approvers_only:
        users = users.filter(role=Role.PCT_APPROVER)
    return sorted(users.values_list("email", flat=True))


def sha_leads(sha: SHA) -> list[str]:
    return sorted(
        User.objects.filter(sha=sha, role=Role.SHA_LEAD, is_active=True).values_list(
            "email", flat=True
        )
    )


def notify(key: str, template: str, subject: str, to: Iterable[str], context: Any) -> bool:
    """Queue one email unless one with this key was already sent. Returns whether queued."""
    recipients = sorted(set(to))
    if not recipients:
        return False
    try:
        with transaction.atomic():
            SentNotification.objects.create(key=key[:200], recipients=", ".join(recipients))
    except IntegrityError:
        return False
    body = render_to_string(
        f"emails/{template}.txt", {**context, "site_url": settings.SITE_URL, "subject": subject}
    )
    transaction.on_commit(lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients))
    return True
