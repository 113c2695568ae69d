"""Factories for panel tests: submitted self-assessments, panel days with slots, full sheets.

Self-assessments are made directly (issue 3 owns editing them); these only build the
state a panel needs: a submitted self-assessment with self ratings and chosen outcomes.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from assurance import models as m
from assurance.queries.panel_items import ACTUAL, LEVEL, RATING, panel_items
from tests.factories import CycleFactory


def panel_cycle(open_phase: int = 3, year_label: str = "2009/10") -> m.Cycle:
    return CycleFactory(year_label=year_label, open_phase=open_phase)


def set_phase(cycle: m.Cycle, kind: int) -> m.Cycle:
    """Open phase ``kind`` and close the ones before it."""
    for phase in cycle.phases.all():
        phase.status = (
            m.PhaseStatus.OPEN
            if phase.kind == kind
            else m.PhaseStatus.CLOSED
            if phase.kind < kind
            else m.PhaseStatus.SCHEDULED
        )
        phase.save()
    return m.Cycle.objects.get(pk=cycle.pk)


def submitted_self_assessment(
    cycle: m.Cycle,
    pct: m.PCT,
    *,
    self_level: int = 3,
    self_rating: str = "green",
    outcomes: int = 1,
) -> m.SelfAssessment:
    sa = m.SelfAssessment.objects.create(
        cycle=cycle,
        pct=pct,
        status=m.SelfAssessmentStatus.SUBMITTED,
        submitted_at=timezone.now(),
        board_ratified_on=dt.date(2009, 12, 10),
    )
    for competency in m.Competency.objects.filter(framework=cycle.framework):
        criteria = list(competency.criteria.all())
        for criterion in criteria or [None]:
            m.CompetencyRating.objects.create(
                self_assessment=sa,
                competency=competency,
                criterion=criterion,
                level=self_level,
                evidence="Evidence.",
            )
    for area in m.GovernanceArea.values:
        m.GovernanceDeclaration.objects.create(self_assessment=sa, area=area, rating=self_rating)
    for indicator in m.OutcomeIndicator.objects.order_by("code")[:outcomes]:
        m.ChosenOutcome.objects.create(
            self_assessment=sa,
            indicator=indicator,
            baseline=Decimal("20"),
            target=Decimal("18"),
            direction=m.Direction.LOWER,
        )
    return sa


def draft_self_assessment(cycle: m.Cycle, pct: m.PCT) -> m.SelfAssessment:
    return m.SelfAssessment.objects.create(cycle=cycle, pct=pct)


def panel_day(
    cycle: m.Cycle,
    sha: m.SHA,
    members: list[m.User],
    *,
    date: dt.date = dt.date(2010, 4, 20),
    slots: list[tuple[m.PCT, str, str]] = (),
) -> m.PanelDay:
    day = m.PanelDay.objects.create(cycle=cycle, sha=sha, date=date, venue="Skipton House")
    day.members.set(members)
    for pct, start, end in slots:
        m.PanelSlot.objects.create(
            panel_day=day,
            pct=pct,
            starts_at=dt.time.fromisoformat(start),
            ends_at=dt.time.fromisoformat(end),
        )
    return day


def full_values(
    sa: m.SelfAssessment, level: int = 2, rating: str = "amber", actual: str = "17.5"
) -> dict[str, tuple[object, str]]:
    """A value and rationale for every item of the panel."""
    value = {LEVEL: level, RATING: rating, ACTUAL: Decimal(actual)}
    return {item.key: (value[item.kind], f"Because {item.label}.") for item in panel_items(sa)}


def bulk_assess(cycle: m.Cycle, pcts: list[m.PCT], seed: int = 1) -> None:
    """Submitted self-assessments with self levels and consensus for every competency and
    governance area, in bulk (query-count tests at 152 and 1,520 PCTs)."""
    import random

    rng = random.Random(seed)
    m.SelfAssessment.objects.bulk_create(
        m.SelfAssessment(cycle=cycle, pct=p, status=m.SelfAssessmentStatus.SUBMITTED) for p in pcts
    )
    sas = list(m.SelfAssessment.objects.filter(cycle=cycle, pct__in=pcts))
    competencies = list(m.Competency.objects.filter(framework=cycle.framework))
    ratings, declarations, consensus = [], [], []
    for sa in sas:
        for c in competencies:
            level = rng.choice([1, 2, 2, 3])
            ratings.append(
                m.CompetencyRating(
                    self_assessment=sa, cycle_id=sa.cycle_id, competency=c, level=min(4, level + 1)
                )
            )
            consensus.append(
                m.Consensus(
                    self_assessment=sa,
                    cycle_id=sa.cycle_id,
                    competency=c,
                    level=level,
                    rationale="r",
                )
            )
        for area in m.GovernanceArea.values:
            rating = rng.choice(["red", "amber", "green"])
            declarations.append(
                m.GovernanceDeclaration(
                    self_assessment=sa, cycle_id=sa.cycle_id, area=area, rating="green"
                )
            )
            consensus.append(
                m.Consensus(
                    self_assessment=sa,
                    cycle_id=sa.cycle_id,
                    governance_area=area,
                    rating=rating,
                    rationale="r",
                )
            )
    m.CompetencyRating.objects.bulk_create(ratings, batch_size=2000)
    m.GovernanceDeclaration.objects.bulk_create(declarations, batch_size=2000)
    m.Consensus.objects.bulk_create(consensus, batch_size=2000)
