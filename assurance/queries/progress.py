"""What is left to do in a cycle: counts per phase for DH, a region's submissions for its SHA,
an assessor's own sheets and panel days. Set-based: a fixed number of queries at any size."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from assurance.models import (
    PCT,
    ChosenOutcome,
    CompetencyRating,
    Consensus,
    Criterion,
    Cycle,
    EvidenceDocument,
    GovernanceArea,
    GovernanceDeclaration,
    PanelDay,
    PanelResult,
    PanelScore,
    PanelSlot,
    PhaseKind,
    ScoreSheet,
    SelfAssessment,
    SelfAssessmentStatus,
)
from assurance.models.self_assessment import ASSESSED_STATUSES


@dataclass(frozen=True)
class SelfAssessmentCounts:
    """Phase 1: every PCT of the cycle is in exactly one of these."""

    submitted: int
    in_progress: int
    not_started: int
    not_submitted: int

    @property
    def total(self) -> int:
        return self.submitted + self.in_progress + self.not_started + self.not_submitted

    @property
    def outstanding(self) -> int:
        return self.in_progress + self.not_started


@dataclass(frozen=True)
class PanelCounts:
    """Phase 2: panels booked, score sheets, consensus and locked results."""

    assessed: int  # self-assessments a panel assesses (submitted or marked not submitted)
    booked: int  # of those, with a panel slot
    sheets_submitted: int
    sheets_open: int
    locked: int
    items_unscored: int  # items of assessed self-assessments without a consensus

    @property
    def not_booked(self) -> int:
        return self.assessed - self.booked

    @property
    def not_locked(self) -> int:
        return self.assessed - self.locked


@dataclass(frozen=True)
class CycleProgress:
    pcts: int
    self_assessment: SelfAssessmentCounts
    panels: PanelCounts


def _pcts(cycle: Cycle, sha_ids: list[int] | None) -> QuerySet[PCT]:
    """PCTs open during the cycle's self-assessment phase (closed PCTs never take part)."""
    phase = next((p for p in cycle.phases.all() if p.kind == PhaseKind.SELF_ASSESSMENT), None)
    pcts = PCT.objects.all()
    if phase is not None:
        pcts = pcts.filter(
            Q(opened_on__isnull=True) | Q(opened_on__lte=phase.closes_on),
            Q(closed_on__isnull=True) | Q(closed_on__gte=phase.closes_on),
        )
    if sha_ids is not None:
        pcts = pcts.filter(sha_id__in=sha_ids)
    return pcts


def _started() -> Q:
    """A draft with anything typed or uploaded in it."""
    return Q(
        Exists(CompetencyRating.objects.filter(self_assessment=OuterRef("pk")))
        | Exists(GovernanceDeclaration.objects.filter(self_assessment=OuterRef("pk")))
        | Exists(ChosenOutcome.objects.filter(self_assessment=OuterRef("pk")))
        | Exists(EvidenceDocument.objects.filter(self_assessment=OuterRef("pk")))
    )


def self_assessment_counts(cycle: Cycle, sha_ids: list[int] | None = None) -> SelfAssessmentCounts:
    """Two queries: the PCTs taking part, and the self-assessments by status."""
    pcts = _pcts(cycle, sha_ids).count()
    sas = SelfAssessment.objects.filter(cycle=cycle)
    if sha_ids is not None:
        sas = sas.filter(pct__sha_id__in=sha_ids)
    counts = sas.aggregate(
        submitted=Count("pk", filter=Q(status=SelfAssessmentStatus.SUBMITTED)),
        not_submitted=Count("pk", filter=Q(status=SelfAssessmentStatus.NOT_SUBMITTED)),
        in_progress=Count("pk", filter=Q(status=SelfAssessmentStatus.DRAFT) & _started()),
    )
    started_or_done = counts["submitted"] + counts["not_submitted"] + counts["in_progress"]
    return SelfAssessmentCounts(
        submitted=counts["submitted"],
        in_progress=counts["in_progress"],
        not_started=max(pcts - started_or_done, 0),
        not_submitted=counts["not_submitted"],
    )


def panel_counts(cycle: Cycle, sha_ids: list[int] | None = None) -> PanelCounts:
    """Four queries: assessed self-assessments with bookings and locks, sheets, items, consensus."""
    assessed = SelfAssessment.objects.filter(cycle=cycle, status__in=ASSESSED_STATUSES)
    if sha_ids is not None:
        assessed = assessed.filter(pct__sha_id__in=sha_ids)
    row = assessed.aggregate(
        assessed=Count("pk"),
        booked=Count(
            "pk",
            filter=Q(Exists(PanelSlot.objects.filter(pct=OuterRef("pct"), panel_day__cycle=cycle))),
        ),
        locked=Count(
            "pk",
            filter=Q(
                Exists(
                    PanelResult.objects.filter(
                        self_assessment=OuterRef("pk"), locked_at__isnull=False
                    )
                )
            ),
        ),
        outcomes=Count("chosen_outcomes", distinct=True),
    )
    sheets = ScoreSheet.objects.filter(self_assessment__in=assessed).aggregate(
        submitted=Count("pk", filter=Q(submitted_at__isnull=False)),
        open=Count("pk", filter=Q(submitted_at__isnull=True)),
    )
    framework = cycle.framework_id
    slots = (
        Criterion.objects.filter(competency__framework_id=framework).count()
        + cycle.framework.competencies.filter(criteria__isnull=True).count()
    )
    items = row["assessed"] * (slots + len(GovernanceArea)) + row["outcomes"]
    scored = Consensus.objects.filter(self_assessment__in=assessed).count()
    return PanelCounts(
        assessed=row["assessed"],
        booked=row["booked"],
        sheets_submitted=sheets["submitted"],
        sheets_open=sheets["open"],
        locked=row["locked"],
        items_unscored=max(items - scored, 0),
    )


def cycle_progress(cycle: Cycle, sha_ids: list[int] | None = None) -> CycleProgress:
    return CycleProgress(
        pcts=_pcts(cycle, sha_ids).count(),
        self_assessment=self_assessment_counts(cycle, sha_ids),
        panels=panel_counts(cycle, sha_ids),
    )


def region_submissions(cycle: Cycle, sha_id: int) -> list[dict[str, Any]]:
    """Each PCT of a region with where its self-assessment stands (status only, no content):
    what an SHA lead needs during phase 1 to know whom to chase. One query."""
    sas = SelfAssessment.objects.filter(cycle=cycle, pct=OuterRef("pk"))
    rows = (
        _pcts(cycle, [sha_id])
        .annotate(
            sa_status=sas.values("status")[:1],
            submitted_at=sas.values("submitted_at")[:1],
            started=Exists(sas.filter(status=SelfAssessmentStatus.DRAFT).filter(_started())),
        )
        .order_by("name")
        .values("code", "name", "sa_status", "submitted_at", "started")
    )
    result = []
    for r in rows:
        if r["sa_status"] == SelfAssessmentStatus.SUBMITTED:
            state = "submitted"
        elif r["sa_status"] == SelfAssessmentStatus.NOT_SUBMITTED:
            state = "not_submitted"
        elif r["started"]:
            state = "in_progress"
        else:
            state = "not_started"
        result.append({**r, "state": state})
    return result


@dataclass(frozen=True)
class MySheet:
    self_assessment: SelfAssessment
    state: str  # "to_do" | "saved" | "submitted"
    panel_date: Any


def my_sheets(user: Any, cycle: Cycle) -> list[MySheet]:
    """The score sheets a panel member owes: one per PCT on a panel day they sit on. One query."""
    slots = PanelSlot.objects.filter(
        pct=OuterRef("pct"), panel_day__cycle=cycle, panel_day__members=user
    )
    mine = ScoreSheet.objects.filter(self_assessment=OuterRef("pk"), assessor=user)
    sas = (
        SelfAssessment.objects.filter(cycle=cycle, status__in=ASSESSED_STATUSES)
        .annotate(
            panel_date=slots.order_by("panel_day__date").values("panel_day__date")[:1],
            submitted=Exists(mine.filter(submitted_at__isnull=False)),
            saved=Exists(
                PanelScore.objects.filter(
                    sheet__self_assessment=OuterRef("pk"), sheet__assessor=user
                )
            ),
        )
        .filter(panel_date__isnull=False)
        .select_related("pct")
        .order_by("panel_date", "pct__name")
    )
    return [
        MySheet(
            sa,
            "submitted" if sa.submitted else "saved" if sa.saved else "to_do",
            sa.panel_date,
        )
        for sa in sas
    ]


def my_panel_days(user: Any, cycle: Cycle) -> QuerySet[PanelDay]:
    return (
        PanelDay.objects.filter(cycle=cycle, members=user)
        .select_related("sha")
        .annotate(pcts=Count("slots", distinct=True))
        .order_by("date")
    )
