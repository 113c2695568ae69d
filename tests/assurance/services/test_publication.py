"""Publishing a cycle end to end (Celery eager): snapshot, documents, idempotency, versions."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pypdf
import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assurance import tasks
from assurance.models import (
    PCT,
    AuditEntry,
    Consensus,
    DocumentStatus,
    PhaseKind,
    PhaseStatus,
    Publication,
    PublicationStatus,
    PublishedDocument,
    PublishedResult,
)
from assurance.queries import results
from assurance.services import publication as service
from assurance.services import publication_worker as worker
from tests.assurance.publication_factories import (
    IMPROVED,
    ON_TRAJECTORY,
    give_everyone_results,
    give_results,
    publishing_cycle,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def few(reference_data):
    return list(PCT.objects.order_by("code")[:5])


def publish(cycle, user, capture):
    with capture(execute=True):
        publication, created = service.start_publication(cycle, user)
    publication.refresh_from_db()
    return publication, created


def test_it_publishes_a_ranked_snapshot_with_all_documents(
    dora, few, django_capture_on_commit_callbacks
):
    cycle = publishing_cycle()
    give_results(cycle, few[0], [3] * 9 + [4, 4], outcomes=[ON_TRAJECTORY, IMPROVED])
    give_results(
        cycle, few[1], [3] * 11, {"strategy": "green", "finance": "amber", "board": "green"}
    )
    give_results(
        cycle, few[2], [1] + [2] * 10, {"strategy": "red", "finance": "amber", "board": "amber"}
    )

    publication, created = publish(cycle, dora, django_capture_on_commit_callbacks)

    assert created
    assert publication.status == PublicationStatus.COMPLETE
    assert publication.version == 1
    assert publication.rule_settings["freedoms_cap"] == 15
    results = {r.pct.code: r for r in publication.results.select_related("pct")}
    assert results[few[0].code].rank == 1
    assert results[few[0].code].tier == "freedoms"
    assert results[few[0].code].mark == Decimal("89.77")  # 50 + 50 × 35 / 44
    assert "finance amber: not eligible for freedoms" in results[few[1].code].reasons
    assert results[few[2].code].tier == "notice"
    assert results[few[2].code].governance == {
        "strategy": "red",
        "finance": "amber",
        "board": "amber",
    }
    docs = list(publication.documents.all())
    assert len(docs) == 4
    assert all(d.status == DocumentStatus.DONE and d.sha256 and d.file for d in docs)
    assert AuditEntry.objects.filter(
        action="publication.complete", object_id=publication.pk
    ).exists()


def test_the_moderated_value_wins_over_the_consensus(dora, few, django_capture_on_commit_callbacks):
    cycle = publishing_cycle()
    sa = give_results(cycle, few[0], [3] * 11)
    Consensus.objects.filter(self_assessment=sa, governance_area="finance").update(
        moderated_rating="red"
    )
    publication, _ = publish(cycle, dora, django_capture_on_commit_callbacks)
    result = publication.results.get()
    assert result.governance["finance"] == "red"
    assert result.tier == "notice"


def test_criteria_means_give_the_level_and_the_points(
    dora, few, django_capture_on_commit_callbacks
):
    from assurance.models import Competency, Criterion

    cycle = publishing_cycle()
    sa = give_results(cycle, few[0], [3] * 11)
    first = Competency.objects.get(framework=cycle.framework, number=1)
    Consensus.objects.filter(self_assessment=sa, competency=first).delete()
    for position, (number, level) in enumerate([("1.1", 4), ("1.2", 4), ("1.3", 3)]):
        criterion = Criterion.objects.create(
            competency=first, number=number, text=number, position=position
        )
        Consensus.objects.create(
            self_assessment=sa, competency=first, criterion=criterion, level=level
        )
    publication, _ = publish(cycle, dora, django_capture_on_commit_callbacks)
    result = publication.results.get()
    assert result.competency_levels["1"] == 3
    assert result.competency_scores["1"] == "3.67"
    assert result.competency_points == Decimal("33.67")


def test_it_gathers_results_in_a_fixed_number_of_queries(reference_data):
    small = publishing_cycle("2009/10")
    give_everyone_results(small, PCT.objects.order_by("code")[:3])
    large = publishing_cycle("2010/11")
    give_everyone_results(large, PCT.objects.order_by("code")[:40])
    with CaptureQueriesContext(connection) as few_queries:
        assert len(results.gather_results(small).results) == 3
    with CaptureQueriesContext(connection) as many_queries:
        assert len(results.gather_results(large).results) == 40
    assert (
        len(many_queries) == len(few_queries) <= 5
    )  # SAs, competencies, outcomes, consensus, PCTs left out


def test_only_dh_staff_publish(alice, sara, few):
    cycle = publishing_cycle()
    give_results(cycle, few[0], [3] * 11)
    for user in (alice, sara):
        with pytest.raises(PermissionDenied):
            service.start_publication(cycle, user)
    assert not Publication.objects.exists()


def test_it_refuses_to_start_outside_phase_five(dora, few):
    cycle = publishing_cycle()
    cycle.phases.filter(kind=PhaseKind.PUBLICATION).update(status=PhaseStatus.SCHEDULED)
    give_results(cycle, few[0], [3] * 11)
    with pytest.raises(service.PublicationError, match="phase 5"):
        service.start_publication(cycle, dora)


def test_it_refuses_to_rank_incomplete_results(dora, few):
    cycle = publishing_cycle()
    give_results(cycle, few[0], [3] * 11)
    give_results(cycle, few[1], [3] * 10)  # competency 11 has no consensus
    with pytest.raises(service.PublicationError, match=r"no final result for: 11"):
        service.start_publication(cycle, dora)
    assert not Publication.objects.exists()


def test_starting_again_while_running_returns_the_same_publication(dora, few):
    cycle = publishing_cycle()
    give_results(cycle, few[0], [3] * 11)
    first, created = service.start_publication(cycle, dora)  # on_commit not run: still queued
    again, created_again = service.start_publication(cycle, dora)
    assert created and not created_again
    assert again == first
    assert Publication.objects.count() == 1


def test_running_the_tasks_twice_duplicates_nothing(dora, few, django_capture_on_commit_callbacks):
    cycle = publishing_cycle()
    for pct in few:
        give_results(cycle, pct, [3] * 11)
    publication, _ = publish(cycle, dora, django_capture_on_commit_callbacks)
    hashes = dict(publication.documents.values_list("pk", "sha256"))

    tasks.compute_publication.delay(publication.pk)
    for pk in hashes:
        tasks.render_document.delay(pk)
    tasks.finish_publication.delay(publication.pk)

    publication.refresh_from_db()
    assert publication.status == PublicationStatus.COMPLETE
    assert PublishedResult.objects.filter(publication=publication).count() == 5
    assert PublishedDocument.objects.filter(publication=publication).count() == 6
    assert dict(publication.documents.values_list("pk", "sha256")) == hashes
    assert all(d.attempts == 1 for d in publication.documents.all())


def test_a_later_publication_supersedes_the_earlier_which_stays_readable(
    dora, few, django_capture_on_commit_callbacks
):
    cycle = publishing_cycle()
    give_results(cycle, few[0], [3] * 11)
    give_results(cycle, few[1], [2] * 11)
    first, _ = publish(cycle, dora, django_capture_on_commit_callbacks)

    # A late national moderation lifts the second PCT above the first.
    Consensus.objects.filter(self_assessment__pct=few[1], competency__isnull=False).update(
        moderated_level=4
    )
    second, created = publish(cycle, dora, django_capture_on_commit_callbacks)

    first.refresh_from_db()
    assert created and second.version == 2
    assert second.status == PublicationStatus.COMPLETE
    assert first.status == PublicationStatus.SUPERSEDED
    assert first.superseded_by == second
    # The earlier snapshot is untouched by the later scores.
    assert first.results.get(pct=few[0]).rank == 1
    assert second.results.get(pct=few[1]).rank == 1
    assert first.documents.filter(status=DocumentStatus.DONE).count() == 3
    assert results.current_publication(cycle) == second


def test_later_score_changes_never_touch_the_snapshot(
    dora, few, django_capture_on_commit_callbacks
):
    cycle = publishing_cycle()
    give_results(cycle, few[0], [3] * 11)
    publication, _ = publish(cycle, dora, django_capture_on_commit_callbacks)
    Consensus.objects.filter(self_assessment__pct=few[0]).update(moderated_level=1)
    result = publication.results.get()
    assert set(result.competency_levels.values()) == {3}


def test_movement_comes_from_the_previous_cycles_publication(
    dora, few, django_capture_on_commit_callbacks
):
    last_year = publishing_cycle("2008/09")
    give_results(last_year, few[0], [2] * 11)
    give_results(last_year, few[1], [3] * 11)
    publish(last_year, dora, django_capture_on_commit_callbacks)
    this_year = publishing_cycle("2009/10", previous=last_year)
    give_results(this_year, few[0], [4] * 11)
    give_results(this_year, few[1], [3] * 11)
    give_results(this_year, few[2], [2] * 11)
    publication, _ = publish(this_year, dora, django_capture_on_commit_callbacks)
    results = {r.pct_id: r for r in publication.results.all()}
    assert results[few[0].pk].previous_rank == 2
    assert results[few[0].pk].movement == 1
    assert results[few[1].pk].movement == -1
    assert results[few[2].pk].movement is None


def test_a_failing_document_is_retried_then_the_failure_is_shown(
    dora, few, django_capture_on_commit_callbacks, monkeypatch
):
    from assurance.services import pdf

    cycle = publishing_cycle()
    give_results(cycle, few[0], [3] * 11)
    calls = []

    def broken(publication, pct):
        calls.append(pct.code)
        raise RuntimeError("font missing")

    monkeypatch.setattr(pdf, "pct_report_pdf", broken)
    publication, _ = publish(cycle, dora, django_capture_on_commit_callbacks)

    assert len(calls) == tasks.RENDER_MAX_RETRIES + 1
    assert publication.status == PublicationStatus.FAILED
    assert "1 of 2 documents failed" in publication.error
    report = publication.documents.get(pct=few[0])
    assert report.status == DocumentStatus.FAILED
    assert report.attempts == tasks.RENDER_MAX_RETRIES + 1
    assert "font missing" in report.error

    # DH retries once the cause is fixed: the publication completes.
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        service.retry_publication(publication, dora)
    publication.refresh_from_db()
    assert publication.status == PublicationStatus.COMPLETE


def test_a_transient_failure_recovers_on_retry(
    dora, few, django_capture_on_commit_callbacks, monkeypatch
):
    from assurance.services import pdf

    cycle = publishing_cycle()
    give_results(cycle, few[0], [3] * 11)
    real = pdf.pct_report_pdf
    failures = iter([True])

    def flaky(publication, pct):
        if next(failures, False):
            raise OSError("disk busy")
        return real(publication, pct)

    monkeypatch.setattr(pdf, "pct_report_pdf", flaky)
    publication, _ = publish(cycle, dora, django_capture_on_commit_callbacks)
    assert publication.status == PublicationStatus.COMPLETE
    assert publication.documents.get(pct=few[0]).attempts == 2


def test_a_publication_killed_half_way_resumes(dora, few, django_capture_on_commit_callbacks):
    """Simulate a worker dying after the snapshot and two documents: the resume task finishes
    the job and nothing is published until every document is done."""
    import datetime as dt

    from django.utils import timezone

    cycle = publishing_cycle()
    for pct in few:
        give_results(cycle, pct, [3] * 11)
    publication, _ = service.start_publication(cycle, dora)  # enqueue swallowed: the "crash"
    worker.compute_publication(publication.pk)
    done = worker.pending_document_ids(publication.pk)[:2]
    for pk in done:
        worker.render_document(pk)
    # The third was claimed (running) when the worker died.
    stuck = worker.pending_document_ids(publication.pk)[2]
    PublishedDocument.objects.filter(pk=stuck).update(status=DocumentStatus.RUNNING, attempts=1)
    publication.refresh_from_db()
    assert publication.status == PublicationStatus.RENDERING
    assert publication not in Publication.objects.filter(status__in=worker.PUBLISHED)

    later = timezone.now() + dt.timedelta(minutes=10)
    assert (publication.pk, PublicationStatus.RENDERING) in worker.stalled_publications(later)
    PublishedDocument.objects.filter(publication=publication).exclude(
        status=DocumentStatus.DONE
    ).update(updated_at=timezone.now() - dt.timedelta(minutes=10))
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.resume_publications.delay().get() == 1
    publication.refresh_from_db()
    assert publication.status == PublicationStatus.COMPLETE
    assert publication.documents.filter(status=DocumentStatus.DONE).count() == 6


def test_a_publication_killed_while_computing_resumes(
    dora, few, django_capture_on_commit_callbacks
):
    import datetime as dt

    from django.utils import timezone

    cycle = publishing_cycle()
    give_results(cycle, few[0], [3] * 11)
    publication, _ = service.start_publication(cycle, dora)
    Publication.objects.filter(pk=publication.pk).update(
        status=PublicationStatus.COMPUTING, created_at=timezone.now() - dt.timedelta(minutes=10)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.resume_publications.delay().get() == 1
    publication.refresh_from_db()
    assert publication.status == PublicationStatus.COMPLETE
    assert publication.results.count() == 1


def test_the_league_table_pdf_lists_all_152_pcts_in_rank_order(dora, reference_data):
    from assurance.services import pdf

    cycle = publishing_cycle()
    give_everyone_results(cycle)
    publication, _ = service.start_publication(cycle, dora)
    worker.compute_publication(publication.pk)
    publication.refresh_from_db()

    content = pdf.league_table_pdf(publication)

    reader = pypdf.PdfReader(io.BytesIO(content))
    text = re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))
    assert reader.pages[0].mediabox.width == pytest.approx(595.28, abs=0.5)  # A4
    assert "Page 1 of" in text
    assert "Freedoms cap 15" in text
    assert "/StructTreeRoot" in reader.trailer["/Root"]  # tagged (PDF/UA-1)
    rows = list(publication.results.order_by("rank", "pct__name").select_related("pct"))
    assert len(rows) == 152
    position = text.index("League table Rank Reg. PCT")
    for row in rows:
        found = text.find(f"{row.rank} {row.regional_rank} {row.pct.name} ", position)
        assert found > position, f"{row.pct.name} not after the previous PCT"
        position = found
