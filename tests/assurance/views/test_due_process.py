"""Due process pages (§8): what each person sees and may do, refusals, query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from assurance import models as m
from assurance.services import due_process as service
from assurance.services import publication as publication_service
from tests.assurance.due_process_factories import area, checking_cycle, item
from tests.assurance.self_assessment_factories import upload
from tests.factories import pct_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def cycle(dora, camden, islington):
    """The window runs from today: pages and services read the real date."""
    cycle = checking_cycle(dora, [camden, islington])
    today = timezone.localdate()
    m.AccuracyCheck.objects.filter(cycle=cycle).update(
        opens_on=today, closes_on=today + dt.timedelta(days=13)
    )
    return cycle


@pytest.fixture
def camden_sa(cycle, camden):
    return m.SelfAssessment.objects.get(cycle=cycle, pct=camden)


def _raise(ann, camden_sa, consensus=None):
    return service.raise_challenge(
        ann,
        consensus or item(camden_sa),
        what_is_wrong="The minutes were missed.",
        correction="Level 3",
    )


def _draft_url(cycle, code="5K7"):
    return reverse("due_process:draft", args=[cycle.pk, code])


def test_the_approver_sees_the_draft_without_a_rank(
    client, ann, cycle, camden_sa, django_assert_max_num_queries
):
    client.force_login(ann)
    with django_assert_max_num_queries(20):
        response = client.get(_draft_url(cycle))
    body = response.content.decode()
    assert response.status_code == 200
    assert "1. Locally lead the NHS" in body and "Challenge" in body
    assert "Rank" not in body and "rank" not in body.lower().replace("ranked", "")


def test_the_query_count_does_not_grow_with_challenges(
    client, ann, lena, cycle, camden_sa, django_assert_max_num_queries
):
    for number in range(1, 8):
        challenge = _raise(ann, camden_sa, item(camden_sa, number))
        if number % 2:
            service.answer_challenge(lena, challenge, accepted=False, reason="No.")
    client.force_login(ann)
    with django_assert_max_num_queries(20):
        assert client.get(_draft_url(cycle)).status_code == 200
    client.force_login(lena)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("due_process:index"))
    assert response.status_code == 200
    assert '<dd class="nhsuk-summary-list__value" data-testid="unanswered">3</dd>' in (
        response.content.decode()
    )


def test_pct_staff_read_the_draft_but_cannot_challenge(client, alice, cycle, camden_sa):
    client.force_login(alice)
    assert "Challenge<" not in client.get(_draft_url(cycle)).content.decode()
    url = reverse("due_process:challenge_new", args=[cycle.pk, "5K7", item(camden_sa).pk])
    assert client.get(url).status_code == 403
    response = client.post(url, {"what_is_wrong": "x", "correction": "y"})
    assert response.status_code == 403 and not m.Challenge.objects.exists()


def test_another_pcts_draft_is_not_found(client, bob, cycle):
    client.force_login(bob)
    assert client.get(_draft_url(cycle)).status_code == 404


def test_the_approver_cannot_challenge_another_pcts_item(client, ann, cycle, islington):
    theirs = item(m.SelfAssessment.objects.get(cycle=cycle, pct=islington))
    client.force_login(ann)
    url = reverse("due_process:challenge_new", args=[cycle.pk, "5K7", theirs.pk])
    response = client.post(url, {"what_is_wrong": "x", "correction": "y"})
    assert response.status_code == 404 and not m.Challenge.objects.exists()


def test_a_challenge_with_a_file_is_sent_and_shown(client, ann, cycle, camden_sa):
    client.force_login(ann)
    url = reverse("due_process:challenge_new", args=[cycle.pk, "5K7", item(camden_sa).pk])
    response = client.post(
        url,
        {
            "what_is_wrong": "The panel missed our minutes.",
            "correction": "Level 3",
            "files": [upload("minutes.pdf")],
        },
    )
    challenge = m.Challenge.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("due_process:challenge", args=[challenge.pk])
    document = challenge.documents.get()
    download = client.get(reverse("due_process:challenge_document", args=[document.pk]))
    assert download.status_code == 200
    assert download["Content-Security-Policy"] == "sandbox; default-src 'none'"


def test_a_bad_upload_is_refused_with_a_message_and_nothing_saved(client, ann, cycle, camden_sa):
    client.force_login(ann)
    url = reverse("due_process:challenge_new", args=[cycle.pk, "5K7", item(camden_sa).pk])
    response = client.post(
        url,
        {
            "what_is_wrong": "x",
            "correction": "y",
            "files": [upload("minutes.pdf", b"<script>alert(1)</script>")],
        },
    )
    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()
    assert not m.Challenge.objects.exists() and not m.ChallengeDocument.objects.exists()


def test_a_challenge_after_the_window_is_refused_with_a_message(client, ann, cycle, camden_sa):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    m.AccuracyCheck.objects.filter(cycle=cycle).update(
        opens_on=yesterday - dt.timedelta(days=13), closes_on=yesterday
    )
    client.force_login(ann)
    url = reverse("due_process:challenge_new", args=[cycle.pk, "5K7", item(camden_sa).pk])
    response = client.post(url, {"what_is_wrong": "x", "correction": "y"})
    assert response.status_code == 400
    assert f"closed on {yesterday:%-d %B %Y}" in response.content.decode()
    assert not m.Challenge.objects.exists()


def test_the_sha_lead_accepts_and_the_pct_sees_the_answer(client, ann, alice, lena, camden_sa):
    challenge = _raise(ann, camden_sa)
    url = reverse("due_process:challenge", args=[challenge.pk])
    client.force_login(lena)
    response = client.post(url, {"answer": "accepted", "value": "3", "reason": "Minutes show it."})
    assert response.status_code == 302
    client.force_login(alice)
    body = client.get(url).content.decode()
    assert "Accepted" in body and "Minutes show it." in body and "2 → 3" in body


def test_accepting_without_a_value_is_refused(client, ann, lena, camden_sa):
    challenge = _raise(ann, camden_sa)
    client.force_login(lena)
    response = client.post(
        reverse("due_process:challenge", args=[challenge.pk]),
        {"answer": "accepted", "reason": "Yes."},
    )
    assert response.status_code == 400
    assert "Choose the corrected value" in response.content.decode()
    challenge.refresh_from_db()
    assert challenge.status == m.ChallengeStatus.UNANSWERED


@pytest.mark.parametrize("who", ["sara", "dora", "ann"])
def test_only_the_sha_lead_answers(who, request, client, ann, camden_sa):
    challenge = _raise(ann, camden_sa)
    client.force_login(request.getfixturevalue(who))
    response = client.post(
        reverse("due_process:challenge", args=[challenge.pk]),
        {"answer": "not_accepted", "reason": "No."},
    )
    assert response.status_code == 403
    challenge.refresh_from_db()
    assert challenge.status == m.ChallengeStatus.UNANSWERED


def test_the_queue_is_not_for_assessors_or_peers(client, sara, nick):
    for user in (sara, nick):
        client.force_login(user)
        assert client.get(reverse("due_process:index")).status_code == 404


def test_the_publish_page_waits_for_answers_then_dh_override_with_a_reason(
    client, ann, dora, cycle, camden_sa
):
    _raise(ann, camden_sa)
    client.force_login(dora)
    url = reverse("publications:publish", args=[cycle.pk])
    assert "1 factual accuracy challenge is waiting" in client.get(url).content.decode()
    confirmed = {"publish-confirm": "yes"}
    response = client.post(url, confirmed)
    assert response.status_code == 400 and not m.Publication.objects.exists()
    assert "not answered yet" in response.content.decode()
    response = client.post(url, {**confirmed, "override_reason": "Ministerial deadline."})
    assert response.status_code == 302
    assert m.Publication.objects.get().challenges_override == "Ministerial deadline."


def test_the_history_shows_the_pcts_own_challenge_but_not_the_moderation(
    client, ann, lena, cycle, camden_sa
):
    challenge = _raise(ann, camden_sa)
    service.answer_challenge(lena, challenge, accepted=True, value=3, reason="Minutes show it.")
    client.force_login(ann)
    body = client.get(reverse("self_assessment:history", args=[cycle.slug, "5K7"])).content.decode()
    assert "Factual accuracy challenge: 1. Locally lead the NHS" in body
    assert "Factual accuracy challenge accepted" in body
    assert "Moderated: " not in body


def test_the_window_page_opens_and_closes(client, dora, reference_data):
    from tests.assurance.publication_factories import publishing_cycle

    cycle = publishing_cycle("2009/10")
    client.force_login(dora)
    url = reverse("due_process:window", args=[cycle.pk])
    response = client.post(url, {"action": "open", "opens_on": "not a date"})
    assert response.status_code == 400 and not m.AccuracyCheck.objects.exists()
    response = client.post(url, {"action": "open", "opens_on": "2010-07-01"})
    assert response.status_code == 302
    assert m.AccuracyCheck.objects.get().closes_on == dt.date(2010, 7, 14)
    client.post(url, {"action": "close"})
    assert not m.AccuracyCheck.objects.get().is_open


# --- rating reviews ---------------------------------------------------------------------------


@pytest.fixture
def published(dora, cycle, django_capture_on_commit_callbacks):
    from freedoms.services import confirm_publication

    with django_capture_on_commit_callbacks(execute=True):
        publication, _ = publication_service.start_publication(cycle, dora)
    publication.refresh_from_db()
    confirm_publication(publication, by=dora)
    publication.refresh_from_db()
    return publication


def test_the_approver_asks_for_a_review_and_the_league_table_marks_it(
    client, ann, published, camden_sa, django_capture_on_commit_callbacks
):
    table = reverse("publications:league_table", args=[published.pk])
    assert "Review pending" not in client.get(table).content.decode()  # cached for the public
    client.force_login(ann)
    report = client.get(reverse("publications:pct_report", args=[published.pk, "5K7"]))
    assert "Ask for a rating review" in report.content.decode()
    url = reverse("due_process:review_new", args=[published.pk, "5K7"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {"items": [item(camden_sa).pk, area(camden_sa).pk], "grounds": "Audit letter."}
        )
    assert response.status_code == 302
    review = m.RatingReview.objects.get()
    assert review.items.count() == 2
    client.logout()
    assert 'data-testid="review-pending"' in client.get(table).content.decode()
    # Asking again about the same item of the same version is refused, nothing saved.
    client.force_login(ann)
    response = client.post(url, {"items": [item(camden_sa).pk], "grounds": "Again."})
    assert response.status_code == 400 and m.RatingReview.objects.count() == 1
    assert "already been asked for" in response.content.decode()


def test_another_pcts_item_cannot_be_named(client, ann, published, cycle, islington):
    theirs = item(m.SelfAssessment.objects.get(cycle=cycle, pct=islington))
    client.force_login(ann)
    response = client.post(
        reverse("due_process:review_new", args=[published.pk, "5K7"]),
        {"items": [theirs.pk], "grounds": "x"},
    )
    assert response.status_code == 400 and not m.RatingReview.objects.exists()


@pytest.mark.parametrize("who", ["alice", "lena", "dora"])
def test_only_the_approver_may_ask(who, request, client, published):
    client.force_login(request.getfixturevalue(who))
    url = reverse("due_process:review_new", args=[published.pk, "5K7"])
    assert client.get(url).status_code == 404


def test_another_pcts_approver_may_not_ask_for_camden(client, published, islington):
    client.force_login(pct_user(islington, m.Role.PCT_APPROVER))
    url = reverse("due_process:review_new", args=[published.pk, "5K7"])
    assert client.post(url, {"grounds": "x"}).status_code == 404


def test_dh_uphold_and_the_corrected_version_says_what_changed(
    client, ann, dora, lena, published, cycle, camden_sa, django_capture_on_commit_callbacks
):
    review = service.ask_for_review(
        ann, published, items=[area(camden_sa)], grounds="Our audit letter."
    )
    review_item = review.items.get()
    client.force_login(lena)
    url = reverse("due_process:review", args=[review.pk])
    response = client.post(url, {"decision": "not_upheld", "reason": "x"})
    assert response.status_code == 403  # never the PCT's own SHA
    client.force_login(dora)
    response = client.post(url, {"decision": "upheld", "reason": "x"})
    assert response.status_code == 400  # an upheld review needs the new values
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {
                "decision": "upheld",
                f"item_{review_item.pk}": "amber",
                "reason": "The audit letter shows a clean opinion.",
            },
        )
    assert response.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        corrected, _ = publication_service.start_publication(cycle, dora)
    corrected.refresh_from_db()
    assert corrected.status == m.PublicationStatus.COMPLETE
    client.logout()
    body = client.get(
        reverse("publications:pct_report", args=[corrected.pk, "5K7"])
    ).content.decode()
    assert "What changed from version 1" in body
    assert "Governance: Finance" in body and "Green" in body and "Amber" in body
    assert "Rating review upheld by DH: The audit letter shows a clean opinion." in body
    pdf_doc = corrected.documents.get(pct__code="5K7")
    assert pdf_doc.status == m.DocumentStatus.DONE
    from assurance.services.pdf import pct_report_html

    html = pct_report_html(corrected, camden_sa.pct)
    assert "What changed from version 1" in html and "clean opinion" in html


def test_after_publication_the_pct_sees_its_draft_as_published(
    client, ann, dora, published, camden_sa
):
    from assurance.services.panels import apply_moderation

    apply_moderation(dora, area(camden_sa), stage="national", value="red", reason="Later.")
    url = reverse("due_process:draft", args=[published.cycle_id, "5K7"])
    client.force_login(ann)
    assert "Red" not in client.get(url).content.decode()
    client.force_login(dora)
    assert "Red" in client.get(url).content.decode()
