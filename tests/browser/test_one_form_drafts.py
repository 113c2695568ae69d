"""A one-form page keeps what was typed through a sign-out, in Debian's Chromium: a PCT's
approver types an innovation fund application, the session ends before it is sent (the
session cookie goes, as when a session expires), the send leads to sign-in, and after
signing in the form is back with what was typed and a message saying it was not sent yet;
sending it then applies once. The same for a factual accuracy challenge, a form sent with
a file: the text comes back, the file does not (the message says so), and choosing it
again sends both.
"""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from assurance import models as m
from freedoms.catalogue import load_catalogue
from freedoms.models import FundApplication
from tests.assurance.due_process_factories import checking_cycle
from tests.assurance.self_assessment_factories import PDF_BYTES

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = "/tmp/wcc-browser-gaps"
SUMMARY = "Telehealth for people with COPD.\nFewer emergency admissions in winter."


def test_a_fund_application_typed_when_the_session_ends_is_back_after_sign_in(
    page, live_server, sign_in, alice
):
    load_catalogue()  # the fund: a transactional test starts from an emptied database
    sign_in(page, alice)
    page.goto(f"{live_server.url}/freedoms/fund/apply/")
    page.get_by_label("Title").fill("Camden telehealth")
    page.get_by_label("Amount", exact=False).fill("250000")
    page.get_by_label("What the money will do").fill(SUMMARY)
    page.context.clear_cookies(name="sessionid")  # the session ends while the form is open
    page.get_by_role("button", name="Send application").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Sign in")
    assert not FundApplication.objects.exists()
    page.get_by_label("Email address").fill(alice.email)
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Apply to the")
    expect(page.locator(".wcc-message")).to_contain_text("You were signed out before this was sent")
    expect(page.get_by_label("Title")).to_have_value("Camden telehealth")
    expect(page.get_by_label("Amount", exact=False)).to_have_value("250000")
    expect(page.get_by_label("What the money will do")).to_have_value(SUMMARY)
    page.screenshot(path=f"{SHOTS}/fund-application-after-sign-in.png", full_page=True)

    page.get_by_role("button", name="Send application").click()
    expect(page.locator(".wcc-message")).to_contain_text("Application sent")
    application = FundApplication.objects.get()
    assert (application.title, application.summary, application.pct.code) == (
        "Camden telehealth",
        SUMMARY,
        "5K7",
    )


def test_a_challenge_typed_when_the_session_ends_is_back_after_sign_in_without_its_file(
    page, live_server, sign_in, camden, islington, ann, dora, tmp_path
):
    cycle = checking_cycle(dora, [camden, islington])
    today = timezone.localdate()  # the factual accuracy check open from today
    m.AccuracyCheck.objects.filter(cycle=cycle).update(
        opens_on=today, closes_on=today + dt.timedelta(days=13)
    )
    minutes = tmp_path / "board-minutes.pdf"
    minutes.write_bytes(PDF_BYTES)
    wrong = "The panel did not see the board minutes of 3 March."
    sign_in(page, ann)
    page.goto(f"{live_server.url}/due-process/")
    page.get_by_role("link", name=f"Draft result {cycle.year_label}").click()
    page.get_by_role("link", name="Challenge 1. Locally lead the NHS").click()
    page.get_by_label("What is factually wrong").fill(wrong)
    page.get_by_label("The correction you ask for").fill("Level 3")
    page.get_by_label("Attach files (optional)").set_input_files(str(minutes))
    page.context.clear_cookies(name="sessionid")
    page.get_by_role("button", name="Send the challenge").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Sign in")
    assert not m.Challenge.objects.exists()
    page.get_by_label("Email address").fill(ann.email)
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Sign in").click()

    expect(page.locator(".wcc-message")).to_contain_text("but not any file you chose")
    expect(page.get_by_label("What is factually wrong")).to_have_value(wrong)
    expect(page.get_by_label("The correction you ask for")).to_have_value("Level 3")
    page.screenshot(path=f"{SHOTS}/challenge-after-sign-in.png", full_page=True)
    page.get_by_label("Attach files (optional)").set_input_files(str(minutes))
    page.get_by_role("button", name="Send the challenge").click()
    expect(page.get_by_test_id("challenge-status")).to_contain_text("Awaiting an answer")
    expect(page.get_by_role("link", name="board-minutes.pdf")).to_be_visible()
    challenge = m.Challenge.objects.get()
    assert challenge.documents.count() == 1
