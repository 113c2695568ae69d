"""Every PCT is ranked (domain brief §4 [rule]), with its regional rank; only DH leaves one out.

Closing phase 1 marks each unsubmitted self-assessment *not submitted* (draft kept,
read-only, audited); its panel still scores it; publication ranks it like the others and
says "self-assessment not submitted" wherever its result is shown.
"""

from __future__ import annotations

import csv
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from assurance.models import (
    PCT,
    AuditEntry,
    LeftOut,
    PhaseKind,
    PhaseStatus,
    PublishedResult,
    SelfAssessment,
    SelfAssessmentStatus,
)
from assurance.queries import results
from assurance.services import cycles
from assurance.services import publication as service
from assurance.services.errors import ServiceError
from tests.assurance.publication_factories import give_results, publishing_cycle
from tests.factories import CycleFactory

pytestmark = pytest.mark.django_db

LEVELS = [2] * 11


@pytest.fixture
def london_pcts(reference_data):
    return list(PCT.objects.filter(sha__code="Q36").order_by("code")[:3])


def publish(cycle, user, capture):
    with capture(execute=True):
        publication, _ = service.start_publication(cycle, user)
    publication.refresh_from_db()
    return publication


def test_closing_phase_one_marks_every_unsubmitted_self_assessment_not_submitted(
    dora, camden, islington
):
    cycle = CycleFactory(open_phase=PhaseKind.SELF_ASSESSMENT)
    draft = SelfAssessment.objects.create(cycle=cycle, pct=camden)
    submitted = SelfAssessment.objects.create(
        cycle=cycle, pct=islington, status=SelfAssessmentStatus.SUBMITTED
    )

    cycles.close_phase(dora, cycle.phase(PhaseKind.SELF_ASSESSMENT))

    draft.refresh_from_db()
    submitted.refresh_from_db()
    assert draft.status == SelfAssessmentStatus.NOT_SUBMITTED
    assert submitted.status == SelfAssessmentStatus.SUBMITTED
    # A PCT that never opened its self-assessment gets one, so its panel can assess it.
    open_pcts = PCT.objects.filter(closed_on__isnull=True).count()
    assert SelfAssessment.objects.filter(cycle=cycle).count() >= open_pcts
    marked = AuditEntry.objects.filter(cycle=cycle, action="self_assessment.not_submitted")
    assert marked.filter(pct=camden, new_value="Not submitted").exists()
    assert not marked.filter(pct=islington).exists()


def test_reopening_phase_one_gives_the_drafts_back(dora, camden):
    cycle = CycleFactory(open_phase=PhaseKind.SELF_ASSESSMENT)
    draft = SelfAssessment.objects.create(cycle=cycle, pct=camden)
    phase = cycle.phase(PhaseKind.SELF_ASSESSMENT)
    cycles.close_phase(dora, phase)
    cycles.reopen_phase(dora, phase, reason="Deadline extended for all PCTs")
    draft.refresh_from_db()
    assert draft.status == SelfAssessmentStatus.DRAFT
    assert AuditEntry.objects.filter(pct=camden, action="self_assessment.draft_again").exists()
    assert cycle.phase(PhaseKind.SELF_ASSESSMENT).status == PhaseStatus.OPEN


def test_a_not_submitted_pct_is_ranked_and_says_so(
    dora, london_pcts, client, django_capture_on_commit_callbacks
):
    cycle = publishing_cycle()
    give_results(cycle, london_pcts[0], [3] * 11)
    give_results(cycle, london_pcts[1], LEVELS)
    late = give_results(cycle, london_pcts[2], [1] * 11)
    late.status = SelfAssessmentStatus.NOT_SUBMITTED
    late.save()

    publication = publish(cycle, dora, django_capture_on_commit_callbacks)

    row = PublishedResult.objects.get(publication=publication, pct=london_pcts[2])
    assert row.rank == 3 and not row.self_assessment_submitted
    assert row.tier == "notice"  # it can be put on notice like any other PCT
    assert PublishedResult.objects.get(
        publication=publication, pct=london_pcts[0]
    ).self_assessment_submitted
    table = client.get(reverse("publications:league_table", args=[publication.pk])).content.decode()
    assert table.count('data-testid="not-submitted"') == 1
    report = client.get(
        reverse("publications:pct_report", args=[publication.pk, london_pcts[2].code])
    )
    assert "Self-assessment not submitted" in report.content.decode()
    export = client.get(reverse("publications:csv", args=[publication.pk])).content.decode()
    lines = {r["ODS code"]: r for r in csv.DictReader(io.StringIO(export))}
    assert lines[london_pcts[2].code]["Self-assessment"] == "not submitted"
    assert lines[london_pcts[0].code]["Self-assessment"] == "submitted"


def test_publication_refuses_while_a_pct_lacks_a_final_result_listing_it(dora, london_pcts):
    cycle = publishing_cycle()
    give_results(cycle, london_pcts[0], LEVELS)
    SelfAssessment.objects.create(
        cycle=cycle, pct=london_pcts[1], status=SelfAssessmentStatus.NOT_SUBMITTED
    )
    with pytest.raises(service.PublicationError, match=london_pcts[1].name):
        service.start_publication(cycle, dora)


def test_dh_leaves_a_pct_out_with_a_reason_and_the_table_lists_it_as_not_assessed(
    dora, london_pcts, client, django_capture_on_commit_callbacks
):
    cycle = publishing_cycle()
    give_results(cycle, london_pcts[0], LEVELS)
    SelfAssessment.objects.create(
        cycle=cycle, pct=london_pcts[1], status=SelfAssessmentStatus.NOT_SUBMITTED
    )
    with pytest.raises(ServiceError, match="reason"):
        service.leave_out(dora, cycle, london_pcts[1], "  ")
    service.leave_out(dora, cycle, london_pcts[1], "No panel was held")
    assert AuditEntry.objects.filter(action="publication.left_out", pct=london_pcts[1]).exists()

    publication = publish(cycle, dora, django_capture_on_commit_callbacks)

    assert list(publication.results.values_list("pct_id", flat=True)) == [london_pcts[0].pk]
    assert publication.not_assessed[0]["reason"] == "No panel was held"
    page = client.get(reverse("publications:league_table", args=[publication.pk])).content.decode()
    assert "Not assessed: No panel was held" in page
    export = client.get(reverse("publications:csv", args=[publication.pk])).content.decode()
    assert (
        f"{london_pcts[1].name},{london_pcts[1].sha.name},not assessed: No panel was held" in export
    )


def test_only_dh_leaves_a_pct_out(sara, london_pcts):
    cycle = publishing_cycle()
    with pytest.raises(PermissionDenied):
        service.leave_out(sara, cycle, london_pcts[0], "Merged")
    assert not LeftOut.objects.exists()


def test_the_publish_page_shows_readiness_before_start(dora, london_pcts, client):
    cycle = publishing_cycle()
    give_results(cycle, london_pcts[0], LEVELS)
    SelfAssessment.objects.create(
        cycle=cycle, pct=london_pcts[1], status=SelfAssessmentStatus.NOT_SUBMITTED
    )
    client.force_login(dora)
    page = client.get(reverse("publications:publish", args=[cycle.pk])).content.decode()
    assert f"{london_pcts[1].name} has no final result" in page
    gathered = results.gather_results(cycle)
    assert len(gathered.results) == 1


def test_regional_ranks_are_frozen_beside_national_ones(
    dora, reference_data, client, django_capture_on_commit_callbacks
):
    cycle = publishing_cycle()
    london_pcts = list(PCT.objects.filter(sha__code="Q36").order_by("code")[:2])
    north_east = list(PCT.objects.filter(sha__code="Q30").order_by("code")[:2])
    give_results(cycle, london_pcts[0], [4] * 11)
    give_results(cycle, north_east[0], [3] * 11)
    give_results(cycle, london_pcts[1], [2] * 11)
    give_results(cycle, north_east[1], [1] * 11)

    publication = publish(cycle, dora, django_capture_on_commit_callbacks)

    ranks = {r.pct_id: (r.rank, r.regional_rank) for r in publication.results.all()}
    assert ranks[london_pcts[0].pk] == (1, 1)
    assert ranks[north_east[0].pk] == (2, 1)
    assert ranks[london_pcts[1].pk] == (3, 2)
    assert ranks[north_east[1].pk] == (4, 2)
    export = client.get(reverse("publications:csv", args=[publication.pk])).content.decode()
    rows = {r["ODS code"]: r for r in csv.DictReader(io.StringIO(export))}
    assert rows[london_pcts[1].code]["Regional rank"] == "2"
    report = client.get(
        reverse("publications:pct_report", args=[publication.pk, london_pcts[1].code])
    )
    assert "2nd of 2" in report.content.decode()


def test_the_csv_export_quotes_only_formula_like_text(
    dora, london_pcts, client, django_capture_on_commit_callbacks
):
    cycle = publishing_cycle()
    for pct in london_pcts:
        give_results(cycle, pct, LEVELS)
    publication = publish(cycle, dora, django_capture_on_commit_callbacks)
    export = client.get(reverse("publications:csv", args=[publication.pk])).content.decode()
    cells = [cell for row in csv.reader(io.StringIO(export)) for cell in row]
    assert "'" not in cells  # empty "Previous rank" cells stay empty
    assert "" in cells


def test_an_illustrative_publication_says_so_everywhere_and_a_real_one_does_not(
    dora, london_pcts, client, django_capture_on_commit_callbacks
):
    cycle = publishing_cycle()
    cycle.illustrative = True
    cycle.save()
    give_results(cycle, london_pcts[0], LEVELS)
    demo = publish(cycle, dora, django_capture_on_commit_callbacks)
    label = "Illustrative data — not the programme's results"
    assert demo.illustrative
    assert (
        label in client.get(reverse("publications:league_table", args=[demo.pk])).content.decode()
    )
    report = client.get(reverse("publications:pct_report", args=[demo.pk, london_pcts[0].code]))
    assert label in report.content.decode()
    export = client.get(reverse("publications:csv", args=[demo.pk])).content.decode()
    assert all(
        row[-1] == "Illustrative data — not the programme's results"
        for row in list(csv.reader(io.StringIO(export)))[1:]
    )

    real_cycle = publishing_cycle("2010/11")
    give_results(real_cycle, london_pcts[0], LEVELS)
    real = publish(real_cycle, dora, django_capture_on_commit_callbacks)
    page = client.get(reverse("publications:league_table", args=[real.pk])).content.decode()
    assert "Illustrative data" not in page
