"""The daily reminders (issue 15, part 3; domain brief §8 [rule] "Reminders").

``send_reminders(today)`` asks every registered kind (``queries/reminders.py``) for the work
outstanding with a deadline in the next 30 days (or passed, for kinds with an overdue
notice), asks ``rules/reminders.py`` which reminder is due today, and sends each through
``services/notifications.py``: in the product always, by email unless the person turned
reminder emails off. Each reminder's key names the kind, the thing, the deadline and the
stage, and is unique per person, so running it twice — or two beat schedulers at once —
sends each reminder once. Run by the Celery beat task ``assurance.tasks.send_reminders``.
"""

from __future__ import annotations

import datetime as dt
import logging

from assurance.models import NotificationKind
from assurance.queries import reminders as kinds
from assurance.rules import reminders as rules
from assurance.services.notifications import Outgoing, send_each

logger = logging.getLogger(__name__)


def send_reminders(today: dt.date) -> int:
    """Send every reminder due ``today`` not already sent. Returns how many were sent."""
    until = today + dt.timedelta(days=max(rules.REMINDER_DAYS))
    sent = 0
    for kind in kinds.kinds():
        outgoing = []
        for item in kind.outstanding(None if kind.overdue else today, until):
            stage = rules.due_stage(item.deadline, today, overdue=kind.overdue)
            if stage is None:
                continue
            when = rules.when_due(stage.days_left)
            prefix = "Overdue" if stage.key == rules.OVERDUE else "Reminder"
            outgoing.append(
                Outgoing(
                    recipient=item.person,
                    key=rules.reminder_key(kind.code, item.thing, item.deadline, stage.key),
                    subject=f"{prefix}: {item.title}, {when}",
                    template="reminder",
                    context={
                        "kind": kind,
                        "item": item,
                        "when": when,
                        "overdue": stage.key == rules.OVERDUE,
                    },
                    link=item.link,
                    kind=NotificationKind.REMINDER,
                )
            )
        count = send_each(outgoing)
        logger.info("reminders %s: %s due, %s sent", kind.code, len(outgoing), count)
        sent += count
    return sent
