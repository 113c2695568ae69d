"""A PCT on notice drafts its recovery plan, the SHA agrees it, overdue actions stand out."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from freedoms.catalogue import load_catalogue
from freedoms.models import Plan, PlanStatus
from tests.browser.accessibility import axe_violations, describe
from tests.freedoms.factories import PlanActionFactory, confirmed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_recovery_plan_is_drafted_and_agreed(
    page, live_server, sign_in, dora, bob, sara, camden, islington, screenshot_dir
):
    load_catalogue()  # a transactional test starts from an emptied database
    confirmed({camden: "freedoms", islington: "notice"}, dora)
    plan = Plan.objects.get(pct=islington, subject="notice")
    PlanActionFactory(
        plan=plan,
        description="Publish a turnaround plan to the board",
        due_on=timezone.localdate() - dt.timedelta(days=5),
    )

    sign_in(page, bob)
    page.goto(f"{live_server.url}/freedoms/")
    page.get_by_role("link", name="Recovery plan: on notice").click()
    page.get_by_label("Action", exact=True).fill("Agree a financial recovery trajectory")
    page.get_by_label("Owner").fill("Director of Finance")
    page.get_by_role("button", name="Add action").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("This field is required")
    expect(page.get_by_label("Action", exact=True)).to_have_value(
        "Agree a financial recovery trajectory"
    )
    page.get_by_label("Due date").fill("2030-03-31")
    page.get_by_role("button", name="Add action").click()
    expect(page.get_by_test_id("actions")).to_contain_text("Director of Finance")
    expect(page.locator("tr.wcc-overdue")).to_have_count(1)
    page.screenshot(path=screenshot_dir / "freedoms-plan-overdue.png", full_page=True)
    assert not (violations := axe_violations(page)), describe(violations)
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, sara)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Approvals").click()
    expect(page.get_by_test_id("plans")).to_contain_text("Overdue actions")
    page.get_by_role("link", name="Recovery plan: on notice").click()
    page.get_by_role("button", name="Agree this plan").click()
    expect(page.locator("main")).to_contain_text("Agreed with SHA")
    assert Plan.objects.get(pk=plan.pk).status == PlanStatus.AGREED
