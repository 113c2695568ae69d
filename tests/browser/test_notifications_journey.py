"""Issue 15, parts 3–5 in Debian's Chromium: the daily job reminds a panel member, who sees
the unread count in the header, opens the list, follows a reminder to the score sheet,
marks everything read, turns reminder emails off and makes a calendar link."""

import datetime as dt
import os

import pytest
from playwright.sync_api import expect

from assurance.services.reminders import send_reminders
from tests.assurance.panel_factories import panel_cycle, panel_day, submitted_self_assessment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = "/tmp/wcc-notifications"
PHASE_3_CLOSES = dt.date(2010, 5, 21)


def shot(page, name):
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def test_a_panel_member_sees_follows_and_clears_their_reminders(
    browser, live_server, sign_in, camden, islington, london, sara, sam, lena
):
    cycle = panel_cycle(open_phase=3)
    camden_sa = submitted_self_assessment(cycle, camden)
    islington_sa = submitted_self_assessment(cycle, islington)
    panel_day(
        cycle,
        london,
        [sara, sam],
        slots=[(camden, "10:00", "12:00"), (islington, "13:00", "15:00")],
    )
    assert send_reminders(PHASE_3_CLOSES - dt.timedelta(days=7)) > 0

    context = browser.new_context()
    page = context.new_page()
    sign_in(page, sara)
    count = page.get_by_test_id("unread-count")
    expect(count).to_have_text("2")  # a score sheet for Camden, one for Islington
    shot(page, "01-header-count")

    page.get_by_test_id("notifications-link").click()
    expect(page.get_by_role("heading", name="Notifications", level=1)).to_be_visible()
    expect(page.get_by_test_id("notification")).to_have_count(2)
    shot(page, "02-list")

    page.get_by_role(
        "link", name="Reminder: Your score sheet for Camden (2009/10), due in 7 days"
    ).click()
    expect(page).to_have_url(f"{live_server.url}/panels/scores/{camden_sa.pk}/")
    page.go_back()

    # Mark one read, then all.
    page.get_by_role("button").filter(has_text="score sheet for Islington").click()
    expect(page.get_by_test_id("unread-count")).to_have_text("1")
    page.get_by_test_id("mark-all-read").click()
    expect(page.get_by_test_id("unread-count")).to_have_count(0)
    expect(page.get_by_test_id("unread")).to_have_count(0)
    expect(page.locator(".nhsuk-card")).to_have_count(2)  # still listed, now read
    shot(page, "03-all-read")
    assert islington_sa.pk != camden_sa.pk

    # Your account: reminder emails off; a calendar link made and shown once.
    page.get_by_role("navigation", name="Account").get_by_role("link", name="Your account").click()
    page.get_by_label("No, only show them here").check()
    page.get_by_role("button", name="Save reminder emails").click()
    expect(page.locator(".wcc-message")).to_contain_text("Reminder emails are off")
    page.get_by_role("button", name="Make a calendar link").click()
    feed_url = page.get_by_label("Calendar link").input_value()
    assert "/calendar/" in feed_url and feed_url.endswith(".ics")
    shot(page, "04-account")
    response = context.request.get(feed_url)
    assert response.status == 200
    assert "WCC panel day: London (2009/10)" in response.text()
    context.close()
