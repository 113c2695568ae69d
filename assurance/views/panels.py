"""Panel days, phase 2 review, phase 3 scoring and consensus, phase 4 calibration (issue 4).

Every view: access helper → form → one service call → render or redirect.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from assurance.access import panels as access
from assurance.forms.panels import (
    ItemsForm,
    ModerationForm,
    PanelDayForm,
    PanelMembersForm,
    RemoveSlotForm,
    ReviewNoteForm,
    SlotForm,
    SlotTimeForm,
    initial_from_rows,
)
from assurance.models import (
    Cycle,
    GovernanceArea,
    PhaseKind,
    SelfAssessment,
)
from assurance.queries import panels as panel_queries
from assurance.queries import progress
from assurance.queries.panel_items import display, panel_items, row_key, with_statuses
from assurance.rules import calendar
from assurance.rules import panels as panel_rules
from assurance.services import panels as services
from assurance.services.errors import ServiceError
from assurance.views.drafts import (
    REFUSED,
    discard_draft,
    is_beacon,
    keep_draft,
    login_required_keeping_drafts,
    pop_draft,
    posted_or_draft,
)
from wcc.forms import ConfirmForm

LONDON = ZoneInfo("Europe/London")


def _cycle(request: HttpRequest, cycle_id: int | None = None) -> Cycle:
    cycle = panel_queries.chosen_cycle(
        panel_queries.cycles_with_phases(), cycle_id or request.GET.get("cycle")
    )
    if cycle is None:
        raise Http404("No such cycle")
    return cycle


def _entry_draft(page_name: str, entry: str) -> Callable[..., str]:
    """Where a signed-out autosave of one entry is kept (``page#entry``), as its page keeps
    a refused one: the page puts it back in the entry's form after sign-in."""

    def draft(request: HttpRequest, pk: int, **kwargs: Any) -> str:
        return f"{reverse(page_name, args=[pk])}#{kwargs[entry]}"

    return draft


def _template(request: HttpRequest, name: str, partial: str) -> str:
    return f"{name}#{partial}" if request.htmx else name


# --- Index and panel days ----------------------------------------------------------------


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """The PCTs a person reviews, scores or moderates this cycle, and the panel days."""
    user = request.user
    cycle = _cycle(request)
    cycles = panel_queries.cycles_with_phases()
    if user.is_pct_user:
        published = access.is_published(cycle)
        sas = panel_queries.submitted_self_assessments_of_pct(cycle, user.pct_id)
        return render(
            request,
            "assurance/panels/index_pct.html",
            {"cycle": cycle, "cycles": cycles, "published": published, "sas": sas},
        )
    access.require_panel_reader(user)
    sas = panel_queries.with_panel_progress(
        access.reviewable_self_assessments(user, cycle), user, cycle
    )
    days = panel_queries.with_members_and_slots(
        access.panel_days_for_user(user).filter(cycle=cycle)
    )
    return render(
        request,
        "assurance/panels/index.html",
        {
            "cycle": cycle,
            "cycles": cycles,
            "sas": sas,
            "days": days,
            "calibration_open": access.calibration_open(cycle),
            # What is left to do (issue 14): a lead's region, a member's own sheets and days.
            "region": progress.region_submissions(cycle, user.sha_id) if user.is_sha_lead else None,
            "my_sheets": progress.my_sheets(user, cycle),
            "my_days": progress.my_panel_days(user, cycle),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def day_new(request: HttpRequest, cycle_id: int) -> HttpResponse:
    user = request.user
    access.require_sha_lead(user)
    cycle = _cycle(request, cycle_id)
    form = PanelDayForm(request.POST or None, sha_id=user.sha_id)
    if request.method == "POST" and form.is_valid():
        try:
            day = services.schedule_panel_day(
                user,
                cycle,
                date=form.cleaned_data["date"],
                venue=form.cleaned_data["venue"],
                members=form.cleaned_data["members"],
            )
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, f"Panel day on {day.date:%-d %B %Y} scheduled.")
            return redirect("panels:day_detail", day.pk)
    return render(request, "assurance/panels/day_new.html", {"cycle": cycle, "form": form})


def _day_context(
    request: HttpRequest, pk: int, slot_form: SlotForm | None = None
) -> dict[str, Any]:
    day = access.get_panel_day_for_user(request.user, pk)
    is_lead = access.leads_panel_day(request.user, day)
    return {
        "day": day,
        "slots": panel_queries.day_slots(day),
        "members": day.members.all(),
        "is_lead": is_lead,
        "held": panel_queries.panel_days_closed(day.cycle),
        "slot_form": slot_form or (SlotForm(sha_id=day.sha_id) if is_lead else None),
    }


@login_required
@require_GET
def day_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "assurance/panels/day_detail.html", _day_context(request, pk))


@login_required
@require_POST
def slot_add(request: HttpRequest, pk: int) -> HttpResponse:
    day = access.get_panel_day_for_lead(request.user, pk)
    form = SlotForm(request.POST, sha_id=day.sha_id)
    if form.is_valid():
        try:
            services.add_slot(request.user, day, **form.cleaned_data)
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, f"{form.cleaned_data['pct'].name} added to the panel day.")
            url = reverse("panels:day_detail", args=[day.pk])
            return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    context = _day_context(request, pk, slot_form=form)
    return render(
        request, _template(request, "assurance/panels/day_detail.html", "slot_form"), context
    )


def _back_to_day(request: HttpRequest, day_id: int, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("panels:day_detail", day_id)


@login_required
@require_http_methods(["GET", "POST"])
def slot_change(request: HttpRequest, pk: int) -> HttpResponse:
    """Move a slot to another time on its day, until the day is held."""
    slot = access.get_slot_for_lead(request.user, pk)
    initial = {"starts_at": slot.starts_at, "ends_at": slot.ends_at}
    form = SlotTimeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.move_slot(request.user, slot, **form.cleaned_data)
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            return _back_to_day(request, slot.panel_day_id, f"{slot.pct.name}'s slot moved.")
    return render(
        request,
        "assurance/panels/slot_change.html",
        {"slot": slot, "day": slot.panel_day, "form": form},
        status=400 if form.errors else 200,
    )


@login_required_keeping_drafts()
@require_http_methods(["GET", "POST"])
def slot_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """Take a PCT off its panel day, with a reason, until the day is held."""
    slot = access.get_slot_for_lead(request.user, pk)
    form = RemoveSlotForm(posted_or_draft(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.remove_slot(request.user, slot, reason=form.cleaned_data["reason"])
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            return _back_to_day(
                request, slot.panel_day_id, f"{slot.pct.name} taken off the panel day."
            )
    return render(
        request,
        "assurance/panels/slot_remove.html",
        {"slot": slot, "day": slot.panel_day, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def day_members(request: HttpRequest, pk: int) -> HttpResponse:
    """Change who sits on a panel day, until it is held."""
    day = access.get_panel_day_for_lead(request.user, pk)
    form = PanelMembersForm(
        request.POST or None, sha_id=day.sha_id, initial={"members": list(day.members.all())}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.change_members(request.user, day, form.cleaned_data["members"])
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            return _back_to_day(request, day.pk, "Panel members saved.")
    return render(
        request,
        "assurance/panels/day_members.html",
        {"day": day, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_GET
def day_ics(request: HttpRequest, pk: int) -> HttpResponse:
    """The panel day as an iCalendar entry (RFC 5545) for members' calendars."""
    day = access.get_panel_day_for_user(request.user, pk)
    slots = list(day.slots.select_related("pct"))
    start = min((s.starts_at for s in slots), default=dt.time(9, 0))
    end = max((s.ends_at for s in slots), default=dt.time(17, 0))

    def utc(t: dt.time) -> dt.datetime:
        return dt.datetime.combine(day.date, t, tzinfo=LONDON).astimezone(dt.UTC)

    description = "\n".join(
        [f"{s.starts_at:%H:%M}–{s.ends_at:%H:%M} {s.pct.name} ({s.pct.code})" for s in slots]
        + ["Members: " + ", ".join(str(m) for m in day.members.all())]
    )
    event = calendar.CalendarEvent(
        uid=f"panel-day-{day.pk}@wcc-assurance",
        stamp=timezone.now().astimezone(dt.UTC).replace(microsecond=0),
        starts=utc(start),
        ends=utc(end),
        summary=f"WCC panel day: {day.sha.name}",
        location=day.venue,
        description=description,
    )
    body = calendar.ics_calendar([event], prodid="-//WCC Assurance//Panel days//EN")
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="panel-day-{day.date:%Y-%m-%d}.ics"'
    return response


# --- Phase 2 review ----------------------------------------------------------------------


def _review_context(
    request: HttpRequest, sa: SelfAssessment, forms: dict[str, Any]
) -> dict[str, Any]:
    notes = panel_queries.review_notes(sa)
    mine = {n.section: n for n in notes if n.author_id == request.user.pk}
    sections = panel_queries.review_sections(sa)
    for s in sections:
        s["others"] = [n for n in notes if n.section == s["key"] and n.author_id != request.user.pk]
        s["form"] = forms.get(s["key"]) or ReviewNoteForm(
            initial={
                "note": getattr(mine.get(s["key"]), "note", ""),
                "questions": getattr(mine.get(s["key"]), "questions", ""),
            },
            prefix=s["key"],
        )
    return {
        "sa": sa,
        "sections": sections,
        "documents": panel_queries.current_evidence(sa),
        "can_write": access.may_write_review_notes(request.user, sa),
    }


def _changed_notes(request: HttpRequest, sa: SelfAssessment) -> dict[str, ReviewNoteForm]:
    """The review page's sections whose posted notes differ from the person's saved ones."""
    mine = {
        n.section: (n.note, n.questions)
        for n in panel_queries.review_notes(sa)
        if n.author_id == request.user.pk
    }
    changed = {}
    for section in panel_queries.review_sections(sa):
        key = section["key"]
        posted = tuple(request.POST.get(f"{key}-{f}", "").strip() for f in ("note", "questions"))
        if f"{key}-note" in request.POST and posted != mine.get(key, ("", "")):
            changed[key] = ReviewNoteForm(request.POST, prefix=key)
    return changed


def _restored_notes(request: HttpRequest, sa: SelfAssessment) -> dict[str, ReviewNoteForm]:
    """Sections whose save was refused as the page was left, or sent signed out: back in
    the form, unsaved."""
    page = reverse("panels:review", args=[sa.pk])
    restored = {}
    for section in panel_queries.review_sections(sa):
        draft = pop_draft(request, f"{page}#{section['key']}")
        if draft is not None:
            form = ReviewNoteForm(draft.data, prefix=section["key"])
            form.is_valid()
            form.draft_reason = draft.reason  # type: ignore[attr-defined]
            restored[section["key"]] = form
    return restored


@login_required
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, pk: int) -> HttpResponse:
    """The self-assessment section by section with the assessor's notes on each. The page is
    one form: any of its Save buttons saves every section typed (each section also saves
    itself as people type, by htmx to ``review_note``)."""
    sa = access.get_self_assessment_for_reviewer(request.user, pk)
    forms = _changed_notes(request, sa) if request.method == "POST" else {}
    refusal = ""
    if request.method == "POST" and all(f.is_valid() for f in forms.values()):
        notes = {k: (f.cleaned_data["note"], f.cleaned_data["questions"]) for k, f in forms.items()}
        try:
            services.save_review_notes(request.user, sa, notes)
        except ServiceError as exc:
            refusal = exc.message
        else:
            messages.success(request, "Review notes saved." if notes else "No changes to save.")
            anchor = request.POST.get("section", "")
            return redirect(f"{reverse('panels:review', args=[sa.pk])}#section-{anchor}")
    page_errors = [{"id": "", "message": refusal}] if refusal else []
    page_errors += [
        {"id": form[name].auto_id if name in form.fields else "", "message": error}
        for form in forms.values()
        for name, errors in form.errors.items()
        for error in errors
    ]
    if request.method == "GET":
        forms = _restored_notes(request, sa)
    context = _review_context(request, sa, forms)
    context["restored"] = set(forms) if request.method == "GET" else set()
    context["page_errors"] = page_errors
    status = 400 if page_errors else 200
    return render(request, "assurance/panels/review.html", context, status=status)


@login_required_keeping_drafts(_entry_draft("panels:review", "section"))
@require_POST
def review_note(request: HttpRequest, pk: int, section: str) -> HttpResponse:
    """One section's notes, saved by htmx as the assessor types (or a plain POST)."""
    sa = access.get_self_assessment_for_reviewer(request.user, pk)
    valid_sections = {s["key"] for s in panel_queries.review_sections(sa)}
    if section not in valid_sections:
        raise Http404
    form = ReviewNoteForm(request.POST, prefix=section)
    saved_at = None
    if form.is_valid():
        try:
            services.save_review_note(request.user, sa, section=section, **form.cleaned_data)
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            saved_at = timezone.localtime()
    draft = f"{reverse('panels:review', args=[sa.pk])}#{section}"
    if saved_at:
        discard_draft(request, draft)
    if is_beacon(request):
        # Sent as the page was left: nobody reads the answer, so a refusal is kept as a
        # draft the assessor is shown on return (issue 14).
        if not saved_at:
            keep_draft(request, draft, reason=REFUSED)
        return HttpResponse(status=204)
    if saved_at and not request.htmx:
        messages.success(request, "Review note saved.")
        return redirect(f"{reverse('panels:review', args=[sa.pk])}#section-{section}")
    context = _review_context(request, sa, {section: form})
    context["section"] = next(s for s in context["sections"] if s["key"] == section)
    context["status_section"] = section
    context["saved_at"] = saved_at
    return render(
        request, _template(request, "assurance/panels/review.html", "note_status"), context
    )


# --- Phase 3 scoring and consensus: a page of items, each saved as people go --------------


def _item_rows(form: ItemsForm, statuses: dict[str, dict[str, Any]]) -> list[tuple[str, list]]:
    """The form's items by group, each with its fields and its save status."""
    return [
        (
            group,
            [
                {"item": i, "value_field": v, "rationale_field": r, "status": statuses.get(i.key)}
                for i, v, r in rows
            ],
        )
        for group, rows in form.groups()
    ]


def _restored_form(
    request: HttpRequest, items: list, initial: dict[str, Any], page: str
) -> tuple[ItemsForm | None, dict[str, dict[str, Any]]]:
    """Items whose save was refused as the page was left, put back in the form (unsaved,
    with why), over what is saved for the others; ``None`` when nothing was kept."""
    drafts = {i.key: d for i in items if (d := pop_draft(request, f"{page}#{i.key}"))}
    if not drafts:
        return None, {}
    data = QueryDict(mutable=True)
    for name, value in initial.items():
        data[name] = "" if value is None else str(value)
    for draft in drafts.values():
        for name in draft.data:
            data.setlist(name, draft.data.getlist(name))
    form = ItemsForm(data, items=items)
    form.is_valid()
    return form, {
        key: {"restored": drafts[key].reason, "errors": _item_errors(form, item)}
        for item in items
        if (key := item.key) in drafts
    }


def _item_errors(form: ItemsForm, item: Any) -> list[str]:
    p = item.field_prefix
    return [*form.non_field_errors(), *form[f"{p}__value"].errors, *form[f"{p}__rationale"].errors]


def _save_item(
    request: HttpRequest, sa: SelfAssessment, key: str, page: str, save: Any, template: str
) -> HttpResponse:
    """One item of a score sheet or of the consensus, saved by htmx as people type (or by
    the beacon as the page is left: a refusal then is kept as a draft for their return)."""
    item = next((i for i in panel_items(sa) if i.key == key), None)
    if item is None:
        raise Http404
    form = ItemsForm(request.POST, items=[item])
    status: dict[str, Any] = {}
    if form.is_valid():
        try:
            status["result"] = save(form.values())
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            status["saved_at"] = timezone.localtime()
    status["errors"] = _item_errors(form, item)
    draft = f"{page}#{key}"
    if status.get("saved_at"):
        discard_draft(request, draft)
    elif is_beacon(request):
        keep_draft(request, draft, reason=REFUSED)
    if is_beacon(request):
        return HttpResponse(status=204)
    if not request.htmx:  # only the beacon and htmx post here: the page's form saves it all
        return redirect(page)
    p = item.field_prefix
    row = {
        "item": item,
        "value_field": form[f"{p}__value"],
        "rationale_field": form[f"{p}__rationale"],
        "status": status,
    }
    return render(request, f"{template}#item_status", {"sa": sa, "row": row})


SUBMIT_LABEL = "My scores are final. Submit them: after this my sheet cannot change."
SUBMIT_ERROR = "Confirm that your scores are final before you submit your sheet"


def _submit_form(data: Any = None) -> ConfirmForm:
    return ConfirmForm(data, label=SUBMIT_LABEL, error=SUBMIT_ERROR, prefix="submit")


def _sheet_context(
    request: HttpRequest,
    sa: SelfAssessment,
    form: ItemsForm | None,
    confirm: ConfirmForm | None = None,
) -> dict[str, Any]:
    items = panel_items(sa)
    sheet = panel_queries.own_score_sheet(sa, request.user)
    mine = {row_key(r): r for r in sheet.scores.all()} if sheet else {}
    submitted = bool(sheet and sheet.submitted_at)
    outcome_score = with_statuses(items, mine)
    initial = initial_from_rows(items, mine)
    statuses: dict[str, dict[str, Any]] = {}
    if form is None and not submitted:
        form, statuses = _restored_form(
            request, items, initial, reverse("panels:score_sheet", args=[sa.pk])
        )
    form = form or ItemsForm(items=items, initial=initial)
    form.items = items
    others = panel_queries.submitted_sheets(sa, exclude=request.user.pk) if submitted else []
    table = [
        {
            "item": item,
            "self": display(item.self_value, item.kind),
            "mine": _shown(mine.get(item.key), item.kind),
            "others": [_shown(o["scores"].get(item.key), item.kind) for o in others],
        }
        for item in items
    ]
    return {
        "sa": sa,
        "form": form,
        "groups": _item_rows(form, statuses),
        "sheet": sheet,
        "submitted": submitted,
        "table": table,
        "others": others,
        "outcome_score": outcome_score,
        "phase_open": sa.cycle.is_phase_open(PhaseKind.PANEL_DAYS),
        "scored": sum(1 for i in items if i.key in mine),
        "item_count": len(items),
        "confirm": confirm or _submit_form(),
    }


def _shown(row: Any, kind: str) -> str:
    return display(getattr(row, kind), kind) if row is not None else ""


@login_required
@require_http_methods(["GET", "POST"])
def score_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    sa = access.get_self_assessment_for_panel_member(request.user, pk)
    form = None
    if request.method == "POST":
        form = ItemsForm(request.POST, items=panel_items(sa))
        if form.is_valid():
            try:
                services.record_panel_scores(request.user, sa, form.values())
            except ServiceError as exc:
                form.add_service_error(exc)
            else:
                messages.success(request, "Your scores are saved.")
                return redirect("panels:score_sheet", sa.pk)
    return render(request, "assurance/panels/score_sheet.html", _sheet_context(request, sa, form))


@login_required_keeping_drafts(_entry_draft("panels:score_sheet", "key"))
@require_POST
def score_item(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    """One item of the member's sheet, saved as they type."""
    sa = access.get_self_assessment_for_panel_member(request.user, pk)
    return _save_item(
        request,
        sa,
        key,
        reverse("panels:score_sheet", args=[sa.pk]),
        lambda values: services.record_panel_scores(request.user, sa, values),
        "assurance/panels/score_sheet.html",
    )


@login_required
@require_POST
def score_sheet_submit(request: HttpRequest, pk: int) -> HttpResponse:
    """Submit the sheet as it is on screen: what is typed is saved first, and stays saved
    (and on screen) if the submission is refused."""
    sa = access.get_self_assessment_for_panel_member(request.user, pk)
    form = ItemsForm(request.POST, items=panel_items(sa))
    confirm = _submit_form(request.POST)
    on_screen = any(name in request.POST for name in form.fields)
    if on_screen and not form.is_valid():
        return render(
            request,
            "assurance/panels/score_sheet.html",
            _sheet_context(request, sa, form, confirm),
            status=400,
        )
    try:
        if not confirm.is_valid():
            # Not confirmed: what is on screen is still saved, and nothing is submitted.
            if on_screen:
                services.record_panel_scores(request.user, sa, form.values())
            return render(
                request,
                "assurance/panels/score_sheet.html",
                _sheet_context(request, sa, form if on_screen else None, confirm),
                status=400,
            )
        services.submit_score_sheet(request.user, sa, form.values() if on_screen else None)
    except ServiceError as exc:
        if on_screen:
            form.add_service_error(exc)
        context = _sheet_context(request, sa, form if on_screen else None)
        if not on_screen:
            context["submit_errors"] = [{"id": "submit", "message": m} for m in exc.messages]
        return render(request, "assurance/panels/score_sheet.html", context, status=400)
    messages.success(
        request, "Your score sheet is submitted. You can now see the other members' scores."
    )
    return redirect("panels:score_sheet", sa.pk)


def _consensus_closed_to(request: HttpRequest, sa: SelfAssessment) -> bool:
    """A lead who sits on the panel submits their own sheet before seeing the others'."""
    own_sheet = panel_queries.own_score_sheet(sa, request.user)
    return access.sits_on_panel(request.user, sa) and not (own_sheet and own_sheet.submitted_at)


LOCK_LABEL = (
    "The panel agrees this result. Lock it: after this, scores change only by moderation in "
    "calibration."
)
LOCK_ERROR = "Confirm that the panel agrees the result before you lock it"


def _lock_form(data: Any = None) -> ConfirmForm:
    return ConfirmForm(data, label=LOCK_LABEL, error=LOCK_ERROR, prefix="lock")


@login_required
@require_http_methods(["GET", "POST"])
def consensus(request: HttpRequest, pk: int) -> HttpResponse:
    """The lead records the panel's agreed value per item. Saving never locks: locking is a
    separate, confirmed step (:func:`consensus_lock`)."""
    sa = access.get_self_assessment_for_lead(request.user, pk)
    if _consensus_closed_to(request, sa):
        messages.info(
            request, "Submit your own score sheet before you see the other members' scores."
        )
        return redirect("panels:score_sheet", sa.pk)
    form = None
    if request.method == "POST":
        items = panel_items(sa)
        form = ItemsForm(
            request.POST,
            items=items,
            initial=initial_from_rows(items, panel_queries.consensus_by_key(sa)),
        )
        if form.is_valid():
            try:
                services.set_consensus(request.user, sa, form.values(), lock=False)
            except ServiceError as exc:
                form.add_service_error(exc)
            else:
                messages.success(request, "Consensus saved.")
                return redirect("panels:consensus", sa.pk)
    return _consensus_page(request, sa, form=form)


@login_required
@require_POST
def consensus_lock(request: HttpRequest, pk: int) -> HttpResponse:
    """Agree and lock the panel result, once every item is agreed, with a confirmation."""
    sa = access.get_self_assessment_for_lead(request.user, pk)
    if _consensus_closed_to(request, sa):
        raise Http404("Submit your own score sheet first")
    lock_form = _lock_form(request.POST)
    if lock_form.is_valid():
        try:
            services.lock_panel_result(request.user, sa)
        except ServiceError as exc:
            lock_form.add_service_error(exc)
        else:
            messages.success(request, f"The panel result for {sa.pct.name} is locked.")
            return redirect("panels:consensus", sa.pk)
    return _consensus_page(request, sa, lock_form=lock_form, status=400)


def _consensus_page(
    request: HttpRequest,
    sa: SelfAssessment,
    *,
    form: ItemsForm | None = None,
    lock_form: ConfirmForm | None = None,
    status: int | None = None,
) -> HttpResponse:
    items = form.items if form is not None else panel_items(sa)  # a refused POST has them
    existing = panel_queries.consensus_by_key(sa)
    outcome_score = with_statuses(items, existing, final=True)
    initial = initial_from_rows(items, existing)
    statuses: dict[str, Any] = {}
    if form is None:
        form, statuses = _restored_form(
            request, items, initial, reverse("panels:consensus", args=[sa.pk])
        )
    form = form or ItemsForm(items=items, initial=initial)
    result = panel_queries.panel_result(sa)
    others = panel_queries.submitted_sheets(sa)
    rows = panel_queries.consensus_rows(form.rows(), others, existing)
    for row in rows:
        row["status"] = statuses.get(row["item"].key)
    return render(
        request,
        "assurance/panels/consensus.html",
        {
            "sa": sa,
            "form": form,
            "rows": rows,
            "others": others,
            "result": result,
            "outcome_score": outcome_score,
            "agreed": sum(1 for i in items if i.key in existing),
            "item_count": len(items),
            "lock_form": lock_form or _lock_form(),
        },
        status=status or (400 if form.errors else 200),
    )


@login_required_keeping_drafts(_entry_draft("panels:consensus", "key"))
@require_POST
def consensus_item(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    """One item of the consensus, saved as the lead types. It never locks the result: the
    lead does, by saving the page once every item is agreed."""
    sa = access.get_self_assessment_for_lead(request.user, pk)
    if _consensus_closed_to(request, sa):
        raise Http404("Submit your own score sheet first")
    return _save_item(
        request,
        sa,
        key,
        reverse("panels:consensus", args=[sa.pk]),
        lambda values: services.set_consensus(request.user, sa, values, lock=False),
        "assurance/panels/consensus.html",
    )


# --- Results: three scores side by side, moderation ------------------------------------


@login_required
@require_GET
def result(request: HttpRequest, pk: int) -> HttpResponse:
    sa = access.get_self_assessment_for_result(request.user, pk)
    # PCT staff see what was published, not a moderation made since (issue 13, finding 8).
    as_of = access.published_as_of(sa.cycle) if request.user.is_pct_user else None
    rows = panel_queries.score_rows(panel_items(sa), sa, as_of=as_of)
    return render(
        request,
        "assurance/panels/result.html",
        {
            "sa": sa,
            "rows": rows,
            "outcome_score": panel_queries.outcome_score(rows),
            "has_moderations": any(r.moderations for r in rows),
            "can_moderate": access.may_moderate(request.user, sa),
            "result": panel_queries.panel_result(sa),
        },
    )


@login_required_keeping_drafts()
@require_http_methods(["GET", "POST"])
def moderate(request: HttpRequest, pk: int) -> HttpResponse:
    consensus_row = access.get_consensus_for_moderator(request.user, pk)
    sa = consensus_row.self_assessment
    item = next(i for i in panel_items(sa) if i.key == row_key(consensus_row))
    form = ModerationForm(posted_or_draft(request), item=item)
    if request.method == "POST" and form.is_valid():
        try:
            services.moderate_score(
                request.user,
                consensus_row,
                value=form.cleaned_data["value"],
                reason=form.cleaned_data["reason"],
            )
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, f"{item.label} moderated. The change is in the trail.")
            return redirect(f"{reverse('panels:result', args=[sa.pk])}#trail")
    row = next(r for r in panel_queries.score_rows([item], sa))
    return render(
        request,
        "assurance/panels/moderate.html",
        {"sa": sa, "item": item, "rows": [row], "form": form},
    )


# --- Calibration -------------------------------------------------------------------------

CHART_WIDTH = 720


@login_required
@require_GET
def calibration(request: HttpRequest, cycle_id: int) -> HttpResponse:
    access.calibration_shas_for_user(request.user)
    cycle = _cycle(request, cycle_id)
    access.require_calibration_open(request.user, cycle)
    competencies = panel_queries.framework_competencies(cycle)
    return render(
        request,
        "assurance/panels/calibration.html",
        {
            "cycle": cycle,
            "competencies": competencies,
            "areas": GovernanceArea.choices,
            "cycles": panel_queries.cycles_with_phases(),
        },
    )


#: PCTs listed under a calibration chart, a page at a time (a SHA has ~15 in the WCC years).
PCT_ROWS_PER_PAGE = 200


@login_required
@require_GET
def calibration_item(request: HttpRequest, cycle_id: int, kind: str, ref: str) -> HttpResponse:
    """Distribution per SHA against national for one competency or governance area."""
    sha_ids = access.calibration_shas_for_user(request.user)
    cycle = _cycle(request, cycle_id)
    access.require_calibration_open(request.user, cycle)
    if kind == "competency":
        competency = panel_queries.framework_competency(cycle, ref)
        if competency is None:
            raise Http404
        data = panel_queries.competency_calibration(cycle, competency)
        title, labels = str(competency), {v: f"Level {v}" for v in panel_queries.LEVELS}
        item: dict[str, Any] = {"competency": competency}
    elif kind == "governance" and ref in GovernanceArea.values:
        data = panel_queries.governance_calibration(cycle, ref)
        title = f"Governance: {panel_queries.governance_label(ref)}"
        labels = {p: panel_queries.RAG_BY_POINTS[p].capitalize() for p in panel_queries.POINTS}
        item = {"area": ref}
    else:
        raise Http404
    shas = (
        data.shas
        if sha_ids is None
        else tuple(r for r in data.shas if r.code in panel_queries.sha_codes(sha_ids))
    )
    chosen = request.GET.get("sha", "") if sha_ids is None else ""
    pct_sha_ids = sha_ids or panel_queries.sha_ids_for_code(chosen)
    pct_rows = panel_queries.calibration_pct_rows(cycle, pct_sha_ids, **item)
    page = Paginator(pct_rows, PCT_ROWS_PER_PAGE).get_page(request.GET.get("page"))
    chart = _chart_rows((data.national, *shas), data.values)
    return render(
        request,
        "assurance/panels/calibration_item.html",
        {
            "cycle": cycle,
            "title": title,
            "kind": kind,
            "data": data,
            "shas": shas,
            "labels": [labels[v] for v in data.values],
            "value_classes": [f"wcc-bar--{kind}-{v}" for v in data.values],
            "chart": chart,
            "chart_height": 40 + 34 * len(chart),
            "chart_width": CHART_WIDTH,
            "pct_rows": page.object_list,
            "page_obj": page,
            "chosen": chosen,
            "is_dh": sha_ids is None,
            "can_moderate": cycle.is_phase_open(PhaseKind.CALIBRATION),
        },
    )


def _chart_rows(
    rows: tuple[panel_rules.CalibrationRow, ...], values: tuple[int, ...]
) -> list[dict[str, Any]]:
    return [
        {
            "row": row,
            "y": 30 + 34 * i,
            "segments": panel_rules.stacked_segments(row.counts, values, CHART_WIDTH - 170),
        }
        for i, row in enumerate(rows)
    ]
