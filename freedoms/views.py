"""Pages for what follows from a tier. Each view: access helper → form → one service call."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from assurance.services.errors import ServiceError
from assurance.views.drafts import login_required_keeping_drafts, posted_or_draft
from freedoms import access, queries, services
from freedoms.forms import (
    ActionStatusForm,
    BudgetProposalForm,
    DecisionForm,
    FranchiseProposalForm,
    FranchiseRequestForm,
    FundApplicationForm,
    GrantNotesForm,
    PlanActionForm,
    ReasonForm,
    ReviewForm,
)
from freedoms.models import InnovationFund, PlanStatus

# --- PCT pages ---------------------------------------------------------------------------


@login_required
@require_GET
def my_freedoms(request: HttpRequest) -> HttpResponse:
    pct = access.require_pct_user(request.user)
    today = timezone.localdate()
    context = {"pct": pct, "today": today, **queries.pct_overview(pct, today)}
    context["can_request"] = services.can_request_franchise(request.user, context["standing"])
    context["fund"] = InnovationFund.objects.order_by("-financial_year").first()
    return render(request, "freedoms/my_freedoms.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def franchise_propose(request: HttpRequest) -> HttpResponse:
    pct = access.require_pct_user(request.user)
    form = FranchiseProposalForm(request.POST or None, franchisor=pct)
    if request.method == "POST" and form.is_valid():
        try:
            franchise = services.propose_franchise(by=request.user, **form.cleaned_data)
        except ServiceError as refused:
            form.add_service_error(refused)
        else:
            messages.success(request, f"Franchise proposed to {franchise.receiver}.")
            return redirect("freedoms:franchise_detail", pk=franchise.pk)
    status = 400 if form.errors else 200
    return render(request, "freedoms/franchise_propose.html", {"form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def franchise_request(request: HttpRequest) -> HttpResponse:
    pct = access.require_pct_approver(request.user)
    form = FranchiseRequestForm(request.POST or None, receiver=pct)
    if request.method == "POST" and form.is_valid():
        try:
            franchise = services.request_franchise(by=request.user, **form.cleaned_data)
        except ServiceError as refused:
            form.add_service_error(refused)
        else:
            messages.success(request, f"Request sent to {franchise.franchisor}.")
            return redirect("freedoms:franchise_detail", pk=franchise.pk)
    status = 400 if form.errors else 200
    return render(request, "freedoms/franchise_request.html", {"form": form}, status=status)


@login_required
@require_GET
def franchise_detail(request: HttpRequest, pk: int) -> HttpResponse:
    franchise = access.get_franchise_for_user(request.user, pk)
    return _franchise_page(request, franchise, ReasonForm())


def _franchise_page(request: HttpRequest, franchise, reason_form, status: int = 200):
    context = {
        "franchise": franchise,
        "reason_form": reason_form,
        "can_answer": services.can_answer_franchise(franchise, request.user),
        "can_end": services.can_end_franchise(franchise, request.user),
        "active_now": franchise.is_active_on(timezone.localdate()),
    }
    return render(request, "freedoms/franchise_detail.html", context, status=status)


FRANCHISE_STEPS = {
    "accept": (services.accept_franchise, "Franchise accepted: it now goes to the SHA lead."),
    "approve": (services.approve_franchise, "Franchise approved."),
}
FRANCHISE_REASONED = {
    "decline": (services.decline_franchise, "Franchise declined."),
    "end": (services.end_franchise, "Franchise ended early."),
    "keep": (services.keep_flagged_franchise, "Franchise reviewed: it continues."),
}


@login_required
@require_POST
def franchise_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    franchise = access.get_franchise_for_user(request.user, pk)
    form = ReasonForm(request.POST)
    try:
        if step in FRANCHISE_STEPS:
            service, done = FRANCHISE_STEPS[step]
            service(franchise, by=request.user)
        elif step in FRANCHISE_REASONED:
            service, done = FRANCHISE_REASONED[step]
            service(franchise, by=request.user, reason=request.POST.get("reason", ""))
        else:
            return redirect("freedoms:franchise_detail", pk=pk)
    except ServiceError as refused:
        form.is_valid()
        form.errors.clear()
        form.add_service_error(refused)
        return _franchise_page(request, franchise, form, status=400)
    messages.success(request, done)
    return redirect("freedoms:franchise_detail", pk=pk)


@login_required_keeping_drafts()
@require_http_methods(["GET", "POST"])
def budget_new(request: HttpRequest) -> HttpResponse:
    access.require_pct_user(request.user)
    form = BudgetProposalForm(posted_or_draft(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.submit_budget_proposal(
                by=request.user,
                title=data["title"],
                first_year=data["first_year"],
                amounts=form.amounts(),
                rationale=data["rationale"],
            )
        except ServiceError as refused:
            form.add_service_error(refused)
        else:
            messages.success(request, "Budget proposal sent to your SHA.")
            return redirect("freedoms:mine")
    status = 400 if form.errors else 200
    return render(request, "freedoms/budget_new.html", {"form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def budget_detail(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = access.get_budget_for_user(request.user, pk)
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.decide_budget_proposal(
                proposal,
                by=request.user,
                approve=form.cleaned_data["decision"] == "approve",
                reason=form.cleaned_data["reason"],
            )
        except ServiceError as refused:
            form.add_service_error(refused)
        else:
            messages.success(request, "Decision recorded.")
            return redirect("freedoms:budget_detail", pk=pk)
    status = 400 if form.errors else 200
    context = {"proposal": proposal, "form": form}
    return render(request, "freedoms/budget_detail.html", context, status=status)


@login_required_keeping_drafts()
@require_http_methods(["GET", "POST"])
def fund_apply(request: HttpRequest) -> HttpResponse:
    access.require_pct_user(request.user)
    fund = access.current_fund()
    form = FundApplicationForm(posted_or_draft(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.apply_to_fund(fund, by=request.user, **form.cleaned_data)
        except ServiceError as refused:
            form.add_service_error(refused)
        else:
            messages.success(request, f"Application sent to the {fund}.")
            return redirect("freedoms:mine")
    status = 400 if form.errors else 200
    return render(request, "freedoms/fund_apply.html", {"form": form, "fund": fund}, status=status)


# --- Plans ----------------------------------------------------------------------------------


@login_required
@require_GET
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = access.get_plan_for_user(request.user, pk)
    return _plan_page(request, plan, PlanActionForm())


def _plan_page(request, plan, action_form, status: int = 200, errors=None):
    today = timezone.localdate()
    actions = list(plan.actions.all())
    for action in actions:
        action.overdue = action.is_overdue(today)
    context = {
        "plan": plan,
        "actions": actions,
        "action_form": action_form,
        "status_choices": ActionStatusForm.base_fields["status"].choices,
        "is_own_pct": request.user.is_pct_user and request.user.pct_id == plan.pct_id,
        "can_agree": plan.status == PlanStatus.DRAFT and request.user.is_sha_staff,
        "errors": errors or [],
    }
    return render(request, "freedoms/plan_detail.html", context, status=status)


@login_required
@require_POST
def plan_add_action(request: HttpRequest, pk: int) -> HttpResponse:
    plan = access.get_plan_for_user(request.user, pk)
    form = PlanActionForm(request.POST)
    if form.is_valid():
        try:
            services.add_plan_action(plan, by=request.user, **form.cleaned_data)
        except ServiceError as refused:
            form.add_service_error(refused)
        else:
            messages.success(request, "Action added.")
            return redirect("freedoms:plan_detail", pk=pk)
    return _plan_page(request, plan, form, status=400)


@login_required
@require_POST
def plan_agree(request: HttpRequest, pk: int) -> HttpResponse:
    plan = access.get_plan_for_user(request.user, pk)
    try:
        services.agree_plan(plan, by=request.user)
    except ServiceError as refused:
        errors = [{"message": p.message} for p in refused.problems]
        return _plan_page(request, plan, PlanActionForm(), status=400, errors=errors)
    messages.success(request, "Plan agreed.")
    return redirect("freedoms:plan_detail", pk=pk)


@login_required
@require_POST
def action_status(request: HttpRequest, pk: int) -> HttpResponse:
    action = access.get_action_for_user(request.user, pk)
    form = ActionStatusForm(request.POST)
    try:
        if not form.is_valid():
            raise services._refuse("Choose a status.", "status")
        services.update_action_status(action, by=request.user, status=form.cleaned_data["status"])
    except ServiceError as refused:
        errors = [{"message": p.message} for p in refused.problems]
        return _plan_page(request, action.plan, PlanActionForm(), status=400, errors=errors)
    messages.success(request, "Action updated.")
    return redirect("freedoms:plan_detail", pk=action.plan_id)


# --- SHA pages ------------------------------------------------------------------------------


@login_required
@require_GET
def review_calendar(request: HttpRequest) -> HttpResponse:
    access.require_sha_user(request.user)
    today = timezone.localdate()
    show_all = request.GET.get("show") == "all"
    rows = queries.review_calendar(request.user.sha_id, today, show_all)
    context = {"rows": rows, "today": today, "show_all": show_all}
    template = "freedoms/review_calendar.html"
    if request.htmx:
        template += "#calendar"
    return render(request, template, context)


@login_required_keeping_drafts()
@require_http_methods(["GET", "POST"])
def review_record(request: HttpRequest, code: str) -> HttpResponse:
    pct = access.get_pct_for_sha_user(request.user, code)
    form = ReviewForm(posted_or_draft(request), initial={"held_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.record_review(pct, by=request.user, **form.cleaned_data)
        except ServiceError as refused:
            form.add_service_error(refused)
        else:
            messages.success(request, f"Review of {pct} recorded.")
            return redirect("freedoms:reviews")
    status = 400 if form.errors else 200
    reviews = pct.reviews.select_related("recorded_by")[:10]
    context = {"pct": pct, "form": form, "reviews": reviews}
    return render(request, "freedoms/review_record.html", context, status=status)


@login_required
@require_GET
def sha_approvals(request: HttpRequest) -> HttpResponse:
    access.require_sha_user(request.user)
    today = timezone.localdate()
    context = {"today": today, **queries.sha_approvals(request.user.sha_id, today)}
    return render(request, "freedoms/sha_approvals.html", context)


# --- DH pages -------------------------------------------------------------------------------


@login_required
@require_GET
def dh_overview(request: HttpRequest) -> HttpResponse:
    access.require_dh(request.user)
    return render(request, "freedoms/dh_overview.html", queries.dh_overview())


@login_required
@require_POST
def publication_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    publication = access.get_publication_for_dh(request.user, pk)
    try:
        summary = services.confirm_publication(publication, by=request.user)
    except ServiceError as refused:
        messages.error(request, str(refused))
    else:
        messages.success(
            request,
            f"{publication} confirmed: {summary.granted} grants, {summary.notices} notices, "
            f"{summary.support_packages} support packages, {summary.plans} new plans, "
            f"{summary.carried_plans} carried over.",
        )
    return redirect("freedoms:overview")


@login_required
@require_GET
def fund_queue(request: HttpRequest) -> HttpResponse:
    access.require_dh(request.user)
    fund = access.current_fund()
    return _fund_page(request, fund)


def _fund_page(request, fund, failed=None, form=None, status: int = 200):
    context = {"view": queries.fund_view(fund), "failed": failed, "form": form or DecisionForm()}
    return render(request, "freedoms/fund_queue.html", context, status=status)


@login_required
@require_POST
def fund_decide(request: HttpRequest, pk: int) -> HttpResponse:
    access.require_dh(request.user)
    application = access.get_fund_application_for_user(request.user, pk)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            services.decide_fund_application(
                application,
                by=request.user,
                approve=form.cleaned_data["decision"] == "approve",
                reason=form.cleaned_data["reason"],
            )
        except ServiceError as refused:
            form.add_service_error(refused)
        else:
            messages.success(request, f"Decision on “{application.title}” recorded.")
            return redirect("freedoms:fund")
    return _fund_page(request, application.fund, failed=application.pk, form=form, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def grant_notes(request: HttpRequest, code: str) -> HttpResponse:
    access.require_dh(request.user)
    pct, grants = queries.pct_grants(code)
    form = GrantNotesForm(request.POST or None, grants=grants)
    lapsed: list = []
    if request.method == "POST":
        showing = form.posted_grant_ids(request.POST) - {g.pk for g in grants}
        form.is_valid()
        lapsed = form.lapsed_notes(queries.lapsed_grants(pct, showing))
    if request.method == "POST" and form.is_valid():
        try:
            services.set_grants_notes(form.changed_notes(grants), by=request.user)
        except ServiceError as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, f"Notes for {pct.name} saved.")
            return redirect("freedoms:grant_notes", code=code)
    return render(
        request,
        "freedoms/grant_notes.html",
        {
            "pct": pct,
            "rows": [(g, form[f"notes-{g.pk}"]) for g in grants],
            "lapsed": lapsed,
            "form": form,
        },
        status=400 if form.errors else 200,
    )
