"""Reading the registry of PCTs and SHAs: public reference data (domain brief §1)."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from assurance.models import PCT, SHA


def pcts(sha_code: str = "") -> QuerySet[PCT]:
    """Every PCT, by SHA then name then code (a stable order for paging)."""
    rows = PCT.objects.select_related("sha", "successor").order_by("sha__name", "name", "code")
    return rows.filter(sha__code=sha_code) if sha_code else rows


def pct_by_code(code: str) -> PCT | None:
    return PCT.objects.select_related("sha", "successor").filter(code=code.upper()).first()


def shas() -> QuerySet[SHA]:
    return SHA.objects.annotate(pct_count=Count("pcts")).order_by("name", "code")
