"""DH staff publish a cycle (phase 5, domain brief §3, §4): start, and retry a failed run.

Starting freezes the cycle's rule settings into a new :class:`Publication` version and hands
it to the worker (:mod:`assurance.tasks` → :mod:`assurance.services.publication_worker`),
which ranks every PCT with :mod:`assurance.rules.tiers` and renders the PDFs.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.template.defaultfilters import pluralize
from django.utils import timezone

from assurance import tasks
from assurance.models import (
    PCT,
    Challenge,
    ChallengeStatus,
    Cycle,
    DocumentStatus,
    LeftOut,
    PhaseKind,
    Publication,
    PublicationStatus,
    PublishedDocument,
)
from assurance.queries.results import gather_results, rule_settings
from assurance.services import audit
from assurance.services.errors import ServiceError
from assurance.services.publication_worker import IN_PROGRESS, record_status


class PublicationError(ServiceError):
    """Publication cannot start; the message is for DH staff."""


# --- gathering results, set-based ------------------------------------------------------


# --- starting ----------------------------------------------------------------------------


@transaction.atomic
def start_publication(
    cycle: Cycle, user: Any, *, override_reason: str = ""
) -> tuple[Publication, bool]:
    """DH staff start publishing ``cycle`` (phase 5). Returns (publication, created).

    Starting again while one is under way returns that one: nothing is duplicated. Once
    the last one is complete or failed, a new start makes the next version, which
    supersedes the earlier when it completes; the earlier stays readable.

    While a factual accuracy challenge of the cycle is unanswered it refuses, unless DH
    staff give ``override_reason``, which is kept on the version and in the trail (§8).
    """
    if not getattr(user, "is_dh", False):
        raise PermissionDenied("Only DH staff publish.")
    # Lock the cycle row: two clicks at once must not make two versions.
    cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
    if not cycle.is_phase_open(PhaseKind.PUBLICATION):
        raise PublicationError("Publication can start only while phase 5 (publication) is open.")
    running = (
        Publication.objects.filter(cycle=cycle, status__in=IN_PROGRESS).order_by("-version").first()
    )
    if running is not None:
        return running, False
    unanswered = Challenge.objects.filter(cycle=cycle, status=ChallengeStatus.UNANSWERED).count()
    override_reason = override_reason.strip()
    if unanswered and not override_reason:
        raise PublicationError(
            f"{unanswered} factual accuracy challenge{pluralize(unanswered)} "
            f"{'is' if unanswered == 1 else 'are'} not answered yet. The SHA leads answer "
            "them first, or give the reason for publishing without waiting."
        )
    gathered = gather_results(cycle)
    if gathered.problems:
        shown = "; ".join(gathered.problems[:5])
        more = len(gathered.problems) - 5
        raise PublicationError(
            f"Results are not complete: {shown}" + (f" (and {more} more)" if more > 0 else "")
        )
    latest = Publication.objects.filter(cycle=cycle).order_by("-version").first()
    publication = Publication.objects.create(
        cycle=cycle,
        version=(latest.version + 1) if latest else 1,
        rule_settings=rule_settings(cycle).as_dict(),
        illustrative=cycle.illustrative,
        started_by=user,
        challenges_override=override_reason if unanswered else "",
    )
    record_status(publication, "start", None, PublicationStatus.QUEUED, actor=user)
    if unanswered:
        audit.record(
            actor=user,
            action="publication.challenges_overridden",
            obj=publication,
            label=f"{publication}: started with {unanswered} unanswered challenge(s)",
            cycle=cycle,
            new=str(unanswered),
            reason=override_reason,
        )
    transaction.on_commit(lambda: tasks.compute_publication.delay(publication.pk))
    return publication, True


# --- computing the snapshot ------------------------------------------------------------


# --- rendering documents ----------------------------------------------------------------


# --- finishing ---------------------------------------------------------------------------


# --- resuming ----------------------------------------------------------------------------


@transaction.atomic
def retry_publication(publication: Publication, user: Any) -> None:
    """DH staff retry a failed publication: failed documents go back to pending."""
    if not getattr(user, "is_dh", False):
        raise PermissionDenied("Only DH staff publish.")
    changed = Publication.objects.filter(pk=publication.pk, status=PublicationStatus.FAILED).update(
        status=PublicationStatus.RENDERING, error=""
    )
    if not changed:
        raise PublicationError("Only a failed publication can be retried.")
    PublishedDocument.objects.filter(publication=publication, status=DocumentStatus.FAILED).update(
        status=DocumentStatus.PENDING, attempts=0, updated_at=timezone.now()
    )
    record_status(
        publication, "retry", PublicationStatus.FAILED, PublicationStatus.RENDERING, actor=user
    )
    transaction.on_commit(lambda: tasks.enqueue_documents(publication.pk))


# --- leaving a PCT out ---------------------------------------------------------------------


@transaction.atomic
def leave_out(actor: Any, cycle: Cycle, pct: PCT, reason: str) -> LeftOut:
    """DH staff leave a PCT out of the cycle's publication with a recorded reason (§4 [rule]:
    e.g. merged, no panel held); the league table lists it as "not assessed"."""
    if not getattr(actor, "is_dh", False):
        raise PermissionDenied("Only DH staff leave a PCT out of a publication.")
    reason = reason.strip()
    if not reason:
        raise ServiceError("Enter the reason for leaving this PCT out.", field="reason")
    if LeftOut.objects.filter(cycle=cycle, pct=pct).exists():
        raise ServiceError(f"{pct.name} is already left out of {cycle}.", field="pct")
    row = LeftOut.objects.create(cycle=cycle, pct=pct, reason=reason, left_out_by=actor)
    audit.record(
        actor=actor,
        action="publication.left_out",
        obj=row,
        label=str(row),
        cycle=cycle,
        pct=pct,
        new="not assessed",
        reason=reason,
    )
    return row


@transaction.atomic
def include_again(actor: Any, row: LeftOut) -> None:
    """DH staff take a PCT back into the cycle's next publication version."""
    if not getattr(actor, "is_dh", False):
        raise PermissionDenied("Only DH staff change who is left out.")
    audit.record(
        actor=actor,
        action="publication.included_again",
        obj=row,
        label=str(row),
        cycle=row.cycle,
        pct=row.pct,
        old="not assessed",
        new="ranked",
    )
    row.delete()
