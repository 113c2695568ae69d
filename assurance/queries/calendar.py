"""What goes in a person's calendar feed (issue 15, part 5), and whose feed a token opens.

A *source* lists one person's dated entries. Assurance's sources are below: the deadlines
of the phases their role acts in (``rules/reminders.py: PHASES_BY_ROLE``) and their panel
days (the days they sit on or chair; for PCT people, their PCT's panel). ``freedoms`` adds
plan action due dates and performance review dates from its ``AppConfig.ready``. The
rating review of issue 15 part 2 adds its review dates the same way.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.db.models import Q
from django.urls import reverse

from assurance.models import CalendarFeed, PanelDay, PanelSlot, Phase, PhaseKind, User
from assurance.rules.reminders import PHASES_BY_ROLE


@dataclass(frozen=True)
class Entry:
    """One dated entry: all day, or from ``starts`` to ``ends`` (London time) that day."""

    uid: str  # stable: the same entry keeps its UID from one fetch to the next
    day: dt.date
    summary: str
    description: str = ""
    link: str = ""  # a path within the site
    starts: dt.time | None = None
    ends: dt.time | None = None
    location: str = ""


Source = Callable[[User], Iterable[Entry]]
_SOURCES: dict[str, Source] = {}


def register(name: str, source: Source) -> None:
    """Add a source of calendar entries (registering a name again replaces it)."""
    _SOURCES[name] = source


def entries_for(user: User) -> list[Entry]:
    entries = [entry for source in _SOURCES.values() for entry in source(user)]
    return sorted(entries, key=lambda e: (e.day, e.starts or dt.time.min, e.uid))


#: A feed token as made by ``services/account.py`` (``secrets.token_urlsafe(32)``: 43
#: characters). Anything else is not looked up at all.
TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}$")


def token_hash(token: str) -> str:
    """What is stored of a feed token: its SHA-256, never the token."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def feed_owner(token: str) -> User | None:
    """The active person whose feed this token opens, or ``None``. Looked up by the token's
    SHA-256, so how long the lookup takes says nothing about the token itself."""
    if not TOKEN.match(token):
        return None
    feed = (
        CalendarFeed.objects.filter(token_hash=token_hash(token), user__is_active=True)
        .select_related("user", "user__pct", "user__sha")
        .first()
    )
    return feed.user if feed else None


# --- Assurance's sources --------------------------------------------------------------------

_DEADLINE_WHAT = {
    PhaseKind.SELF_ASSESSMENT: "self-assessments are submitted",
    PhaseKind.PLANS_ANALYSED: "submitted plans are analysed",
    PhaseKind.PANEL_DAYS: "panel days, score sheets and consensus are finished",
    PhaseKind.CALIBRATION: "regional and national calibration are finished",
    PhaseKind.PUBLICATION: "the results are published",
}


def phase_deadlines(user: User) -> Iterator[Entry]:
    kinds = PHASES_BY_ROLE.get("dh_staff" if user.is_dh else user.role, ())
    for phase in Phase.objects.filter(kind__in=kinds).select_related("cycle").order_by("closes_on"):
        kind = PhaseKind(phase.kind)
        yield Entry(
            uid=f"phase-{phase.pk}-closes@wcc-assurance",
            day=phase.closes_on,
            summary=f"WCC {phase.cycle}: {kind.label.lower()} deadline",
            description=f"The deadline by which {_DEADLINE_WHAT[kind]} ({phase.cycle}).",
        )


def panel_days(user: User) -> Iterator[Entry]:
    if user.is_pct_user:
        for slot in PanelSlot.objects.filter(pct_id=user.pct_id).select_related(
            "panel_day", "panel_day__sha", "panel_day__cycle"
        ):
            day = slot.panel_day
            yield Entry(
                uid=f"panel-slot-{slot.pk}@wcc-assurance",
                day=day.date,
                summary=f"WCC panel: {user.organisation_name} ({day.cycle})",
                description=f"{day.sha.name} panel, confirm and challenge.",
                starts=slot.starts_at,
                ends=slot.ends_at,
                location=day.venue,
            )
        return
    if user.is_dh:
        return  # DH staff sit on no panel; all 152 would drown their calendar
    days = (
        PanelDay.objects.filter(Q(members=user) | Q(chair=user))
        .distinct()
        .select_related("sha", "cycle")
        .prefetch_related("slots__pct")
    )
    for day in days:
        slots = list(day.slots.all())
        yield Entry(
            uid=f"panel-day-{day.pk}@wcc-assurance",
            day=day.date,
            summary=f"WCC panel day: {day.sha.name} ({day.cycle})",
            description="\n".join(
                f"{s.starts_at:%H:%M}–{s.ends_at:%H:%M} {s.pct.name} ({s.pct.code})" for s in slots
            ),
            link=reverse("panels:day_detail", args=[day.pk]),
            starts=min((s.starts_at for s in slots), default=dt.time(9, 0)),
            ends=max((s.ends_at for s in slots), default=dt.time(17, 0)),
            location=day.venue,
        )


register("phase_deadlines", phase_deadlines)
register("panel_days", panel_days)
