"""Messages about freedoms, franchises and plans (email templates in templates/emails/).

Each goes through ``assurance.services.notifications.send``, the product's one way of
telling a person something, so every email also lands on the person's notifications page
with a link to the thing concerned. Every message has a key; a ``SentNotification`` row
with that unique key is written in the caller's transaction, so the same message never goes
out twice — not even to people who join the PCT later. Emails leave after the commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction

from assurance.models import PCT, SHA, Role, User
from assurance.services.notifications import send
from freedoms.models import SentNotification


def pct_people(pct: PCT, *, approvers_only: bool = False) -> list[User]:
    users = User.objects.filter(pct=pct, is_active=True)
    if approvers_only:
        users = users.filter(role=Role.PCT_APPROVER)
    return list(users.order_by("email"))


def sha_leads(sha: SHA) -> list[User]:
    return list(User.objects.filter(sha=sha, role=Role.SHA_LEAD, is_active=True).order_by("email"))


def notify(
    key: str, template: str, subject: str, to: Iterable[User], context: Any, *, link: str = ""
) -> bool:
    """Send one message to these people unless one with this key was sent. Returns whether
    it was sent."""
    recipients = {person.pk: person for person in to}
    if not recipients:
        return False
    addresses = sorted(person.email for person in recipients.values())
    try:
        with transaction.atomic():
            SentNotification.objects.create(key=key[:200], recipients=", ".join(addresses))
    except IntegrityError:
        return False
    send(
        recipients.values(),
        key=key,
        subject=subject,
        template=template,
        context=context,
        link=link,
    )
    return True
