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
from assurance.services import cycles as service
from assurance.services.errors import ServiceError


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


def _detail(request, the_cycle, *, settings_form=None, phase_error=None, status=200):
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
            "phase_error": phase_error,
        },
        status=status,
    )


@require_GET
@login_required
def cycle_detail(request: HttpRequest, cycle: str) -> HttpResponse:
    cycle_access.require_dh(request.user)
    return _detail(request, cycle_access.get_cycle(cycle))


@require_POST
@login_required
def phase_change(request: HttpRequest, cycle: str, kind: int, action: str) -> HttpResponse:
    cycle_access.require_dh(request.user)
    the_cycle = cycle_access.get_cycle(cycle)
    if action not in {"open", "close", "reopen"}:
        raise Http404
    phase = next((p for p in the_cycle.phases.all() if p.kind == kind), None)
    if phase is None:
        raise Http404
    form = ReasonForm(request.POST)
    form.is_valid()  # the reason is optional except for reopening: the service decides
    try:
        service.change_phase(
            request.user, phase, action, reason=form.cleaned_data.get("reason", "")
        )
    except ServiceError as error:
        return _detail(
            request, the_cycle, phase_error={"kind": kind, "message": error.message}, status=400
        )
    messages.success(request, f"{phase.get_kind_display()} {phase.get_status_display().lower()}.")
    return redirect("cycles:detail", the_cycle.slug)


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
