"""Issue 14, "work that is lost today": nothing a person types is lost, in Debian's Chromium.

A refused score-sheet submission, a conflict resolved by "Replace theirs with my text", a
save refused as the person leaves the page, review notes typed in several sections,
outcome values, panel scores and consensus typed and left: each is kept. A page with
unsaved input asks before it is left.
"""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from assurance import models as m
from assurance.queries.panel_items import panel_items
from assurance.services import panels as panel_services
from assurance.services import self_assessment as sa_services
from tests.assurance.panel_factories import (
    full_values,
    panel_cycle,
    panel_day,
    submitted_self_assessment,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = "/tmp/wcc-no-lost-work"


def shot(page, name):
    page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def score(page, item, value, rationale):
    p = item.field_prefix
    if item.kind == "actual":
        page.locator(f"input[name='{p}__value']").fill(str(value))
    else:
        page.locator(f"input[name='{p}__value'][value='{value}']").check()
    page.locator(f"textarea[name='{p}__rationale']").fill(rationale)


def settle(page):
    """Wait for the autosaves and unload saves in flight (the test database serialises them)."""
    page.wait_for_load_state("networkidle")


@pytest.fixture
def scoring(camden, london, sara, sam, lena):
    """Camden's submitted self-assessment before its panel (phase 3), Sara and Sam on it."""
    cycle = panel_cycle(open_phase=3)
    sa = submitted_self_assessment(cycle, camden, self_level=3)
    panel_day(cycle, london, [sara, sam], slots=[(camden, "10:00", "12:00")])
    return sa


# --- 1. The score sheet after an early "Submit" --------------------------------------------


def test_a_refused_submit_keeps_the_sheet_and_the_next_save_saves_it_without_javascript(
    browser, live_server, sign_in, scoring, sara
):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    sign_in(page, sara)
    first, second, third = panel_items(scoring)[:3]
    page.goto(f"{live_server.url}/panels/scores/{scoring.pk}/")
    score(page, first, 2, "Board minutes show a plan.")
    score(page, second, 3, "Strong engagement.")
    page.get_by_label("My scores are final").check()
    page.get_by_role("button", name="Submit my score sheet").click()

    # Refused (items missing), the sheet is shown again with what was typed.
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Score every item")
    p = first.field_prefix
    expect(page.locator(f"textarea[name='{p}__rationale']")).to_have_value(
        "Board minutes show a plan."
    )
    expect(page.locator(f"input[name='{p}__value'][value='2']")).to_be_checked()
    shot(page, "score-sheet-submit-refused")

    score(page, third, 1, "Little evidence of clinical leadership.")
    page.get_by_role("button", name="Save scores").click()
    expect(page.locator(".wcc-message")).to_contain_text("Your scores are saved")
    assert page.url == f"{live_server.url}/panels/scores/{scoring.pk}/"
    saved = {
        s.competency_id: (s.level, s.rationale)
        for s in m.PanelScore.objects.filter(sheet__assessor=sara)
    }
    assert saved == {
        first.competency_id: (2, "Board minutes show a plan."),
        second.competency_id: (3, "Strong engagement."),
        third.competency_id: (1, "Little evidence of clinical leadership."),
    }
    context.close()


def test_scores_typed_are_saved_as_the_assessor_goes_and_when_they_leave(
    page, live_server, sign_in, scoring, sara
):
    sign_in(page, sara)
    first, second = panel_items(scoring)[:2]
    page.goto(f"{live_server.url}/panels/scores/{scoring.pk}/")
    score(page, first, 2, "Board minutes show a plan.")
    expect(page.get_by_test_id(f"saved-{first.key}")).to_contain_text("Saved at")
    shot(page, "score-sheet-autosaved")

    # A level without a rationale is not saved yet, and the sheet says so beside the item.
    page.locator(f"input[name='{second.field_prefix}__value'][value='4']").check()
    expect(page.get_by_test_id(f"unsaved-{second.key}")).to_contain_text("rationale")
    page.locator(f"textarea[name='{second.field_prefix}__rationale']").fill("Typed, then left")
    page.get_by_role("link", name="Back to panels").click()
    settle(page)

    page.goto(f"{live_server.url}/panels/scores/{scoring.pk}/")
    expect(page.locator(f"textarea[name='{second.field_prefix}__rationale']")).to_have_value(
        "Typed, then left"
    )
    rows = m.PanelScore.objects.filter(sheet__assessor=sara).order_by("pk")
    assert [(r.level, r.rationale) for r in rows] == [
        (2, "Board minutes show a plan."),
        (4, "Typed, then left"),
    ]


def test_the_lead_s_consensus_is_saved_item_by_item(
    page, live_server, sign_in, scoring, sara, lena
):
    panel_services.record_panel_scores(sara, scoring, full_values(scoring))
    panel_services.submit_score_sheet(sara, scoring)
    first, second = panel_items(scoring)[:2]
    sign_in(page, lena)
    page.goto(f"{live_server.url}/panels/consensus/{scoring.pk}/")
    score(page, first, 3, "Agreed after discussion.")
    score(page, second, 2, "Agreed: typed and left at once.")
    page.get_by_role("link", name="Back to panels").click()
    settle(page)
    agreed = {c.competency_id: (c.level, c.rationale) for c in m.Consensus.objects.all()}
    assert agreed == {
        first.competency_id: (3, "Agreed after discussion."),
        second.competency_id: (2, "Agreed: typed and left at once."),
    }
    assert not m.PanelResult.objects.get(self_assessment=scoring).is_locked


# --- 2. Self-assessment conflicts ------------------------------------------------------------


def open_competency(browser, live_server, sign_in, user, number):
    context = browser.new_context()
    page = context.new_page()
    sign_in(page, user)
    page.goto(f"{live_server.url}/self-assessment/2009-10/5K7/competencies/{number}/")
    return page


def test_replace_theirs_with_my_text_works_on_the_first_click(
    browser, live_server, sign_in, alice, ann, cycle
):
    mine = open_competency(browser, live_server, sign_in, alice, 1)
    theirs = open_competency(browser, live_server, sign_in, ann, 1)
    theirs.get_by_label("Evidence").fill("Ann's evidence.")
    expect(theirs.get_by_test_id("saved-c1")).to_contain_text("Saved at")

    mine.get_by_label("Evidence").fill("Alice's evidence.")
    expect(mine.get_by_test_id("conflict-c1")).to_contain_text("Ann's evidence.")
    shot(mine, "conflict")
    # She adds a sentence and, still in the text box, clicks the button once.
    mine.get_by_label("Evidence").fill("Alice's evidence. With one more sentence.")
    mine.get_by_role("button", name="Replace theirs with my text").click()
    expect(mine.get_by_test_id("saved-c1")).to_contain_text("Saved at")
    settle(mine)
    rating = m.CompetencyRating.objects.get(competency__number=1)
    assert rating.evidence == "Alice's evidence. With one more sentence."
    assert rating.updated_by == alice
    mine.context.close()
    theirs.context.close()


def test_a_save_refused_as_the_person_leaves_is_kept_and_shown_on_return(
    page, live_server, sign_in, alice, ann, cycle
):
    sign_in(page, alice)
    page.goto(f"{live_server.url}/self-assessment/2009-10/5K7/competencies/2/")
    # Ann saves while Alice has the page open; Alice types and leaves within a second.
    assessment = m.SelfAssessment.objects.get(pct__code="5K7")
    competency = m.Competency.objects.get(framework=cycle.framework, number=2)
    sa_services.save_competency_rating(
        ann, assessment, competency=competency, level=3, evidence="Ann's text.", version=0
    )
    page.get_by_label("Evidence").fill("Alice's text, typed as she left.")
    page.get_by_role("link", name="Back to the self-assessment").click()
    settle(page)
    assert m.CompetencyRating.objects.get(competency=competency).evidence == "Ann's text."

    page.goto(f"{live_server.url}/self-assessment/2009-10/5K7/competencies/2/")
    notice = page.get_by_test_id("restored-c2")
    expect(notice).to_contain_text("not saved")
    expect(notice).to_contain_text("Ann Approver")
    expect(page.get_by_label("Evidence")).to_have_value("Alice's text, typed as she left.")
    expect(page.get_by_test_id("conflict-c2")).to_contain_text("Ann's text.")
    shot(page, "conflict-restored-on-return")
    page.get_by_role("button", name="Replace theirs with my text").click()
    expect(page.get_by_test_id("saved-c2")).to_contain_text("Saved at")
    settle(page)
    assert m.CompetencyRating.objects.get(competency=competency).evidence == (
        "Alice's text, typed as she left."
    )
    # Shown once: the next visit shows the saved text and no notice.
    page.reload()
    expect(page.get_by_test_id("restored-c2")).to_have_count(0)


# --- 3. Forms without autosave ----------------------------------------------------------------


def test_outcome_values_typed_are_kept_after_a_reload(page, live_server, sign_in, alice, cycle):
    assessment = m.SelfAssessment.objects.create(cycle=cycle, pct=alice.pct)
    indicator = m.OutcomeIndicator.objects.order_by("code").first()
    cycle.indicators.add(indicator)
    chosen = sa_services.choose_outcome(alice, assessment, indicator)
    sign_in(page, alice)
    page.goto(f"{live_server.url}/self-assessment/2009-10/5K7/outcomes/")
    page.get_by_label("Baseline").fill("21.5")
    page.get_by_label("This year's trajectory target").fill("19")
    page.reload()
    settle(page)
    page.reload()
    expect(page.get_by_label("Baseline")).to_have_value("21.500")
    expect(page.get_by_label("This year's trajectory target")).to_have_value("19.000")
    chosen.refresh_from_db()
    assert (chosen.baseline, chosen.target) == (Decimal("21.5"), Decimal("19"))


def test_review_notes_typed_in_two_sections_are_both_saved(
    page, live_server, sign_in, camden, sara
):
    cycle = panel_cycle(open_phase=2)
    sa = submitted_self_assessment(cycle, camden)
    sign_in(page, sara)
    page.goto(f"{live_server.url}/panels/reviews/{sa.pk}/")
    first = page.locator("#section-competency-1")
    governance = page.locator("#section-governance")
    first.get_by_label("Review notes").fill("Plan lacks measurable goals.")
    governance.get_by_label("Questions for the panel day").fill("Who chairs the audit committee?")
    first.get_by_role("button", name="Save notes").click()
    settle(page)
    page.reload()
    expect(first.get_by_label("Review notes")).to_have_value("Plan lacks measurable goals.")
    expect(governance.get_by_label("Questions for the panel day")).to_have_value(
        "Who chairs the audit committee?"
    )
    notes = {n.section: (n.note, n.questions) for n in m.ReviewNote.objects.all()}
    assert notes == {
        "competency-1": ("Plan lacks measurable goals.", ""),
        "governance": ("", "Who chairs the audit committee?"),
    }
    shot(page, "review-notes-saved")


def test_leaving_a_page_with_unsaved_input_asks_first(
    page, live_server, sign_in, london, lena, alice, cycle
):
    dialogs = []

    def answer(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", answer)
    sign_in(page, lena)
    page.goto(f"{live_server.url}/panels/cycles/{cycle.pk}/days/new/")
    page.get_by_label("Venue").fill("Skipton House")
    page.get_by_role("link", name="Back to panels").click()
    expect(page.get_by_label("Venue")).to_have_value("Skipton House")
    assert dialogs == ["beforeunload"]
    page.get_by_role("button", name="Schedule panel day").click()  # refused: no members
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()
    assert dialogs == ["beforeunload"], "submitting the form does not ask"
    page.get_by_role("link", name="Back to panels").click()
    expect(page).to_have_url(f"{live_server.url}/panels/?cycle={cycle.pk}")
    assert dialogs == ["beforeunload"], "a redisplayed form with nothing new typed does not ask"

    # Autosaved text: no question once it is saved.
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, alice)
    page.goto(f"{live_server.url}/self-assessment/2009-10/5K7/competencies/3/")
    page.get_by_label("Evidence").fill("Saved as I type.")
    expect(page.get_by_test_id("saved-c3")).to_contain_text("Saved at")
    page.get_by_role("link", name="Back to the self-assessment").click()
    expect(page.get_by_role("heading", name="Self-assessment", level=1)).to_be_visible()
    assert dialogs == ["beforeunload"]


def test_the_score_sheet_asks_before_leaving_an_item_it_could_not_save(
    page, live_server, sign_in, scoring, sara
):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))
    sign_in(page, sara)
    item = panel_items(scoring)[0]
    page.goto(f"{live_server.url}/panels/scores/{scoring.pk}/")
    page.locator(f"input[name='{item.field_prefix}__value'][value='4']").check()
    expect(page.get_by_test_id(f"unsaved-{item.key}")).to_be_visible()
    page.get_by_role("link", name="Back to panels").click()
    assert dialogs == ["beforeunload"]
    shot(page, "score-sheet-unsaved-item")
