"""A franchise from proposal to approval across three users (§5 franchising)."""

import pytest
from playwright.sync_api import expect

from assurance.models import Role
from freedoms.catalogue import load_catalogue
from freedoms.models import Franchise, FranchiseStatus
from tests.browser.accessibility import axe_violations, describe
from tests.factories import pct_user
from tests.freedoms.factories import confirmed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()


def test_a_franchise_is_proposed_accepted_and_approved(
    page, live_server, sign_in, dora, alice, lena, camden, islington, screenshot_dir
):
    load_catalogue()  # a transactional test starts from an emptied database
    confirmed({camden: "freedoms", islington: "notice"}, dora)
    ian = pct_user(
        islington, Role.PCT_APPROVER, full_name="Ian Approver", email="ian@islington.example"
    )

    # 1. Camden (freedoms tier) proposes; a bad date range is refused next to the field.
    sign_in(page, alice)
    page.get_by_role("navigation", name="Menu").get_by_role(
        "link", name="Freedoms and plans"
    ).click()
    expect(page.get_by_test_id("top-pct-badge")).to_be_visible()
    page.screenshot(path=screenshot_dir / "freedoms-pct-overview.png", full_page=True)
    assert not (violations := axe_violations(page)), describe(violations)
    page.get_by_role("link", name="Propose a franchise").click()
    page.get_by_label("Receiving PCT").select_option(label="Islington")
    page.get_by_label("One named service").check()
    page.get_by_label("Service", exact=True).fill("Community dentistry")
    page.get_by_label("Start date").fill("2010-10-01")
    page.get_by_label("End date").fill("2010-09-01")
    page.get_by_role("button", name="Send proposal").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text(
        "The end date must be on or after the start date."
    )
    expect(page.get_by_label("Service", exact=True)).to_have_value("Community dentistry")
    page.screenshot(path=screenshot_dir / "freedoms-franchise-error.png", full_page=True)
    assert not (violations := axe_violations(page)), describe(violations)
    page.get_by_label("End date").fill("2011-09-30")
    page.get_by_role("button", name="Send proposal").click()
    expect(page.get_by_test_id("franchise-status")).to_contain_text("Proposed")
    sign_out(page)

    # 2. Islington's approver accepts.
    franchise = Franchise.objects.get()
    sign_in(page, ian)
    page.goto(f"{live_server.url}/freedoms/franchises/{franchise.pk}/")
    page.get_by_role("button", name="Accept franchise").click()
    expect(page.get_by_test_id("franchise-status")).to_contain_text("Accepted by receiving PCT")
    sign_out(page)

    # 3. London's SHA lead finds it in her approvals and approves it.
    sign_in(page, lena)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Approvals").click()
    page.get_by_role("link", name="Camden for Islington: Community dentistry").click()
    page.screenshot(path=screenshot_dir / "freedoms-franchise-sha-approval.png", full_page=True)
    page.get_by_role("button", name="Approve franchise").click()
    expect(page.get_by_test_id("franchise-status")).to_contain_text("Approved by SHA")
    page.screenshot(path=screenshot_dir / "freedoms-franchise-approved.png", full_page=True)
    assert not (violations := axe_violations(page)), describe(violations)

    franchise.refresh_from_db()
    assert franchise.status == FranchiseStatus.APPROVED
    assert (franchise.accepted_by, franchise.approved_by) == (ian, lena)
