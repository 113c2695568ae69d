"""Due process in the browser (domain brief §8; issue 15).

1. An approver challenges an item of the draft result; publication is refused while it is
   unanswered; the SHA lead accepts it; the moderation trail shows it; then DH publish.
2. An approver asks for a rating review of the published version; the league table marks
   it; DH uphold it and publish a corrected version whose PCT report says what changed.

Publication runs eagerly (Celery's eager mode in tests), as in the other publication journeys.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from assurance import models as m
from assurance.services import publication as publication_service
from tests.assurance.due_process_factories import checking_cycle
from tests.assurance.self_assessment_factories import PDF_BYTES
from tests.browser.accessibility import axe_violations, describe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def assert_clean(page):
    """No serious or critical axe-core violations on the page as it stands."""
    violations = axe_violations(page)
    assert not violations, f"{page.url}\n{describe(violations)}"


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()


def _cycle(dora, camden, islington):
    """Calibration done; the factual accuracy check open from today for two weeks."""
    cycle = checking_cycle(dora, [camden, islington])
    today = timezone.localdate()
    m.AccuracyCheck.objects.filter(cycle=cycle).update(
        opens_on=today, closes_on=today + dt.timedelta(days=13)
    )
    return cycle


def test_a_challenge_is_answered_before_publication_starts(
    page, live_server, sign_in, camden, islington, ann, lena, dora, screenshot_dir, tmp_path
):
    cycle = _cycle(dora, camden, islington)
    sa = m.SelfAssessment.objects.get(cycle=cycle, pct=camden)
    minutes = tmp_path / "board-minutes.pdf"
    minutes.write_bytes(PDF_BYTES)

    # Camden's approver reads the draft and challenges competency 1.
    sign_in(page, ann)
    page.goto(f"{live_server.url}/due-process/")
    page.get_by_role("link", name=f"Draft result {cycle.year_label}").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Draft result")
    page.screenshot(path=screenshot_dir / "due-process-draft.png", full_page=True)
    assert_clean(page)
    page.get_by_role("link", name="Challenge 1. Locally lead the NHS").click()
    # Sent empty: the error summary names both missing fields, and nothing is saved.
    page.get_by_role("button", name="Send the challenge").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Enter what is factually wrong")
    assert_clean(page)
    assert not m.Challenge.objects.exists()
    page.get_by_label("What is factually wrong").fill(
        "The panel did not see the board minutes of 3 March, which record the lead role."
    )
    page.get_by_label("The correction you ask for").fill("Level 3")
    page.get_by_label("Attach files (optional)").set_input_files(str(minutes))
    page.get_by_role("button", name="Send the challenge").click()
    expect(page.get_by_test_id("challenge-status")).to_contain_text("Awaiting an answer")
    expect(page.get_by_role("link", name="board-minutes.pdf")).to_be_visible()
    sign_out(page)

    # DH cannot start publishing while it is unanswered.
    sign_in(page, dora)
    page.goto(f"{live_server.url}/results/cycles/{cycle.pk}/publish/")
    expect(page.get_by_test_id("unanswered-challenges")).to_contain_text("1 factual accuracy")
    page.get_by_label("Publish these results").check()
    page.get_by_role("button", name="Start publication").click()
    expect(page.locator("body")).to_contain_text("not answered yet")
    assert not m.Publication.objects.exists()
    page.screenshot(path=screenshot_dir / "due-process-publication-refused.png", full_page=True)
    sign_out(page)

    # London's SHA lead finds it in the queue and accepts it.
    sign_in(page, lena)
    page.goto(f"{live_server.url}/due-process/")
    expect(page.get_by_test_id("unanswered")).to_have_text("1")
    page.screenshot(path=screenshot_dir / "due-process-queue.png", full_page=True)
    assert_clean(page)
    page.get_by_role("link", name="1. Locally lead the NHS").click()
    expect(page.get_by_label("Accepted: moderate the item")).to_be_visible()
    assert_clean(page)
    page.get_by_label("Accepted: moderate the item").check()
    page.locator("input[name='value'][value='3']").check()
    page.get_by_label("Reasons").fill("The minutes show the PCT led the local NHS.")
    page.get_by_role("button", name="Record the answer").click()
    expect(page.get_by_test_id("challenge-status")).to_contain_text("Accepted")
    expect(page.get_by_test_id("answer")).to_contain_text("The minutes show")

    # The moderation trail shows the change, linked to the challenge.
    page.goto(f"{live_server.url}/panels/results/{sa.pk}/")
    trail = page.locator("#trail")
    expect(trail).to_contain_text("Factual accuracy challenge accepted")
    expect(trail.get_by_test_id("trail-challenge")).to_be_visible()
    page.screenshot(path=screenshot_dir / "due-process-trail.png", full_page=True)
    sign_out(page)

    # The approver sees the answer.
    sign_in(page, ann)
    page.goto(f"{live_server.url}/due-process/")
    page.get_by_role("link", name="1. Locally lead the NHS").click()
    expect(page.get_by_test_id("answer")).to_contain_text("The minutes show")
    sign_out(page)

    # Now publication starts, and publishes the corrected level.
    sign_in(page, dora)
    page.goto(f"{live_server.url}/results/cycles/{cycle.pk}/publish/")
    expect(page.get_by_test_id("unanswered-challenges")).to_have_count(0)
    page.get_by_label("Publish these results").check()
    page.get_by_role("button", name="Start publication").click()
    expect(page.get_by_test_id("status")).to_contain_text("Complete", timeout=30_000)
    result = m.PublishedResult.objects.get(publication__cycle=cycle, pct=camden)
    assert result.competency_levels["1"] == 3


def test_a_rating_review_leads_to_a_corrected_version(
    page, live_server, sign_in, camden, islington, ann, dora, screenshot_dir
):
    from freedoms.catalogue import load_catalogue
    from freedoms.services import confirm_publication

    load_catalogue()
    cycle = _cycle(dora, camden, islington)
    publication, _ = publication_service.start_publication(cycle, dora)
    publication.refresh_from_db()
    assert publication.status == m.PublicationStatus.COMPLETE
    confirm_publication(publication, by=dora)

    # Camden's approver asks for a review of its finance rating.
    sign_in(page, ann)
    page.goto(f"{live_server.url}/results/{publication.pk}/pcts/5K7/")
    page.get_by_role("link", name="Ask for a rating review").click()
    expect(page.get_by_label("Governance: Finance")).to_be_visible()
    assert_clean(page)
    page.get_by_label("Governance: Finance").check()
    page.get_by_label("Grounds for the review").fill(
        "The auditor's letter of 30 June gives an unqualified opinion the panel did not see."
    )
    page.get_by_role("button", name="Ask for the review").click()
    expect(page.get_by_test_id("review-status")).to_contain_text("Review pending")
    sign_out(page)

    # The public league table marks Camden.
    page.goto(f"{live_server.url}/results/{publication.pk}/")
    expect(page.get_by_test_id("review-pending")).to_have_count(1)
    page.screenshot(path=screenshot_dir / "due-process-review-pending.png", full_page=True)

    # DH uphold it with the new rating, then publish a corrected version.
    sign_in(page, dora)
    page.goto(f"{live_server.url}/due-process/")
    expect(page.get_by_test_id("pending")).to_have_text("1")
    page.get_by_role("link", name="Camden").click()
    # The review's page, loaded (axe on a page still navigating finds no document).
    expect(page.get_by_label("Upheld: moderate the items")).to_be_visible()
    assert_clean(page)
    page.get_by_label("Upheld: moderate the items").check()
    page.locator("input[name^='item_'][value='amber']").check()
    page.get_by_label("Reasons").fill("The auditor's letter supports amber, not green.")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_test_id("review-status")).to_contain_text("Upheld")
    page.get_by_role("link", name="Publish a corrected version").click()
    page.get_by_label("Publish these results").check()
    page.get_by_role("button", name="Start publication").click()
    expect(page.get_by_test_id("status")).to_contain_text("Complete", timeout=30_000)
    sign_out(page)

    corrected = m.Publication.objects.get(cycle=cycle, version=2)
    page.goto(f"{live_server.url}/results/{corrected.pk}/pcts/5K7/")
    changes = page.get_by_test_id("changes")
    expect(changes).to_contain_text("What changed from version 1")
    expect(changes).to_contain_text("Governance: Finance")
    expect(changes.get_by_test_id("why")).to_contain_text(
        "Rating review upheld by DH: The auditor's letter supports amber, not green."
    )
    page.screenshot(path=screenshot_dir / "due-process-corrected-report.png", full_page=True)
    # The earlier version says it is superseded; the mark is gone with the decision.
    page.goto(f"{live_server.url}/results/{publication.pk}/")
    expect(page.get_by_test_id("review-pending")).to_have_count(0)
