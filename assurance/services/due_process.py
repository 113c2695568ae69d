r"""Due process (domain brief §8): the factual accuracy check before publication and the
rating review after it. One atomic, audited function per use case; refusals are
:class:`~assurance.services.errors.ServiceError`\ s and save nothing.

An accepted challenge and an upheld review change the result only through the one
moderation write (:func:`assurance.services.panels.apply_moderation`), linked back to the
challenge or review item, so the moderation trail shows why each value changed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from assurance.models import (
    AccuracyCheck,
    Challenge,
    ChallengeDocument,
    ChallengeStatus,
    Consensus,
    Cycle,
    ModerationStage,
    PhaseKind,
    PhaseStatus,
    Publication,
    PublicationStatus,
    RatingReview,
    RatingReviewItem,
    ReviewStatus,
    SelfAssessment,
    User,
)
from assurance.queries.due_process import forget_review_marks
from assurance.rules import due_process as rules
from assurance.services import audit
from assurance.services.errors import ServiceError
from assurance.services.panels import Value, apply_moderation, consensus_item
from assurance.services.self_assessment import check_evidence_upload

MAX_UPLOADS = 5
TEXT_LIMIT = 5_000


def _text(value: str, field: str, message: str, errors: dict[str, str]) -> str:
    value = (value or "").strip()
    if not value:
        errors[field] = message
    elif len(value) > TEXT_LIMIT:
        errors[field] = f"Keep this to {TEXT_LIMIT:,} characters or fewer."
    return value


# --- The window -------------------------------------------------------------------------


@transaction.atomic
def open_accuracy_check(
    actor: User, cycle: Cycle, *, opens_on: dt.date, closes_on: dt.date | None = None
) -> AccuracyCheck:
    """DH staff open the factual accuracy check after national calibration (§8).

    The closing day defaults to the cycle's setting (10 working days, counting the
    opening day). Opening again after closing reopens it with the new dates.
    """
    if not actor.is_dh:
        raise ServiceError("Only DH staff open the factual accuracy check.")
    cycle = Cycle.objects.select_for_update().prefetch_related("phases").get(pk=cycle.pk)
    calibration = next((p for p in cycle.phases.all() if p.kind == PhaseKind.CALIBRATION), None)
    if calibration is None or calibration.status == PhaseStatus.SCHEDULED:
        raise ServiceError(
            "The factual accuracy check opens after calibration: phase 4 has not opened yet."
        )
    if Publication.objects.filter(cycle=cycle).exists():
        raise ServiceError(
            f"{cycle} has been published: after publication a PCT asks for a rating review."
        )
    closes_on = closes_on or rules.add_working_days(opens_on, cycle.accuracy_check_days)
    if closes_on < opens_on:
        raise ServiceError(
            "The closing day must be on or after the opening day.", field="closes_on"
        )
    window, created = AccuracyCheck.objects.select_for_update().get_or_create(
        cycle=cycle, defaults={"opens_on": opens_on, "closes_on": closes_on, "opened_by": actor}
    )
    old = "" if created else f"{window.opens_on} to {window.closes_on} ({_state(window)})"
    if not created:
        if window.is_open:
            raise ServiceError("The factual accuracy check is already open.")
        window.opens_on, window.closes_on, window.is_open = opens_on, closes_on, True
        window.opened_by, window.closed_by, window.closed_at = actor, None, None
        window.save()
    audit.record(
        actor=actor,
        action="accuracy_check.opened" if created else "accuracy_check.reopened",
        obj=window,
        label=str(window),
        cycle=cycle,
        old=old,
        new=f"{opens_on} to {closes_on} (open)",
    )
    return window


def _state(window: AccuracyCheck) -> str:
    return "open" if window.is_open else "closed"


@transaction.atomic
def close_accuracy_check(actor: User, cycle: Cycle) -> AccuracyCheck:
    """DH staff close the window: no new challenges; the SHA leads still answer."""
    if not actor.is_dh:
        raise ServiceError("Only DH staff close the factual accuracy check.")
    window = AccuracyCheck.objects.select_for_update().filter(cycle=cycle).first()
    if window is None or not window.is_open:
        raise ServiceError("The factual accuracy check is not open.")
    window.is_open, window.closed_by, window.closed_at = False, actor, timezone.now()
    window.save(update_fields=["is_open", "closed_by", "closed_at"])
    audit.record(
        actor=actor,
        action="accuracy_check.closed",
        obj=window,
        label=str(window),
        cycle=cycle,
        old="open",
        new="closed",
    )
    return window


# --- Challenges ---------------------------------------------------------------------------


@transaction.atomic
def raise_challenge(
    actor: User,
    consensus: Consensus,
    *,
    what_is_wrong: str,
    correction: str,
    evidence: str = "",
    uploads: Sequence[UploadedFile] = (),
    today: dt.date | None = None,
) -> Challenge:
    """The PCT's approver challenges one item of the PCT's draft result (§8)."""
    sa: SelfAssessment = consensus.self_assessment
    if not (actor.is_pct_approver and actor.pct_id == sa.pct_id):
        raise ServiceError("Only the PCT's approver challenges its draft result.")
    window = AccuracyCheck.objects.filter(cycle_id=sa.cycle_id).first()
    refusal = rules.challenge_refusal(
        window_open=bool(window and window.is_open),
        closes_on=window.closes_on if window else None,
        today=today or timezone.localdate(),
    )
    if refusal:
        raise ServiceError(refusal)
    errors: dict[str, str] = {}
    what_is_wrong = _text(what_is_wrong, "what_is_wrong", "Enter what is factually wrong.", errors)
    correction = _text(correction, "correction", "Enter the correction you ask for.", errors)
    evidence = (evidence or "").strip()
    if len(evidence) > TEXT_LIMIT:
        errors["evidence"] = f"Keep this to {TEXT_LIMIT:,} characters or fewer."
    if len(uploads) > MAX_UPLOADS:
        errors["files"] = f"Attach {MAX_UPLOADS} files or fewer."
    if errors:
        raise ServiceError.for_fields(errors)
    # Lock the item: two challenges at once to one item must not both be saved.
    consensus = (
        Consensus.objects.select_for_update(of=("self",))
        .select_related("criterion", "competency")
        .get(pk=consensus.pk)
    )
    if Challenge.objects.filter(consensus=consensus, status=ChallengeStatus.UNANSWERED).exists():
        raise ServiceError("This item already has a challenge awaiting an answer.")
    checked = []
    for upload in uploads:
        try:
            checked.append((upload, check_evidence_upload(upload)))
        except ServiceError as exc:
            raise ServiceError(f"{upload.name}: {exc}", field="files") from exc
    challenge = Challenge.objects.create(
        cycle_id=sa.cycle_id,
        pct_id=sa.pct_id,
        consensus=consensus,
        what_is_wrong=what_is_wrong,
        correction=correction,
        evidence=evidence,
        raised_by=actor,
    )
    item = consensus_item(consensus)
    for upload, found in checked:
        document = ChallengeDocument.objects.create(
            challenge=challenge,
            file=upload,
            original_name=found.original_name,
            content_type=found.content_type,
            size=found.size,
            sha256=found.sha256,
            uploaded_by=actor,
        )
        audit.record(
            actor=actor,
            action="challenge.file_uploaded",
            obj=document,
            label=f"Factual accuracy challenge evidence: {item.label}",
            cycle=sa.cycle,
            pct=sa.pct,
            field="file",
            new=f"{found.original_name} (sha256 {found.sha256[:12]})",
        )
    audit.record(
        actor=actor,
        action="challenge.raised",
        obj=challenge,
        label=f"Factual accuracy challenge: {item.label}",
        cycle=sa.cycle,
        pct=sa.pct,
        field=item.key,
        new=correction,
        reason=what_is_wrong,
    )
    return challenge


@transaction.atomic
def answer_challenge(
    actor: User,
    challenge: Challenge,
    *,
    accepted: bool,
    reason: str,
    value: Value = None,
) -> Challenge:
    """The PCT's SHA lead answers: accepted (the item is moderated, linked to the
    challenge) or not accepted, with reasons either way (§8)."""
    challenge = (
        Challenge.objects.select_for_update(of=("self",))
        .select_related("pct", "cycle", "consensus__self_assessment__pct")
        .get(pk=challenge.pk)
    )
    if not (actor.is_sha_lead and actor.sha_id == challenge.pct.sha_id):
        raise ServiceError("Only the PCT's SHA lead answers its challenges.")
    if challenge.is_answered:
        raise ServiceError("This challenge has already been answered.")
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("Enter the reasons for your answer.", field="reason")
    moderation = None
    if accepted:
        moderation = apply_moderation(
            actor,
            challenge.consensus,
            stage=ModerationStage.REGIONAL,
            value=value,
            reason=f"Factual accuracy challenge accepted: {reason}",
        )
    challenge.status = ChallengeStatus.ACCEPTED if accepted else ChallengeStatus.NOT_ACCEPTED
    challenge.answer, challenge.answered_by = reason, actor
    challenge.answered_at, challenge.moderation = timezone.now(), moderation
    challenge.save(update_fields=["status", "answer", "answered_by", "answered_at", "moderation"])
    item = consensus_item(challenge.consensus)
    audit.record(
        actor=actor,
        action=f"challenge.{challenge.status}",
        obj=challenge,
        label=f"Factual accuracy challenge {challenge.get_status_display().lower()}: {item.label}",
        cycle=challenge.cycle,
        pct=challenge.pct,
        field=item.key,
        old=ChallengeStatus.UNANSWERED.label,
        new=challenge.get_status_display(),
        reason=reason,
    )
    return challenge


# --- Rating reviews -----------------------------------------------------------------------


@transaction.atomic
def ask_for_review(
    actor: User,
    publication: Publication,
    *,
    items: Iterable[Consensus],
    grounds: str,
    today: dt.date | None = None,
) -> RatingReview:
    """The PCT's approver asks DH for a review of named items of a published version."""
    if not actor.is_pct_approver:
        raise ServiceError("Only the PCT's approver asks for a rating review.")
    publication = Publication.objects.select_related("cycle").get(pk=publication.pk)
    refusal = rules.review_refusal(
        published=publication.status in (PublicationStatus.COMPLETE, PublicationStatus.SUPERSEDED),
        superseded=publication.status == PublicationStatus.SUPERSEDED
        or publication.superseded_by_id is not None,
        confirmed_on=timezone.localdate(publication.confirmed_at)
        if publication.confirmed_at
        else None,
        today=today or timezone.localdate(),
        days=publication.cycle.review_days,
    )
    if refusal:
        raise ServiceError(refusal)
    if not publication.results.filter(pct_id=actor.pct_id).exists():
        raise ServiceError("Your PCT has no result in this publication.")
    items = list(items)
    errors: dict[str, str] = {}
    grounds = _text(grounds, "grounds", "Enter the grounds for the review.", errors)
    if not items:
        errors["items"] = "Choose at least one item to review."
    elif any(
        c.self_assessment.pct_id != actor.pct_id
        or c.self_assessment.cycle_id != publication.cycle_id
        for c in items
    ):
        errors["items"] = "Choose items of your own PCT's result in this publication."
    if errors:
        raise ServiceError.for_fields(errors)
    # Lock the PCT's assessment: two requests at once must not both name an item.
    SelfAssessment.objects.select_for_update().filter(
        cycle_id=publication.cycle_id, pct_id=actor.pct_id
    ).first()
    taken = set(
        RatingReviewItem.objects.filter(
            publication=publication, consensus__in=[c.pk for c in items]
        ).values_list("consensus_id", flat=True)
    )
    if taken:
        labels = ", ".join(consensus_item(c).label for c in items if c.pk in taken)
        raise ServiceError(
            f"A review of this version has already been asked for on: {labels}.", field="items"
        )
    review = RatingReview.objects.create(
        publication=publication, pct_id=actor.pct_id, grounds=grounds, asked_by=actor
    )
    RatingReviewItem.objects.bulk_create(
        [RatingReviewItem(review=review, publication=publication, consensus=c) for c in items]
    )
    transaction.on_commit(lambda: forget_review_marks(publication.cycle_id))
    audit.record(
        actor=actor,
        action="review.asked",
        obj=review,
        label=f"Rating review of version {publication.version}: "
        + ", ".join(consensus_item(c).label for c in items),
        cycle=publication.cycle,
        pct=actor.pct,
        new=ReviewStatus.PENDING.label,
        reason=grounds,
    )
    return review


@transaction.atomic
def decide_review(
    actor: User,
    review: RatingReview,
    *,
    upheld: bool,
    reason: str,
    values: Mapping[int, Value] | None = None,
) -> RatingReview:
    """DH staff decide a review (never the PCT's own SHA, §8). Upheld: each item is
    moderated at the national stage with its new value (``values`` by review item id);
    DH then publish a corrected version, which lists what changed and why."""
    if not actor.is_dh:
        raise ServiceError("Only DH staff decide a rating review.")
    review = (
        RatingReview.objects.select_for_update(of=("self",))
        .select_related("publication__cycle", "pct")
        .get(pk=review.pk)
    )
    if review.status != ReviewStatus.PENDING:
        raise ServiceError("This review has already been decided.")
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("Enter the reasons for the decision.", field="reason")
    items = list(
        review.items.select_related(
            "consensus__self_assessment__pct", "consensus__criterion", "consensus__competency"
        )
    )
    if upheld:
        values = values or {}
        problems: dict[str, str] = {}
        for item in items:
            try:
                item.moderation = apply_moderation(
                    actor,
                    item.consensus,
                    stage=ModerationStage.NATIONAL,
                    value=values.get(item.pk),
                    reason=f"Rating review upheld: {reason}",
                )
            except ServiceError as exc:
                problems[f"item_{item.pk}"] = "; ".join(p.message for p in exc.problems) or str(exc)
        if problems:
            raise ServiceError.for_fields(problems)
        RatingReviewItem.objects.bulk_update(items, ["moderation"])
    review.status = ReviewStatus.UPHELD if upheld else ReviewStatus.NOT_UPHELD
    review.decision, review.decided_by, review.decided_at = reason, actor, timezone.now()
    review.save(update_fields=["status", "decision", "decided_by", "decided_at"])
    cycle_id = review.publication.cycle_id
    transaction.on_commit(lambda: forget_review_marks(cycle_id))
    audit.record(
        actor=actor,
        action=f"review.{review.status}",
        obj=review,
        label=f"Rating review {review.get_status_display().lower()}",
        cycle=review.publication.cycle,
        pct=review.pct,
        old=ReviewStatus.PENDING.label,
        new=review.get_status_display(),
        reason=reason,
    )
    return review
