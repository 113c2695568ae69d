"""Factories for publications and what follows from them (issue 5 builds the real job)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from assurance import models as m
from freedoms import models as f
from tests.factories import CycleFactory

ALL_GREEN = {"strategy": "green", "finance": "green", "board": "green"}

# Competency levels by tier: what tiers.py would have put there (§4).
LEVELS = {
    "freedoms": {str(n): (4 if n <= 2 else 3) for n in range(1, 12)},
    "support": {str(n): (2 if n in {5, 6} else 3) for n in range(1, 12)},
    "notice": {str(n): (1 if n == 7 else 2) for n in range(1, 12)},
}
GOVERNANCE = {
    "freedoms": ALL_GREEN,
    "support": {"strategy": "amber", "finance": "green", "board": "green"},
    "notice": {"strategy": "red", "finance": "amber", "board": "green"},
}


class PublicationFactory(DjangoModelFactory):
    class Meta:
        model = m.Publication

    cycle = factory.SubFactory(CycleFactory, open_phase=5)
    version = 1
    status = m.PublicationStatus.COMPLETE
    completed_at = factory.LazyFunction(timezone.now)


def result(
    publication: m.Publication, pct: m.PCT, tier: str, rank: int = 1, **kw
) -> m.PublishedResult:
    levels = kw.pop("competency_levels", LEVELS[tier])
    governance = kw.pop("governance", GOVERNANCE[tier])
    return m.PublishedResult.objects.create(
        publication=publication,
        pct=pct,
        sha=pct.sha,
        rank=rank,
        mark=Decimal("50.00"),
        tier=tier,
        governance=governance,
        competency_levels=levels,
        governance_points=sum({"red": 0, "amber": 1, "green": 2}[v] for v in governance.values()),
        competency_points=Decimal(sum(levels.values())),
        **kw,
    )


def publish(
    tiers: dict[m.PCT, str], *, cycle: m.Cycle | None = None, version: int = 1
) -> m.Publication:
    """A complete publication with the given PCTs in the given tiers."""
    publication = PublicationFactory(**({"cycle": cycle} if cycle else {}), version=version)
    for rank, (pct, tier) in enumerate(tiers.items(), start=1):
        result(publication, pct, tier, rank=rank)
    return publication


def confirmed(tiers: dict[m.PCT, str], by: m.User, **kw) -> m.Publication:
    from freedoms.services import confirm_publication

    publication = publish(tiers, **kw)
    confirm_publication(publication, by=by)
    publication.refresh_from_db()
    return publication


class PlanActionFactory(DjangoModelFactory):
    class Meta:
        model = f.PlanAction

    description = factory.Sequence(lambda n: f"Action {n}")
    owner = "Director of Finance"
    due_on = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=30))
