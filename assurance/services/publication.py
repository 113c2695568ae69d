"""Publishing a cycle: results → immutable ranked snapshot → league-table and PCT report PDFs.

The write paths of phase 5 (domain brief §3, §4). The rules live in
:mod:`assurance.tiers`; this module gathers the final (moderated, else consensus) results
set-based, freezes them into a :class:`Publication` and drives its documents. Every
function here is safe to run twice: the Celery tasks in :mod:`assurance.tasks` are thin
shells around them, and a worker killed half-way is resumed by running them again.

Lifecycle of a publication (the row is the truth the browser polls)::

    queued → computing → rendering → complete  (the previous complete one → superseded)
                                   ↘ failed    (a document failed for good; DH may retry)
"""

from __future__ import annotations

import hashlib
import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from assurance import scoring, tiers
from assurance.models import (
    PCT,
    ChosenOutcome,
    Competency,
    Consensus,
    Cycle,
    DocumentStatus,
    PhaseKind,
    Publication,
    PublicationStatus,
    PublishedDocument,
    PublishedResult,
    SelfAssessment,
    SelfAssessmentStatus,
)
from assurance.publication_access import forget_publication
from assurance.services import audit

logger = logging.getLogger(__name__)

IN_PROGRESS = (
    PublicationStatus.QUEUED,
    PublicationStatus.COMPUTING,
    PublicationStatus.RENDERING,
)
PUBLISHED = (PublicationStatus.COMPLETE, PublicationStatus.SUPERSEDED)
#: A document still pending or rendering this long after its last change is re-enqueued.
STALE_AFTER = timedelta(seconds=settings.PUBLICATION_STALE_SECONDS)


class PublicationError(Exception):
    """Publication cannot start; the message is for DH staff."""


def rule_settings(cycle: Cycle) -> tiers.RuleSettings:
    return tiers.RuleSettings(
        freedoms_cap=cycle.freedoms_cap,
        notice_cap=cycle.notice_cap,
        min_level_four=cycle.min_level_four,
        elite_share=cycle.elite_share,
        outcome_threshold=cycle.outcome_threshold,
    )


# --- gathering results, set-based ------------------------------------------------------


@dataclass
class Gathered:
    results: list[tiers.PCTResult]
    pcts: dict[str, PCT]
    competency_count: int
    problems: list[str]


def gather_results(cycle: Cycle) -> Gathered:
    """Every submitted PCT's final results for ``cycle`` in four queries, whatever the size.

    Final = moderated, else consensus (§3). Competencies with criteria score the criteria
    mean and take its floor as their level (§2.1). An outcome counts only with a baseline,
    a target and a final actual; otherwise it is "not improved" (docs/decisions.md).
    A PCT missing a governance rating or a competency level is a problem: publication
    refuses to start rather than rank it on partial results.
    """
    assessments = {
        sa.pk: sa
        for sa in SelfAssessment.objects.filter(
            cycle=cycle, status=SelfAssessmentStatus.SUBMITTED
        ).select_related("pct__sha")
    }
    numbers = list(
        Competency.objects.filter(framework_id=cycle.framework_id)
        .order_by("number")
        .values_list("number", flat=True)
    )
    outcomes = {
        o["pk"]: o
        for o in ChosenOutcome.objects.filter(self_assessment__in=assessments.keys()).values(
            "pk", "self_assessment_id", "baseline", "target", "direction"
        )
    }
    levels: dict[int, dict[int, int]] = defaultdict(dict)
    criteria: dict[int, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    governance: dict[int, dict[str, str]] = defaultdict(dict)
    statuses: dict[int, list[scoring.OutcomeStatus]] = defaultdict(list)
    actuals: dict[int, Decimal | None] = {}
    rows = Consensus.objects.filter(self_assessment__in=assessments.keys()).values(
        "self_assessment_id",
        "competency__number",
        "criterion_id",
        "governance_area",
        "chosen_outcome_id",
        "level",
        "moderated_level",
        "rating",
        "moderated_rating",
        "actual",
        "moderated_actual",
    )
    for row in rows:
        sa = row["self_assessment_id"]
        level = row["moderated_level"] if row["moderated_level"] is not None else row["level"]
        if row["criterion_id"] is not None:
            if level is not None:
                criteria[sa][row["competency__number"]].append(level)
        elif row["competency__number"] is not None:
            if level is not None:
                levels[sa][row["competency__number"]] = level
        elif row["governance_area"]:
            rating = row["moderated_rating"] or row["rating"]
            if rating:
                governance[sa][row["governance_area"]] = rating
        elif row["chosen_outcome_id"] is not None:
            actual = row["moderated_actual"]
            actuals[row["chosen_outcome_id"]] = actual if actual is not None else row["actual"]
    for pk, outcome in outcomes.items():
        actual = actuals.get(pk)
        if actual is None or outcome["baseline"] is None or outcome["target"] is None:
            status = scoring.OutcomeStatus.NOT_IMPROVED
        else:
            status = scoring.outcome_status(
                baseline=outcome["baseline"],
                target=outcome["target"],
                actual=actual,
                higher_is_better=outcome["direction"] == "higher",
            )
        statuses[outcome["self_assessment_id"]].append(status)

    results: list[tiers.PCTResult] = []
    pcts: dict[str, PCT] = {}
    problems: list[str] = []
    for sa_pk, sa in sorted(assessments.items(), key=lambda item: item[1].pct.name):
        scores: dict[int, Decimal] = {}
        pct_levels = dict(levels[sa_pk])
        for number, criteria_levels in criteria[sa_pk].items():
            scores[number] = scoring.competency_score(criteria_levels)
            pct_levels[number] = scoring.competency_level(criteria_levels)
        missing = [str(n) for n in numbers if n not in pct_levels]
        missing += [a for a in scoring.GOVERNANCE_AREAS if a not in governance[sa_pk]]
        if missing:
            problems.append(f"{sa.pct.name} has no final result for: {', '.join(missing)}")
            continue
        results.append(
            tiers.PCTResult(
                key=sa.pct.code,
                competency_levels={n: pct_levels[n] for n in numbers},
                governance=governance[sa_pk],
                outcome_score=scoring.outcome_score(statuses[sa_pk]),
                competency_scores=scores,
            )
        )
        pcts[sa.pct.code] = sa.pct
    if not assessments:
        problems.append("no PCT has a submitted self-assessment in this cycle")
    return Gathered(results, pcts, len(numbers) or 1, problems)


# --- starting ----------------------------------------------------------------------------


def current_publication(cycle: Cycle) -> Publication | None:
    """The publication the public sees: the latest complete one."""
    return (
        Publication.objects.filter(cycle=cycle, status=PublicationStatus.COMPLETE)
        .order_by("-version")
        .first()
    )


@transaction.atomic
def start_publication(cycle: Cycle, user: Any) -> tuple[Publication, bool]:
    """DH staff start publishing ``cycle`` (phase 5). Returns (publication, created).

    Starting again while one is under way returns that one: nothing is duplicated. Once
    the last one is complete or failed, a new start makes the next version, which
    supersedes the earlier when it completes; the earlier stays readable.
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
        started_by=user,
    )
    _record_status(publication, "start", None, PublicationStatus.QUEUED, actor=user)
    from assurance import tasks

    transaction.on_commit(lambda: tasks.compute_publication.delay(publication.pk))
    return publication, True


def _record_status(
    publication: Publication,
    action: str,
    old: str | None,
    new: str,
    *,
    actor: Any = None,
    reason: str = "",
) -> None:
    """Audit one status change of a publication version (``publication.<action>``)."""
    audit.record(
        actor=actor,
        action=f"publication.{action}",
        obj=publication,
        label=str(publication),
        cycle=publication.cycle,
        old=old,
        new=new,
        reason=reason,
    )


def _claim(publication_id: int, status: str) -> Publication | None:
    """The publication, locked, if it is still in ``status`` (else another worker won)."""
    return (
        Publication.objects.select_for_update()
        .select_related("cycle")
        .filter(pk=publication_id, status=status)
        .first()
    )


# --- computing the snapshot ------------------------------------------------------------


def compute_publication(publication_id: int) -> bool:
    """Freeze every PCT's rank, mark, tier and reasons. True when this call computed it.

    Claims the row (queued → computing) so the page shows progress, then computes and
    writes the snapshot and the pending documents in one transaction (computing →
    rendering). A worker killed in between leaves ``computing``; running this again
    recomputes from scratch, so a publication is never half-computed.
    """
    Publication.objects.filter(pk=publication_id, status=PublicationStatus.QUEUED).update(
        status=PublicationStatus.COMPUTING
    )
    with transaction.atomic():
        publication = _claim(publication_id, PublicationStatus.COMPUTING)
        if publication is None:
            return False
        _write_snapshot(publication)
        publication.status = PublicationStatus.RENDERING
        publication.computed_at = timezone.now()
        publication.save(update_fields=["status", "computed_at"])
        _record_status(
            publication, "computed", PublicationStatus.COMPUTING, PublicationStatus.RENDERING
        )
    return True


def _previous_results(cycle: Cycle) -> dict[int, PublishedResult]:
    if cycle.previous_id is None:
        return {}
    previous = current_publication(cycle.previous)
    if previous is None:
        return {}
    return {r.pct_id: r for r in previous.results.all()}


def _write_snapshot(publication: Publication) -> None:
    cycle = publication.cycle
    gathered = gather_results(cycle)
    rules = tiers.RuleSettings(
        freedoms_cap=int(publication.rule_settings["freedoms_cap"]),
        notice_cap=int(publication.rule_settings["notice_cap"]),
        min_level_four=int(publication.rule_settings["min_level_four"]),
        elite_share=Decimal(publication.rule_settings["elite_share"]),
        outcome_threshold=Decimal(publication.rule_settings["outcome_threshold"]),
    )
    tiered = tiers.compute_tiers(
        gathered.results, rules, competency_count=gathered.competency_count
    )
    inputs = {r.key: r for r in gathered.results}
    previous = _previous_results(cycle)
    # Overwrite, never append: a rerun after a crash leaves exactly one row per PCT.
    publication.results.all().delete()
    publication.documents.all().delete()
    rows = []
    for t in tiered:
        pct = gathered.pcts[t.key]
        source = inputs[t.key]
        before = previous.get(pct.pk)
        rows.append(
            PublishedResult(
                publication=publication,
                pct=pct,
                sha=pct.sha,
                rank=t.rank,
                mark=t.mark,
                tier=t.tier.value,
                elite_candidate=t.elite_candidate,
                governance={a: source.governance[a] for a in scoring.GOVERNANCE_AREAS},
                competency_levels={str(n): lvl for n, lvl in source.competency_levels.items()},
                competency_scores={str(n): str(s) for n, s in source.competency_scores.items()},
                governance_points=t.governance_points,
                competency_points=t.competency_points,
                outcome_score=t.outcome_score,
                reasons=list(t.reasons),
                previous_rank=before.rank if before else None,
                previous_tier=before.tier if before else "",
                previous_mark=before.mark if before else None,
            )
        )
    PublishedResult.objects.bulk_create(rows)
    documents = [PublishedDocument(publication=publication, pct=None)]
    documents += [PublishedDocument(publication=publication, pct=r.pct) for r in rows]
    PublishedDocument.objects.bulk_create(documents)


# --- rendering documents ----------------------------------------------------------------


def pending_document_ids(publication_id: int) -> list[int]:
    return list(
        PublishedDocument.objects.filter(
            publication_id=publication_id,
            status__in=[DocumentStatus.PENDING, DocumentStatus.RUNNING],
        )
        .order_by(F("pct").asc(nulls_first=True), "pk")
        .values_list("pk", flat=True)
    )


def _file_name(document: PublishedDocument) -> str:
    if document.pct_id is None:
        return f"league-table-{document.publication.cycle.year_label.replace('/', '-')}.pdf"
    return f"report-{document.pct.code}.pdf"


def render_document(document_id: int) -> int | None:
    """Render one document's PDF and store it. Returns its publication's id, or None when
    there was nothing to do (already done, failed for good, or publication not rendering).

    Claims the row (pending/running → running, counting the attempt); a rerun after a
    crash renders again and overwrites the same file name, so nothing is duplicated.
    """
    from assurance import pdf

    claimed = PublishedDocument.objects.filter(
        pk=document_id,
        status__in=[DocumentStatus.PENDING, DocumentStatus.RUNNING],
        publication__status=PublicationStatus.RENDERING,
    ).update(status=DocumentStatus.RUNNING, attempts=F("attempts") + 1, updated_at=timezone.now())
    if not claimed:
        return None
    document = PublishedDocument.objects.select_related("publication__cycle", "pct").get(
        pk=document_id
    )
    if document.pct_id is None:
        content = pdf.league_table_pdf(document.publication)
    else:
        content = pdf.pct_report_pdf(document.publication, document.pct)
    name = _file_name(document)
    storage = document.file.storage
    path = document.file.field.generate_filename(document, name)
    if storage.exists(path):
        storage.delete(path)
    document.file.save(name, ContentFile(content), save=False)
    PublishedDocument.objects.filter(pk=document_id, status=DocumentStatus.RUNNING).update(
        status=DocumentStatus.DONE,
        file=document.file.name,
        sha256=hashlib.sha256(content).hexdigest(),
        error="",
        updated_at=timezone.now(),
    )
    return document.publication_id


def note_document_error(document_id: int, error: BaseException, *, final: bool) -> None:
    """Record a rendering error: pending again (to be retried) or failed for good."""
    PublishedDocument.objects.filter(pk=document_id).exclude(status=DocumentStatus.DONE).update(
        status=DocumentStatus.FAILED if final else DocumentStatus.PENDING,
        error=f"{type(error).__name__}: {error}"[:2000],
        updated_at=timezone.now(),
    )


# --- finishing ---------------------------------------------------------------------------


def finish_publication(publication_id: int) -> str | None:
    """Complete the publication once every document is done, or fail it if one failed.

    Safe to call after each document: only the call that sees the last one done wins the
    claim (rendering → complete), and it supersedes the previous complete version.
    Returns the new status, or None when there was nothing to change yet.
    """
    counts = document_counts(publication_id)
    if counts["failed"]:
        with transaction.atomic():
            changed = Publication.objects.filter(
                pk=publication_id, status=PublicationStatus.RENDERING
            ).update(
                status=PublicationStatus.FAILED,
                error=f"{counts['failed']} of {counts['total']} documents failed to render.",
            )
            if changed:
                publication = Publication.objects.select_related("cycle").get(pk=publication_id)
                _record_status(
                    publication, "failed", None, PublicationStatus.FAILED, reason=publication.error
                )
        return PublicationStatus.FAILED if changed else None
    if counts["total"] == 0 or counts["done"] < counts["total"]:
        return None
    with transaction.atomic():
        publication = _claim(publication_id, PublicationStatus.RENDERING)
        if publication is None:
            return None
        earlier = (
            Publication.objects.select_for_update()
            .filter(cycle=publication.cycle, status=PublicationStatus.COMPLETE)
            .exclude(pk=publication.pk)
        )
        for old in earlier:
            transaction.on_commit(partial(forget_publication, old.pk))
            old.status = PublicationStatus.SUPERSEDED
            old.superseded_by = publication
            old.save(update_fields=["status", "superseded_by"])
            _record_status(
                old,
                "superseded",
                PublicationStatus.COMPLETE,
                PublicationStatus.SUPERSEDED,
                reason=f"superseded by version {publication.version}",
            )
        publication.status = PublicationStatus.COMPLETE
        publication.completed_at = timezone.now()
        publication.error = ""
        publication.save(update_fields=["status", "completed_at", "error"])
        _record_status(
            publication, "complete", PublicationStatus.RENDERING, PublicationStatus.COMPLETE
        )
    return PublicationStatus.COMPLETE


def document_counts(publication_id: int) -> dict[str, int]:
    """Totals for the progress display, in one query: 87 of 152 reports."""
    from django.db.models import Count

    return PublishedDocument.objects.filter(publication_id=publication_id).aggregate(
        total=Count("pk"),
        done=Count("pk", filter=Q(status=DocumentStatus.DONE)),
        failed=Count("pk", filter=Q(status=DocumentStatus.FAILED)),
        reports_total=Count("pk", filter=Q(pct__isnull=False)),
        reports_done=Count("pk", filter=Q(pct__isnull=False, status=DocumentStatus.DONE)),
    )


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
    _record_status(
        publication, "retry", PublicationStatus.FAILED, PublicationStatus.RENDERING, actor=user
    )
    from assurance import tasks

    transaction.on_commit(lambda: tasks.enqueue_documents(publication.pk))


def stalled_publications(now: Any = None) -> list[tuple[int, str]]:
    """Publications whose work stopped (a worker died): (id, status) for the resume task.

    Queued or computing for longer than :data:`STALE_AFTER`, or rendering with a pending
    or running document untouched for that long.
    """
    cutoff = (now or timezone.now()) - STALE_AFTER
    early = Publication.objects.filter(
        status__in=[PublicationStatus.QUEUED, PublicationStatus.COMPUTING],
        created_at__lt=cutoff,
    ).values_list("pk", "status")
    rendering = (
        Publication.objects.filter(
            status=PublicationStatus.RENDERING,
            documents__status__in=[DocumentStatus.PENDING, DocumentStatus.RUNNING],
            documents__updated_at__lt=cutoff,
        )
        .distinct()
        .values_list("pk", "status")
    )
    # A rendering publication whose documents are all done but was never finished
    # (killed between the last document and the finish step).
    unfinished = (
        Publication.objects.filter(status=PublicationStatus.RENDERING, computed_at__lt=cutoff)
        .exclude(
            documents__status__in=[
                DocumentStatus.PENDING,
                DocumentStatus.RUNNING,
            ]
        )
        .values_list("pk", "status")
    )
    return sorted(set(early) | set(rendering) | set(unfinished))
