import datetime as dt

import pytest

from assurance.models import (
    AuditEntry,
    ChosenOutcome,
    CompetencyRating,
    EvidenceDocument,
    OutcomeIndicator,
    PhaseStatus,
    SelfAssessment,
)
from assurance.services import self_assessment as sa
from assurance.services.errors import (
    EditConflict,
    Incomplete,
    NotAllowed,
    PhaseClosed,
    ServiceError,
)
from tests.assurance.self_assessment_factories import (
    docx_bytes,
    fill_ratings,
    ready_to_submit,
    upload,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def assessment(cycle, camden):
    return SelfAssessment.objects.create(cycle=cycle, pct=camden)


def competency(assessment, number=1):
    return assessment.cycle.framework.competencies.get(number=number)


def save(user, assessment, *, number=1, level=3, evidence="Minutes", version=0):
    return sa.save_competency_rating(
        user,
        assessment,
        competency=competency(assessment, number),
        level=level,
        evidence=evidence,
        version=version,
    )


def close_phase_one(cycle):
    cycle.phases.filter(kind=1).update(status=PhaseStatus.CLOSED)


def test_it_saves_a_rating_and_records_old_to_new(alice, assessment):
    rating = save(alice, assessment)
    rating = save(alice, assessment, level=4, evidence="Minutes and JSNA", version=rating.version)
    assert (rating.level, rating.evidence, rating.version) == (4, "Minutes and JSNA", 2)
    entries = AuditEntry.objects.filter(action="self_rating.updated", field="level").order_by(
        "at", "id"
    )
    assert [(e.old_value, e.new_value, e.actor) for e in entries] == [
        ("", "3", alice),
        ("3", "4", alice),
    ]
    assert entries[0].pct == assessment.pct


def test_a_saved_rating_carries_its_self_assessments_cycle(alice, assessment):
    # Denormalised for calibration's (cycle, competency) index; filled on save.
    rating = save(alice, assessment)
    rating.refresh_from_db()
    assert rating.cycle_id == assessment.cycle_id


def test_an_unchanged_save_does_not_bump_the_version(alice, assessment):
    rating = save(alice, assessment)
    again = save(alice, assessment, version=rating.version)
    assert again.version == rating.version
    assert AuditEntry.objects.filter(field="level").count() == 1


def test_the_later_of_two_saves_is_refused_with_the_other_persons_text(alice, ann, assessment):
    rating = save(alice, assessment, evidence="Alice's text")
    save(ann, assessment, evidence="Ann's text", version=rating.version)
    with pytest.raises(EditConflict) as refused:
        save(alice, assessment, evidence="Alice again", version=rating.version)
    assert refused.value.saved == {"level": 3, "evidence": "Ann's text"}
    assert refused.value.saved_by == ann
    assert refused.value.version == 2
    assert CompetencyRating.objects.get().evidence == "Ann's text"


def test_two_first_saves_conflict_too(alice, ann, assessment):
    save(alice, assessment, evidence="first")
    with pytest.raises(EditConflict):
        save(ann, assessment, evidence="second", version=0)


def test_it_rejects_a_level_above_four(alice, assessment):
    with pytest.raises(ServiceError, match="from 1 to 4") as refused:
        save(alice, assessment, level=5)
    assert refused.value.field == "level"
    assert not CompetencyRating.objects.exists()


def test_it_rejects_evidence_that_is_too_long(alice, assessment):
    with pytest.raises(ServiceError, match="20,000 characters") as refused:
        save(alice, assessment, evidence="x" * 20_001)
    assert refused.value.field == "evidence"


def test_it_refuses_a_competency_from_another_framework(alice, assessment):
    from assurance.models import Competency

    other = Competency.objects.exclude(framework=assessment.cycle.framework).first()
    with pytest.raises(ServiceError, match="not part of"):
        sa.save_competency_rating(
            alice, assessment, competency=other, level=2, evidence="", version=0
        )


def test_it_refuses_edits_when_phase_one_is_closed_and_shows_the_deadline(alice, assessment):
    close_phase_one(assessment.cycle)
    with pytest.raises(PhaseClosed, match="closed on 31 December 2009") as refused:
        save(alice, assessment)
    assert refused.value.deadline == dt.date(2009, 12, 31)


def test_it_refuses_edits_from_another_pcts_staff(bob, assessment):
    with pytest.raises(NotAllowed):
        save(bob, assessment)


def test_it_refuses_edits_from_assessors_and_dh(sara, dora, assessment):
    for user in (sara, dora):
        with pytest.raises(NotAllowed):
            save(user, assessment)


def test_governance_declaration_is_saved_with_its_version(alice, ann, assessment):
    first = sa.save_governance_declaration(
        alice, assessment, area="finance", rating="amber", commentary="Deficit", version=0
    )
    assert first.version == 1
    sa.save_governance_declaration(
        ann, assessment, area="finance", rating="green", commentary="Balanced", version=1
    )
    with pytest.raises(EditConflict) as refused:
        sa.save_governance_declaration(
            alice, assessment, area="finance", rating="red", commentary="x", version=1
        )
    assert refused.value.saved == {"rating": "green", "commentary": "Balanced"}


def test_governance_rejects_an_unknown_rating(alice, assessment):
    with pytest.raises(ServiceError, match="red, amber or green"):
        sa.save_governance_declaration(
            alice, assessment, area="board", rating="blue", commentary="", version=0
        )


def test_outcomes_are_chosen_from_the_menu_updated_and_removed(alice, assessment):
    smoking = OutcomeIndicator.objects.get(code="smoking")
    chosen = sa.choose_outcome(alice, assessment, smoking)
    with pytest.raises(ServiceError, match="already"):
        sa.choose_outcome(alice, assessment, smoking)
    chosen = sa.update_outcome(
        alice, chosen, baseline=24, target=22, direction="lower", version=chosen.version
    )
    assert chosen.version == 2
    sa.remove_outcome(alice, chosen)
    assert not ChosenOutcome.objects.exists()
    assert AuditEntry.objects.filter(action="outcome.removed", old_value="Smoking").exists()


def test_it_refuses_an_outcome_that_is_not_on_this_cycles_menu(alice, assessment):
    other = OutcomeIndicator.objects.create(code="invented", name="Not on the menu")
    with pytest.raises(ServiceError, match="national menu"):
        sa.choose_outcome(alice, assessment, other)


def test_uploading_stores_a_random_name_and_the_sha256(alice, assessment):
    document = sa.upload_evidence(
        alice, assessment, kind="strategic_plan", upload=upload("My Plan.pdf")
    )
    assert document.original_name == "My Plan.pdf"
    assert "My Plan" not in document.file.name
    assert document.file.name.startswith("evidence/") and document.file.name.endswith(".pdf")
    assert len(document.sha256) == 64
    assert document.content_type == "application/pdf"


def test_the_stored_extension_follows_the_content_not_the_name(alice, assessment):
    document = sa.upload_evidence(
        alice, assessment, kind="other", upload=upload("notes.pdf", docx_bytes())
    )
    assert document.file.name.endswith(".docx")


def test_it_refuses_a_file_that_is_not_an_allowed_type(alice, assessment):
    with pytest.raises(ServiceError, match="must be a PDF") as refused:
        sa.upload_evidence(
            alice, assessment, kind="other", upload=upload("evil.pdf", b"#!/bin/sh\n")
        )
    assert refused.value.field == "file"
    assert not EvidenceDocument.objects.exists()


def test_it_refuses_a_file_over_the_size_limit(alice, assessment, settings):
    settings.EVIDENCE_MAX_BYTES = 10
    with pytest.raises(ServiceError, match="smaller than 10 bytes"):
        sa.upload_evidence(alice, assessment, kind="other", upload=upload())


def test_a_second_key_document_replaces_the_first_and_keeps_it(alice, assessment):
    first = sa.upload_evidence(alice, assessment, kind="od_plan", upload=upload("v1.pdf"))
    second = sa.upload_evidence(alice, assessment, kind="od_plan", upload=upload("v2.pdf"))
    first.refresh_from_db()
    assert not first.is_current and second.is_current
    assert second.replaces == first
    assert AuditEntry.objects.filter(
        action="evidence.replaced", old_value__startswith="v1.pdf"
    ).exists()


def test_removing_a_document_hides_it_but_keeps_the_row(alice, assessment):
    document = sa.upload_evidence(alice, assessment, kind="other", upload=upload())
    sa.remove_evidence(alice, document)
    document.refresh_from_db()
    assert not document.is_current and document.removed_at is not None


def test_documents_cannot_be_removed_after_submission(alice, ann, assessment):
    ready_to_submit(alice, assessment)
    sa.submit_self_assessment(ann, assessment, board_ratified_on=dt.date(2009, 12, 10))
    document = EvidenceDocument.objects.filter(is_current=True).first()
    with pytest.raises(PhaseClosed, match="submitted"):
        sa.remove_evidence(alice, document)


def test_submission_lists_every_missing_item(alice, ann, assessment):
    fill_ratings(alice, assessment, count=9)
    with pytest.raises(Incomplete) as refused:
        sa.submit_self_assessment(ann, assessment, board_ratified_on=dt.date(2009, 12, 10))
    anchors = [m.anchor for m in refused.value.missing]
    assert anchors == [
        "c10-level",
        "c10-evidence",
        "c11-level",
        "c11-evidence",
        "doc-strategic_plan",
        "doc-od_plan",
        "doc-financial_plan",
        "doc-comms_strategy",
    ]
    assert not SelfAssessment.objects.get().is_submitted


def test_only_the_approver_submits(alice, assessment):
    ready_to_submit(alice, assessment)
    with pytest.raises(NotAllowed, match="approver"):
        sa.submit_self_assessment(alice, assessment, board_ratified_on=dt.date(2009, 12, 10))


def test_another_pcts_approver_cannot_submit(islington, assessment, alice):
    from assurance.models import Role
    from tests.factories import pct_user

    other = pct_user(islington, Role.PCT_APPROVER)
    ready_to_submit(alice, assessment)
    with pytest.raises(NotAllowed):
        sa.submit_self_assessment(other, assessment, board_ratified_on=dt.date(2009, 12, 10))


def test_submission_needs_the_board_ratification_date_not_in_the_future(alice, ann, assessment):
    ready_to_submit(alice, assessment)
    with pytest.raises(ServiceError, match="Enter the date"):
        sa.submit_self_assessment(ann, assessment, board_ratified_on=None)
    with pytest.raises(ServiceError, match="today or in the past"):
        sa.submit_self_assessment(
            ann, assessment, board_ratified_on=dt.date.today() + dt.timedelta(days=2)
        )


def test_submission_makes_everything_read_only(alice, ann, assessment):
    ready_to_submit(alice, assessment)
    sa.submit_self_assessment(ann, assessment, board_ratified_on=dt.date(2009, 12, 10))
    assessment.refresh_from_db()
    assert assessment.is_submitted and assessment.submitted_by == ann
    assert assessment.board_ratified_on == dt.date(2009, 12, 10)
    rating = CompetencyRating.objects.first()
    with pytest.raises(PhaseClosed, match="submitted"):
        save(alice, assessment, evidence="late change", version=rating.version)
    with pytest.raises(PhaseClosed):
        sa.submit_self_assessment(ann, assessment, board_ratified_on=dt.date(2009, 12, 10))


def test_submission_is_refused_when_phase_one_is_closed(alice, ann, assessment):
    ready_to_submit(alice, assessment)
    close_phase_one(assessment.cycle)
    with pytest.raises(PhaseClosed, match="closed"):
        sa.submit_self_assessment(ann, assessment, board_ratified_on=dt.date(2009, 12, 10))


def test_only_dh_reopens_a_submission_with_a_reason(alice, ann, dora, assessment):
    ready_to_submit(alice, assessment)
    sa.submit_self_assessment(ann, assessment, board_ratified_on=dt.date(2009, 12, 10))
    with pytest.raises(NotAllowed):
        sa.reopen_self_assessment(ann, assessment, reason="Typo")
    with pytest.raises(ServiceError, match="reason"):
        sa.reopen_self_assessment(dora, assessment, reason=" ")
    sa.reopen_self_assessment(dora, assessment, reason="Wrong financial plan uploaded")
    assessment.refresh_from_db()
    assert not assessment.is_submitted
    entry = AuditEntry.objects.get(action="self_assessment.reopened")
    assert entry.reason == "Wrong financial plan uploaded" and entry.actor == dora


def test_a_repeated_autosave_of_the_same_text_is_not_a_conflict(alice, assessment):
    rating = save(alice, assessment, evidence="Same")
    save(alice, assessment, evidence="Same words", version=rating.version)
    again = save(alice, assessment, evidence="Same words", version=rating.version)
    assert again.version == 2
