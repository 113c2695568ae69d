"""Issue 14, "help where the PCT fills in its self-assessment", in Debian's Chromium:

- a competency page says what each level means (the framework's level descriptors);
- an outcome's values show their unit (``OutcomeIndicator.unit``), on the form and in the
  answers the approver checks, and a negative value is refused with an error message
  while the values already saved stay saved;
- an amber or red governance self-rating is saved without its reason, but the self-assessment
  cannot be submitted until the reason is given; with it, submission is accepted.
"""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from assurance import models as m
from tests.assurance.self_assessment_factories import ready_to_submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = "/tmp/wcc-browser-gaps"
PCT_PAGES = "/self-assessment/2009-10/5K7"


def shot(page, name):
    page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def settle(page):
    page.wait_for_load_state("networkidle")


def test_a_competency_page_says_what_each_level_means(page, live_server, sign_in, alice, cycle):
    descriptors = list(cycle.framework.level_descriptors.order_by("level"))
    assert [d.level for d in descriptors] == [1, 2, 3, 4]
    sign_in(page, alice)
    page.goto(f"{live_server.url}{PCT_PAGES}/")
    page.get_by_role("link", name="1. Locally lead the NHS").click()
    help_box = page.get_by_test_id("level-descriptors")
    # Closed until asked for, then every level with its meaning.
    expect(help_box.get_by_text(descriptors[0].description)).to_be_hidden()
    help_box.get_by_text("What the levels mean").click()
    for d in descriptors:
        row = help_box.locator(".nhsuk-summary-list__row", has_text=f"{d.level} – {d.name}")
        expect(row).to_be_visible()
        expect(row.locator("dd")).to_have_text(d.description)
    expect(help_box.locator(".nhsuk-summary-list__row")).to_have_count(4)
    # The radios a person picks from carry the same names.
    expect(page.get_by_label("4 – World class")).to_be_visible()
    shot(page, "competency-level-descriptors")


def test_outcome_values_show_their_unit_and_a_negative_value_is_refused(
    page, live_server, sign_in, alice, cycle
):
    assessment = m.SelfAssessment.objects.create(cycle=cycle, pct=alice.pct)
    smoking = m.OutcomeIndicator.objects.get(code="smoking")
    assert smoking.unit == "% of adults who smoke"
    sign_in(page, alice)
    page.goto(f"{live_server.url}{PCT_PAGES}/outcomes/")
    page.get_by_label("Outcome indicator").select_option(label="Smoking")
    page.get_by_role("button", name="Add outcome").click()
    chosen = m.ChosenOutcome.objects.get(self_assessment=assessment, indicator=smoking)
    expect(page.get_by_test_id(f"unit-{chosen.pk}")).to_have_text(
        "Values are % of adults who smoke."
    )

    page.get_by_label("Baseline").fill("21.5")
    page.get_by_label("This year's trajectory target").fill("19")
    expect(page.get_by_test_id(f"saved-o{chosen.pk}")).to_contain_text("Saved at")
    settle(page)
    chosen.refresh_from_db()
    assert (chosen.baseline, chosen.target) == (Decimal("21.5"), Decimal("19"))

    # A negative target: the autosave is refused beside the form and the field.
    target = page.get_by_label("This year's trajectory target")
    target.fill("-2")
    status = page.locator(f"#o{chosen.pk}-status")
    expect(status.locator(".nhsuk-error-summary")).to_contain_text("Enter a target of 0 or more")
    expect(page.locator(f"#o{chosen.pk}-target-errors")).to_contain_text(
        "Enter a target of 0 or more"
    )
    # Pressing Save is refused too, with the page's error summary; what was typed stays.
    page.get_by_role("button", name="Save smoking").click()
    summary = page.locator(".nhsuk-error-summary").first
    expect(summary).to_contain_text("There is a problem")
    expect(summary).to_contain_text("Enter a target of 0 or more")
    expect(target).to_have_value("-2")
    expect(page.get_by_label("Baseline")).to_have_value("21.5")
    shot(page, "outcome-negative-refused")
    chosen.refresh_from_db()
    assert (chosen.baseline, chosen.target) == (Decimal("21.5"), Decimal("19")), (
        "nothing already saved is lost"
    )

    target.fill("18")
    expect(page.get_by_test_id(f"saved-o{chosen.pk}")).to_contain_text("Saved at")
    settle(page)
    chosen.refresh_from_db()
    assert chosen.target == Decimal("18")

    # The answers checked before submission carry the unit too.
    page.goto(f"{live_server.url}{PCT_PAGES}/submit/")
    answers = page.get_by_test_id("answers-outcomes")
    expect(answers).to_contain_text("Baseline 21.500 % of adults who smoke")
    expect(answers).to_contain_text("this year's target 18.000 % of adults who smoke")


def test_amber_or_red_governance_needs_its_reason_before_submission(
    page, live_server, sign_in, alice, ann, cycle
):
    assessment = m.SelfAssessment.objects.create(cycle=cycle, pct=alice.pct)
    ready_to_submit(alice, assessment)  # every competency rated, the key documents uploaded

    sign_in(page, alice)
    page.goto(f"{live_server.url}{PCT_PAGES}/governance/")
    expect(page.get_by_text("Needed if you rate amber or red").first).to_be_visible()
    page.get_by_role("group", name="Your rating for strategy").get_by_label("Green").check()
    expect(page.get_by_test_id("saved-strategy")).to_contain_text("Saved at")
    # Amber without a word, red with only spaces: saved as picked (the words come later).
    page.get_by_role("group", name="Your rating for finance").get_by_label("Amber").check()
    expect(page.get_by_test_id("saved-finance")).to_contain_text("Saved at")
    page.get_by_role("group", name="Your rating for board").get_by_label("Red").check()
    page.get_by_label("Commentary on board").fill("   ")
    expect(page.get_by_test_id("saved-board")).to_contain_text("Saved at")
    settle(page)
    declared = {d.area: d.rating for d in assessment.governance_declarations.all()}
    assert declared == {"strategy": "green", "finance": "amber", "board": "red"}
    page.get_by_role("link", name="Back to the self-assessment").click()
    expect(page.locator("#governance-state")).to_have_text("In progress")
    page.get_by_role("button", name="Sign out").click()

    # The approver cannot submit: the error summary names both reasons, linked to their boxes.
    sign_in(page, ann)
    page.goto(f"{live_server.url}{PCT_PAGES}/submit/")
    page.get_by_label("Date the board ratified the self-assessment").fill("10 12 2009")
    page.get_by_role("button", name="Submit self-assessment").click()
    missing = page.get_by_test_id("missing-items")
    expect(missing.get_by_role("link")).to_have_text(
        ["Say why finance is rated amber", "Say why board is rated red"]
    )
    shot(page, "governance-reason-missing")
    assessment.refresh_from_db()
    assert assessment.status == m.SelfAssessmentStatus.DRAFT

    missing.get_by_role("link", name="Say why finance is rated amber").click()
    finance = page.get_by_label("Commentary on finance")
    expect(page).to_have_url(f"{live_server.url}{PCT_PAGES}/governance/#finance-commentary")
    finance.fill("A £4m deficit; a recovery plan with NHS London is agreed for March.")
    expect(page.get_by_test_id("saved-finance")).to_contain_text("Saved at")
    page.get_by_label("Commentary on board").fill("Two non-executive posts are vacant.")
    expect(page.get_by_test_id("saved-board")).to_contain_text("Saved at")
    settle(page)

    page.goto(f"{live_server.url}{PCT_PAGES}/submit/")
    page.get_by_label("Date the board ratified the self-assessment").fill("10 12 2009")
    page.get_by_role("button", name="Submit self-assessment").click()
    expect(page.get_by_test_id("submitted-banner")).to_be_visible()
    shot(page, "governance-reason-given-submitted")
    assessment.refresh_from_db()
    assert assessment.status == m.SelfAssessmentStatus.SUBMITTED
    reasons = {d.area: d.commentary for d in assessment.governance_declarations.all()}
    assert reasons["finance"].startswith("A £4m deficit")
    assert reasons["board"] == "Two non-executive posts are vacant."
