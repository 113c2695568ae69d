"""Who has outstanding work, and by when: the kinds of reminder (issue 15, part 3).

A *kind* is a query: given a window of deadlines, it lists each person with work of that
kind still to do — (person, thing, deadline, link). ``services/reminders.py`` asks every
registered kind once a day and sends what ``rules/reminders.py`` says is due.

The kinds of the assurance year are registered below. Another part of the product adds its
own by calling :func:`register` — ``freedoms`` registers overdue plan actions from its
``AppConfig.ready`` (assurance never imports freedoms). The due process adds two: the
factual accuracy check's *unanswered challenge* (to the PCT's SHA lead, by the window's
close) and the rating review's *undecided review* (to DH staff, within 28 days of the
request).

A kind that is done for a person simply stops listing them (a submitted self-assessment,
a submitted score sheet, a locked consensus), so nobody whose work is done is reminded.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.urls import reverse

from assurance.models import (
    ASSESSED_STATUSES,
    PCT_ROLES,
    AccuracyCheck,
    Challenge,
    ChallengeStatus,
    Moderation,
    ModerationStage,
    PanelSlot,
    Phase,
    PhaseKind,
    PhaseStatus,
    RatingReview,
    ReviewStatus,
    Role,
    ScoreSheet,
    SelfAssessment,
    SelfAssessmentStatus,
    User,
)


@dataclass(frozen=True)
class Outstanding:
    """One person's outstanding piece of work."""

    person: User
    thing: str  # a stable name of the thing, part of the reminder's key
    title: str  # "Camden PCT's 2009/10 self-assessment"
    deadline: dt.date
    link: str  # a path within the site


#: A kind's query: (first deadline, last deadline) → outstanding work. The first is
#: ``None`` for kinds that also send an overdue notice (any deadline already passed).
Query = Callable[[dt.date | None, dt.date], Iterable[Outstanding]]


@dataclass(frozen=True)
class ReminderKind:
    code: str  # part of each reminder's key: never rename one in use
    label: str  # what is outstanding, for the person: "Self-assessment not yet submitted"
    outstanding: Query
    overdue: bool = False  # also one notice the day after the deadline


_KINDS: dict[str, ReminderKind] = {}


def register(kind: ReminderKind) -> None:
    """Add a kind of reminder (registering the same code again replaces it)."""
    _KINDS[kind.code] = kind


def kinds() -> list[ReminderKind]:
    return list(_KINDS.values())


def _phases(kind: int, since: dt.date | None, until: dt.date) -> QuerySet[Phase]:
    """Open phases of this kind closing in the window: a phase not yet open, or closed, has
    nothing anyone can do (DH decides when a phase opens and closes, docs/decisions.md)."""
    phases = Phase.objects.filter(kind=kind, status=PhaseStatus.OPEN, closes_on__lte=until)
    if since is not None:
        phases = phases.filter(closes_on__gte=since)
    return phases.select_related("cycle").order_by("closes_on", "pk")


def _active() -> QuerySet[User]:
    return User.objects.filter(is_active=True)


# --- Phase 1: the self-assessment (PCT staff and approver) ------------------------------


def unsubmitted_self_assessments(since: dt.date | None, until: dt.date) -> Iterator[Outstanding]:
    """Every PCT person whose PCT has not submitted, while phase 1 is open."""
    for phase in _phases(PhaseKind.SELF_ASSESSMENT, since, until):
        cycle = phase.cycle
        submitted = SelfAssessment.objects.filter(
            cycle=cycle, status=SelfAssessmentStatus.SUBMITTED
        ).values("pct_id")
        people = (
            _active()
            .filter(role__in=list(PCT_ROLES), pct__isnull=False)
            .exclude(pct_id__in=submitted)
            .select_related("pct")
            .order_by("pct__code", "pk")
        )
        for person in people:
            pct = person.pct
            assert pct is not None
            yield Outstanding(
                person=person,
                thing=f"self-assessment:{cycle.pk}:{pct.pk}",
                title=f"{pct.name}'s {cycle} self-assessment",
                deadline=phase.closes_on,
                link=reverse("self_assessment:overview", args=[cycle.slug, pct.code]),
            )


# --- Phase 3: score sheets (panel members), consensus (SHA lead) ------------------------


def _assessed(cycle_id: int) -> dict[int, SelfAssessment]:
    """The cycle's self-assessments a panel assesses, by PCT."""
    return {
        sa.pct_id: sa
        for sa in SelfAssessment.objects.filter(
            cycle_id=cycle_id, status__in=ASSESSED_STATUSES
        ).select_related("pct", "panel_result")
    }


def unsubmitted_score_sheets(since: dt.date | None, until: dt.date) -> Iterator[Outstanding]:
    """Each member of a panel day who has not submitted their score sheet for a PCT on it."""
    for phase in _phases(PhaseKind.PANEL_DAYS, since, until):
        cycle = phase.cycle
        assessed = _assessed(cycle.pk)
        submitted = set(
            ScoreSheet.objects.filter(
                self_assessment__cycle=cycle, submitted_at__isnull=False
            ).values_list("self_assessment_id", "assessor_id")
        )
        slots = (
            PanelSlot.objects.filter(panel_day__cycle=cycle)
            .select_related("panel_day")
            .prefetch_related(Prefetch("panel_day__members", queryset=_active().order_by("pk")))
            .order_by("panel_day__date", "starts_at", "pk")
        )
        for slot in slots:
            sa = assessed.get(slot.pct_id)
            if sa is None:
                continue
            for member in slot.panel_day.members.all():
                if (sa.pk, member.pk) in submitted:
                    continue
                yield Outstanding(
                    person=member,
                    thing=f"score-sheet:{sa.pk}",
                    title=f"Your score sheet for {sa.pct.name} ({cycle})",
                    deadline=phase.closes_on,
                    link=reverse("panels:score_sheet", args=[sa.pk]),
                )


def _leads_by_sha(sha_ids: Iterable[int]) -> dict[int, list[User]]:
    leads: dict[int, list[User]] = defaultdict(list)
    for lead in (
        _active()
        .filter(role=Role.SHA_LEAD, sha_id__in=set(sha_ids))
        .select_related("sha")
        .order_by("pk")
    ):
        assert lead.sha_id is not None
        leads[lead.sha_id].append(lead)
    return leads


def unlocked_consensus(since: dt.date | None, until: dt.date) -> Iterator[Outstanding]:
    """The SHA lead of each PCT with a panel slot whose consensus is not yet locked."""
    for phase in _phases(PhaseKind.PANEL_DAYS, since, until):
        cycle = phase.cycle
        on_panels = set(
            PanelSlot.objects.filter(panel_day__cycle=cycle).values_list("pct_id", flat=True)
        )
        waiting = [
            sa
            for pct_id, sa in sorted(_assessed(cycle.pk).items())
            if pct_id in on_panels and not _locked(sa)
        ]
        leads = _leads_by_sha(sa.pct.sha_id for sa in waiting)
        for sa in waiting:
            for lead in leads.get(sa.pct.sha_id, []):
                yield Outstanding(
                    person=lead,
                    thing=f"consensus:{sa.pk}",
                    title=f"The consensus for {sa.pct.name} ({cycle})",
                    deadline=phase.closes_on,
                    link=reverse("panels:consensus", args=[sa.pk]),
                )


def _locked(sa: SelfAssessment) -> bool:
    try:
        return sa.panel_result.is_locked
    except SelfAssessment.panel_result.RelatedObjectDoesNotExist:
        return False


# --- Phase 4: regional moderation (SHA lead) ---------------------------------------------


def unmoderated_regions(since: dt.date | None, until: dt.date) -> Iterator[Outstanding]:
    """The lead of each SHA with PCTs to calibrate that has recorded no regional moderation
    in the cycle while phase 4 is open. The product has no separate regional sign-off, so
    the first regional moderation is what counts as the region being taken in hand
    (docs/decisions.md, "Reminders")."""
    for phase in _phases(PhaseKind.CALIBRATION, since, until):
        cycle = phase.cycle
        regions = set(
            SelfAssessment.objects.filter(
                cycle=cycle, status__in=ASSESSED_STATUSES, panel_result__locked_at__isnull=False
            ).values_list("pct__sha_id", flat=True)
        )
        moderated = set(
            Moderation.objects.filter(
                consensus__cycle=cycle, stage=ModerationStage.REGIONAL
            ).values_list("consensus__self_assessment__pct__sha_id", flat=True)
        )
        link = reverse("panels:calibration", args=[cycle.pk])
        for sha_id, leads in sorted(_leads_by_sha(regions - moderated).items()):
            for lead in leads:
                yield Outstanding(
                    person=lead,
                    thing=f"region:{cycle.pk}:{sha_id}",
                    title=f"Regional moderation of {cycle} in {lead.sha}",
                    deadline=phase.closes_on,
                    link=link,
                )


register(
    ReminderKind(
        "self_assessment", "Self-assessment not yet submitted", unsubmitted_self_assessments
    )
)
register(ReminderKind("score_sheet", "Score sheet not yet submitted", unsubmitted_score_sheets))
register(ReminderKind("consensus", "Consensus not yet locked", unlocked_consensus))
register(ReminderKind("regional_moderation", "Region not yet moderated", unmoderated_regions))


# --- The due process (§8): challenges (SHA lead), rating reviews (DH) ---------------------

#: DH decide a rating review within this many days of the request (docs/decisions.md).
REVIEW_DECISION_DAYS = 28


def unanswered_challenges(since: dt.date | None, until: dt.date) -> Iterator[Outstanding]:
    """The SHA lead of each PCT with an unanswered factual accuracy challenge: publication
    waits for the answers, so the deadline is the check's close."""
    windows = AccuracyCheck.objects.filter(closes_on__lte=until)
    if since is not None:
        windows = windows.filter(closes_on__gte=since)
    closes = dict(windows.values_list("cycle_id", "closes_on"))
    challenges = list(
        Challenge.objects.filter(status=ChallengeStatus.UNANSWERED, cycle_id__in=closes)
        .select_related("pct", "cycle")
        .order_by("pk")
    )
    leads = _leads_by_sha(c.pct.sha_id for c in challenges)
    for challenge in challenges:
        for lead in leads.get(challenge.pct.sha_id, []):
            yield Outstanding(
                person=lead,
                thing=f"challenge:{challenge.pk}",
                title=f"{challenge.pct.name}'s factual accuracy challenge ({challenge.cycle})",
                deadline=closes[challenge.cycle_id],
                link=reverse("due_process:challenge", args=[challenge.pk]),
            )


def undecided_reviews(since: dt.date | None, until: dt.date) -> Iterator[Outstanding]:
    """Every DH staff member, for each rating review not yet decided."""
    days = dt.timedelta(days=REVIEW_DECISION_DAYS)
    reviews = RatingReview.objects.filter(
        status=ReviewStatus.PENDING, asked_at__date__lte=until - days
    )
    if since is not None:
        reviews = reviews.filter(asked_at__date__gte=since - days)
    reviews_list = list(reviews.select_related("pct", "publication__cycle").order_by("pk"))
    if not reviews_list:
        return
    dh = list(_active().filter(role=Role.DH_STAFF).order_by("pk"))
    for review in reviews_list:
        for person in dh:
            yield Outstanding(
                person=person,
                thing=f"review:{review.pk}",
                title=f"{review.pct.name}'s rating review ({review.publication.cycle})",
                deadline=review.asked_at.date() + days,
                link=reverse("due_process:review", args=[review.pk]),
            )


register(
    ReminderKind("challenge", "Factual accuracy challenge not yet answered", unanswered_challenges)
)
register(ReminderKind("rating_review", "Rating review not yet decided", undecided_reviews))
