"""Consensus results for publication tests (issue 5), built set-based with bulk_create.

The panel and moderation screens (issue 4) are what fill Consensus rows in the product;
tests of publishing build them directly.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from decimal import Decimal

from assurance import models as m
from tests.factories import CycleFactory

GREEN = {"strategy": "green", "finance": "green", "board": "green"}


def publishing_cycle(year_label: str = "2009/10", previous: m.Cycle | None = None) -> m.Cycle:
    """A cycle with phase 5 (publication) open."""
    cycle = CycleFactory(year_label=year_label, open_phase=m.PhaseKind.PUBLICATION)
    if previous is not None:
        cycle.previous = previous
        cycle.save(update_fields=["previous"])
    return cycle


def give_results(
    cycle: m.Cycle,
    pct: m.PCT,
    levels: Iterable[int],
    governance: dict[str, str] | None = None,
    outcomes: Iterable[tuple[str, str, str, str]] = (),
) -> m.SelfAssessment:
    """A submitted self-assessment with a consensus for every item.

    ``outcomes``: (baseline, target, actual, direction) per chosen outcome.
    """
    sa, _ = m.SelfAssessment.objects.update_or_create(
        cycle=cycle, pct=pct, defaults={"status": m.SelfAssessmentStatus.SUBMITTED}
    )
    comps = list(m.Competency.objects.filter(framework=cycle.framework).order_by("number"))
    rows = [
        m.Consensus(self_assessment=sa, cycle_id=sa.cycle_id, competency=c, level=level)
        for c, level in zip(comps, levels, strict=False)
    ]
    rows += [
        m.Consensus(self_assessment=sa, cycle_id=sa.cycle_id, governance_area=area, rating=rating)
        for area, rating in (governance or GREEN).items()
    ]
    indicators = list(m.OutcomeIndicator.objects.order_by("pk"))
    for indicator, (baseline, target, actual, direction) in zip(indicators, outcomes, strict=False):
        chosen = m.ChosenOutcome.objects.create(
            self_assessment=sa,
            indicator=indicator,
            baseline=Decimal(baseline),
            target=Decimal(target),
            direction=direction,
        )
        rows.append(
            m.Consensus(
                self_assessment=sa,
                cycle_id=sa.cycle_id,
                chosen_outcome=chosen,
                actual=Decimal(actual),
            )
        )
    m.Consensus.objects.bulk_create(rows)
    return sa


ON_TRAJECTORY = ("10", "8", "7", "lower")
IMPROVED = ("10", "8", "9", "lower")
NOT_IMPROVED = ("10", "8", "11", "lower")


def give_everyone_results(cycle: m.Cycle, pcts: Iterable[m.PCT] | None = None, seed: int = 1):
    """Varied, deterministic results for many PCTs (all 152 by default)."""
    rng = random.Random(seed)
    count = m.Competency.objects.filter(framework=cycle.framework).count()
    for pct in pcts if pcts is not None else m.PCT.objects.order_by("code"):
        give_results(
            cycle,
            pct,
            [rng.choice([1, 2, 2, 3, 3, 3, 4]) for _ in range(count)],
            {a: rng.choice(["red", "amber", "amber", "green", "green"]) for a in GREEN},
            [rng.choice([ON_TRAJECTORY, IMPROVED, NOT_IMPROVED]) for _ in range(2)],
        )
