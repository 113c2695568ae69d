"""A PCT's self-assessment in the browser (issue 3): task list, forms with autosave,
evidence files, sign-off, history. Views: access helper → form → one service → render."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from assurance.access import cycles as cycle_access
from assurance.access import self_assessment as access
from assurance.forms.cycles import ReasonForm
from assurance.forms.self_assessment import (
    ChooseOutcomeForm,
    GovernanceForm,
    OutcomeForm,
    RatingForm,
    SubmitForm,
    UploadForm,
    VersionedForm,
)
from assurance.models import (
    ChosenOutcome,
    EvidenceDocument,
    GovernanceArea,
    SelfAssessment,
)
from assurance.queries import self_assessment as sa_queries
from assurance.queries.self_assessment import (
    answer_rows,
    build_overview,
    declaration_rows,
    missing_links,
    sa_url,
)
from assurance.rules.uploads import download_name
from assurance.services import self_assessment as sa
from assurance.services.errors import EditConflict, Incomplete, ServiceError
from assurance.views.drafts import (
    REFUSED,
    discard_draft,
    is_beacon,
    keep_draft,
    login_required_keeping_drafts,
    pop_draft,
    posted_or_draft,
)
from assurance.views.files import private_download


def _can_edit(request: HttpRequest, assessment) -> bool:
    user = request.user
    return (
        user.is_pct_user
        and user.pct_id == assessment.pct_id
        and not sa_queries.editing_refusal(assessment)
    )


@require_GET
@login_required
def start(request: HttpRequest) -> HttpResponse:
    """PCT staff: straight to their PCT's self-assessment for the cycle in phase 1."""
    cycle = cycle_access.current_self_assessment_cycle()
    if cycle is None:
        return render(request, "assurance/self_assessment/none.html")
    if request.user.is_pct_user:
        return redirect(
            "self_assessment:overview", cycle_access.cycle_slug(cycle), request.user.pct.code
        )
    return redirect("self_assessment:list", cycle_access.cycle_slug(cycle))


@require_GET
@login_required
def assessment_list(request: HttpRequest, cycle: str) -> HttpResponse:
    the_cycle = cycle_access.get_cycle(cycle)
    assessments = (
        access.visible_self_assessments(request.user, the_cycle)
        # One cycle, so by PCT name alone, and only the columns the list shows: the sort
        # of a large cycle then carries narrow rows (docs/performance.md, "Scale").
        .select_related(None)
        .select_related("pct__sha")
        .only("status", "board_ratified_on", "pct__code", "pct__name", "pct__sha__name")
        .order_by("pct__name", "pk")
    )
    page = Paginator(assessments, 200).get_page(request.GET.get("page"))
    return render(
        request,
        "assurance/self_assessment/list.html",
        {"cycle": the_cycle, "assessments": page.object_list, "page_obj": page, "slug": cycle},
    )


@require_GET
@login_required
def overview(request: HttpRequest, cycle: str, pct: str) -> HttpResponse:
    assessment = access.get_self_assessment_for_user(
        request.user, cycle_access.get_cycle(cycle), pct
    )
    view = build_overview(assessment)
    return render(
        request,
        "assurance/self_assessment/overview.html",
        {
            "o": view,
            "assessment": assessment,
            "can_edit": _can_edit(request, assessment),
            "copies": assessment.submitted_copies.select_related("submitted_by"),
        },
    )


def _competency_page(request: HttpRequest, **kwargs: Any) -> str:
    return request.path


def _outcome_draft(request: HttpRequest, cycle: str, pct: str, pk: int) -> str:
    """Where a signed-out outcome autosave is kept: the outcome's entry on its page."""
    page = reverse("self_assessment:outcomes", args=[cycle, pct])
    return _draft_page(page, f"o{pk}")


@dataclass(frozen=True)
class _Entry:
    """One versioned entry of a page of entries (a competency's rating slots, the three
    governance areas): its key (the form prefix and ``slot``), initial values, and what the
    template shows beside its form."""

    key: str
    initial: dict[str, Any]
    shown: dict[str, Any]


def _entries_page(
    request: HttpRequest,
    assessment: SelfAssessment,
    *,
    entries: list[_Entry],
    form_class: type[VersionedForm],
    save: Callable[[_Entry, VersionedForm], Any],
    template: str,
    saved_message: str,
    context: dict[str, Any],
) -> HttpResponse:
    """A page of versioned entries, each its own form, saved by htmx as people type (the
    answer is the save-status fragment) or by a plain POST; a draft (kept through an
    expired session, or a save refused unseen) is put back in its form."""
    write = request.method == "POST"
    signed_out = pop_draft(request, request.path) if not write else None
    forms, result = [], {}
    for entry in entries:
        posted = request.POST if write and request.POST.get("slot") == entry.key else None
        draft = None if write else pop_draft(request, _draft_page(request.path, entry.key))
        if draft is None and signed_out and signed_out.data.get("slot") == entry.key:
            draft = signed_out
        data = posted if posted is not None else (draft.data if draft else None)
        form = form_class(data, initial=entry.initial, prefix=entry.key)
        if posted is not None:
            result = {"status_key": entry.key, "key": entry.key, "status_form": form}
            if form.is_valid():
                _autosave(result, form, partial(save, entry, form))
            _keep_unsaved(request, _draft_page(request.path, entry.key), result)
        # The status shown in the entry's form: its save's, or the conflict of its draft.
        status = result if posted is not None else {"conflict": draft.conflict} if draft else {}
        forms.append(
            {
                **entry.shown,
                "form": form,
                "restored": draft,
                "status_key": entry.key if status else "",
                "conflict": status.get("conflict"),
            }
        )
    if is_beacon(request):
        return HttpResponse(status=204)  # sent as the page was left: nobody reads the answer
    page = {
        "assessment": assessment,
        "forms": forms,
        # A refused POST keeps the form (and what was typed) on screen.
        "can_edit": write or _can_edit(request, assessment),
        **context,
        **result,
    }
    if write and request.htmx:
        return render(request, f"{template}#save_status", page)
    if write and result.get("saved_at"):
        messages.success(request, saved_message)
        return redirect(sa_url("overview", assessment))
    return render(request, template, page)


def _draft_page(page: str, key: str) -> str:
    """Where an entry's unsaved text is kept: the page, and the entry on it."""
    return f"{page}#{key}"


def _keep_unsaved(request: HttpRequest, page: str, result: dict) -> None:
    """Keep a conflict, or any refusal of a save sent as the page was left, as a draft
    shown when the person comes back (issue 14); a save discards the draft it replaces."""
    if result.get("saved_at"):
        discard_draft(request, page)
    elif result.get("conflict") or is_beacon(request):
        keep_draft(request, page, reason=REFUSED, conflict=result.get("conflict"))


def _autosave(result: dict, form, save) -> dict:
    """Run one versioned save for the autosave status fragment: the new version, or the
    other person's save (a conflict), or a refusal shown on the field or as a phase notice."""
    try:
        entry = save()
    except EditConflict as conflict:
        result["conflict"] = conflict
    except ServiceError as error:
        result["phase_refusal"] = error.message if not error.field else ""
        form.add_service_error(error)
    else:
        result.update(saved_at=timezone.localtime(), new_version=entry.version)
    return result


@require_http_methods(["GET", "POST"])
@login_required_keeping_drafts(_competency_page)
def competency(request: HttpRequest, cycle: str, pct: str, number: int) -> HttpResponse:
    """One competency: a form per rating slot, saved by htmx as people type, or by POST."""
    the_cycle = cycle_access.get_cycle(cycle)
    write = request.method == "POST"
    assessment = access.get_self_assessment_for_user(request.user, the_cycle, pct, write=write)
    slots = sa_queries.rating_slots(the_cycle.framework, number)
    if not slots:
        raise Http404
    htmx_save = write and request.htmx
    # An htmx save answers with the status fragment only: skip what only the page needs.
    answers = {} if htmx_save else sa_queries.answers_by_key(assessment, slots)
    entries = []
    for slot in slots:
        rating = answers.get(slot.rule.key, (None, None))[1]
        initial = {
            "level": rating.level if rating else None,
            "evidence": rating.evidence if rating else "",
            "version": rating.version if rating else 0,
        }
        entries.append(_Entry(slot.rule.key, initial, {"slot": slot, "rating": rating}))

    def save(entry: _Entry, form: VersionedForm) -> Any:
        slot = entry.shown["slot"]
        return sa.save_competency_rating(
            request.user,
            assessment,
            competency=slot.competency,
            criterion=slot.criterion,
            level=form.cleaned_data["level"],
            evidence=form.cleaned_data["evidence"],
            version=form.base_version,
        )

    return _entries_page(
        request,
        assessment,
        entries=entries,
        form_class=RatingForm,
        save=save,
        template="assurance/self_assessment/competency.html",
        saved_message=f"Competency {number} saved.",
        context={
            "competency": slots[0].competency,
            "levels": [] if htmx_save else the_cycle.framework.level_descriptors.all(),
            "refusal": None if htmx_save else sa_queries.editing_refusal(assessment),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required_keeping_drafts()
def governance(request: HttpRequest, cycle: str, pct: str) -> HttpResponse:
    """The three governance self-declarations, each saved as people type."""
    the_cycle = cycle_access.get_cycle(cycle)
    write = request.method == "POST"
    assessment = access.get_self_assessment_for_user(request.user, the_cycle, pct, write=write)
    declarations = {d.area: d for d in assessment.governance_declarations.all()}
    entries = []
    for area in GovernanceArea:
        d = declarations.get(area.value)
        initial = {
            "rating": d.rating if d else "",
            "commentary": d.commentary if d else "",
            "version": d.version if d else 0,
        }
        entries.append(_Entry(area.value, initial, {"area": area, "declaration": d}))

    def save(entry: _Entry, form: VersionedForm) -> Any:
        return sa.save_governance_declaration(
            request.user,
            assessment,
            area=entry.key,
            rating=form.cleaned_data["rating"],
            commentary=form.cleaned_data["commentary"],
            version=form.base_version,
        )

    return _entries_page(
        request,
        assessment,
        entries=entries,
        form_class=GovernanceForm,
        save=save,
        template="assurance/self_assessment/governance.html",
        saved_message="Governance self-declaration saved.",
        context={"refusal": sa_queries.editing_refusal(assessment)},
    )


@require_GET
@login_required
def history(request: HttpRequest, cycle: str, pct: str) -> HttpResponse:
    """Every change to this self-assessment: who, when, old → new (and why)."""
    assessment = access.get_self_assessment_for_user(
        request.user, cycle_access.get_cycle(cycle), pct
    )
    entries = access.self_assessment_history(assessment)[:500]
    return render(
        request,
        "assurance/self_assessment/history.html",
        {"assessment": assessment, "entries": entries},
    )


@require_http_methods(["GET", "POST"])
@login_required
def outcomes(request: HttpRequest, cycle: str, pct: str) -> HttpResponse:
    """The outcomes chosen from the national menu, each with baseline, target, direction."""
    the_cycle = cycle_access.get_cycle(cycle)
    write = request.method == "POST"
    assessment = access.get_self_assessment_for_user(request.user, the_cycle, pct, write=write)
    chosen_ids = assessment.chosen_outcomes.values_list("indicator_id", flat=True)
    menu = the_cycle.indicators.filter(active=True).exclude(pk__in=chosen_ids)
    choose = ChooseOutcomeForm(request.POST if write else None, indicators=menu)
    if write and choose.is_valid():
        try:
            sa.choose_outcome(request.user, assessment, choose.cleaned_data["indicator"])
        except ServiceError as error:
            choose.add_service_error(error)
        else:
            return redirect(sa_url("outcomes", assessment))
    return _outcomes_page(request, assessment, choose=choose)


def _outcomes_page(request, assessment, *, choose=None, failed=None, result=None) -> HttpResponse:
    the_cycle = assessment.cycle
    page = sa_url("outcomes", assessment)
    chosen = list(assessment.chosen_outcomes.select_related("indicator"))
    menu = the_cycle.indicators.filter(active=True).exclude(pk__in=[c.indicator_id for c in chosen])
    forms = []
    for outcome in chosen:
        key = f"o{outcome.pk}"
        draft = None
        if failed is not None and failed.prefix == key:
            form = failed
        else:
            draft = pop_draft(request, _draft_page(page, key))
            form = OutcomeForm(
                draft.data if draft else None,
                initial={
                    "baseline": outcome.baseline,
                    "target": outcome.target,
                    "direction": outcome.direction,
                    "version": outcome.version,
                },
                prefix=key,
                auto_id="%s",
            )
        status = (result or {}) if draft is None else {"conflict": draft.conflict}
        forms.append(
            {
                "outcome": outcome,
                "form": form,
                "key": key,
                "restored": draft,
                "status_key": key if (draft or form is failed) else "",
                "conflict": status.get("conflict"),
            }
        )
    return render(
        request,
        "assurance/self_assessment/outcomes.html",
        {
            "assessment": assessment,
            "choose": choose or ChooseOutcomeForm(indicators=menu),
            "menu_empty": not menu.exists(),
            "forms": forms,
            "refusal": sa_queries.editing_refusal(assessment),
            "can_edit": _can_edit(request, assessment),
            "failed": failed,
            **(result or {}),
        },
        status=400 if (failed is not None or (choose is not None and choose.errors)) else 200,
    )


@require_POST
@login_required_keeping_drafts(_outcome_draft)
def outcome_update(request: HttpRequest, cycle: str, pct: str, pk: int) -> HttpResponse:
    """One chosen outcome's values, saved by htmx as people type, or by POST; or removed."""
    the_cycle = cycle_access.get_cycle(cycle)
    assessment = access.get_self_assessment_for_user(request.user, the_cycle, pct, write=True)
    outcome = _chosen(assessment, pk)
    if request.POST.get("remove"):
        return _outcome_remove(request, assessment, outcome)
    key = f"o{outcome.pk}"
    form = OutcomeForm(request.POST, prefix=key, auto_id="%s")
    result = {"status_key": key, "key": key, "status_form": form}
    if form.is_valid():
        save = partial(
            sa.update_outcome,
            request.user,
            outcome,
            baseline=form.cleaned_data["baseline"],
            target=form.cleaned_data["target"],
            direction=form.cleaned_data["direction"],
            version=form.base_version,
        )
        _autosave(result, form, save)
    _keep_unsaved(request, _draft_page(sa_url("outcomes", assessment), key), result)
    if is_beacon(request):
        return HttpResponse(status=204)
    if request.htmx:
        return render(
            request,
            "assurance/self_assessment/outcomes.html#save_status",
            {"assessment": assessment, **result},
        )
    if result.get("saved_at"):
        messages.success(request, f"{outcome.indicator.name} saved.")
        return redirect(sa_url("outcomes", assessment))
    return _outcomes_page(request, assessment, failed=form, result=result)


def _outcome_remove(request: HttpRequest, assessment, outcome: ChosenOutcome) -> HttpResponse:
    try:
        sa.remove_outcome(request.user, outcome)
    except ServiceError as error:
        messages.error(request, f"{outcome.indicator.name} was not removed: {error.message}")
    else:
        messages.success(request, f"{outcome.indicator.name} removed.")
    return redirect(sa_url("outcomes", assessment))


def _chosen(assessment, pk: int) -> ChosenOutcome:
    try:
        return assessment.chosen_outcomes.select_related("indicator", "self_assessment").get(pk=pk)
    except ChosenOutcome.DoesNotExist as exc:
        raise Http404 from exc


@require_http_methods(["GET", "POST"])
@login_required
def documents(request: HttpRequest, cycle: str, pct: str) -> HttpResponse:
    """The four key documents and any other evidence; upload, replace, remove."""
    the_cycle = cycle_access.get_cycle(cycle)
    write = request.method == "POST"
    assessment = access.get_self_assessment_for_user(request.user, the_cycle, pct, write=write)
    form = UploadForm(
        request.POST or None, request.FILES or None, initial={"kind": request.GET.get("kind", "")}
    )
    if write and form.is_valid():
        try:
            document = sa.upload_evidence(
                request.user,
                assessment,
                kind=form.cleaned_data["kind"],
                upload=form.cleaned_data["file"],
                title=form.cleaned_data["title"],
            )
        except ServiceError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, f"{document.original_name} uploaded.")
            return redirect(sa_url("documents", assessment))
    view = build_overview(assessment)
    return render(
        request,
        "assurance/self_assessment/documents.html",
        {
            "assessment": assessment,
            "o": view,
            "form": form,
            "refusal": view.refusal,
            "can_edit": _can_edit(request, assessment),
        },
        status=400 if form.errors else 200,
    )


@require_POST
@login_required
def document_remove(request: HttpRequest, cycle: str, pct: str, pk: int) -> HttpResponse:
    the_cycle = cycle_access.get_cycle(cycle)
    assessment = access.get_self_assessment_for_user(request.user, the_cycle, pct, write=True)
    document = _document(assessment, pk)
    try:
        sa.remove_evidence(request.user, document)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"{document.original_name} removed.")
    return redirect(sa_url("documents", assessment))


def _document(assessment, pk: int) -> EvidenceDocument:
    try:
        return assessment.documents.select_related("self_assessment").get(pk=pk)
    except EvidenceDocument.DoesNotExist as exc:
        raise Http404 from exc


@require_GET
@login_required
def document_download(request: HttpRequest, pk: int) -> FileResponse:
    """Evidence only through a permission check, never a public URL; never rendered inline."""
    document = access.get_evidence_document_for_user(request.user, pk)
    return private_download(
        document.file,
        # Never the uploader's extension: the one its content was recognised as.
        filename=download_name(document.original_name, document.content_type),
        content_type=document.content_type,
    )


@require_GET
@login_required
def submitted_copy(request: HttpRequest, cycle: str, pct: str, pk: int) -> FileResponse:
    """The PDF of the self-assessment as submitted, for whoever may read the self-assessment."""
    assessment = access.get_self_assessment_for_user(
        request.user, cycle_access.get_cycle(cycle), pct
    )
    copy = access.get_submitted_copy(assessment, pk)
    return private_download(
        copy.file,
        filename=f"{assessment.pct.code}-self-assessment-{cycle}-{copy.submitted_at:%Y-%m-%d}.pdf",
        content_type="application/pdf",
    )


@require_http_methods(["GET", "POST"])
@login_required
def submit(request: HttpRequest, cycle: str, pct: str) -> HttpResponse:
    """The approver submits, recording the board's ratification date; shows what is missing."""
    the_cycle = cycle_access.get_cycle(cycle)
    assessment = access.get_self_assessment_for_user(
        request.user, the_cycle, pct, write=request.method == "POST"
    )
    form = SubmitForm(request.POST or None)
    missing = []
    if request.method == "POST" and form.is_valid():
        try:
            sa.submit_self_assessment(
                request.user, assessment, board_ratified_on=form.cleaned_data["board_ratified_on"]
            )
        except Incomplete as incomplete:
            missing = missing_links(assessment, incomplete.missing)
        except ServiceError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, "Self-assessment submitted. It is now read-only.")
            return redirect(sa_url("overview", assessment))
    view = build_overview(assessment)
    return render(
        request,
        "assurance/self_assessment/submit.html",
        {
            "assessment": assessment,
            "o": view,
            "form": form,
            "missing": missing
            or (missing_links(assessment, view.missing) if request.method == "POST" else []),
            "still_to_do": missing_links(assessment, view.missing),
            "answers": answer_rows(view),
            "declarations": declaration_rows(view),
            "is_approver": request.user.is_pct_approver
            and request.user.pct_id == assessment.pct_id,
        },
        status=400 if (missing or form.errors) else 200,
    )


@require_http_methods(["GET", "POST"])
@login_required_keeping_drafts()
def reopen(request: HttpRequest, cycle: str, pct: str) -> HttpResponse:
    cycle_access.require_dh(request.user)
    assessment = access.get_self_assessment_for_user(
        request.user, cycle_access.get_cycle(cycle), pct
    )
    form = ReasonForm(posted_or_draft(request))
    if request.method == "POST" and form.is_valid():
        try:
            sa.reopen_self_assessment(request.user, assessment, reason=form.cleaned_data["reason"])
        except ServiceError as error:
            form.add_error("reason" if error.field else None, error.message)
        else:
            messages.success(request, f"{assessment.pct.name}'s self-assessment reopened.")
            return redirect(sa_url("overview", assessment))
    return render(
        request,
        "assurance/self_assessment/reopen.html",
        {"assessment": assessment, "form": form},
        status=400 if form.errors else 200,
    )
