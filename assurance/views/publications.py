"""Publication pages: DH publishes and watches progress; everyone reads what is published."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseStopPolling

from assurance.access import publications as access
from assurance.forms.due_process import OverrideForm
from assurance.forms.publications import LeaveOutForm
from assurance.models import (
    SHA,
    Cycle,
    DocumentStatus,
    PhaseKind,
    Publication,
    PublicationStatus,
    Tier,
)
from assurance.queries import due_process as due_queries
from assurance.queries import publications as league
from assurance.queries import results
from assurance.services import publication as service
from assurance.services.errors import ServiceError
from wcc.forms import ConfirmForm

SORT_COLUMNS = [
    ("rank", "Rank"),
    ("pct", "PCT"),
    ("sha", "SHA"),
    ("mark", "Mark"),
    ("movement", "Movement"),
]
#: Rendered league tables are cached per publication, status and filters: a snapshot's
#: rows never change, and a status change (complete → superseded) is part of the key.
LEAGUE_CACHE_SECONDS = 24 * 60 * 60
LEAGUE_PAGE_SIZE = 200
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
    confirm = _confirm_form(request.POST if request.method == "POST" else None)
    override = OverrideForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and confirm.is_valid() and override.is_valid():
        try:
            publication, created = service.start_publication(
                cycle, request.user, override_reason=override.cleaned_data["override_reason"]
            )
        except service.PublicationError as exc:
            error = str(exc)
        else:
            if not created:
                messages.info(request, f"Version {publication.version} is already under way.")
            return redirect("publications:progress", pk=publication.pk)
    if override.errors:
        error = "; ".join(e for errors in override.errors.values() for e in errors)
    return _publish_page(request, cycle, error=error, confirm=confirm, override_form=override)


PUBLISH_LABEL = (
    "Publish these results: the league table and every PCT's report become public, "
    "and cannot be changed (a correction is a new version)"
)
PUBLISH_ERROR = "Confirm that you want to publish these results"


def _confirm_form(data: Any = None) -> ConfirmForm:
    return ConfirmForm(data, label=PUBLISH_LABEL, error=PUBLISH_ERROR, prefix="publish")


def _publish_page(
    request: HttpRequest,
    cycle: Cycle,
    *,
    error: str = "",
    leave_out_form: LeaveOutForm | None = None,
    confirm: ConfirmForm | None = None,
    override_form: OverrideForm | None = None,
) -> HttpResponse:
    """What will be published: readiness, the PCTs left out and why, the rule settings."""
    gathered = results.gather_results(cycle)
    failed = bool(
        error
        or (leave_out_form and leave_out_form.errors)
        or (confirm and confirm.errors)
        or (override_form and override_form.errors)
    )
    return render(
        request,
        "assurance/publications/publish.html",
        {
            "cycle": cycle,
            "phase_open": cycle.is_phase_open(PhaseKind.PUBLICATION),
            "publications": cycle.publications.order_by("-version"),
            "settings": results.rule_settings(cycle).as_dict(),
            "error": error,
            "unanswered": due_queries.unanswered_challenges(cycle),
            "override_form": override_form or OverrideForm(),
            "ready": len(gathered.results),
            "not_submitted": len(gathered.not_submitted),
            "problems": gathered.problems,
            "left_out": results.left_out(cycle),
            "leave_out_form": leave_out_form
            or LeaveOutForm(pcts=results.pcts_that_may_be_left_out(cycle)),
            "confirm": confirm or _confirm_form(),
        },
        status=400 if failed else 200,
    )


@login_required
@require_POST
def leave_out(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = access.get_cycle_for_publisher(request.user, cycle_id)
    form = LeaveOutForm(request.POST, pcts=results.pcts_that_may_be_left_out(cycle))
    if form.is_valid():
        try:
            row = service.leave_out(
                request.user, cycle, form.cleaned_data["pct"], form.cleaned_data["reason"]
            )
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, f"{row.pct.name} will be listed as not assessed.")
            return redirect("publications:publish", cycle.pk)
    return _publish_page(request, cycle, leave_out_form=form)


@login_required
@require_POST
def include_again(request: HttpRequest, pk: int) -> HttpResponse:
    row = access.get_left_out_for_publisher(request.user, pk)
    service.include_again(request.user, row)
    messages.success(request, f"{row.pct.name} will be ranked in the next version.")
    return redirect("publications:publish", row.cycle_id)


@login_required
@require_GET
def progress(request: HttpRequest, pk: int) -> HttpResponse:
    if not access.is_dh(request.user):
        raise Http404("Only DH staff see work in progress")
    publication = access.get_publication_for_user(request.user, pk)
    context = {
        "publication": publication,
        "counts": results.document_counts(publication.pk),
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


def _table_context(request: HttpRequest, pk: int, *, paginate: bool = True) -> dict[str, object]:
    """The league table's context. Rows, competencies and SHAs are lazy: a published
    snapshot never changes, so the template caches the rendered table and, on a cache hit,
    they are never queried."""
    publication = access.get_publication_for_user(request.user, pk)
    filters = league.Filters.from_query(request.GET)
    per_sha = request.GET.get("view") == "sha"
    comps = SimpleLazyObject(lambda: league.competencies(publication))
    page_number = _page_number(request, publication, filters) if paginate else ""
    # Links on a page cached for everyone carry the validated parameters only, never a
    # visitor's own query string (issue 13, finding 5).
    page_query = QueryDict(filters.as_query(), mutable=True)
    if page_query.get("sort") == "rank":
        del page_query["sort"]
    if per_sha:
        page_query["view"] = "sha"
    # 200 a page: the 152 PCTs of the WCC years fit on one; larger registries page.
    page = SimpleLazyObject(
        lambda: Paginator(
            league.league_rows(publication, filters), LEAGUE_PAGE_SIZE if paginate else 10**9
        ).get_page(page_number)
    )
    rows = SimpleLazyObject(lambda: league.present(page.object_list, [c.number for c in comps]))
    marks = due_queries.review_marks(publication.cycle_id)
    return {
        "page_obj": page,
        "page_number": page_number,
        "publication": publication,
        "filters": filters,
        "competencies": comps,
        "rows": rows,
        "per_sha": per_sha,
        "groups": SimpleLazyObject(lambda: league.by_sha(rows) if per_sha else []),
        "shas": SHA.objects.order_by("name"),
        "pct_choices": SimpleLazyObject(lambda: league.pct_choices(publication)),
        "tiers": Tier.choices,
        "query": filters.as_query(),
        "page_query": page_query,
        "sign_in_next": _sign_in_next(request.path, page_query, page_number),
        "sort_columns": SORT_COLUMNS,
        "cache_seconds": LEAGUE_CACHE_SECONDS,
        # The "review pending" marks (§8): their digest is part of every cache key.
        "review_stamp": due_queries.marks_stamp(marks),
        "pending_reviews": marks,
    }


def _sign_in_next(path: str, query: QueryDict, page_number: str) -> str:
    query = query.copy()
    if page_number not in ("", "1"):
        query["page"] = page_number
    return f"{path}?{query.urlencode()}" if query else path


def _page_number(request: HttpRequest, publication: Publication, filters: league.Filters) -> str:
    """The page asked for as the page that will be shown: not a number → 1, past the end →
    the last page (as ``Paginator.get_page``). Cache keys use it, so ``?page=x1``,
    ``?page=x2``… or ``?page=99999`` cannot each add an entry (issue 13, finding 5)."""
    try:
        number = max(1, int(request.GET.get("page") or 1))
    except ValueError:
        number = 1
    if number > 1:
        key = f"league-count:{publication.pk}:{filters.sha}:{filters.tier}"
        count = int(
            cache.get_or_set(
                key, lambda: league.league_rows(publication, filters).count(), LEAGUE_CACHE_SECONDS
            )
            or 0
        )
        number = min(number, max(1, -(-count // LEAGUE_PAGE_SIZE)))
    return str(number)


def _public_page_key(request: HttpRequest, context: dict[str, object]) -> str | None:
    """A cache key for the whole page when it is the same for every visitor, else None.

    Only for signed-out visitors with no session or messages (the page then carries no CSRF
    token and no per-visitor content) and a published version. The key is made of the
    validated parameters only (unknown parameters and bad values are ignored, as the page
    ignores them), so junk query strings share one entry rather than filling the cache.
    """
    publication: Publication = context["publication"]  # type: ignore[assignment]
    filters: league.Filters = context["filters"]  # type: ignore[assignment]
    if (
        request.user.is_authenticated
        or settings.SESSION_COOKIE_NAME in request.COOKIES
        or "messages" in request.COOKIES
        or publication.status not in access.PUBLISHED
    ):
        return None
    return (
        f"league-page:{publication.pk}:{publication.status}:{bool(request.htmx)}:"
        f"{filters.sha}:{filters.tier}:{filters.sort}:{context['per_sha']}:{context['page_number']}:"
        f"{context['review_stamp']}"
    )


@require_GET
def league_table(request: HttpRequest, pk: int) -> HttpResponse:
    context = _table_context(request, pk)
    key = _public_page_key(request, context)
    if key and (content := cache.get(key)) is not None:
        return HttpResponse(content)
    template = "assurance/publications/league_table.html"
    if request.htmx:
        template += "#table"
    response = render(request, template, context)
    if key:
        cache.set(key, response.content, LEAGUE_CACHE_SECONDS)
    return response


@require_GET
def league_table_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    context = _table_context(request, pk, paginate=False)
    publication = context["publication"]
    filters = context["filters"]
    unfiltered = not (filters.sha or filters.tier)  # type: ignore[attr-defined]
    table = league.export_rows(
        context["rows"],  # type: ignore[arg-type]
        [c.number for c in context["competencies"]],  # type: ignore[attr-defined]
        not_assessed=publication.not_assessed if unfiltered else [],  # type: ignore[attr-defined]
        illustrative=publication.illustrative,  # type: ignore[attr-defined]
    )
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


@login_required
@require_GET
def workbook(request: HttpRequest, pk: int) -> HttpResponse:
    """DH's workbook of a whole publication: one sheet each for the league table,
    competency levels, governance, outcomes, reasons and the moderation trail."""
    if not access.is_dh(request.user):
        raise Http404("The workbook is DH's")
    publication = access.get_publication_for_user(request.user, pk)
    if publication.status in {PublicationStatus.QUEUED, PublicationStatus.COMPUTING}:
        raise Http404("The results are not computed yet")
    response = HttpResponse(
        league.to_workbook(league.workbook_sheets(publication)),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = f"wcc-publication-{publication.cycle.slug}-v{publication.version}"
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
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
    user = request.user
    return render(
        request,
        "assurance/publications/pct_report.html",
        {
            **league.report_context(publication, result),
            "review_pending": result.pct_id in due_queries.review_marks(publication.cycle_id),
            # The link only: the service decides whether the 28 days have passed (§8).
            "may_ask_review": getattr(user, "is_pct_approver", False)
            and user.pct_id == result.pct_id
            and publication.status == PublicationStatus.COMPLETE,
        },
    )


@require_GET
def improvement(request: HttpRequest, pk: int) -> HttpResponse:
    publication = access.get_publication_for_user(request.user, pk)
    page = Paginator(league.improvement_rows(publication), LEAGUE_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "assurance/publications/improvement.html",
        {
            "publication": publication,
            "page_obj": page,
            "rows": league.improvements(page.object_list),
        },
    )


@require_GET
def find_pct(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Find my PCT" on the league table: straight to that PCT's report (works without JS)."""
    publication = access.get_publication_for_user(request.user, pk)
    result = access.get_result_for_user(request.user, publication, request.GET.get("code", "")[:8])
    return redirect("publications:pct_report", pk=publication.pk, code=result.pct.code)
