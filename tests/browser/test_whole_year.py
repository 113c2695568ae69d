"""The whole assurance year in Debian's Chromium, one person after another (§3, §4, §5).

Camden's staff finish the self-assessment and its approver submits; two London assessors
score and London's lead agrees the consensus; DH moderates one score in calibration,
publishes (eager Celery) and confirms; Camden — all green, every competency at 3 or more,
two 4s, outcomes on trajectory — earns the freedoms and uses franchising for Islington.
Every main screen is screenshotted and checked with axe-core on the way.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from assurance import models as m
from assurance import tasks
from assurance.queries import self_assessment as sa_queries
from assurance.queries.panel_items import panel_items
from assurance.services import publication_worker as worker
from assurance.services import self_assessment as sa_service
from freedoms.catalogue import load_catalogue
from freedoms.models import Franchise, FranchiseStatus, Grant
from tests.assurance.panel_factories import panel_day, set_phase
from tests.assurance.publication_factories import IMPROVED, give_results
from tests.browser.accessibility import axe_violations, describe
from tests.factories import pct_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Camden's panel: 4 on competencies 1 and 2, 3 on the rest, all green, on trajectory.
FOURS = {1, 2}


def camden_value(item) -> str:
    if item.kind == "level":
        return "4" if number(item) in FOURS else "3"
    return {"rating": "green", "actual": "17"}[item.kind]


def number(item) -> int:
    """A competency item's number: its label reads "3. Engage with public and patients"."""
    return int(str(item.label).split(".")[0])


def fill_items(page, items):
    for item in items:
        p = item.field_prefix
        value = camden_value(item)
        if item.kind == "actual":
            page.locator(f"input[name='{p}__value']").fill(value)
        else:
            page.locator(f"input[name='{p}__value'][value='{value}']").check()
        page.locator(f"textarea[name='{p}__rationale']").fill(f"Seen at the panel: {item.label}.")


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()


class Shots:
    """Screenshot and axe-check each main screen; violations are reported together."""

    def __init__(self, page, folder):
        self.page, self.folder, self.problems = page, folder, []

    def __call__(self, name: str) -> None:
        self.page.screenshot(path=self.folder / f"year-{name}.png", full_page=True)
        if violations := axe_violations(self.page):
            self.problems.append(f"{name} ({self.page.url}):\n{describe(violations)}")


def camden_draft_but_competency_1(alice, cycle):
    """Everything but competency 1 done by colleagues through the services."""
    assessment, _ = m.SelfAssessment.objects.get_or_create(cycle=cycle, pct=alice.pct)
    for slot in sa_queries.rating_slots(cycle.framework):
        if slot.competency.number == 1:
            continue
        sa_service.save_competency_rating(
            alice,
            assessment,
            competency=slot.competency,
            criterion=slot.criterion,
            level=4 if slot.competency.number == 2 else 3,
            evidence=f"Board papers for competency {slot.competency.number}.",
            version=0,
        )
    from tests.assurance.self_assessment_factories import upload_key_documents

    upload_key_documents(alice, assessment)
    indicator = cycle.indicators.order_by("code").first()
    chosen = sa_service.choose_outcome(alice, assessment, indicator)
    sa_service.update_outcome(
        alice,
        chosen,
        baseline=Decimal("20"),
        target=Decimal("18"),
        direction=m.Direction.LOWER,
        version=chosen.version,
    )
    return assessment


def test_the_whole_year(
    page, live_server, sign_in, alice, ann, bob, sara, sam, lena, dora, cycle, london,
    islington, screenshot_dir, monkeypatch,
):  # fmt: skip
    load_catalogue()
    enqueued: list[int] = []
    monkeypatch.setattr(
        tasks.compute_publication, "delay", enqueued.append
    )  # a transactional test starts from an emptied database
    shot = Shots(page, screenshot_dir)
    url = live_server.url
    assessment = camden_draft_but_competency_1(alice, cycle)

    # 1. Camden's staff finish competency 1; the approver submits (§3 phase 1).
    sign_in(page, alice)
    page.goto(f"{url}/self-assessment/")
    expect(page.get_by_role("heading", name="Self-assessment", level=1)).to_be_visible()
    shot("01-self-assessment-overview")
    page.get_by_role("link", name="1. Locally lead the NHS").click()
    page.get_by_label("3 – Consistent").check()
    page.get_by_label("Evidence").fill("The PCT chairs the local strategic partnership.")
    expect(page.get_by_test_id("saved-c1")).to_contain_text("Saved at")
    shot("02-competency-form")
    sign_out(page)

    sign_in(page, ann)
    page.goto(f"{url}/self-assessment/2009-10/5K7/submit/")
    page.get_by_label("Date the board ratified the self-assessment").fill("10 12 2009")
    shot("03-submit")
    page.get_by_role("button", name="Submit self-assessment").click()
    expect(page.get_by_test_id("submitted-banner")).to_be_visible()
    shot("04-submitted")
    sign_out(page)
    assessment.refresh_from_db()
    assert assessment.status == m.SelfAssessmentStatus.SUBMITTED

    # The rest of London has its panel results already; Islington lands in support.
    rest = m.PCT.objects.filter(sha=london).exclude(pk__in=[alice.pct_id, islington.pk])
    others = [islington, *rest.order_by("code")[:4]]
    for pct in others:
        support = pct == islington
        give_results(
            cycle,
            pct,
            [2 if support else 3] * 11,
            {"strategy": "amber", "finance": "green", "board": "green"},
            [IMPROVED],
        )

    # 2. Phase 3: two assessors score, the lead agrees the consensus.
    set_phase(cycle, m.PhaseKind.PANEL_DAYS)
    panel_day(cycle, london, [sara, sam], slots=[(alice.pct, "10:00", "12:00")])
    items = panel_items(assessment)
    for person in (sara, sam):
        sign_in(page, person)
        page.goto(f"{url}/panels/")
        page.get_by_role("link", name="Score Camden").click()
        fill_items(page, items)
        if person == sara:
            shot("05-score-sheet")
        page.get_by_role("button", name="Save scores").click()
        expect(page.locator(".wcc-message")).to_contain_text("Your scores are saved")
        page.get_by_label("My scores are final").check()
        page.get_by_role("button", name="Submit my score sheet").click()
        expect(page.locator(".wcc-message")).to_contain_text("score sheet is submitted")
        sign_out(page)

    sign_in(page, lena)
    page.goto(f"{url}/panels/consensus/{assessment.pk}/")
    fill_items(page, items)
    shot("06-consensus")
    page.get_by_role("button", name="Save consensus").click()
    expect(page.locator(".wcc-message")).to_contain_text("Consensus saved")
    page.get_by_label("The panel agrees this result").check()
    page.get_by_role("button", name="Lock the panel result").click()
    expect(page.locator(".wcc-message")).to_contain_text("is locked")
    sign_out(page)

    # 3. Phase 4: DH calibrates and moderates competency 3 up to 4, with a reason.
    set_phase(cycle, m.PhaseKind.CALIBRATION)
    sign_in(page, dora)
    page.goto(f"{url}/panels/cycles/{cycle.pk}/calibration/")
    shot("07-calibration")
    page.goto(f"{url}/panels/cycles/{cycle.pk}/calibration/competency/3/")
    expect(page.get_by_test_id("sha-Q36")).to_contain_text("London")
    shot("08-calibration-competency")
    page.goto(f"{url}/panels/results/{assessment.pk}/")
    third = next(i for i in items if i.kind == "level" and number(i) == 3)
    page.get_by_role("link", name=f"Moderate {third.label}").click()
    page.locator("input[name='value'][value='4']").check()
    page.get_by_label("Reason for the change").fill("Market-shaping evidence matches London's 4s.")
    page.get_by_role("button", name="Moderate score").click()
    expect(page.locator("#trail")).to_contain_text("3 → 4")
    shot("09-moderated-result")

    # 4. Phase 5: DH publishes (eager Celery) and confirms.
    set_phase(cycle, m.PhaseKind.PUBLICATION)
    page.goto(f"{url}/results/")
    page.get_by_role("link", name="Publish 2009/10").click()
    shot("10-publish")
    page.get_by_label("Publish these results").check()
    page.get_by_role("button", name="Start publication").click()
    # The worker is this test (the live server's thread may not reach the test database):
    # the same service steps the Celery tasks run, one after another.
    publication = m.Publication.objects.get(cycle=cycle)
    assert enqueued == [publication.pk]
    worker.compute_publication(publication.pk)
    for pk in worker.pending_document_ids(publication.pk):
        worker.render_document(pk)
    worker.finish_publication(publication.pk)
    expect(page.get_by_test_id("status")).to_contain_text("Complete", timeout=15_000)
    page.goto(f"{url}/results/{publication.pk}/")
    expect(page.get_by_test_id("row-count")).to_contain_text("6 PCTs")
    shot("11-league-table")
    page.goto(f"{url}/results/{publication.pk}/pcts/5K7/")
    expect(page.get_by_role("heading", level=1, name="Camden")).to_be_visible()
    shot("12-pct-report")
    assert publication.results.get(pct=alice.pct).tier == m.Tier.FREEDOMS

    page.goto(f"{url}/freedoms/overview/")
    page.get_by_role("button", name=f"Confirm {publication}").click()
    expect(page.locator(".wcc-message")).to_contain_text("confirmed")
    shot("13-freedoms-overview")
    sign_out(page)
    assert Grant.objects.filter(pct=alice.pct, freedom__code="franchising").exists()

    # 5. Camden uses franchising for Islington; Islington accepts; London approves.
    sign_in(page, alice)
    page.goto(f"{url}/freedoms/")
    expect(page.get_by_test_id("top-pct-badge")).to_be_visible()
    shot("14-my-freedoms")
    page.get_by_role("link", name="Propose a franchise").click()
    page.get_by_label("Receiving PCT").select_option(label="Islington")
    page.get_by_label("One named service").check()
    page.get_by_label("Service", exact=True).fill("Community dentistry")
    page.get_by_label("Start date").fill("2010-10-01")
    page.get_by_label("End date").fill("2011-09-30")
    shot("15-franchise-proposal")
    page.get_by_role("button", name="Send proposal").click()
    expect(page.get_by_test_id("franchise-status")).to_contain_text("Proposed")
    sign_out(page)

    franchise = Franchise.objects.get()
    ian = pct_user(islington, m.Role.PCT_APPROVER, full_name="Ian Approver", email="ian@i.example")
    sign_in(page, ian)
    page.goto(f"{url}/freedoms/franchises/{franchise.pk}/")
    page.get_by_role("button", name="Accept franchise").click()
    expect(page.get_by_test_id("franchise-status")).to_contain_text("Accepted")
    sign_out(page)
    sign_in(page, lena)
    page.goto(f"{url}/freedoms/franchises/{franchise.pk}/")
    page.get_by_role("button", name="Approve franchise").click()
    expect(page.get_by_test_id("franchise-status")).to_contain_text("Approved by SHA")
    shot("16-franchise-approved")
    franchise.refresh_from_db()
    assert franchise.status == FranchiseStatus.APPROVED

    assert not shot.problems, "\n\n".join(shot.problems)
