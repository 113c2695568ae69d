"""Who may see and act in the due process (domain brief §6, §8).

- A PCT's draft result during the factual accuracy check, its challenges and its rating
  reviews: the PCT's own staff (the approver acts; other staff read), the SHA's own staff
  (the SHA lead answers challenges), DH staff. External peer experts see none of it.
- The queues: SHA leads (their SHA's challenges) and DH staff (everything).
Anything else is a 404 by the existing rule, so the answer reveals nothing.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from assurance.models import (
    PCT,
    Challenge,
    ChallengeDocument,
    Cycle,
    Publication,
    PublicationStatus,
    PublishedResult,
    RatingReview,
    SelfAssessment,
)


def _pct_scope(user: Any, field: str = "pct") -> Q:
    """The PCTs whose due process records ``user`` may read, as a filter on ``field``."""
    if not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    if user.is_dh:
        return Q()
    if user.is_pct_user:
        return Q(**{f"{field}_id": user.pct_id})
    if user.is_sha_staff:
        return Q(**{f"{field}__sha_id": user.sha_id})
    return Q(pk__in=[])


def get_cycle_for_due_process(user: Any, pk: int) -> Cycle:
    cycle = Cycle.objects.prefetch_related("phases").filter(pk=pk).first()
    if cycle is None or not getattr(user, "is_authenticated", False):
        raise Http404("No such cycle")
    return cycle


def get_draft_for_user(user: Any, cycle: Cycle, code: str) -> SelfAssessment:
    """A PCT's draft result once DH have opened the factual accuracy check of ``cycle``."""
    if not hasattr(cycle, "accuracy_check"):
        raise Http404("The factual accuracy check has not opened")
    sa = (
        SelfAssessment.objects.select_related("pct__sha", "cycle__framework")
        .filter(_pct_scope(user), cycle=cycle, pct__code=code.upper())
        .first()
    )
    if sa is None:
        raise Http404("No such draft result")
    return sa


def get_challenge_for_user(user: Any, pk: int) -> Challenge:
    challenge = (
        Challenge.objects.select_related(
            "pct__sha",
            "cycle",
            "raised_by",
            "answered_by",
            "moderation",
            "consensus__self_assessment__pct",
            "consensus__competency",
            "consensus__criterion",
            "consensus__chosen_outcome__indicator",
        )
        .filter(_pct_scope(user), pk=pk)
        .first()
    )
    if challenge is None:
        raise Http404("No such challenge")
    return challenge


def get_challenge_document_for_user(user: Any, pk: int) -> ChallengeDocument:
    document = (
        ChallengeDocument.objects.select_related("challenge")
        .filter(_pct_scope(user, "challenge__pct"), pk=pk)
        .first()
    )
    if document is None:
        raise Http404("No such file")
    return document


def may_answer(user: Any, challenge: Challenge) -> bool:
    return bool(user.is_sha_lead and user.sha_id == challenge.pct.sha_id)


def may_challenge(user: Any, sa: SelfAssessment) -> bool:
    return bool(user.is_pct_approver and user.pct_id == sa.pct_id)


def queue_scope(user: Any) -> Q:
    """SHA leads see their SHA's challenges; DH staff all. Others: 404."""
    if getattr(user, "is_dh", False):
        return Q()
    if getattr(user, "is_sha_lead", False):
        return Q(pct__sha_id=user.sha_id)
    raise Http404("The queue is for SHA leads and DH staff")


def visible_challenges(user: Any) -> QuerySet[Challenge]:
    return Challenge.objects.filter(_pct_scope(user))


def visible_reviews(user: Any) -> QuerySet[RatingReview]:
    return RatingReview.objects.filter(_pct_scope(user))


def get_review_for_user(user: Any, pk: int) -> RatingReview:
    review = (
        RatingReview.objects.select_related(
            "pct__sha", "publication__cycle", "asked_by", "decided_by"
        )
        .filter(_pct_scope(user), pk=pk)
        .first()
    )
    if review is None:
        raise Http404("No such review")
    return review


def get_result_for_review(user: Any, publication: Publication, code: str) -> PublishedResult:
    """The approver's own PCT's result in a published version: what a review names."""
    if not getattr(user, "is_pct_approver", False) or user.pct.code != code.upper():
        raise Http404("Only the PCT's approver asks for a review")
    if publication.status not in (PublicationStatus.COMPLETE, PublicationStatus.SUPERSEDED):
        raise Http404("Not published")
    result = (
        PublishedResult.objects.select_related("pct")
        .filter(publication=publication, pct_id=user.pct_id)
        .first()
    )
    if result is None:
        raise Http404("Your PCT has no result in this publication")
    return result


def own_pct(user: Any) -> PCT | None:
    return user.pct if getattr(user, "is_pct_user", False) else None
