"""Issue 16 in Debian's Chromium: an SHA lead makes a personal API token, copies the secret
shown once, reads the API with it, and revokes it; the token page and the API's
documentation page have no serious accessibility violations."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from assurance.models import PCT, SelfAssessmentStatus
from tests.browser.accessibility import axe_violations, describe
from tests.factories import CycleFactory, SelfAssessmentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def axe_page(browser):
    # axe is injected with evaluate(); bypass_csp lets it run without loosening the CSP.
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    yield page
    context.close()


def test_a_lead_makes_uses_and_revokes_a_token(
    axe_page, live_server, sign_in, lena, screenshot_dir
):
    page = axe_page
    cycle = CycleFactory(year_label="2009/10", open_phase=3)
    SelfAssessmentFactory(
        cycle=cycle, pct=PCT.objects.get(code="5K7"), status=SelfAssessmentStatus.SUBMITTED
    )
    sign_in(page, lena)
    page.goto(f"{live_server.url}/account/api-tokens/")
    expect(page.get_by_text("You have no API tokens.")).to_be_visible()
    page.get_by_label("Token name").fill("London dashboard")
    page.get_by_role("button", name="Create token").click()
    secret = page.get_by_label("Your token").input_value()
    assert secret.startswith("wcc_")
    assert not (violations := axe_violations(page)), describe(violations)
    page.screenshot(path=screenshot_dir / "api-token-created.png", full_page=True)

    api = page.context.request
    answer = api.get(
        f"{live_server.url}/api/v1/cycles/2009-10/self-assessments",
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert answer.status == 200 and [r["pct"]["code"] for r in answer.json()] == ["5K7"]

    page.goto(f"{live_server.url}/account/api-tokens/")
    expect(page.get_by_label("Your token")).to_have_count(0)  # shown once only
    page.get_by_role("button", name="Revoke London dashboard").click()
    expect(page.get_by_text("revoked: it no longer opens the API")).to_be_visible()
    page.screenshot(path=screenshot_dir / "api-token-revoked.png", full_page=True)
    again = api.get(
        f"{live_server.url}/api/v1/cycles/2009-10/self-assessments",
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert again.status == 401


def test_the_api_documentation_page_is_accessible(
    axe_page, live_server, reference_data, screenshot_dir
):
    axe_page.goto(f"{live_server.url}/api/v1/")  # redirects to the documentation
    expect(axe_page.get_by_role("heading", level=1)).to_have_text("WCC Assurance open data API")
    assert not (violations := axe_violations(axe_page)), describe(violations)
    axe_page.screenshot(path=screenshot_dir / "api-docs.png", full_page=True)
    schema = axe_page.context.request.get(f"{live_server.url}/api/v1/openapi.json").json()
    for path in schema["paths"]:
        expect(axe_page.get_by_text(path, exact=False).first).to_be_visible()
