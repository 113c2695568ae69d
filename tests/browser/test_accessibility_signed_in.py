"""axe-core on every main page for the signed-in roles, and a keyboard-only competency form.

The pages come from the shared world (tests/world.py). The whole-year journey checks the
screens of a live year (self-assessment, score sheet, consensus, calibration, publishing,
league table, PCT report, freedoms); this walks the rest of each role's pages.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from assurance.models import CompetencyRating
from tests.browser.accessibility import axe_violations, describe
from tests.world import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(alice, bob, ann, sara, sam, nick, lena, dora, durham):
    users = {"alice": alice, "bob": bob, "ann": ann, "sara": sara, "sam": sam}
    users |= {"nick": nick, "lena": lena, "dora": dora}
    return build_world(users, durham)


def pages_for(w):
    sa, pub, c = w.camden_sa.pk, w.publication.pk, w.panel_cycle.pk
    return {
        "alice": [
            "/self-assessment/2010-11/5K7/",
            "/self-assessment/2010-11/5K7/competencies/1/",
            "/self-assessment/2010-11/5K7/governance/",
            "/self-assessment/2010-11/5K7/outcomes/",
            "/self-assessment/2010-11/5K7/documents/",
            "/self-assessment/2010-11/5K7/submit/",
            "/self-assessment/2010-11/5K7/history/",
            "/panels/",
            "/results/",
            f"/results/{pub}/",
            f"/results/{pub}/pcts/5K7/",
            f"/results/{pub}/improvement/",
            "/freedoms/",
            "/freedoms/franchises/new/",
            f"/freedoms/franchises/{w.franchise.pk}/",
            "/freedoms/budgets/new/",
            f"/freedoms/budgets/{w.budget.pk}/",
            "/freedoms/fund/apply/",
            "/notifications/",  # the freedoms email of the world's confirmation is here
        ],
        "bob": ["/freedoms/", f"/freedoms/plans/{w.plan.pk}/", "/account/", "/notifications/"],
        "sara": [
            "/panels/",
            f"/panels/days/{w.day.pk}/",
            f"/panels/reviews/{sa}/",
            f"/panels/scores/{sa}/",
            f"/panels/results/{sa}/",
            "/self-assessment/2009-10/",
            "/self-assessment/2009-10/5K7/",
        ],
        "lena": [
            f"/panels/consensus/{sa}/",
            f"/panels/cycles/{c}/days/new/",
            f"/panels/moderate/{w.consensus.pk}/",
            "/freedoms/approvals/",
            "/freedoms/reviews/",
            "/freedoms/reviews/5K7/",
            f"/freedoms/plans/{w.plan.pk}/",
        ],
        "dora": [
            "/cycles/",
            "/cycles/new/",
            "/cycles/2009-10/",
            # Calibration opens for leads in phase 4; DH sees it in the world's phase 3.
            f"/panels/cycles/{c}/calibration/",
            f"/panels/cycles/{c}/calibration/governance/finance/",
            "/self-assessment/2009-10/5K7/reopen/",
            f"/results/cycles/{w.published_cycle.pk}/publish/",
            f"/results/{pub}/progress/",
            "/freedoms/overview/",
            "/freedoms/overview/5K7/grants/",
            "/freedoms/fund/",
        ],
    }


def test_every_main_page_has_no_serious_violations(page, live_server, sign_in, world):
    problems = []
    for role, paths in pages_for(world).items():
        page.context.clear_cookies()
        sign_in(page, world.users[role])
        for path in paths:
            response = page.goto(f"{live_server.url}{path}")
            if response.status != 200:
                problems.append(f"{role} {path}: HTTP {response.status}")
                continue
            if violations := axe_violations(page):
                problems.append(f"{role} {path}:\n{describe(violations)}")
    assert not problems, "\n\n".join(problems)


def test_a_competency_is_completed_with_the_keyboard_only(
    page, live_server, sign_in, alice, cycle, screenshot_dir
):
    """Tab to the first level, Space to choose it, Tab to Evidence and type, Tab to Save,
    Enter: saved (htmx answers in place, as autosave does). No clicks."""
    sign_in(page, alice)
    page.goto(f"{live_server.url}/self-assessment/2009-10/5K7/competencies/4/")
    focused = page.locator(":focus")
    for _ in range(60):
        page.keyboard.press("Tab")
        if focused.get_attribute("type") == "radio":
            break
    expect(focused).to_have_attribute("value", "1")
    page.keyboard.press("Space")
    expect(page.get_by_label("1 – Developing")).to_be_checked()
    page.keyboard.press("Tab")
    expect(focused).to_have_attribute("name", "c4-evidence")
    page.keyboard.type("Clinical leads sit on every commissioning board.")
    page.screenshot(path=screenshot_dir / "keyboard-competency.png", full_page=True)
    page.keyboard.press("Tab")
    expect(focused).to_have_text("Save")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("saved-c4")).to_contain_text("Saved at")
    # Choosing the level already autosaved once; wait for the save that Enter sent.
    wanted = (1, "Clinical leads sit on every commissioning board.")
    for _ in range(150):  # up to 15 s: the saves queue one after another on a busy machine
        rating = CompetencyRating.objects.get(competency__number=4, self_assessment__pct=alice.pct)
        if (rating.level, rating.evidence) == wanted:
            break
        page.wait_for_timeout(100)
    assert (rating.level, rating.evidence) == wanted
