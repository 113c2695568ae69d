"""Cycles are public; who may act on one (domain brief §3, §6)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from assurance.models import (
    Cycle,
    PhaseKind,
    PhaseStatus,
)


def cycle_slug(cycle: Cycle) -> str:
    """URL form of a year label: ``2009/10`` → ``2009-10``."""
    return cycle.slug


def get_cycle(slug: str) -> Cycle:
    """A cycle by its URL slug (cycles themselves are not secret), phases prefetched."""
    try:
        return (
            Cycle.objects.select_related("framework")
            .prefetch_related("phases")
            .get(year_label=slug.replace("-", "/"))
        )
    except Cycle.DoesNotExist as exc:
        raise Http404("No such cycle") from exc


def require_dh(user: Any) -> None:
    """DH-only pages (cycle management, reopening a submission)."""
    if not (user.is_authenticated and user.is_dh):
        raise PermissionDenied("Only DH staff can do this.")


def assessors_may_read(cycle: Cycle) -> bool:
    """SHA assessors read submissions from phase 2 (plans analysed) onwards (§3)."""
    return any(
        p.kind >= PhaseKind.PLANS_ANALYSED and p.status != PhaseStatus.SCHEDULED
        for p in cycle.phases.all()
    )


def current_self_assessment_cycle() -> Cycle | None:
    """The cycle whose self-assessment phase is open, else the most recent cycle."""
    cycles = Cycle.objects.select_related("framework").prefetch_related("phases")
    open_one = cycles.filter(
        phases__kind=PhaseKind.SELF_ASSESSMENT, phases__status=PhaseStatus.OPEN
    ).first()
    return open_one or cycles.order_by("-year_label").first()
