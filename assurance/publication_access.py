"""Who may see which publication (issue 5, §6).

The public and PCT staff see only published (complete or superseded) publications; work
in progress and failed runs are DH staff's alone. Each function returns the object or
raises Http404, so another user's view of a draft looks like nothing is there.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from assurance.models import PCT, Cycle, Publication, PublicationStatus, PublishedResult

PUBLISHED = (PublicationStatus.COMPLETE, PublicationStatus.SUPERSEDED)


def is_dh(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_dh", False))


def visible_publications(user: Any) -> QuerySet[Publication]:
    publications = Publication.objects.select_related("cycle", "superseded_by")
    if is_dh(user):
        return publications
    return publications.filter(status__in=PUBLISHED)


def get_publication_for_user(user: Any, pk: int) -> Publication:
    publication = visible_publications(user).filter(pk=pk).first()
    if publication is None:
        raise Http404("No such publication")
    return publication


def get_result_for_user(user: Any, publication: Publication, code: str) -> PublishedResult:
    """A PCT's published result. Published results are public (§6 "the public: see
    published league tables and reports"), so any PCT of a visible publication may be read.
    """
    result = (
        PublishedResult.objects.select_related("pct", "sha")
        .filter(publication=publication, pct__code=code.upper())
        .first()
    )
    if result is None:
        raise Http404("No such PCT in this publication")
    return result


def get_cycle_for_publisher(user: Any, pk: int) -> Cycle:
    if not is_dh(user):
        raise Http404("Only DH staff publish")
    cycle = Cycle.objects.prefetch_related("phases").filter(pk=pk).first()
    if cycle is None:
        raise Http404("No such cycle")
    return cycle


def get_pct(code: str) -> PCT:
    pct = PCT.objects.select_related("sha").filter(code=code.upper()).first()
    if pct is None:
        raise Http404("No such PCT")
    return pct
