"""The factual accuracy check and the rating review (domain brief §8)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from assurance import models as m
from assurance.services import due_process as service
from assurance.services import publication as publication_service
from assurance.services.errors import ServiceError
from tests.assurance.due_process_factories import OPENS_ON, area, checking_cycle, item
from tests.assurance.publication_factories import publishing_cycle
from tests.assurance.self_assessment_factories import upload
from tests.factories import CycleFactory, pct_user, sha_user

pytestmark = pytest.mark.django_db
DURING = OPENS_ON + dt.timedelta(days=2)


@pytest.fixture
def cycle(dora, camden, islington):
    return checking_cycle(dora, [camden, islington])


@pytest.fixture
def camden_sa(cycle, camden):
    return m.SelfAssessment.objects.get(cycle=cycle, pct=camden)


def _challenge(ann, camden_sa, **kw):
    data = {
        "what_is_wrong": "The panel missed our board minutes.",
        "correction": "Level 3",
        "today": DURING,
    }
    return service.raise_challenge(ann, item(camden_sa), **(data | kw))


def _fingerprint():
    return (
        m.Challenge.objects.count(),
        m.ChallengeDocument.objects.count(),
        m.Moderation.objects.count(),
        m.AuditEntry.objects.count(),
        m.RatingReview.objects.count(),
        m.RatingReviewItem.objects.count(),
    )


# --- the window ---------------------------------------------------------------------------


def test_dh_opens_the_window_for_ten_working_days(cycle):
    window = cycle.accuracy_check
    assert (window.opens_on, window.closes_on, window.is_open) == (
        OPENS_ON,
        dt.date(2010, 7, 14),
        True,
    )
    assert m.AuditEntry.objects.filter(action="accuracy_check.opened", cycle=cycle).exists()


def test_the_length_is_the_cycles_setting(dora, reference_data):
    cycle = publishing_cycle("2009/10")
    cycle.accuracy_check_days = 5
    cycle.save()
    window = service.open_accuracy_check(dora, cycle, opens_on=OPENS_ON)
    assert window.closes_on == dt.date(2010, 7, 7)


def test_only_dh_open_the_window(lena, reference_data):
    cycle = publishing_cycle("2009/10")
    with pytest.raises(ServiceError, match="Only DH staff"):
        service.open_accuracy_check(lena, cycle, opens_on=OPENS_ON)
    assert not m.AccuracyCheck.objects.exists()


def test_the_window_waits_for_calibration(dora, reference_data):
    cycle = CycleFactory(year_label="2009/10", open_phase=m.PhaseKind.PANEL_DAYS)
    with pytest.raises(ServiceError, match="after calibration"):
        service.open_accuracy_check(dora, cycle, opens_on=OPENS_ON)


def test_closing_and_reopening_are_audited(dora, cycle):
    service.close_accuracy_check(dora, cycle)
    with pytest.raises(ServiceError, match="not open"):
        service.close_accuracy_check(dora, cycle)
    window = service.open_accuracy_check(dora, cycle, opens_on=dt.date(2010, 7, 19))
    assert window.is_open and window.closes_on == dt.date(2010, 7, 30)
    actions = set(m.AuditEntry.objects.filter(cycle=cycle).values_list("action", flat=True))
    assert {"accuracy_check.closed", "accuracy_check.reopened"} <= actions


# --- challenges ---------------------------------------------------------------------------


def test_the_approver_challenges_an_item_with_evidence(ann, camden_sa):
    challenge = _challenge(
        ann, camden_sa, evidence="Minutes of 3 March.", uploads=[upload("minutes.pdf")]
    )
    assert challenge.status == m.ChallengeStatus.UNANSWERED
    assert challenge.pct == camden_sa.pct and challenge.consensus == item(camden_sa)
    document = challenge.documents.get()
    assert document.original_name == "minutes.pdf"
    assert document.content_type == "application/pdf" and len(document.sha256) == 64
    uploaded = m.AuditEntry.objects.get(action="challenge.file_uploaded")
    assert uploaded.new_value.startswith("minutes.pdf (sha256 ")
    entry = m.AuditEntry.objects.get(action="challenge.raised")
    assert entry.pct == camden_sa.pct and entry.reason == "The panel missed our board minutes."


@pytest.mark.parametrize("who", ["alice", "lena", "dora", "bob"])
def test_only_the_pcts_own_approver_challenges(who, request, camden_sa):
    before = _fingerprint()
    with pytest.raises(ServiceError, match="approver"):
        _challenge(request.getfixturevalue(who), camden_sa)
    assert _fingerprint() == before


def test_another_pcts_approver_is_refused(islington, camden_sa):
    other = pct_user(islington, m.Role.PCT_APPROVER)
    with pytest.raises(ServiceError, match="approver"):
        _challenge(other, camden_sa)
    assert not m.Challenge.objects.exists()


def test_a_challenge_after_the_window_is_refused(ann, camden_sa):
    with pytest.raises(ServiceError, match="closed on 14 July 2010"):
        _challenge(ann, camden_sa, today=dt.date(2010, 7, 15))
    assert not m.Challenge.objects.exists()


def test_a_challenge_when_dh_has_closed_the_window_is_refused(ann, dora, cycle, camden_sa):
    service.close_accuracy_check(dora, cycle)
    with pytest.raises(ServiceError, match="not open"):
        _challenge(ann, camden_sa)


def test_an_upload_is_checked_like_evidence_and_nothing_is_saved(ann, camden_sa):
    before = _fingerprint()
    with pytest.raises(ServiceError) as refused:
        _challenge(ann, camden_sa, uploads=[upload("minutes.pdf", b"MZ\x90\x00 not a pdf")])
    assert refused.value.problems[0].field == "files"
    assert _fingerprint() == before


def test_what_is_wrong_and_the_correction_are_required(ann, camden_sa):
    with pytest.raises(ServiceError) as refused:
        _challenge(ann, camden_sa, what_is_wrong=" ", correction="")
    assert {p.field for p in refused.value.problems} == {"what_is_wrong", "correction"}


def test_an_item_has_one_open_challenge_at_a_time(ann, camden_sa):
    _challenge(ann, camden_sa)
    with pytest.raises(ServiceError, match="already has a challenge"):
        _challenge(ann, camden_sa)


def test_the_sha_lead_accepts_and_the_item_is_moderated(ann, lena, camden_sa):
    challenge = _challenge(ann, camden_sa)
    service.answer_challenge(lena, challenge, accepted=True, value=3, reason="Minutes show it.")
    challenge.refresh_from_db()
    assert challenge.status == m.ChallengeStatus.ACCEPTED
    moderation = challenge.moderation
    assert (moderation.old_value, moderation.new_value, moderation.stage) == ("2", "3", "regional")
    assert moderation.reason == "Factual accuracy challenge accepted: Minutes show it."
    assert item(camden_sa).final_level == 3
    actions = list(m.AuditEntry.objects.order_by("pk").values_list("action", flat=True))
    assert actions[-2:] == ["moderation.regional", "challenge.accepted"]


def test_not_accepted_keeps_the_value_and_needs_reasons(ann, lena, camden_sa):
    challenge = _challenge(ann, camden_sa)
    with pytest.raises(ServiceError, match="reasons"):
        service.answer_challenge(lena, challenge, accepted=False, reason=" ")
    service.answer_challenge(lena, challenge, accepted=False, reason="The panel saw them.")
    challenge.refresh_from_db()
    assert challenge.status == m.ChallengeStatus.NOT_ACCEPTED and challenge.moderation is None
    assert item(camden_sa).final_level == 2


def test_an_accepted_answer_without_a_valid_value_saves_nothing(ann, lena, camden_sa):
    challenge = _challenge(ann, camden_sa)
    before = _fingerprint()
    with pytest.raises(ServiceError):
        service.answer_challenge(lena, challenge, accepted=True, value=7, reason="Yes.")
    with pytest.raises(ServiceError, match="same"):
        service.answer_challenge(lena, challenge, accepted=True, value=2, reason="Yes.")
    assert _fingerprint() == before
    challenge.refresh_from_db()
    assert challenge.status == m.ChallengeStatus.UNANSWERED


@pytest.mark.parametrize("who", ["sara", "dora", "ann"])
def test_only_the_pcts_sha_lead_answers(who, request, ann, camden_sa):
    challenge = _challenge(ann, camden_sa)
    with pytest.raises(ServiceError, match="SHA lead"):
        service.answer_challenge(
            request.getfixturevalue(who), challenge, accepted=False, reason="No."
        )


def test_another_shas_lead_is_refused(ann, north_east, camden_sa):
    other = sha_user(north_east, m.Role.SHA_LEAD)
    challenge = _challenge(ann, camden_sa)
    with pytest.raises(ServiceError, match="SHA lead"):
        service.answer_challenge(other, challenge, accepted=False, reason="No.")


def test_a_challenge_is_answered_once(ann, lena, camden_sa):
    challenge = _challenge(ann, camden_sa)
    service.answer_challenge(lena, challenge, accepted=False, reason="No.")
    with pytest.raises(ServiceError, match="already been answered"):
        service.answer_challenge(lena, challenge, accepted=True, value=3, reason="Yes.")


# --- publication waits for the answers ------------------------------------------------------


def test_publication_waits_for_every_answer(ann, lena, dora, cycle, camden_sa):
    challenge = _challenge(ann, camden_sa)
    with pytest.raises(publication_service.PublicationError, match="1 factual accuracy challenge"):
        publication_service.start_publication(cycle, dora)
    assert not m.Publication.objects.exists()
    service.answer_challenge(lena, challenge, accepted=True, value=3, reason="Yes.")
    publication, created = publication_service.start_publication(cycle, dora)
    assert created and publication.challenges_override == ""


def test_dh_may_override_with_a_recorded_reason(ann, dora, cycle, camden_sa):
    _challenge(ann, camden_sa)
    publication, _ = publication_service.start_publication(
        cycle, dora, override_reason="Ministerial deadline."
    )
    assert publication.challenges_override == "Ministerial deadline."
    entry = m.AuditEntry.objects.get(action="publication.challenges_overridden")
    assert entry.reason == "Ministerial deadline." and entry.new_value == "1"


# --- rating reviews -----------------------------------------------------------------------


def _publish(cycle, dora, capture):
    with capture(execute=True):
        return publication_service.start_publication(cycle, dora)


@pytest.fixture
def published(dora, cycle, django_capture_on_commit_callbacks):
    from freedoms.services import confirm_publication

    publication, _ = _publish(cycle, dora, django_capture_on_commit_callbacks)
    publication.refresh_from_db()
    assert publication.status == m.PublicationStatus.COMPLETE
    confirm_publication(publication, by=dora)
    publication.refresh_from_db()
    return publication


def _ask(ann, publication, camden_sa, items=None, **kw):
    items = items if items is not None else [item(camden_sa), area(camden_sa)]
    return service.ask_for_review(
        ann, publication, items=items, grounds="The finance rating ignores our audit.", **kw
    )


def test_the_approver_asks_for_a_review_of_named_items(ann, published, camden_sa):
    review = _ask(ann, published, camden_sa)
    assert review.status == m.ReviewStatus.PENDING
    assert {i.consensus for i in review.items.all()} == {item(camden_sa), area(camden_sa)}
    assert m.AuditEntry.objects.filter(action="review.asked", pct=camden_sa.pct).exists()


def test_an_item_of_a_version_is_reviewed_once(ann, published, camden_sa):
    _ask(ann, published, camden_sa, items=[item(camden_sa)])
    before = _fingerprint()
    with pytest.raises(ServiceError, match=r"already been asked for on: 1\. Locally lead the NHS"):
        _ask(ann, published, camden_sa)
    assert _fingerprint() == before


def test_a_review_after_28_days_is_refused(ann, published, camden_sa):
    late = timezone.localdate(published.confirmed_at) + dt.timedelta(days=29)
    with pytest.raises(ServiceError, match="could be asked for until"):
        _ask(ann, published, camden_sa, today=late)
    assert not m.RatingReview.objects.exists()


def test_a_review_of_another_pcts_item_is_refused(ann, published, cycle, islington):
    theirs = m.SelfAssessment.objects.get(cycle=cycle, pct=islington)
    with pytest.raises(ServiceError, match="your own PCT"):
        service.ask_for_review(ann, published, items=[item(theirs)], grounds="Wrong.")
    assert not m.RatingReview.objects.exists()


@pytest.mark.parametrize("who", ["alice", "lena", "dora"])
def test_only_an_approver_asks_for_a_review(who, request, published, camden_sa):
    with pytest.raises(ServiceError, match="approver"):
        _ask(request.getfixturevalue(who), published, camden_sa)


def test_dh_uphold_a_review_and_a_corrected_version_supersedes(
    ann, dora, published, cycle, camden_sa, django_capture_on_commit_callbacks
):
    review = _ask(ann, published, camden_sa)
    first, second = review.items.order_by("pk")
    service.decide_review(
        dora,
        review,
        upheld=True,
        reason="The audit letter shows it.",
        values={first.pk: 4, second.pk: "red"},
    )
    review.refresh_from_db()
    assert review.status == m.ReviewStatus.UPHELD
    first.refresh_from_db()
    assert first.moderation.stage == "national" and first.moderation.new_value == "4"
    corrected, created = _publish(cycle, dora, django_capture_on_commit_callbacks)
    published.refresh_from_db()
    assert created and published.superseded_by == corrected
    # A superseded version cannot be reviewed again.
    with pytest.raises(ServiceError, match="replaced"):
        _ask(ann, published, camden_sa, items=[item(camden_sa, 2)])


def test_not_upheld_needs_reasons_and_changes_nothing(ann, dora, published, camden_sa):
    review = _ask(ann, published, camden_sa)
    with pytest.raises(ServiceError, match="reasons"):
        service.decide_review(dora, review, upheld=False, reason="")
    service.decide_review(dora, review, upheld=False, reason="The rating stands.")
    review.refresh_from_db()
    assert review.status == m.ReviewStatus.NOT_UPHELD and item(camden_sa).final_level == 2


def test_an_upheld_review_without_values_saves_nothing(ann, dora, published, camden_sa):
    review = _ask(ann, published, camden_sa)
    before = _fingerprint()
    with pytest.raises(ServiceError):
        service.decide_review(dora, review, upheld=True, reason="Yes.", values={})
    assert _fingerprint() == before


@pytest.mark.parametrize("who", ["lena", "sara", "ann"])
def test_never_the_pcts_own_sha_decides(who, request, ann, published, camden_sa):
    review = _ask(ann, published, camden_sa)
    with pytest.raises(ServiceError, match="Only DH staff"):
        service.decide_review(request.getfixturevalue(who), review, upheld=False, reason="No.")


def test_the_lengths_are_rule_settings_dh_change_with_a_trail(dora, reference_data):
    from assurance.services import cycles

    cycle = publishing_cycle("2009/10")
    cycles.update_rule_settings(dora, cycle, accuracy_check_days=5, review_days=42)
    cycle.refresh_from_db()
    assert (cycle.accuracy_check_days, cycle.review_days) == (5, 42)
    assert m.AuditEntry.objects.filter(action="cycle.settings", field="review_days").exists()
    with pytest.raises(ServiceError, match="between 1 and 60"):
        cycles.update_rule_settings(dora, cycle, accuracy_check_days=0)


# --- reminders (issue 15 part 3): the lead of an unanswered challenge, DH of a review ----------


def test_the_lead_is_reminded_of_an_unanswered_challenge_until_it_is_answered(
    ann, lena, sara, camden_sa, cycle
):
    from assurance.services.reminders import send_reminders

    challenge = _challenge(ann, camden_sa)
    closes = cycle.accuracy_check.closes_on
    assert send_reminders(closes - dt.timedelta(days=7)) >= 1
    reminded = m.Notification.objects.filter(key__contains=f"challenge:{challenge.pk}")
    assert {n.recipient for n in reminded} == {lena}  # the PCT's SHA lead, not its assessors
    assert reminded.get().link == f"/due-process/challenges/{challenge.pk}/"
    service.answer_challenge(lena, challenge, accepted=False, reason="The panel saw them.")
    send_reminders(closes - dt.timedelta(days=1))
    assert reminded.count() == 1  # answered: no 1-day reminder


def test_dh_is_reminded_of_an_undecided_review_within_28_days(
    ann, dora, lena, published, camden_sa
):
    from assurance.queries.reminders import REVIEW_DECISION_DAYS
    from assurance.services.reminders import send_reminders

    review = _ask(ann, published, camden_sa)
    due = review.asked_at.date() + dt.timedelta(days=REVIEW_DECISION_DAYS)
    send_reminders(due - dt.timedelta(days=7))
    reminded = m.Notification.objects.filter(key__contains=f"review:{review.pk}")
    assert {n.recipient for n in reminded} == {dora}  # DH decide, never the SHA
