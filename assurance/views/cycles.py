"""DH staff run the assurance year: cycles, their phases and rule settings (§3, §4)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from assurance.access import cycles as cycle_access
from assurance.forms.cycles import CycleForm, ReasonForm, RuleSettingsForm
from assurance.models import Cycle, Framework
from assurance.queries import progress
from assurance.services import cycles as service
from assurance.services.errors import ServiceError
from wcc.forms import ConfirmForm


@require_GET
@login_required
def cycle_list(request: HttpRequest) -> HttpResponse:
    cycle_access.require_dh(request.user)
    cycles = Cycle.objects.select_related("framework").prefetch_related("phases")
    return render(request, "assurance/cycles/list.html", {"cycles": cycles})


@require_http_methods(["GET", "POST"])
@login_required
def cycle_create(request: HttpRequest) -> HttpResponse:
    cycle_access.require_dh(request.user)
    form = CycleForm(request.POST or None, frameworks=Framework.objects.all())
    if request.method == "POST" and form.is_valid():
        try:
            cycle = service.create_cycle(
                request.user,
                year_label=form.cleaned_data["year_label"],
                framework=form.cleaned_data["framework"],
                phase_dates=form.phase_dates(),
            )
        except ServiceError as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"Cycle {cycle.year_label} created.")
            return redirect("cycles:detail", cycle.slug)
    return render(
        request, "assurance/cycles/form.html", {"form": form}, status=400 if form.errors else 200
    )


@require_POST
@login_required
def start_next(request: HttpRequest, cycle: str) -> HttpResponse:
    """'Start from last year': dates one year on, the same settings and menu."""
    cycle_access.require_dh(request.user)
    previous = cycle_access.get_cycle(cycle)
    try:
        new = service.start_from_last_year(request.user, previous)
    except ServiceError as error:
        messages.error(request, error.message)
        return redirect("cycles:detail", previous.slug)
    messages.success(request, f"Cycle {new.year_label} created from {previous.year_label}.")
    return redirect("cycles:detail", new.slug)


def _detail(request, the_cycle, *, settings_form=None, status=200):
    phases = list(the_cycle.phases.prefetch_related("changes__changed_by").order_by("kind"))
    initial = {k: getattr(the_cycle, k) for k in service.RULE_SETTINGS}
    return render(
        request,
        "assurance/cycles/detail.html",
        {
            "cycle": the_cycle,
            "phases": phases,
            "settings_form": settings_form or RuleSettingsForm(initial=initial),
            "published": service.is_published(the_cycle),
            "progress": progress.cycle_progress(the_cycle),
        },
        status=status,
    )


@require_GET
@login_required
def cycle_detail(request: HttpRequest, cycle: str) -> HttpResponse:
    cycle_access.require_dh(request.user)
    return _detail(request, cycle_access.get_cycle(cycle))


CLOSE_ERROR = "Confirm that you want to close this phase"


@require_http_methods(["GET", "POST"])
@login_required
def phase_change(request: HttpRequest, cycle: str, kind: int, action: str) -> HttpResponse:
    """Open, close or reopen a phase, on a page of its own that says what will happen and
    what is still outstanding; closing asks for a confirmation (issue 14)."""
    cycle_access.require_dh(request.user)
    the_cycle = cycle_access.get_cycle(cycle)
    if action not in {"open", "close", "reopen"}:
        raise Http404
    phase = next((p for p in the_cycle.phases.all() if p.kind == kind), None)
    if phase is None:
        raise Http404
    data = request.POST if request.method == "POST" else None
    form = ReasonForm(data, required=action == "reopen")
    confirm = (
        ConfirmForm(data, label=f"Close {phase.get_kind_display().lower()}", error=CLOSE_ERROR)
        if action == "close"
        else None
    )
    if request.method == "POST" and form.is_valid() and (confirm is None or confirm.is_valid()):
        try:
            service.change_phase(request.user, phase, action, reason=form.cleaned_data["reason"])
        except ServiceError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request, f"{phase.get_kind_display()} {phase.get_status_display().lower()}."
            )
            return redirect("cycles:detail", the_cycle.slug)
    return render(
        request,
        "assurance/cycles/phase_change.html",
        {
            "cycle": the_cycle,
            "phase": phase,
            "action": action,
            "form": form,
            "confirm": confirm,
            "progress": progress.cycle_progress(the_cycle),
        },
        status=400 if form.errors or (confirm and confirm.errors) else 200,
    )


@require_POST
@login_required
def rule_settings(request: HttpRequest, cycle: str) -> HttpResponse:
    cycle_access.require_dh(request.user)
    the_cycle = cycle_access.get_cycle(cycle)
    form = RuleSettingsForm(request.POST)
    if form.is_valid():
        try:
            service.update_rule_settings(request.user, the_cycle, **form.cleaned_data)
        except ServiceError as error:
            form.add_service_error(error)
        else:
            messages.success(request, "Rule settings saved.")
            return redirect("cycles:detail", the_cycle.slug)
    return _detail(request, the_cycle, settings_form=form, status=400)
