"""Insight pages: a cycle's national picture in charts, each with its table and CSV (issue 16)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from assurance.access import insight as access
from assurance.access.cycles import get_cycle
from assurance.models import Cycle
from assurance.queries import insight as queries
from assurance.queries.publications import ILLUSTRATIVE, to_csv


def _insight(source: access.InsightSource) -> queries.Insight:
    if source.publication is not None:
        return queries.cached_published_insight(source.publication)
    assert source.assessments is not None
    return queries.live_insight(source.cycle, source.assessments, source.scope)


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    cycles = list(Cycle.objects.prefetch_related("phases").order_by("-year_label"))
    published = set(queries.published_cycles().values_list("pk", flat=True))
    visible = access.visible_cycles(request.user, cycles, published)
    return render(
        request,
        "assurance/insight/index.html",
        {"cycles": [(c, c.pk in published) for c in visible]},
    )


@require_GET
def cycle_insight(request: HttpRequest, slug: str) -> HttpResponse:
    source = access.insight_source(request.user, get_cycle(slug))
    insight = _insight(source)
    return render(
        request,
        "assurance/insight/cycle.html",
        {"insight": insight, "cycle": source.cycle, "charts": queries.charts(insight)},
    )


@require_GET
def chart_csv(request: HttpRequest, slug: str, chart: str) -> HttpResponse:
    if chart not in queries.CHARTS:
        raise Http404("No such chart")
    source = access.insight_source(request.user, get_cycle(slug))
    insight = _insight(source)
    if chart == "tiers" and insight.tiers is None:
        raise Http404("Tiers are set at publication")
    table = queries.table(insight, chart)
    if insight.illustrative:
        # Every exported row of the demo's figures says so (§7), as the league table's do.
        table = [[*table[0], "Data"], *([*line, ILLUSTRATIVE] for line in table[1:])]
    response = HttpResponse(to_csv(table), content_type="text/csv; charset=utf-8")
    name = f"wcc-insight-{source.cycle.slug}-{chart}"
    if source.publication is None:
        name += "-in-progress"
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response
