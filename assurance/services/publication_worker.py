"""The publication worker's steps (phase 5): compute the snapshot, render each document, finish.

Every function here takes ids and is safe to run twice: the Celery tasks in
:mod:`assurance.tasks` are thin shells around them, and a worker killed half-way is resumed
by running them again. Lifecycle of a publication (the row is the truth the browser polls)::

    queued → computing → rendering → complete  (the previous complete one → superseded)
                                   ↘ failed    (a document failed for good; DH may retry)
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from assurance.access.publications import forget_publication
from assurance.models import (
    Cycle,
    DocumentStatus,
    Publication,
    PublicationStatus,
    PublishedDocument,
    PublishedResult,
)
from assurance.queries.results import current_publication, document_counts, gather_results
from assurance.rules import scoring, tiers
from assurance.services import audit, pdf

IN_PROGRESS = (
    PublicationStatus.QUEUED,
    PublicationStatus.COMPUTING,
    PublicationStatus.RENDERING,
)


PUBLISHED = (PublicationStatus.COMPLETE, PublicationStatus.SUPERSEDED)


#: A document still pending or rendering this long after its last change is re-enqueued.
STALE_AFTER = timedelta(seconds=settings.PUBLICATION_STALE_SECONDS)


def record_status(
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


def compute_publication(publication_id: int, *, now: datetime | None = None) -> bool:
    """Freeze every PCT's rank, mark, tier and reasons. True when this call computed it.

    ``now`` dates the computation (the PDFs' "published on"; default: the clock); the demo
    passes its cycle's calendar (domain brief §7).

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
        publication.computed_at = now or timezone.now()
        publication.save(update_fields=["status", "computed_at"])
        record_status(
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
    regional = tiers.regional_ranks(
        gathered.results, {key: pct.sha.code for key, pct in gathered.pcts.items()}
    )
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
                regional_rank=regional[t.key],
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
                previous_regional_rank=before.regional_rank if before else None,
                self_assessment_submitted=t.key not in gathered.not_submitted,
            )
        )
    PublishedResult.objects.bulk_create(rows)
    publication.not_assessed = gathered.not_assessed
    publication.illustrative = cycle.illustrative
    publication.save(update_fields=["not_assessed", "illustrative"])
    documents = [PublishedDocument(publication=publication, pct=None)]
    documents += [PublishedDocument(publication=publication, pct=r.pct) for r in rows]
    PublishedDocument.objects.bulk_create(documents)


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
    """Record a rendering error: pending again (to be retried), or failed for good — then
    the publication is finished (failed) as soon as no document is still pending."""
    PublishedDocument.objects.filter(pk=document_id).exclude(status=DocumentStatus.DONE).update(
        status=DocumentStatus.FAILED if final else DocumentStatus.PENDING,
        error=f"{type(error).__name__}: {error}"[:2000],
        updated_at=timezone.now(),
    )
    if final:
        publication_id = (
            PublishedDocument.objects.filter(pk=document_id)
            .values_list("publication_id", flat=True)
            .first()
        )
        if publication_id is not None:
            finish_publication(publication_id)


def finish_publication(publication_id: int, *, now: datetime | None = None) -> str | None:
    """Complete the publication once every document is done, or fail it if one failed.
    ``now`` dates its completion (default: the clock).

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
                record_status(
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
            record_status(
                old,
                "superseded",
                PublicationStatus.COMPLETE,
                PublicationStatus.SUPERSEDED,
                reason=f"superseded by version {publication.version}",
            )
        publication.status = PublicationStatus.COMPLETE
        publication.completed_at = now or timezone.now()
        publication.error = ""
        publication.save(update_fields=["status", "completed_at", "error"])
        record_status(
            publication, "complete", PublicationStatus.RENDERING, PublicationStatus.COMPLETE
        )
    return PublicationStatus.COMPLETE


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
