"""Draft results ready for the factual accuracy check and published ones for review (§8)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from assurance import models as m
from assurance.services import due_process
from tests.assurance.publication_factories import give_results, publishing_cycle

OPENS_ON = dt.date(2010, 7, 1)  # a Thursday: 10 working days close on Wednesday 14 July


def locked_results(cycle: m.Cycle, pct: m.PCT, levels=(2, 3, 3, 2, 3, 3, 2, 3, 3, 2, 3), **kw):
    """A PCT's panel result, every item agreed and locked, ready for calibration or later."""
    sa = give_results(cycle, pct, levels, **kw)
    m.PanelResult.objects.update_or_create(
        self_assessment=sa, defaults={"locked_at": timezone.now()}
    )
    return sa


def checking_cycle(dora: m.User, pcts, year_label: str = "2009/10") -> m.Cycle:
    """Calibration done, phase 5 open, the factual accuracy check open from 1 July 2010."""
    cycle = publishing_cycle(year_label)
    for pct in pcts:
        locked_results(cycle, pct)
    due_process.open_accuracy_check(dora, cycle, opens_on=OPENS_ON)
    return cycle


def item(sa: m.SelfAssessment, number: int = 1) -> m.Consensus:
    return m.Consensus.objects.select_related("self_assessment__pct", "competency").get(
        self_assessment=sa, competency__number=number, criterion__isnull=True
    )


def area(sa: m.SelfAssessment, name: str = "finance") -> m.Consensus:
    return m.Consensus.objects.select_related("self_assessment__pct").get(
        self_assessment=sa, governance_area=name
    )
