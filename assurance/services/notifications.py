"""The one way the product tells a person something: a notification in the product and,
unless it is a reminder they have turned off, an email (issue 15, part 4).

Every email the product sends goes through :func:`send` — assurance's reminders and
freedoms' messages alike (``freedoms/notifications.py``) — so each one also lands on the
person's notifications page. A notification is unique per person and key: the insert is the
claim, so a job run twice, or by two workers at once, records and emails a thing once.
The email leaves after the transaction commits; if the mail server refuses it, the notice
stays in the product, marked as not emailed, and the failure is logged.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from assurance.models import Notification, NotificationKind, User

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outgoing:
    """One notice to one person: what it is (``key``), what it says, and where it points."""

    recipient: User
    key: str
    subject: str
    template: str  # templates/emails/<template>.txt
    context: Mapping[str, Any] = field(default_factory=dict)
    link: str = ""  # a path within the site
    kind: str = NotificationKind.MESSAGE


def send(
    recipients: Iterable[User],
    *,
    key: str,
    subject: str,
    template: str,
    context: Mapping[str, Any] | None = None,
    link: str = "",
    kind: str = NotificationKind.MESSAGE,
) -> int:
    """Tell each (active) person once: in the product, and by email. Returns how many."""
    return send_each(
        Outgoing(person, key, subject, template, context or {}, link, kind) for person in recipients
    )


def send_each(items: Iterable[Outgoing]) -> int:
    """Record and email each notice not already recorded for its person and key.

    One query finds those already sent; each new one is inserted in its own savepoint, so a
    concurrent run that got there first is skipped (the unique constraint), not an error.
    """
    wanted: dict[tuple[int, str], Outgoing] = {}
    for item in items:
        if item.recipient.is_active:
            wanted.setdefault((item.recipient.pk, item.key[:200]), item)
    if not wanted:
        return 0
    done = _already_sent(wanted)
    sent = 0
    for (recipient_id, key), item in wanted.items():
        if (recipient_id, key) in done:
            continue
        if _record_and_email(item, key):
            sent += 1
    return sent


def _already_sent(wanted: Mapping[tuple[int, str], Outgoing]) -> set[tuple[int, str]]:
    keys = {key for _, key in wanted}
    people = {pk for pk, _ in wanted}
    return set(
        Notification.objects.filter(Q(key__in=keys), Q(recipient_id__in=people)).values_list(
            "recipient_id", "key"
        )
    )


def _record_and_email(item: Outgoing, key: str) -> bool:
    person = item.recipient
    link_url = f"{settings.SITE_URL}{item.link}" if item.link else ""
    body = render_to_string(
        f"emails/{item.template}.txt",
        {
            **item.context,
            "recipient": person,
            "subject": item.subject,
            "site_url": settings.SITE_URL,
            "link_url": link_url,
        },
    ).strip()
    email = item.kind != NotificationKind.REMINDER or person.reminder_emails
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                recipient=person,
                key=key,
                kind=item.kind,
                subject=item.subject[:200],
                body=body,
                link=item.link[:300],
                emailed=email,
                created_at=timezone.now(),
            )
    except IntegrityError:
        return False  # another run recorded it first: it sends the email
    if email:
        transaction.on_commit(lambda: _email(notification.pk, item.subject, body, person.email))
    return True


def _email(notification_id: int, subject: str, body: str, address: str) -> None:
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address])
    except Exception:
        logger.exception("email for notification %s was not sent", notification_id)
        Notification.objects.filter(pk=notification_id).update(emailed=False)


# --- A person's own notifications -------------------------------------------------------


def mark_read(user: User, notification_id: int) -> int:
    """Mark one of the person's own notifications read (another's: nothing). Idempotent."""
    return Notification.objects.filter(
        pk=notification_id, recipient=user, read_at__isnull=True
    ).update(read_at=timezone.now())


def mark_all_read(user: User) -> int:
    """Mark every unread notification of the person read; returns how many."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
