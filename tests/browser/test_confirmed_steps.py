"""Issue 14, "irreversible steps, confirmed" and "everyone sees what is left to do", in
Debian's Chromium: DH closes a phase from a page that says what will happen and what is
outstanding, and only with the confirmation ticked; the approver checks every answer before
submitting and gets the PDF of what was submitted; the SHA lead moves a slot and sees the
region's progress.
"""

import datetime as dt

import pytest
from playwright.sync_api import expect

from assurance import models as m
from tests.assurance.panel_factories import panel_cycle, panel_day, submitted_self_assessment
from tests.assurance.self_assessment_factories import ready_to_submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = "/tmp/wcc-confirmed-steps"


def shot(page, name):
    page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def test_dh_closes_phase_one_only_once_confirmed_seeing_what_is_outstanding(
    page, live_server, sign_in, dora, cycle, camden
):
    m.SelfAssessment.objects.create(cycle=cycle, pct=camden)  # empty: not started
    sign_in(page, dora)
    page.goto(f"{live_server.url}/cycles/2009-10/")
    expect(page.get_by_test_id("progress-self-assessment")).to_contain_text("Not started")
    page.get_by_role("link", name="Close self-assessment").click()
    expect(page.get_by_test_id("outstanding")).to_contain_text("will be marked not submitted")
    page.get_by_role("button", name="Close self-assessment").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text(
        "Confirm that you want to close this phase"
    )
    shot(page, "close-refused")
    assert cycle.phases.get(kind=1).status == m.PhaseStatus.OPEN
    page.get_by_label("Close self-assessment").check()
    page.get_by_role("button", name="Close self-assessment").click()
    expect(page.locator(".wcc-message")).to_contain_text("Self-assessment closed")
    assert cycle.phases.get(kind=1).status == m.PhaseStatus.CLOSED


def test_the_approver_checks_the_answers_submits_and_downloads_what_was_submitted(
    page, live_server, sign_in, alice, ann, cycle, camden
):
    assessment = m.SelfAssessment.objects.create(cycle=cycle, pct=camden)
    ready_to_submit(alice, assessment)
    sign_in(page, ann)
    page.goto(f"{live_server.url}/self-assessment/2009-10/5K7/submit/")
    answers = page.get_by_test_id("answers-competencies")
    expect(answers).to_contain_text("1. Locally lead the NHS")
    expect(
        answers.get_by_role("link", name="Change 3. Engage with public and patients")
    ).to_be_visible()
    shot(page, "check-your-answers")
    page.get_by_label("Date the board ratified the self-assessment").fill("10 12 2009")
    page.get_by_role("button", name="Submit self-assessment").click()
    expect(page.get_by_test_id("submitted-banner")).to_be_visible()
    copies = page.get_by_test_id("submitted-copies")
    expect(copies).to_contain_text("(PDF)")
    with page.expect_download() as download:
        copies.get_by_role("link").first.click()
    assert download.value.suggested_filename.startswith("5K7-self-assessment-2009-10-")
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"


def test_the_lead_moves_a_slot_and_sees_the_region(
    page, live_server, sign_in, lena, sara, sam, camden, london
):
    p3 = panel_cycle(open_phase=3)
    submitted_self_assessment(p3, camden)
    day = panel_day(
        p3, london, [sara, sam], date=dt.date(2010, 4, 20), slots=[(camden, "10:00", "12:00")]
    )
    sign_in(page, lena)
    page.goto(f"{live_server.url}/panels/days/{day.pk}/")
    page.get_by_role("link", name="Move Camden's slot").click()
    page.get_by_label("Starts at").fill("14:00")
    page.get_by_label("Ends at").fill("13:00")
    page.get_by_role("button", name="Move the slot").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("must end after it starts")
    page.get_by_label("Ends at").fill("16:00")
    page.get_by_role("button", name="Move the slot").click()
    expect(page.get_by_test_id("slot-5K7")).to_contain_text("14:00–16:00")
    shot(page, "slot-moved")
    page.goto(f"{live_server.url}/panels/?cycle={p3.pk}")
    expect(page.get_by_test_id("region-5K7")).to_contain_text("Submitted")
    shot(page, "panels-index-lead")
