"""A one-form page keeps what was typed through a sign-out, in Debian's Chromium: a PCT's
approver types an innovation fund application, the session ends before it is sent (the
cookies go, as when a session expires), the send leads to sign-in, and after signing in
the form is back with what was typed and a message saying it was not sent yet; sending it
then applies once.
"""

import pytest
from playwright.sync_api import expect

from freedoms.catalogue import load_catalogue
from freedoms.models import FundApplication

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
