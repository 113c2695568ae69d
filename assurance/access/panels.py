"""Who may see and do what on panel days, scoring, consensus and calibration (domain brief §6).

Functions return the object, or raise Http404 so another SHA's or PCT's URL reveals
nothing. SHA assessors and leads see their SHA's PCTs; external peer experts only the
PCTs on panel days they sit on; DH staff see everything; PCT staff see their own
panel's consensus only after publication.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Exists, Max, OuterRef, QuerySet
from django.http import Http404

from assurance.access.cycles import assessors_may_read
from assurance.models import (
    ASSESSED_STATUSES,
    Consensus,
    Cycle,
    PanelDay,
    PanelResult,
    PanelSlot,
    PhaseKind,
    PhaseStatus,
    Publication,
    PublicationStatus,
    SelfAssessment,
)


def sits_on_panel_for(user: Any) -> Exists:
    """SQL: the user is a member of a panel day with a slot for this self-assessment's PCT."""
    return Exists(
        PanelSlot.objects.filter(
            pct=OuterRef("pct"),
            panel_day__cycle=OuterRef("cycle"),
            panel_day__members=user,
        )
    )


def panel_days_for_user(user: Any) -> QuerySet[PanelDay]:
    days = PanelDay.objects.select_related("sha", "cycle", "chair")
    if user.is_dh:
        return days
    if user.is_peer_expert:
        return days.filter(members=user)
    if user.is_sha_user:
        return days.filter(sha_id=user.sha_id)
    return days.none()


def get_panel_day_for_user(user: Any, pk: int) -> PanelDay:
    try:
        return panel_days_for_user(user).get(pk=pk)
    except PanelDay.DoesNotExist:
        raise Http404("No such panel day") from None


def get_panel_day_for_lead(user: Any, pk: int) -> PanelDay:
    """Only the SHA lead of the panel day's SHA arranges it."""
    day = get_panel_day_for_user(user, pk)
    if not (user.is_sha_lead and day.sha_id == user.sha_id):
        raise Http404("No such panel day")
    return day


def get_slot_for_lead(user: Any, pk: int) -> PanelSlot:
    """A slot of a panel day the user leads (else 404, as for the day)."""
    slot = PanelSlot.objects.select_related("panel_day", "pct").filter(pk=pk).first()
    if slot is None:
        raise Http404("No such slot")
    get_panel_day_for_lead(user, slot.panel_day_id)
    return slot


def reviewable_self_assessments(user: Any, cycle: Cycle) -> QuerySet[SelfAssessment]:
    """Submitted self-assessments the user may open to review, score or moderate."""
    qs = SelfAssessment.objects.filter(cycle=cycle, status__in=ASSESSED_STATUSES).select_related(
        "pct", "pct__sha", "cycle"
    )
    if user.is_dh:
        return qs
    if not assessors_may_read(cycle):
        return qs.none()
    if user.is_peer_expert:
        return qs.filter(sits_on_panel_for(user), pct__sha_id=user.sha_id)
    if user.is_sha_user:
        return qs.filter(pct__sha_id=user.sha_id)
    return qs.none()


def get_self_assessment_for_reviewer(user: Any, pk: int) -> SelfAssessment:
    qs = SelfAssessment.objects.filter(status__in=ASSESSED_STATUSES).select_related(
        "pct", "pct__sha", "cycle", "cycle__framework"
    )
    if user.is_dh:
        pass
    elif user.is_peer_expert:
        qs = qs.filter(sits_on_panel_for(user), pct__sha_id=user.sha_id)
    elif user.is_sha_user:
        qs = qs.filter(pct__sha_id=user.sha_id)
    else:
        raise Http404("No such self-assessment")
    try:
        sa = qs.get(pk=pk)
    except SelfAssessment.DoesNotExist:
        raise Http404("No such self-assessment") from None
    if not user.is_dh and not assessors_may_read(sa.cycle):
        raise Http404("Assessors read self-assessments from phase 2")
    return sa


def get_self_assessment_for_panel_member(user: Any, pk: int) -> SelfAssessment:
    """Only members of the panel day holding the PCT's slot score it."""
    sa = get_self_assessment_for_reviewer(user, pk)
    if not user.is_sha_user or not sits_on_panel(user, sa):
        raise Http404("You are not on this PCT's panel")
    return sa


def get_self_assessment_for_lead(user: Any, pk: int) -> SelfAssessment:
    """The SHA lead of the PCT's SHA sets consensus and moderates regionally."""
    sa = get_self_assessment_for_reviewer(user, pk)
    if not (user.is_sha_lead and sa.pct.sha_id == user.sha_id):
        raise Http404("No such self-assessment")
    return sa


PUBLISHED_STATUSES = [PublicationStatus.COMPLETE, PublicationStatus.SUPERSEDED]


def is_published(cycle: Cycle) -> bool:
    return Publication.objects.filter(cycle=cycle, status__in=PUBLISHED_STATUSES).exists()


def published_as_of(cycle: Cycle) -> datetime | None:
    """When the latest published version of ``cycle`` froze its results (None: never).

    PCT staff see their panel result as of then: a moderation made since shows only
    once a new version is published.
    """
    return (
        Publication.objects.filter(cycle=cycle, status__in=PUBLISHED_STATUSES)
        .aggregate(at=Max("computed_at"))
        .get("at")
    )


def get_self_assessment_for_result(user: Any, pk: int) -> SelfAssessment:
    """The results page: assessors and DH as for review; PCT staff their own, once published."""
    if user.is_pct_user:
        try:
            sa = SelfAssessment.objects.select_related("pct", "pct__sha", "cycle").get(
                pk=pk, pct_id=user.pct_id, status__in=ASSESSED_STATUSES
            )
        except SelfAssessment.DoesNotExist:
            raise Http404("No such self-assessment") from None
        if not is_published(sa.cycle):
            raise Http404("Not published yet")
        return sa
    return get_self_assessment_for_reviewer(user, pk)


def get_consensus_for_moderator(user: Any, pk: int) -> Consensus:
    """Regional moderation: the SHA lead of the PCT's SHA; national: DH staff."""
    qs = Consensus.objects.select_related(
        "self_assessment__pct__sha", "self_assessment__cycle", "competency", "criterion"
    )
    if user.is_dh:
        pass
    elif user.is_sha_lead:
        qs = qs.filter(self_assessment__pct__sha_id=user.sha_id)
    else:
        raise Http404("No such score")
    try:
        return qs.get(pk=pk)
    except Consensus.DoesNotExist:
        raise Http404("No such score") from None


def calibration_open(cycle: Cycle) -> bool:
    """Calibration pages show from phase 4 (calibration) onwards (§3).

    Before then a lead would see the national distribution of consensus beside their own
    SHA's and learn the other SHAs' by subtraction (issue 13, finding 8).
    """
    return any(
        p.kind >= PhaseKind.CALIBRATION and p.status != PhaseStatus.SCHEDULED
        for p in cycle.phases.all()
    )


def require_calibration_open(user: Any, cycle: Cycle) -> None:
    """404 for SHA leads before phase 4; DH staff see every SHA's scores in any phase."""
    if not user.is_dh and not calibration_open(cycle):
        raise Http404("Calibration opens in phase 4")


def calibration_shas_for_user(user: Any) -> list[int] | None:
    """Which SHAs' regional calibration a user may act on (None: all, DH staff)."""
    if user.is_dh:
        return None
    if user.is_sha_lead:
        return [user.sha_id]
    raise Http404("Calibration is for SHA leads and DH staff")


def require_sha_lead(user: Any) -> None:
    """Only an SHA lead schedules panel days (for their own SHA)."""
    if not user.is_sha_lead:
        raise Http404("Panel days are scheduled by SHA leads")


def require_panel_reader(user: Any) -> None:
    """SHA people and DH staff see the panels index of a cycle (PCT staff see their own page)."""
    if not (user.is_sha_user or user.is_dh):
        raise Http404


def may_write_review_notes(user: Any, sa: SelfAssessment) -> bool:
    """The PCT's SHA assessors write phase 2 review notes while phase 2 is open."""
    return (
        user.is_sha_user
        and sa.pct.sha_id == user.sha_id
        and sa.cycle.is_phase_open(PhaseKind.PLANS_ANALYSED)
    )


def sits_on_panel(user: Any, sa: SelfAssessment) -> bool:
    return PanelSlot.objects.filter(
        pct_id=sa.pct_id, panel_day__cycle_id=sa.cycle_id, panel_day__members=user
    ).exists()


def may_moderate(user: Any, sa: SelfAssessment) -> bool:
    """The PCT's SHA lead (regional) or DH staff (national), in phase 4, once locked."""
    return (
        (user.is_dh or (user.is_sha_lead and user.sha_id == sa.pct.sha_id))
        and sa.cycle.is_phase_open(PhaseKind.CALIBRATION)
        and PanelResult.objects.filter(self_assessment=sa, locked_at__isnull=False).exists()
    )


def leads_panel_day(user: Any, day: PanelDay) -> bool:
    return bool(user.is_sha_lead and user.sha_id == day.sha_id)
