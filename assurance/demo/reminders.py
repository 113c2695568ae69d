"""The demo's reminders (issue 15): its 2009/10 cycle is in self-assessment, so the daily job
runs as it would have on the demo's day in that cycle — a week before phase 1 closes —
and what it writes is dated by the calendar, never the day the demo is loaded (§7 [rule]).
The demo logins of PCTs that have not submitted (Camden, County Durham) then see a
reminder under Notifications. Safe to run again: each reminder is sent once."""

from __future__ import annotations

import datetime as dt
import random
from typing import TextIO
from zoneinfo import ZoneInfo

from assurance.demo.stamps import dated
from assurance.models import Notification, Phase, PhaseKind, PhaseStatus
from assurance.services.reminders import send_reminders

LONDON = ZoneInfo("Europe/London")
#: The demo's "today" in an open self-assessment phase: the 7-day reminder is due.
DAYS_BEFORE_CLOSE = 7


def send_demo_reminders(rng: random.Random, out: TextIO) -> None:
    phase = (
        Phase.objects.filter(kind=PhaseKind.SELF_ASSESSMENT, status=PhaseStatus.OPEN)
        .order_by("-closes_on")
        .first()
    )
    if phase is None:
        return
    today = phase.closes_on - dt.timedelta(days=DAYS_BEFORE_CLOSE)
    with dated(
        dt.datetime.combine(today, dt.time(7, 0), tzinfo=LONDON), (Notification, "created_at")
    ):
        sent = send_reminders(today)
    out.write(f"    {sent} reminders, as the daily job would send them on {today:%-d %B %Y}\n")
