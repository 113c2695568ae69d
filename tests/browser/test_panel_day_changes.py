"""Issue 14, "a panel day's slots move and members change until the panel sits", in Debian's
Chromium: the SHA lead takes a PCT off a panel day only with a reason (a blank reason is
refused with an error summary and nothing changes), and changes who sits on the day, where
an empty panel and dropping a member who has already submitted a score sheet are refused,
keeping what she ticked. Every change is audited.

(Moving a slot is covered by test_confirmed_steps.py.)
"""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from assurance import models as m
from assurance.services import panels as panel_services
from tests.assurance.panel_factories import (
    full_values,
    panel_cycle,
    panel_day,
    submitted_self_assessment,
)
from tests.factories import sha_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = "/tmp/wcc-browser-gaps"


def shot(page, name):
    page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


@pytest.fixture
def day(camden, islington, london, sara, sam):
    """London's panel day in phase 3: Camden 10:00–12:00, Islington 13:00–15:00."""
    p3 = panel_cycle(open_phase=3)
    submitted_self_assessment(p3, camden)
    submitted_self_assessment(p3, islington)
    return panel_day(
        p3,
        london,
        [sara, sam],
        date=dt.date(2010, 4, 20),
        slots=[(camden, "10:00", "12:00"), (islington, "13:00", "15:00")],
    )


def test_the_lead_takes_a_pct_off_the_day_only_with_a_reason(
    page, live_server, sign_in, lena, day, islington
):
    slot = day.slots.get(pct=islington)
    sign_in(page, lena)
    page.goto(f"{live_server.url}/panels/days/{day.pk}/")
    expect(page.get_by_test_id("slot-5K8")).to_contain_text("13:00–15:00")
    page.get_by_role("link", name="Remove Islington").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Remove Islington from the panel day")

    # A reason of nothing but spaces is no reason: refused, the slot stays, nothing audited.
    reason = page.get_by_label("Why is this PCT coming off the panel day?")
    reason.fill("   ")
    page.get_by_role("button", name="Remove the slot").click()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("There is a problem")
    expect(summary).to_contain_text("Give the reason for removing this slot")
    expect(page).to_have_title(re.compile(r"^Error: Remove Islington from the panel day"))
    shot(page, "panel-slot-remove-refused")
    # The summary's link takes a keyboard user to the box.
    summary.get_by_role("link", name="Give the reason for removing this slot").click()
    expect(reason).to_be_focused()
    assert m.PanelSlot.objects.filter(pk=slot.pk).exists()
    assert not m.AuditEntry.objects.filter(action="panel_slot.removed").exists()

    page.keyboard.type("Islington's board meets that morning; rebooked for 22 April.")
    page.get_by_role("button", name="Remove the slot").click()
    expect(page.locator(".wcc-message")).to_contain_text("Islington taken off the panel day.")
    expect(page.get_by_test_id("slot-5K8")).to_have_count(0)
    expect(page.get_by_test_id("slot-5K7")).to_contain_text("10:00–12:00")
    shot(page, "panel-slot-removed")

    assert not m.PanelSlot.objects.filter(pk=slot.pk).exists()
    assert list(day.slots.values_list("pct__code", flat=True)) == ["5K7"]
    entry = m.AuditEntry.objects.get(action="panel_slot.removed")
    assert (entry.actor, entry.pct, entry.old_value, entry.reason) == (
        lena,
        islington,
        "13:00–15:00",
        "Islington's board meets that morning; rebooked for 22 April.",
    )


def test_the_lead_changes_the_members_but_one_who_has_scored_stays(
    page, live_server, sign_in, lena, sara, sam, london, day, camden
):
    pia = sha_user(london, m.Role.PEER_EXPERT, full_name="Pia Peer", email="pia@london.example")
    camden_sa = m.SelfAssessment.objects.get(cycle=day.cycle, pct=camden)
    panel_services.record_panel_scores(sara, camden_sa, full_values(camden_sa))
    panel_services.submit_score_sheet(sara, camden_sa)

    sign_in(page, lena)
    page.goto(f"{live_server.url}/panels/days/{day.pk}/")
    expect(page.get_by_test_id("slot-5K7")).to_contain_text("Panel sat")
    page.get_by_role("link", name="Change the panel members").click()
    members = page.get_by_role("group", name="Members")
    sara_box = members.get_by_label("Sara Assessor (SHA assessor)")
    sam_box = members.get_by_label("Sam Assessor (SHA assessor)")
    pia_box = members.get_by_label("Pia Peer (External peer expert)")
    expect(sara_box).to_be_checked()
    expect(sam_box).to_be_checked()
    expect(pia_box).not_to_be_checked()

    # Nobody ticked: refused.
    sara_box.uncheck()
    sam_box.uncheck()
    page.get_by_role("button", name="Save panel members").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Choose at least one panel member")
    assert set(day.members.all()) == {sara, sam}

    # Sara has submitted her score sheet for Camden: she sat, so she stays. What Lena
    # ticked is still ticked.
    sam_box.check()
    pia_box.check()
    page.get_by_role("button", name="Save panel members").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text(
        "Sara Assessor submitted a score sheet on this panel: they stay."
    )
    expect(sara_box).not_to_be_checked()
    expect(sam_box).to_be_checked()
    expect(pia_box).to_be_checked()
    shot(page, "panel-members-refused")
    assert set(day.members.all()) == {sara, sam}
    assert not m.AuditEntry.objects.filter(action="panel_day.members_changed").exists()

    # Sara back on, Sam off, Pia on: saved.
    sara_box.check()
    sam_box.uncheck()
    page.get_by_role("button", name="Save panel members").click()
    expect(page.locator(".wcc-message")).to_contain_text("Panel members saved.")
    listed = page.locator(".nhsuk-summary-list__row", has_text="Members")
    expect(listed).to_contain_text("Pia Peer (External peer expert)")
    expect(listed).to_contain_text("Sara Assessor (SHA assessor)")
    expect(listed).not_to_contain_text("Sam Assessor")
    shot(page, "panel-members-changed")

    assert set(day.members.all()) == {sara, pia}
    entry = m.AuditEntry.objects.get(action="panel_day.members_changed")
    assert (entry.actor, entry.old_value, entry.new_value) == (
        lena,
        "Sam Assessor, Sara Assessor",
        "Pia Peer, Sara Assessor",
    )
