"""Publication pages: DH publishes and watches progress; everyone reads what is published."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseStopPolling

from assurance import league
from assurance import publication_access as access
from assurance.models import SHA, Cycle, DocumentStatus, PhaseKind, PublicationStatus, Tier
from assurance.services import publication as service

SORT_COLUMNS = [
    ("rank", "Rank"),
    ("pct", "PCT"),
    ("sha", "SHA"),
    ("mark", "Mark"),
    ("movement", "Movement"),
]
TERMINAL = {PublicationStatus.COMPLETE, PublicationStatus.FAILED, PublicationStatus.SUPERSEDED}


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    publications = access.visible_publications(request.user).order_by(
        "-cycle__year_label", "-version"
    )
    cycles = (
        Cycle.objects.prefetch_related("phases").order_by("-year_label")
        if access.is_dh(request.user)
        else []
    )
    return render(
        request,
        "assurance/publications/index.html",
        {"publications": publications, "cycles": cycles},
    )


@login_required
@require_http_methods(["GET", "POST"])
def publish(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = access.get_cycle_for_publisher(request.user, cycle_id)
    error = ""
    if request.method == "POST":
        try:
            publication, created = service.start_publication(cycle, request.user)
        except service.PublicationError as exc:
            error = str(exc)
        else:
            if not created:
                messages.info(request, f"Version {publication.version} is already under way.")
            return redirect("publications:progress", pk=publication.pk)
    return render(
        request,
        "assurance/publications/publish.html",
        {
            "cycle": cycle,
            "phase_open": cycle.is_phase_open(PhaseKind.PUBLICATION),
            "publications": cycle.publications.order_by("-version"),
            "settings": service.rule_settings(cycle).as_dict(),
            "error": error,
        },
        status=400 if error else 200,
    )


@login_required
@require_GET
def progress(request: HttpRequest, pk: int) -> HttpResponse:
    if not access.is_dh(request.user):
        raise Http404("Only DH staff see work in progress")
    publication = access.get_publication_for_user(request.user, pk)
    context = {
        "publication": publication,
        "counts": service.document_counts(publication.pk),
        "failed": publication.documents.filter(status=DocumentStatus.FAILED).select_related("pct"),
        "polling": publication.status not in TERMINAL,
    }
    if request.htmx:
        response = render(request, "assurance/publications/progress.html#progress", context)
        if publication.status in TERMINAL:
            # 286: htmx swaps this last state in and stops polling.
            return HttpResponseStopPolling(response.content)
        return response
    return render(request, "assurance/publications/progress.html", context)


@login_required
@require_POST
def retry(request: HttpRequest, pk: int) -> HttpResponse:
    if not access.is_dh(request.user):
        raise Http404("Only DH staff publish")
    publication = access.get_publication_for_user(request.user, pk)
    try:
        service.retry_publication(publication, request.user)
    except service.PublicationError as exc:
        messages.error(request, str(exc))
    return redirect("publications:progress", pk=publication.pk)


def _table_context(request: HttpRequest, pk: int) -> dict[str, object]:
    publication = access.get_publication_for_user(request.user, pk)
    filters = league.Filters.from_query(request.GET)
    comps = league.competencies(publication)
    rows = league.present(league.league_rows(publication, filters), [c.number for c in comps])
    return {
        "publication": publication,
        "filters": filters,
        "competencies": comps,
        "rows": rows,
        "per_sha": request.GET.get("view") == "sha",
        "groups": league.by_sha(rows) if request.GET.get("view") == "sha" else [],
        "shas": SHA.objects.order_by("name"),
        "tiers": Tier.choices,
        "query": request.GET.urlencode(),
        "sort_columns": SORT_COLUMNS,
    }


@require_GET
def league_table(request: HttpRequest, pk: int) -> HttpResponse:
    context = _table_context(request, pk)
    template = "assurance/publications/league_table.html"
    if request.htmx:
        template += "#table"
    return render(request, template, context)


@require_GET
def league_table_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    context = _table_context(request, pk)
    publication = context["publication"]
    table = league.export_rows(context["rows"], [c.number for c in context["competencies"]])  # type: ignore[attr-defined]
    name = (
        f"wcc-league-table-{publication.cycle.year_label.replace('/', '-')}-v{publication.version}"  # type: ignore[attr-defined]
    )
    if fmt == "csv":
        response = HttpResponse(league.to_csv(table), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            league.to_xlsx(table, "League table"),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@require_GET
def document(request: HttpRequest, pk: int, code: str = "") -> FileResponse:
    publication = access.get_publication_for_user(request.user, pk)
    doc = (
        publication.documents.filter(status=DocumentStatus.DONE)
        .filter(**({"pct__code": code.upper()} if code else {"pct__isnull": True}))
        .first()
    )
    if doc is None:
        raise Http404("No such document")
    return FileResponse(
        doc.file.open("rb"),
        content_type="application/pdf",
        filename=doc.file.name.rsplit("/", 1)[-1],
    )


@require_GET
def pct_report(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    publication = access.get_publication_for_user(request.user, pk)
    result = access.get_result_for_user(request.user, publication, code)
    result.publication = publication
    return render(
        request,
        "assurance/publications/pct_report.html",
        league.report_context(publication, result),
    )


@require_GET
def improvement(request: HttpRequest, pk: int) -> HttpResponse:
    publication = access.get_publication_for_user(request.user, pk)
    return render(
        request,
        "assurance/publications/improvement.html",
        {"publication": publication, "rows": league.most_improved(publication)},
    )
