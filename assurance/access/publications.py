"""Who may see which publication (issue 5, §6).

The public and PCT staff see only published (complete or superseded) publications; work
in progress and failed runs are DH staff's alone. Each function returns the object or
raises Http404, so another user's view of a draft looks like nothing is there.
"""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.db.models import QuerySet
from django.http import Http404

from assurance.models import Cycle, LeftOut, Publication, PublicationStatus, PublishedResult

PUBLISHED = (PublicationStatus.COMPLETE, PublicationStatus.SUPERSEDED)
PUBLISHED_CACHE_SECONDS = 60 * 60


def is_dh(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_dh", False))


def visible_publications(user: Any) -> QuerySet[Publication]:
    publications = Publication.objects.select_related("cycle", "superseded_by")
    if is_dh(user):
        return publications
    return publications.filter(status__in=PUBLISHED)


def _cache_key(pk: int) -> str:
    return f"published-publication:{pk}"


def get_publication_for_user(user: Any, pk: int) -> Publication:
    """A publication the user may read, or 404.

    Published versions never stop being public (superseded ones stay readable), so for
    everyone but DH staff a published row is cached: the public league table then needs
    no query at all. Superseding a version forgets it (:func:`forget_publication`).
    """
    dh = is_dh(user)
    if not dh:
        cached = cache.get(_cache_key(pk))
        if cached is not None:
            return cached  # type: ignore[no-any-return]
    publication = visible_publications(user).filter(pk=pk).first()
    if publication is None:
        raise Http404("No such publication")
    if publication.status in PUBLISHED:
        cache.set(_cache_key(pk), publication, PUBLISHED_CACHE_SECONDS)
    return publication


def forget_publication(pk: int) -> None:
    cache.delete(_cache_key(pk))


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


def get_left_out_for_publisher(user: Any, pk: int) -> LeftOut:
    if not is_dh(user):
        raise Http404("Only DH staff publish")
    row = LeftOut.objects.select_related("cycle", "pct").filter(pk=pk).first()
    if row is None:
        raise Http404("No such PCT left out")
    return row
