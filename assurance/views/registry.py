"""The public registry: PCTs grouped by SHA, with a search that filters as you type."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from assurance.models import PCT, SHA
from assurance.queries import insight


@require_GET
def pct_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    pcts = PCT.objects.select_related("sha").order_by("sha__name", "name")
    if query:
        pcts = pcts.filter(
            Q(name__icontains=query) | Q(code__iexact=query) | Q(sha__name__icontains=query)
        )
    # 200 a page: the 152 PCTs of the WCC years fit on one; synthetic scale data pages.
    page = Paginator(pcts, 200).get_page(request.GET.get("page"))
    template = "assurance/registry/pct_list.html"
    if request.htmx:
        template += "#results"
    return render(request, template, {"page_obj": page, "pcts": page.object_list, "query": query})


@require_GET
def pct_detail(request: HttpRequest, code: str) -> HttpResponse:
    # The registry is public reference data: any PCT may be looked up by its ODS code.
    pct = get_object_or_404(PCT.objects.select_related("sha", "successor"), code=code.upper())
    return render(
        request,
        "assurance/registry/pct_detail.html",
        {
            "pct": pct,
            "predecessors": pct.predecessors.all(),
            "clusters": pct.clusters.all(),
            "years": insight.pct_years(pct.pk),
        },
    )


@require_GET
def sha_detail(request: HttpRequest, code: str) -> HttpResponse:
    sha = get_object_or_404(SHA, code=code.upper())
    return render(
        request, "assurance/registry/sha_detail.html", {"sha": sha, "pcts": sha.pcts.all()}
    )
