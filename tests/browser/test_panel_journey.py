"""Two assessors score a PCT, the lead sets consensus, DH moderates with a reason."""

import pytest
from playwright.sync_api import expect

from assurance import models as m
from assurance.queries.panel_items import panel_items
from tests.assurance.panel_factories import (
    panel_cycle,
    panel_day,
    set_phase,
    submitted_self_assessment,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fill_sheet(page, items, level, spread_key=None, spread_level=None):
    for item in items:
        p = item.field_prefix
        if item.kind == "level":
            value = spread_level if item.key == spread_key else level
            page.locator(f"input[name='{p}__value'][value='{value}']").check()
        elif item.kind == "rating":
            page.locator(f"input[name='{p}__value'][value='amber']").check()
        else:
            page.locator(f"input[name='{p}__value']").fill("17.5")
        page.locator(f"textarea[name='{p}__rationale']").fill(f"Evidence seen for {item.label}.")


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()


def test_two_assessors_score_the_lead_agrees_and_dh_moderates(
    page, live_server, sign_in, camden, london, sara, sam, lena, dora, screenshot_dir
):
    cycle = panel_cycle(open_phase=3)
    sa = submitted_self_assessment(cycle, camden, self_level=3)
    panel_day(cycle, london, [sara, sam], slots=[(camden, "10:00", "12:00")])
    items = panel_items(sa)
    first = items[0]

    # Sara scores level 1 on the first competency, Sam level 3: a spread of 2.
    for person, level in ((sara, 1), (sam, 3)):
        sign_in(page, person)
        page.goto(f"{live_server.url}/panels/")
        page.get_by_role("link", name="Score Camden").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Score Camden")
        expect(page.get_by_test_id(f"self-{first.key}")).to_contain_text("3")
        fill_sheet(page, items, 2, spread_key=first.key, spread_level=level)
        if person == sara:
            page.screenshot(path=screenshot_dir / "panel-score-sheet.png", full_page=True)
        page.get_by_role("button", name="Save scores").click()
        expect(page.locator(".wcc-message")).to_contain_text("Your scores are saved")
        page.get_by_label("My scores are final").check()
        page.get_by_role("button", name="Submit my score sheet").click()
        expect(page.locator(".wcc-message")).to_contain_text("score sheet is submitted")
        sign_out(page)
    page.screenshot(path=screenshot_dir / "panel-after-sam.png")

    sign_in(page, lena)
    page.goto(f"{live_server.url}/panels/consensus/{sa.pk}/")
    card = page.get_by_test_id(f"item-{first.key}")
    expect(card).to_contain_text("Spread of 2 levels")
    expect(card).to_contain_text("Sara Assessor")
    fill_sheet(page, items, 2)
    page.screenshot(path=screenshot_dir / "panel-consensus.png", full_page=True)
    page.get_by_role("button", name="Save consensus").click()
    expect(page.locator(".wcc-message")).to_contain_text("Consensus saved")
    page.get_by_label("The panel agrees this result").check()
    page.get_by_role("button", name="Lock the panel result").click()
    expect(page.locator(".wcc-message")).to_contain_text("is locked")
    sign_out(page)
    assert m.PanelResult.objects.get(self_assessment=sa).is_locked

    set_phase(cycle, 4)
    sign_in(page, dora)
    page.goto(f"{live_server.url}/panels/results/{sa.pk}/")
    page.get_by_role("link", name=f"Moderate {first.label}").click()
    page.get_by_role("button", name="Moderate score").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Enter the reason for moderating")
    page.screenshot(path=screenshot_dir / "panel-moderate-error.png", full_page=True)
    page.locator("input[name='value'][value='3']").check()
    page.get_by_label("Reason for the change").fill(
        "Needs assessment evidence is stronger than scored."
    )
    page.get_by_role("button", name="Moderate score").click()
    trail = page.locator("#trail")
    expect(trail).to_contain_text("2 → 3")
    expect(trail).to_contain_text("National (DH)")
    expect(trail).to_contain_text("Dora DH")
    expect(trail).to_contain_text("Needs assessment evidence is stronger than scored.")
    row = page.get_by_test_id(f"row-{first.key}")
    expect(row).to_contain_text("3")
    page.screenshot(path=screenshot_dir / "panel-result-trail.png", full_page=True)

    page.goto(f"{live_server.url}/panels/cycles/{cycle.pk}/calibration/competency/1/")
    expect(page.get_by_test_id("sha-Q36")).to_contain_text("London")
    page.screenshot(path=screenshot_dir / "panel-calibration.png", full_page=True)
