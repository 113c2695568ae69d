"""Which reminder is due today (domain brief §8 [rule] "Reminders"): pure, no clock.

Each person with outstanding work is reminded 30, 7 and 1 days before its deadline, once
each. A reminder is *due* from its day until the next one's: if the daily job did not run on
the 30th day before (a worker down, a bank-holiday deploy) it catches up the next day, and
work that only became someone's 10 days before its deadline gets the 30-day reminder at
once — but never a stale one: 5 days before, only the 7-day reminder is due. Which reminders
were already sent is the caller's record (one row per person and key); this module only
says which stage applies today.

Some kinds (plan actions) also send one notice the day after the deadline has passed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

#: Days before a deadline on which a reminder is due (§8).
REMINDER_DAYS: tuple[int, ...] = (30, 7, 1)
OVERDUE = "overdue"


@dataclass(frozen=True)
class Stage:
    """The reminder due today: ``key`` is ``"30"``, ``"7"``, ``"1"`` or ``"overdue"``."""

    key: str
    days_left: int


def due_stage(
    deadline: dt.date,
    today: dt.date,
    *,
    days: tuple[int, ...] = REMINDER_DAYS,
    overdue: bool = False,
) -> Stage | None:
    """The reminder due ``today`` for work due on ``deadline``, or ``None``.

    The stage is the nearest threshold not yet passed: with (30, 7, 1), 30 to 8 days before
    → ``"30"``, 7 to 2 → ``"7"``, 1 or 0 (the deadline itself) → ``"1"``. After the
    deadline: ``"overdue"`` if the kind asks for it, else nothing (the deadline has gone;
    reminding is no longer useful, and what happens next is DH's or the SHA's decision).
    More than ``max(days)`` before: nothing yet.
    """
    days_left = (deadline - today).days
    if days_left < 0:
        return Stage(OVERDUE, days_left) if overdue else None
    reached = [d for d in days if days_left <= d]
    if not reached:
        return None
    return Stage(str(min(reached)), days_left)


def when_due(days_left: int) -> str:
    """ "due today", "due tomorrow", "due in 7 days", "1 day overdue", "3 days overdue"."""
    if days_left == 0:
        return "due today"
    if days_left == 1:
        return "due tomorrow"
    if days_left > 1:
        return f"due in {days_left} days"
    late = -days_left
    return f"{late} day{'s' if late != 1 else ''} overdue"


def reminder_key(kind: str, thing: str, deadline: dt.date, stage: str) -> str:
    """The idempotency key of one reminder (unique per person in the notifications table).

    It names the deadline, so a deadline DH moves gets its reminders again for the new date.
    """
    return f"reminder:{kind}:{thing}:{deadline.isoformat()}:{stage}"


#: Which phases' close dates concern a role (its calendar feed; domain brief §3, §6):
#: PCT people submit in phase 1; SHA staff analyse plans (2), hold panels (3) and the lead
#: moderates the region (4); peer experts sit on panels (3); DH runs every phase.
PHASES_BY_ROLE: dict[str, tuple[int, ...]] = {
    "pct_staff": (1,),
    "pct_approver": (1,),
    "sha_assessor": (2, 3),
    "sha_lead": (2, 3, 4),
    "peer_expert": (3,),
    "dh_staff": (1, 2, 3, 4, 5),
}
