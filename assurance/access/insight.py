"""Who may see a cycle's insight pages, and from what (issue 16, part 4; domain brief §6).

No rulebook of its own: a published cycle is public as its league table is
(``access.publications``); a cycle in progress shows SHA staff and DH the panel values they
may already see, over exactly the self-assessments ``access.panels.
reviewable_self_assessments`` lets them review — SHA staff their own SHA's PCTs (from phase
2), DH every PCT. External peer experts see single panels, not a region's figures; PCT
staff and the public see nothing of a cycle before it is published. Anyone else: 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from assurance.access.cycles import assessors_may_read
from assurance.access.panels import reviewable_self_assessments
from assurance.access.publications import is_dh
from assurance.models import Cycle, Publication, PublicationStatus, SelfAssessment


@dataclass
class InsightSource:
    """Where a person's figures for a cycle come from: a publication, or live panel values."""

    cycle: Cycle
    publication: Publication | None = None
    assessments: QuerySet[SelfAssessment] | None = None
    scope: str = "England"


def current_publication(cycle: Cycle) -> Publication | None:
    """The cycle's current published version (complete, the newest), if any: public (§6)."""
    return (
        Publication.objects.filter(cycle=cycle, status=PublicationStatus.COMPLETE)
        .select_related("cycle")
        .order_by("-version")
        .first()
    )


def may_see_live(user: Any) -> bool:
    """SHA staff and DH see a cycle in progress (peer experts and PCT staff do not)."""
    return bool(getattr(user, "is_authenticated", False) and (user.is_dh or user.is_sha_staff))


def insight_source(user: Any, cycle: Cycle) -> InsightSource:
    """The figures ``user`` may see for ``cycle``, or 404."""
    publication = current_publication(cycle)
    if publication is not None:
        return InsightSource(cycle=cycle, publication=publication)
    if not may_see_live(user):
        raise Http404("Not published yet")
    if not is_dh(user) and not assessors_may_read(cycle):
        raise Http404("Not published yet")
    return InsightSource(
        cycle=cycle,
        assessments=reviewable_self_assessments(user, cycle),
        scope="England" if is_dh(user) else user.sha.name,
    )


def visible_cycles(user: Any, cycles: list[Cycle], published_ids: set[int]) -> list[Cycle]:
    """The cycles whose insight ``user`` may open: published ones, and for SHA staff and DH
    the cycles in progress whose scores they may read."""
    live = may_see_live(user)
    return [
        c
        for c in cycles
        if c.pk in published_ids or (live and (is_dh(user) or assessors_may_read(c)))
    ]
