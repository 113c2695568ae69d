"""Due process pages (domain brief §8): the factual accuracy check and the rating review.

Each view: access (404 outside a person's reach, 403 where they may read but not act) →
form → one service call → redirect or render.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from assurance.access import due_process as access
from assurance.access import publications as publication_access
from assurance.access.panels import published_as_of
from assurance.forms.due_process import (
    AnswerForm,
    ChallengeForm,
    DecisionForm,
    OpenWindowForm,
    ReviewForm,
)
from assurance.models import AccuracyCheck, Consensus, Cycle, ReviewStatus, SelfAssessment
from assurance.queries import due_process as queries
from assurance.queries.panel_items import panel_items
from assurance.rules.uploads import download_name
from assurance.services import due_process as service
from assurance.services.errors import ServiceError
from assurance.views.drafts import login_required_keeping_drafts, posted_or_draft
from assurance.views.files import private_download


@require_GET
@login_required
def index(request: HttpRequest) -> HttpResponse:
    """PCT staff: their PCT's draft results, challenges and reviews. SHA leads and DH: the
    queues with counts and ages."""
    user = request.user
    today = timezone.localdate()
    if user.is_pct_user:
        return render(
            request,
            "assurance/due_process/index_pct.html",
            {
                "windows": AccuracyCheck.objects.select_related("cycle").order_by("-opens_on"),
                "challenges": access.visible_challenges(user)
                .select_related(
                    "cycle",
                    "consensus__competency",
                    "consensus__criterion",
                    "consensus__chosen_outcome__indicator",
                )
                .order_by("-raised_at"),
                "reviews": queries.reviews_with_items(access.visible_reviews(user)).order_by(
                    "-asked_at"
                ),
            },
        )
    scope = access.queue_scope(user)
    return render(
        request,
        "assurance/due_process/queue.html",
        {
            "challenges": queries.challenge_queue(scope, today),
            "reviews": queries.review_queue(scope, today) if user.is_dh else None,
            "windows": AccuracyCheck.objects.select_related("cycle").order_by("-opens_on")
            if user.is_dh
            else [],
            "cycles": Cycle.objects.order_by("-year_label") if user.is_dh else [],
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def window(request: HttpRequest, cycle_id: int) -> HttpResponse:
    """DH staff open or close a cycle's factual accuracy check."""
    if not request.user.is_dh:
        raise Http404("DH staff run the factual accuracy check")
    cycle = access.get_cycle_for_due_process(request.user, cycle_id)
    current = AccuracyCheck.objects.filter(cycle=cycle).first()
    form = OpenWindowForm(
        request.POST if request.POST.get("action") == "open" else None,
        initial={"opens_on": timezone.localdate()},
    )
    error = ""
    if request.method == "POST":
        try:
            if request.POST.get("action") == "close":
                service.close_accuracy_check(request.user, cycle)
                messages.success(request, "The factual accuracy check is closed.")
                return redirect("due_process:window", cycle_id=cycle.pk)
            if form.is_valid():
                opened = service.open_accuracy_check(request.user, cycle, **form.cleaned_data)
                messages.success(
                    request,
                    f"The factual accuracy check is open until {opened.closes_on:%-d %B %Y}.",
                )
                return redirect("due_process:window", cycle_id=cycle.pk)
        except ServiceError as exc:
            form.add_service_error(exc)
            error = str(exc)
    return render(
        request,
        "assurance/due_process/window.html",
        {"cycle": cycle, "window": current, "form": form, "error": error},
        status=400 if request.method == "POST" else 200,
    )


@require_GET
@login_required
def draft(request: HttpRequest, cycle_id: int, code: str) -> HttpResponse:
    """A PCT's draft result during the factual accuracy check, with its challenges."""
    cycle = access.get_cycle_for_due_process(request.user, cycle_id)
    sa = access.get_draft_for_user(request.user, cycle, code)
    check = cycle.accuracy_check
    return render(
        request,
        "assurance/due_process/draft.html",
        {
            "sa": sa,
            "check": check,
            "rows": queries.draft_rows(
                sa, as_of=published_as_of(cycle) if request.user.is_pct_user else None
            ),
            "may_challenge": access.may_challenge(request.user, sa)
            and check.is_open
            and timezone.localdate() <= check.closes_on,
        },
    )


def _item(sa: SelfAssessment, pk: int) -> tuple[Consensus, object]:
    try:
        return queries.item_for(sa, pk)
    except LookupError:
        raise Http404("No such item") from None


@require_http_methods(["GET", "POST"])
@login_required_keeping_drafts()
def challenge_new(request: HttpRequest, cycle_id: int, code: str, item: int) -> HttpResponse:
    cycle = access.get_cycle_for_due_process(request.user, cycle_id)
    sa = access.get_draft_for_user(request.user, cycle, code)
    if not access.may_challenge(request.user, sa):
        raise PermissionDenied("Only the PCT's approver challenges its draft result.")
    consensus, row = _item(sa, item)
    form = ChallengeForm(posted_or_draft(request), request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            challenge = service.raise_challenge(
                request.user,
                consensus,
                what_is_wrong=form.cleaned_data["what_is_wrong"],
                correction=form.cleaned_data["correction"],
                evidence=form.cleaned_data["evidence"],
                uploads=form.cleaned_data["files"],
            )
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, "Your challenge is sent to the SHA lead.")
            return redirect("due_process:challenge", pk=challenge.pk)
    return render(
        request,
        "assurance/due_process/challenge_new.html",
        {"sa": sa, "row": row, "form": form},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@login_required
def challenge(request: HttpRequest, pk: int) -> HttpResponse:
    """A challenge and its answer; the PCT's SHA lead answers it here."""
    the_challenge = access.get_challenge_for_user(request.user, pk)
    sa = the_challenge.consensus.self_assessment
    item = queries.item_of(the_challenge.consensus, panel_items(sa))
    may_answer = access.may_answer(request.user, the_challenge)
    form = None
    if may_answer and not the_challenge.is_answered:
        form = AnswerForm(request.POST or None, item=item)
    if request.method == "POST":
        if form is None:
            raise PermissionDenied("Only the PCT's SHA lead answers, once.")
        if form.is_valid():
            try:
                service.answer_challenge(
                    request.user,
                    the_challenge,
                    accepted=form.cleaned_data["answer"] == "accepted",
                    value=form.cleaned_data.get("value"),
                    reason=form.cleaned_data["reason"],
                )
            except ServiceError as exc:
                form.add_service_error(exc)
            else:
                messages.success(request, "Your answer is recorded; the PCT can see it.")
                return redirect("due_process:challenge", pk=the_challenge.pk)
    return render(
        request,
        "assurance/due_process/challenge.html",
        {
            "challenge": the_challenge,
            "item": item,
            "label": queries.consensus_label(the_challenge.consensus),
            "documents": the_challenge.documents.all(),
            "form": form,
        },
        status=400 if form is not None and form.errors else 200,
    )


@require_GET
@login_required
def challenge_document(request: HttpRequest, pk: int) -> FileResponse:
    """A challenge's file, through the permission check, never rendered inline."""
    document = access.get_challenge_document_for_user(request.user, pk)
    return private_download(
        document.file,
        filename=download_name(document.original_name, document.content_type),
        content_type=document.content_type,
    )


@require_http_methods(["GET", "POST"])
@login_required_keeping_drafts()
def review_new(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    """The PCT's approver asks for a rating review of named items of a published version."""
    publication = publication_access.get_publication_for_user(request.user, pk)
    result = access.get_result_for_review(request.user, publication, code)
    sa = SelfAssessment.objects.filter(cycle_id=publication.cycle_id, pct_id=result.pct_id).first()
    if sa is None:
        raise Http404("No panel result")
    items = queries.reviewable_items(sa, publication)
    choices = [
        (str(c.pk), queries.consensus_label(c) + (" (already under review)" if taken else ""))
        for c, taken in items
    ]
    form = ReviewForm(posted_or_draft(request), choices=choices)
    if request.method == "POST" and form.is_valid():
        chosen = {int(v) for v in form.cleaned_data["items"]}
        try:
            review = service.ask_for_review(
                request.user,
                publication,
                items=[c for c, _ in items if c.pk in chosen],
                grounds=form.cleaned_data["grounds"],
            )
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, "Your request for a review is sent to DH.")
            return redirect("due_process:review", pk=review.pk)
    return render(
        request,
        "assurance/due_process/review_new.html",
        {"publication": publication, "result": result, "form": form},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@login_required
def review(request: HttpRequest, pk: int) -> HttpResponse:
    """A rating review and its decision; DH staff decide it here."""
    the_review = access.get_review_for_user(request.user, pk)
    items = queries.review_items(the_review)
    form = None
    if request.user.is_dh and the_review.status == ReviewStatus.PENDING:
        listed = panel_items(items[0].consensus.self_assessment) if items else []
        form = DecisionForm(
            request.POST or None,
            items=[(i.pk, queries.item_of(i.consensus, listed)) for i in items],
        )
    if request.method == "POST":
        if form is None:
            raise PermissionDenied("Only DH staff decide a pending review.")
        if form.is_valid():
            try:
                service.decide_review(
                    request.user,
                    the_review,
                    upheld=form.cleaned_data["decision"] == "upheld",
                    reason=form.cleaned_data["reason"],
                    values=form.values(),
                )
            except ServiceError as exc:
                form.add_service_error(exc)
            else:
                messages.success(request, "The decision is recorded; the PCT can see it.")
                return redirect("due_process:review", pk=the_review.pk)
    return render(
        request,
        "assurance/due_process/review.html",
        {
            "review": the_review,
            "items": [(i, queries.consensus_label(i.consensus)) for i in items],
            "form": form,
        },
        status=400 if form is not None and form.errors else 200,
    )
