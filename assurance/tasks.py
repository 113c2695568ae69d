"""Celery tasks: thin, idempotent shells around :mod:`assurance.services.publication_worker`.

They take ids, claim rows (the service's ``filter(...).update(...)``), and are safe to run
twice: with late acknowledgement a task whose worker dies is delivered again, and the
``resume_publications`` beat task re-enqueues anything that stalled.
"""

from __future__ import annotations

import logging

from celery import group, shared_task
from django.db import transaction
from django.utils import timezone

from assurance.models import PublicationStatus
from assurance.services import publication_worker as worker
from assurance.services import reminders as reminder_service
from assurance.services import submitted_copy

logger = logging.getLogger(__name__)

RENDER_MAX_RETRIES = 3


@shared_task(acks_late=True)
def compute_publication(publication_id: int) -> None:
    worker.compute_publication(publication_id)
    # Enqueue whatever is pending, also when this is a redelivery after a crash that
    # happened after the snapshot was committed.
    enqueue_documents(publication_id)


def enqueue_documents(publication_id: int) -> None:
    """Send one render task per pending document, as a group, after the commit."""
    ids = worker.pending_document_ids(publication_id)
    if not ids:
        finish_publication.delay_on_commit(publication_id)
        return
    transaction.on_commit(lambda: group(render_document.s(pk) for pk in ids).apply_async())


@shared_task(bind=True, acks_late=True, max_retries=RENDER_MAX_RETRIES)
def render_document(self, document_id: int) -> None:  # type: ignore[no-untyped-def]
    try:
        publication_id = worker.render_document(document_id)
    except Exception as exc:
        final = self.request.retries >= self.max_retries
        logger.warning(
            "document %s failed (attempt %s): %s", document_id, self.request.retries + 1, exc
        )
        worker.note_document_error(document_id, exc, final=final)
        if final:
            return
        if self.request.is_eager:
            # Eager mode (tests) re-raises Celery's Retry: run the next attempt inline.
            self.apply(args=(document_id,), retries=self.request.retries + 1)
            return
        # Exponential backoff: 2, 4, 8 s.
        raise self.retry(exc=exc, countdown=2 ** (self.request.retries + 1)) from exc
    if publication_id is not None:
        worker.finish_publication(publication_id)


@shared_task(acks_late=True)
def finish_publication(publication_id: int) -> None:
    worker.finish_publication(publication_id)


@shared_task
def resume_publications() -> int:
    """Beat task: pick up publications whose worker died. Returns how many were resumed."""
    stalled = worker.stalled_publications()
    for publication_id, status in stalled:
        logger.info("resuming publication %s (%s)", publication_id, status)
        if status in (PublicationStatus.QUEUED, PublicationStatus.COMPUTING):
            compute_publication.delay(publication_id)
        else:
            enqueue_documents(publication_id)
    return len(stalled)


@shared_task(acks_late=True)
def render_submitted_copy(copy_id: int) -> None:
    """The PDF of a submitted self-assessment (services/submitted_copy.py)."""
    submitted_copy.render_copy(copy_id)


@shared_task
def send_reminders() -> int:
    """Daily beat task (CELERY_BEAT_SCHEDULE): remind people of deadlines 30, 7 and 1 days
    ahead. Safe to run twice: each reminder is sent once (services/reminders.py)."""
    return reminder_service.send_reminders(timezone.localdate())
