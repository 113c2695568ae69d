"""No serious or critical axe-core violations on the panel pages, including error states."""

import pytest
from playwright.sync_api import expect

from assurance import models as m
from assurance.services import panels
from tests.assurance.panel_factories import (
    full_values,
    panel_cycle,
    panel_day,
    set_phase,
    submitted_self_assessment,
)
from tests.browser.accessibility import axe_violations, describe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def axe_page(browser):
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    yield page
    context.close()


def assert_clean(page, path):
    violations = axe_violations(page)
    assert not violations, f"{path}:\n{describe(violations)}"


def test_panel_pages_have_no_serious_violations(
    axe_page, live_server, sign_in, camden, london, sara, sam, lena, dora
):
    cycle = panel_cycle(open_phase=3)
    sa = submitted_self_assessment(cycle, camden)
    day = panel_day(cycle, london, [sara, sam], slots=[(camden, "10:00", "12:00")])

    sign_in(axe_page, sara)
    score = f"/panels/scores/{sa.pk}/"
    axe_page.goto(live_server.url + score)
    assert_clean(axe_page, score)
    axe_page.get_by_role("button", name="Save scores").click()
    axe_page.locator("textarea").first.fill("A rationale without a level")
    axe_page.get_by_role("button", name="Submit my score sheet").click()
    expect(axe_page.get_by_text("There is a problem")).to_be_visible()
    assert_clean(axe_page, score + " (error)")
    for member in (sara, sam):
        panels.record_panel_scores(member, sa, full_values(sa))
        panels.submit_score_sheet(member, sa)
    for path in ["/panels/", f"/panels/days/{day.pk}/", score]:
        axe_page.goto(live_server.url + path)
        assert_clean(axe_page, path)

    axe_page.context.clear_cookies()
    sign_in(axe_page, lena)
    for path in [f"/panels/consensus/{sa.pk}/", f"/panels/days/{day.pk}/"]:
        axe_page.goto(live_server.url + path)
        assert_clean(axe_page, path)
    axe_page.get_by_role("button", name="Add slot").click()
    expect(axe_page.get_by_text("There is a problem")).to_be_visible()
    assert_clean(axe_page, "add slot (error)")
    panels.set_consensus(lena, sa, full_values(sa))
    set_phase(cycle, 4)

    axe_page.context.clear_cookies()
    sign_in(axe_page, dora)
    consensus = m.Consensus.objects.filter(self_assessment=sa, competency__isnull=False).first()
    for path in [
        f"/panels/results/{sa.pk}/",
        f"/panels/cycles/{cycle.pk}/calibration/",
        f"/panels/cycles/{cycle.pk}/calibration/competency/1/?sha=Q36",
        f"/panels/cycles/{cycle.pk}/calibration/governance/board/",
        f"/panels/reviews/{sa.pk}/",
        f"/panels/moderate/{consensus.pk}/",
    ]:
        axe_page.goto(live_server.url + path)
        assert_clean(axe_page, path)
    axe_page.get_by_role("button", name="Moderate score").click()
    assert_clean(axe_page, "moderate (error)")
