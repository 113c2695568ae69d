import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from assurance.access import self_assessment as access
from assurance.models import SelfAssessment, SelfAssessmentStatus
from tests.factories import CycleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def phase_two_cycle(reference_data):
    return CycleFactory(year_label="2009/10", open_phase=2)


def submitted(cycle, pct):
    return SelfAssessment.objects.create(
        cycle=cycle, pct=pct, status=SelfAssessmentStatus.SUBMITTED
    )


def test_pct_staff_get_their_own_draft_created_on_first_visit(alice, cycle):
    assessment = access.get_self_assessment_for_user(alice, cycle, "5k7", write=True)
    assert assessment.pct.code == "5K7" and assessment.status == "draft"


def test_pct_staff_get_404_for_another_pct(alice, cycle, islington):
    SelfAssessment.objects.create(cycle=cycle, pct=islington)
    with pytest.raises(Http404):
        access.get_self_assessment_for_user(alice, cycle, "5K8")


def test_assessors_see_nothing_in_phase_one(sara, cycle, camden):
    submitted(cycle, camden)
    with pytest.raises(Http404):
        access.get_self_assessment_for_user(sara, cycle, "5K7")


def test_assessors_read_their_shas_submitted_assessments_from_phase_two(
    sara, phase_two_cycle, camden
):
    submitted(phase_two_cycle, camden)
    assert access.get_self_assessment_for_user(sara, phase_two_cycle, "5K7").pct == camden


def test_assessors_cannot_write(sara, phase_two_cycle, camden):
    submitted(phase_two_cycle, camden)
    with pytest.raises(PermissionDenied):
        access.get_self_assessment_for_user(sara, phase_two_cycle, "5K7", write=True)


def test_assessors_do_not_see_drafts(sara, phase_two_cycle, islington):
    SelfAssessment.objects.create(cycle=phase_two_cycle, pct=islington)
    with pytest.raises(Http404):
        access.get_self_assessment_for_user(sara, phase_two_cycle, "5K8")


def test_assessors_do_not_see_another_shas_pcts(nick, phase_two_cycle, camden):
    submitted(phase_two_cycle, camden)
    with pytest.raises(Http404):
        access.get_self_assessment_for_user(nick, phase_two_cycle, "5K7")


def test_dh_reads_all_but_does_not_write(dora, cycle, camden):
    SelfAssessment.objects.create(cycle=cycle, pct=camden)
    assert access.get_self_assessment_for_user(dora, cycle, "5K7").pct == camden
    with pytest.raises(PermissionDenied):
        access.get_self_assessment_for_user(dora, cycle, "5K7", write=True)


def test_dh_gets_404_where_nothing_was_started(dora, cycle):
    with pytest.raises(Http404):
        access.get_self_assessment_for_user(dora, cycle, "5K7")


def test_visible_pcts_follow_the_role(alice, sara, dora, reference_data):
    assert list(access.visible_pcts(alice).values_list("code", flat=True)) == ["5K7"]
    london = list(access.visible_pcts(sara))
    assert london and all(p.sha.code == "Q36" for p in london)
    assert "5K7" in {p.code for p in london}
    assert access.visible_pcts(dora).count() == 152


def test_visible_self_assessments_for_assessors(
    sara, nick, phase_two_cycle, camden, islington, durham
):
    submitted(phase_two_cycle, camden)
    SelfAssessment.objects.create(cycle=phase_two_cycle, pct=islington)
    submitted(phase_two_cycle, durham)
    assert [a.pct.code for a in access.visible_self_assessments(sara, phase_two_cycle)] == ["5K7"]
    assert [a.pct.code for a in access.visible_self_assessments(nick, phase_two_cycle)] == ["5ND"]


# --- Evidence files (issue 13, finding 8)


def test_a_removed_evidence_file_is_404_to_everyone(alice, dora, cycle, camden):
    from assurance.services import self_assessment as sa
    from tests.assurance.self_assessment_factories import upload

    assessment = SelfAssessment.objects.create(cycle=cycle, pct=camden)
    document = sa.upload_evidence(alice, assessment, kind="other", upload=upload())
    assert access.get_evidence_document_for_user(alice, document.pk) == document
    sa.remove_evidence(alice, document)
    for user in (alice, dora):
        with pytest.raises(Http404):
            access.get_evidence_document_for_user(user, document.pk)


def test_an_earlier_version_replaced_by_a_newer_upload_stays_readable(alice, dora, cycle, camden):
    from assurance.services import self_assessment as sa
    from tests.assurance.self_assessment_factories import upload

    assessment = SelfAssessment.objects.create(cycle=cycle, pct=camden)
    first = sa.upload_evidence(alice, assessment, kind="strategic_plan", upload=upload("v1.pdf"))
    second = sa.upload_evidence(alice, assessment, kind="strategic_plan", upload=upload("v2.pdf"))
    assert second.replaces == first
    for user in (alice, dora):
        assert access.get_evidence_document_for_user(user, first.pk) == first
