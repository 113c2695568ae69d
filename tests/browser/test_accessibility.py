"""No serious or critical axe-core violations on the main pages, signed out and signed in."""

import pytest

from tests.browser.accessibility import axe_violations, describe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PUBLIC_PAGES = [
    "/",
    "/registry/",
    "/registry/?q=tyne",
    "/registry/pcts/5K7/",
    "/registry/shas/Q36/",
    "/accounts/login/",
    "/accounts/password/reset/",
]


@pytest.fixture
def axe_page(browser):
    # axe is injected with evaluate(); bypass_csp lets it run without loosening the site's CSP.
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    yield page
    context.close()


def test_public_pages_have_no_serious_violations(axe_page, live_server, reference_data):
    for path in PUBLIC_PAGES:
        axe_page.goto(f"{live_server.url}{path}")
        violations = axe_violations(axe_page)
        assert not violations, f"{path}:\n{describe(violations)}"


def test_the_login_error_state_has_no_serious_violations(axe_page, live_server, alice):
    axe_page.goto(f"{live_server.url}/accounts/login/")
    axe_page.get_by_label("Email address").fill(alice.email)
    axe_page.get_by_label("Password").fill("wrong")
    axe_page.get_by_role("button", name="Sign in").click()
    assert axe_page.get_by_text("There is a problem").is_visible()
    violations = axe_violations(axe_page)
    assert not violations, describe(violations)
