"""Who may see and change what (domain brief §6). One place; views never look up bare models.

Each ``get_*_for_user`` function returns the object or raises ``Http404`` — a PCT's
records are invisible to anyone outside its reach, so the answer reveals nothing.
Where a user may read a record but not change it, ``write=True`` raises
``PermissionDenied`` (403): they already know it exists.

Other features append their own helpers here (panels, publication, freedoms).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from assurance.access.cycles import assessors_may_read
from assurance.access.panels import sits_on_panel_for
from assurance.models import (
    ASSESSED_STATUSES,
    PCT,
    AuditEntry,
    Cycle,
    EvidenceDocument,
    SelfAssessment,
    SubmittedCopy,
)


def visible_pcts(user: Any) -> QuerySet[PCT]:
    """The PCTs whose records this user may look at: own PCT, own SHA's PCTs, or all (DH)."""
    pcts = PCT.objects.select_related("sha")
    if not user.is_authenticated:
        return pcts.none()
    if user.is_dh:
        return pcts
    if user.is_pct_user:
        return pcts.filter(pk=user.pct_id)
    if user.is_sha_staff:
        return pcts.filter(sha_id=user.sha_id)
    if user.is_peer_expert:
        return pcts.filter(sha_id=user.sha_id, panel_slots__panel_day__members=user).distinct()
    return pcts.none()


def _self_assessments() -> QuerySet[SelfAssessment]:
    return SelfAssessment.objects.select_related(
        "pct", "pct__sha", "cycle", "cycle__framework", "submitted_by"
    )


def get_self_assessment_for_user(
    user: Any, cycle: Cycle, pct_code: str, *, write: bool = False
) -> SelfAssessment:
    """The PCT's self-assessment for ``cycle`` if ``user`` may see it (write: change it).

    - PCT staff: only their own PCT; the draft is created on first visit.
    - SHA assessors: their SHA's PCTs, only submitted ones, only from phase 2.
    - DH staff: all that exist.
    Anything else is a 404. ``write=True`` additionally requires the PCT's own staff
    (read-only users get 403). Phase and submission rules are the services' job.
    """
    if not user.is_authenticated:
        raise Http404
    code = pct_code.upper()
    if user.is_pct_user:
        # One query in the usual case (autosave calls this on every save).
        assessment = (
            _self_assessments().filter(cycle=cycle, pct_id=user.pct_id, pct__code=code).first()
        )
        if assessment is not None:
            return assessment
        if user.pct is None or user.pct.code != code:
            raise Http404
        SelfAssessment.objects.get_or_create(cycle=cycle, pct=user.pct)
        return _self_assessments().get(cycle=cycle, pct=user.pct)
    queryset = _self_assessments().filter(cycle=cycle, pct__code=code)
    if user.is_sha_user:
        if not assessors_may_read(cycle):
            raise Http404
        queryset = queryset.filter(pct__sha_id=user.sha_id, status__in=ASSESSED_STATUSES)
        if user.is_peer_expert:
            queryset = queryset.filter(sits_on_panel_for(user))
    elif not user.is_dh:
        raise Http404
    assessment = queryset.first()
    if assessment is None:
        raise Http404
    if write:
        raise PermissionDenied("Only the PCT's own staff can change its self-assessment.")
    return assessment


def visible_self_assessments(user: Any, cycle: Cycle) -> QuerySet[SelfAssessment]:
    """Self-assessments of ``cycle`` this user may read (lists for assessors and DH)."""
    queryset = _self_assessments().filter(cycle=cycle)
    if not user.is_authenticated:
        return queryset.none()
    if user.is_dh:
        return queryset
    if user.is_pct_user:
        return queryset.filter(pct_id=user.pct_id)
    if user.is_sha_user and assessors_may_read(cycle):
        queryset = queryset.filter(pct__sha_id=user.sha_id, status__in=ASSESSED_STATUSES)
        return queryset.filter(sits_on_panel_for(user)) if user.is_peer_expert else queryset
    return queryset.none()


def get_evidence_document_for_user(user: Any, pk: int) -> EvidenceDocument:
    """An evidence file if the user may read its self-assessment; else 404.

    A removed file is 404 to everyone: removing withdraws it (issue 13, finding 8). An
    earlier version replaced by a newer upload stays readable: replacing keeps the old
    version as part of the record (its name and digest are in the History).
    """
    if not user.is_authenticated:
        raise Http404
    try:
        document = EvidenceDocument.objects.select_related(
            "self_assessment__cycle", "self_assessment__pct"
        ).get(pk=pk, removed_at__isnull=True)
    except EvidenceDocument.DoesNotExist as exc:
        raise Http404 from exc
    assessment = document.self_assessment
    # Reuse the one rule: raises 404 when the user may not read this self-assessment.
    cycle = Cycle.objects.prefetch_related("phases").get(pk=assessment.cycle_id)
    if user.is_pct_user:
        if user.pct_id != assessment.pct_id:
            raise Http404
    else:
        get_self_assessment_for_user(user, cycle, assessment.pct.code)
    return document


# What the self-assessment's History page shows: the PCT's own self-assessment actions
# (those services/self_assessment.py records), never the panel's. An allow-list, not a
# deny-prefix: panel services write consensus, moderations, score sheets and assessors'
# internal review notes against the same PCT and cycle, and a PCT must not see them before
# publication (issue 13, finding 1). A new action is hidden until it is added here.
SELF_ASSESSMENT_HISTORY_ACTIONS = frozenset(
    {
        "self_rating.updated",
        "governance_declaration.updated",
        "outcome.chosen",
        "outcome.updated",
        "outcome.removed",
        "evidence.uploaded",
        "evidence.replaced",
        "evidence.removed",
        "section.marked",
        "self_assessment.submitted",
        "self_assessment.reopened",
        # Due process (§8): the PCT's own challenges and reviews, and the answers it is
        # shown anyway. The moderation an accepted challenge records stays on panel pages.
        "challenge.raised",
        "challenge.file_uploaded",
        "challenge.accepted",
        "challenge.not_accepted",
        "review.asked",
        "review.upheld",
        "review.not_upheld",
    }
)


def get_submitted_copy(assessment: SelfAssessment, pk: int) -> SubmittedCopy:
    """A rendered copy of a self-assessment the caller may already read (else 404)."""
    copy = SubmittedCopy.objects.filter(
        pk=pk, self_assessment=assessment, rendered_at__isnull=False
    ).first()
    if copy is None:
        raise Http404("No such copy")
    return copy


def self_assessment_history(assessment: SelfAssessment) -> QuerySet[AuditEntry]:
    """The audit entries the History page shows for ``assessment``, newest first.

    The same for everyone who may open the page (the panel's own trail is on panel pages).
    """
    return AuditEntry.objects.filter(
        pct=assessment.pct,
        cycle=assessment.cycle,
        action__in=SELF_ASSESSMENT_HISTORY_ACTIONS,
    ).select_related("actor")
