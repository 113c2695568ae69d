"""Panel days, phase 2 review, phase 3 scoring and consensus, phase 4 calibration (issue 4).

Every view: access helper → form → one service call → render or redirect.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, Subquery
from django.http import Http404, HttpRequest, HttpResponse
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
    ReviewNoteForm,
    SlotForm,
    initial_from_rows,
)
from assurance.models import (
    SHA,
    Competency,
    CompetencyRating,
    Consensus,
    Cycle,
    EvidenceDocument,
    GovernanceArea,
    GovernanceDeclaration,
    PanelResult,
    PanelScore,
    PanelSlot,
    PhaseKind,
    ReviewNote,
    ScoreSheet,
    SelfAssessment,
)
from assurance.queries import panels as panel_queries
from assurance.queries.panel_items import display, panel_items, row_key, with_statuses
from assurance.rules import panels as panel_rules
from assurance.services import panels as services

LONDON = ZoneInfo("Europe/London")


def _cycles() -> list[Cycle]:
    return list(Cycle.objects.prefetch_related("phases"))


def _cycle(request: HttpRequest, cycle_id: int | None = None) -> Cycle:
    cycles = _cycles()
    wanted = cycle_id or request.GET.get("cycle")
    for cycle in cycles:
        if wanted is None or str(cycle.pk) == str(wanted):
            return cycle
    raise Http404("No such cycle")


def _template(request: HttpRequest, name: str, partial: str) -> str:
    return f"{name}#{partial}" if request.htmx else name


# --- Index and panel days ----------------------------------------------------------------


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """The PCTs a person reviews, scores or moderates this cycle, and the panel days."""
    user = request.user
    cycle = _cycle(request)
    if user.is_pct_user:
        published = access.is_published(cycle)
        sas = SelfAssessment.objects.filter(cycle=cycle, pct_id=user.pct_id, status="submitted")
        return render(
            request,
            "assurance/panels/index_pct.html",
            {"cycle": cycle, "cycles": _cycles(), "published": published, "sas": sas},
        )
    if not (user.is_sha_user or user.is_dh):
        raise Http404
    sas = access.reviewable_self_assessments(user, cycle).annotate(
        on_my_panel=Exists(
            PanelSlot.objects.filter(
                pct=OuterRef("pct"), panel_day__cycle=cycle, panel_day__members=user
            )
        ),
        my_sheet_submitted=Exists(
            ScoreSheet.objects.filter(
                self_assessment=OuterRef("pk"), assessor=user, submitted_at__isnull=False
            )
        ),
        sheets_submitted=Count("score_sheets", filter=Q(score_sheets__submitted_at__isnull=False)),
        locked=Exists(
            PanelResult.objects.filter(self_assessment=OuterRef("pk"), locked_at__isnull=False)
        ),
    )
    days = (
        access.panel_days_for_user(user)
        .filter(cycle=cycle)
        .prefetch_related("members", Prefetch("slots", PanelSlot.objects.select_related("pct")))
    )
    return render(
        request,
        "assurance/panels/index.html",
        {
            "cycle": cycle,
            "cycles": _cycles(),
            "sas": sas.order_by("pct__name"),
            "days": days,
            "calibration_open": access.calibration_open(cycle),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def day_new(request: HttpRequest, cycle_id: int) -> HttpResponse:
    user = request.user
    if not user.is_sha_lead:
        raise Http404
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
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, f"Panel day on {day.date:%-d %B %Y} scheduled.")
            return redirect("panels:day_detail", day.pk)
    return render(request, "assurance/panels/day_new.html", {"cycle": cycle, "form": form})


def _add_errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            for error in errors:
                form.add_error(name if name in form.fields else None, error)
    else:
        for message in exc.messages:
            form.add_error(None, message)


def _day_context(
    request: HttpRequest, pk: int, slot_form: SlotForm | None = None
) -> dict[str, Any]:
    day = access.get_panel_day_for_user(request.user, pk)
    is_lead = request.user.is_sha_lead and request.user.sha_id == day.sha_id
    return {
        "day": day,
        "slots": day.slots.select_related("pct"),
        "members": day.members.all(),
        "is_lead": is_lead,
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
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, f"{form.cleaned_data['pct'].name} added to the panel day.")
            url = reverse("panels:day_detail", args=[day.pk])
            return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    context = _day_context(request, pk, slot_form=form)
    return render(
        request, _template(request, "assurance/panels/day_detail.html", "slot_form"), context
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
    event = panel_rules.CalendarEvent(
        uid=f"panel-day-{day.pk}@wcc-assurance",
        stamp=timezone.now().astimezone(dt.UTC).replace(microsecond=0),
        starts=utc(start),
        ends=utc(end),
        summary=f"WCC panel day: {day.sha.name}",
        location=day.venue,
        description=description,
    )
    body = panel_rules.ics_calendar([event], prodid="-//WCC Assurance//Panel days//EN")
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="panel-day-{day.date:%Y-%m-%d}.ics"'
    return response


# --- Phase 2 review ----------------------------------------------------------------------


def _sections(sa: SelfAssessment) -> list[dict[str, Any]]:
    ratings = {
        (r.competency_id, r.criterion_id): r
        for r in CompetencyRating.objects.filter(self_assessment=sa).select_related("criterion")
    }
    sections = []
    for c in Competency.objects.filter(framework_id=sa.cycle.framework_id).prefetch_related(
        "criteria"
    ):
        entries = [ratings[k] for k in ratings if k[0] == c.pk]
        sections.append({"key": f"competency-{c.number}", "title": str(c), "ratings": entries})
    sections.append(
        {
            "key": "governance",
            "title": "Governance",
            "declarations": GovernanceDeclaration.objects.filter(self_assessment=sa),
        }
    )
    sections.append(
        {
            "key": "outcomes",
            "title": "Outcomes",
            "outcomes": sa.chosen_outcomes.select_related("indicator"),
        }
    )
    return sections


def _review_context(
    request: HttpRequest, sa: SelfAssessment, forms: dict[str, Any]
) -> dict[str, Any]:
    notes = ReviewNote.objects.filter(self_assessment=sa).select_related("author")
    mine = {n.section: n for n in notes if n.author_id == request.user.pk}
    sections = _sections(sa)
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
        "documents": EvidenceDocument.objects.filter(
            self_assessment=sa, is_current=True, removed_at__isnull=True
        ),
        "can_write": request.user.is_sha_user
        and sa.pct.sha_id == request.user.sha_id
        and sa.cycle.is_phase_open(PhaseKind.PLANS_ANALYSED),
    }


@login_required
@require_GET
def review(request: HttpRequest, pk: int) -> HttpResponse:
    sa = access.get_self_assessment_for_reviewer(request.user, pk)
    return render(request, "assurance/panels/review.html", _review_context(request, sa, {}))


@login_required
@require_POST
def review_note(request: HttpRequest, pk: int, section: str) -> HttpResponse:
    sa = access.get_self_assessment_for_reviewer(request.user, pk)
    valid_sections = {s["key"] for s in _sections(sa)}
    if section not in valid_sections:
        raise Http404
    form = ReviewNoteForm(request.POST, prefix=section)
    if form.is_valid():
        try:
            services.save_review_note(request.user, sa, section=section, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            if not request.htmx:
                messages.success(request, "Review note saved.")
                return redirect(f"{reverse('panels:review', args=[sa.pk])}#section-{section}")
    context = _review_context(request, sa, {section: form})
    context["section"] = next(s for s in context["sections"] if s["key"] == section)
    context["saved"] = form.is_bound and not form.errors
    return render(request, _template(request, "assurance/panels/review.html", "note_form"), context)


# --- Phase 3 scoring ---------------------------------------------------------------------


def _sheet_context(
    request: HttpRequest, sa: SelfAssessment, form: ItemsForm | None
) -> dict[str, Any]:
    items = panel_items(sa)
    sheet = ScoreSheet.objects.filter(self_assessment=sa, assessor=request.user).first()
    mine = {row_key(r): r for r in sheet.scores.all()} if sheet else {}
    submitted = bool(sheet and sheet.submitted_at)
    outcome_score = with_statuses(items, mine)
    form = form or ItemsForm(items=items, initial=initial_from_rows(items, mine))
    form.items = items
    others = _others(sa, exclude=request.user.pk) if submitted else []
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
        "sheet": sheet,
        "submitted": submitted,
        "table": table,
        "others": others,
        "outcome_score": outcome_score,
        "phase_open": sa.cycle.is_phase_open(PhaseKind.PANEL_DAYS),
    }


def _shown(row: Any, kind: str) -> str:
    return display(getattr(row, kind), kind) if row is not None else ""


def _others(sa: SelfAssessment, exclude: int | None = None) -> list[dict[str, Any]]:
    """Submitted sheets of the panel, item by item (for members who submitted, and the lead)."""
    sheets = (
        ScoreSheet.objects.filter(self_assessment=sa, submitted_at__isnull=False)
        .exclude(assessor_id=exclude)
        .select_related("assessor")
        .prefetch_related(Prefetch("scores", PanelScore.objects.all()))
        .order_by("assessor__full_name")
    )
    return [
        {"assessor": s.assessor, "scores": {row_key(r): r for r in s.scores.all()}} for s in sheets
    ]


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
            except ValidationError as exc:
                form.apply_service_error(exc)
            else:
                messages.success(request, "Your scores are saved.")
                return redirect("panels:score_sheet", sa.pk)
    return render(request, "assurance/panels/score_sheet.html", _sheet_context(request, sa, form))


@login_required
@require_POST
def score_sheet_submit(request: HttpRequest, pk: int) -> HttpResponse:
    sa = access.get_self_assessment_for_panel_member(request.user, pk)
    try:
        services.submit_score_sheet(request.user, sa)
    except ValidationError as exc:
        context = _sheet_context(request, sa, None)
        context["submit_errors"] = [{"id": "submit", "message": m} for m in exc.messages]
        return render(request, "assurance/panels/score_sheet.html", context)
    messages.success(
        request, "Your score sheet is submitted. You can now see the other members' scores."
    )
    return redirect("panels:score_sheet", sa.pk)


# --- Consensus ---------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def consensus(request: HttpRequest, pk: int) -> HttpResponse:
    sa = access.get_self_assessment_for_lead(request.user, pk)
    items = panel_items(sa)
    own_sheet = ScoreSheet.objects.filter(self_assessment=sa, assessor=request.user).first()
    on_panel = PanelSlot.objects.filter(
        pct_id=sa.pct_id, panel_day__cycle_id=sa.cycle_id, panel_day__members=request.user
    ).exists()
    if on_panel and not (own_sheet and own_sheet.submitted_at):
        messages.info(
            request, "Submit your own score sheet before you see the other members' scores."
        )
        return redirect("panels:score_sheet", sa.pk)
    existing = {row_key(c): c for c in Consensus.objects.filter(self_assessment=sa)}
    outcome_score = with_statuses(items, existing, final=True)
    form = ItemsForm(request.POST or None, items=items, initial=initial_from_rows(items, existing))
    if request.method == "POST" and form.is_valid():
        try:
            result = services.set_consensus(request.user, sa, form.values())
        except ValidationError as exc:
            form.apply_service_error(exc)
        else:
            messages.success(
                request,
                "Consensus saved. Every item is agreed: the panel result is locked."
                if result.is_locked
                else "Consensus saved.",
            )
            return redirect("panels:consensus", sa.pk)
    result = PanelResult.objects.filter(self_assessment=sa).first()
    others = _others(sa)
    rows = panel_queries.consensus_rows(form.rows(), others, existing)
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
        },
    )


# --- Results: three scores side by side, moderation ------------------------------------


@login_required
@require_GET
def result(request: HttpRequest, pk: int) -> HttpResponse:
    sa = access.get_self_assessment_for_result(request.user, pk)
    # PCT staff see what was published, not a moderation made since (issue 13, finding 8).
    as_of = access.published_as_of(sa.cycle) if request.user.is_pct_user else None
    rows = panel_queries.score_rows(panel_items(sa), sa, as_of=as_of)
    can_moderate = (
        (request.user.is_dh or (request.user.is_sha_lead and request.user.sha_id == sa.pct.sha_id))
        and sa.cycle.is_phase_open(PhaseKind.CALIBRATION)
        and PanelResult.objects.filter(self_assessment=sa, locked_at__isnull=False).exists()
    )
    return render(
        request,
        "assurance/panels/result.html",
        {
            "sa": sa,
            "rows": rows,
            "outcome_score": panel_queries.outcome_score(rows),
            "has_moderations": any(r.moderations for r in rows),
            "can_moderate": can_moderate,
            "result": PanelResult.objects.filter(self_assessment=sa).first(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def moderate(request: HttpRequest, pk: int) -> HttpResponse:
    consensus_row = access.get_consensus_for_moderator(request.user, pk)
    sa = consensus_row.self_assessment
    item = next(i for i in panel_items(sa) if i.key == row_key(consensus_row))
    form = ModerationForm(request.POST or None, item=item)
    if request.method == "POST" and form.is_valid():
        try:
            services.moderate_score(
                request.user,
                consensus_row,
                value=form.cleaned_data["value"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
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
    competencies = Competency.objects.filter(framework_id=cycle.framework_id)
    return render(
        request,
        "assurance/panels/calibration.html",
        {
            "cycle": cycle,
            "competencies": competencies,
            "areas": GovernanceArea.choices,
            "cycles": _cycles(),
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
        if not ref.isdigit():  # calibration/competency/abc/ was a 500
            raise Http404
        competency = Competency.objects.filter(framework_id=cycle.framework_id, number=ref).first()
        if competency is None:
            raise Http404
        data = panel_queries.competency_calibration(cycle, competency)
        title, labels = str(competency), {v: f"Level {v}" for v in panel_queries.LEVELS}
        consensus_filter = Q(competency=competency)
        self_value = _self_value_subquery(kind, ref, competency.criteria.exists())
    elif kind == "governance" and ref in GovernanceArea.values:
        data = panel_queries.governance_calibration(cycle, ref)
        title = f"Governance: {panel_queries.governance_label(ref)}"
        labels = {p: panel_queries.RAG_BY_POINTS[p].capitalize() for p in panel_queries.POINTS}
        consensus_filter = Q(governance_area=ref)
        self_value = _self_value_subquery(kind, ref)
    else:
        raise Http404
    shas = (
        data.shas if sha_ids is None else tuple(r for r in data.shas if r.code in _codes(sha_ids))
    )
    chosen = request.GET.get("sha", "") if sha_ids is None else ""
    pct_sha_ids = sha_ids or list(SHA.objects.filter(code=chosen).values_list("pk", flat=True))
    pct_rows = (
        Consensus.objects.annotate(self_value=self_value)
        .filter(
            consensus_filter,
            cycle=cycle,
            self_assessment__pct__sha_id__in=pct_sha_ids,
        )
        .select_related("self_assessment__pct", "criterion", "competency")
        .order_by("self_assessment__pct__name", "criterion__position", "pk")
    )
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


def _self_value_subquery(kind: str, ref: str, has_criteria: bool = False) -> Subquery:
    """The PCT's own rating of the same item, beside the consensus and moderated values."""
    if kind == "governance":
        return Subquery(
            GovernanceDeclaration.objects.filter(
                self_assessment=OuterRef("self_assessment"), area=ref
            ).values("rating")[:1]
        )
    same_item = Q(criterion=OuterRef("criterion")) if has_criteria else Q(criterion__isnull=True)
    return Subquery(
        CompetencyRating.objects.filter(
            same_item,
            self_assessment=OuterRef("self_assessment"),
            competency=OuterRef("competency"),
        ).values("level")[:1]
    )


def _codes(sha_ids: list[int]) -> set[str]:
    return set(SHA.objects.filter(pk__in=sha_ids).values_list("code", flat=True))


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
