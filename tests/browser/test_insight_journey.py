"""Insight in a real browser (issue 16): a published cycle's charts and tables, an SHA
lead's view of the cycle in progress, and a PCT's years on its registry page — each passes
axe-core, with screenshots to look at."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from assurance import models as m
from tests.assurance.panel_factories import submitted_self_assessment
from tests.assurance.publication_factories import give_everyone_results, publishing_cycle
from tests.browser.accessibility import axe_violations, describe
from tests.factories import CycleFactory, sha_user
from tests.freedoms.factories import publish

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TIERS = ["support", "notice", "support", "support", "freedoms", "support", "notice", "support"]


@pytest.fixture
def two_years(reference_data):
    """Two published years of eight London and North East PCTs; 2010/11 in panel days."""
    pcts = list(m.PCT.objects.filter(sha__code__in=["Q36", "Q30"]).order_by("code")[:8])
    publications = []
    previous = None
    for year, shift in (("2008/09", 0), ("2009/10", 3)):
        cycle = publishing_cycle(year, previous=previous)
        cycle.illustrative = True
        cycle.save(update_fields=["illustrative"])
        order = pcts[shift:] + pcts[:shift]
        publication = publish(dict(zip(order, TIERS, strict=True)), cycle=cycle)
        for i, result in enumerate(publication.results.order_by("rank")):
            result.mark = Decimal(85 - 6 * i)
            result.competency_levels = {str(n): 1 + (i + n) % 4 for n in range(1, 12)}
            result.save(update_fields=["mark", "competency_levels"])
        m.Publication.objects.filter(pk=publication.pk).update(illustrative=True)
        for pct in pcts:
            submitted_self_assessment(cycle, pct, self_level=3)
        publications.append(publication)
        previous = cycle
    live = CycleFactory(year_label="2010/11", open_phase=m.PhaseKind.PANEL_DAYS)
    for pct in pcts:
        submitted_self_assessment(live, pct, self_level=3, outcomes=0)
    give_everyone_results(live, pcts)
    return publications, pcts, live


def test_the_public_reads_a_years_insight(page, live_server, two_years, screenshot_dir):
    page.goto(f"{live_server.url}/insight/")
    page.get_by_role("link", name="2009/10").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Insight: 2009/10")
    expect(page.get_by_test_id("illustrative").first).to_be_visible()
    for chart in ("road-ahead-chart", "levels-chart", "governance-chart", "tiers-chart"):
        expect(page.get_by_test_id(f"chart-{chart}")).to_be_visible()
    expect(page.get_by_role("img", name="PCTs in each tier")).to_be_visible()
    expect(page.get_by_test_id("table-tiers")).to_contain_text("Freedoms")
    page.screenshot(path=screenshot_dir / "insight-2009-10.png", full_page=True)
    violations = axe_violations(page)
    assert not violations, describe(violations)


def test_an_sha_lead_sees_their_regions_figures_so_far(
    page, live_server, sign_in, two_years, screenshot_dir
):
    _, _, live = two_years
    sign_in(page, sha_user(m.SHA.objects.get(code="Q36"), m.Role.SHA_LEAD))
    page.goto(f"{live_server.url}/insight/{live.slug}/")
    expect(page.get_by_test_id("in-progress")).to_contain_text("London only")
    expect(page.get_by_test_id("sha-Q36")).to_be_visible()
    expect(page.get_by_test_id("sha-Q30")).to_have_count(0)
    page.screenshot(path=screenshot_dir / "insight-in-progress-sha.png", full_page=True)
    violations = axe_violations(page)
    assert not violations, describe(violations)


def test_a_pcts_years_on_its_registry_page(page, live_server, two_years, screenshot_dir):
    _, pcts, _ = two_years
    pct = pcts[0]
    page.goto(f"{live_server.url}/registry/pcts/{pct.code}/")
    expect(page.get_by_test_id("published-results").locator("tbody tr")).to_have_count(2)
    expect(page.get_by_role("img", name="National rank by year (1 is best, drawn highest)"))
    expect(page.get_by_test_id("chart-years-mark")).to_be_visible()
    page.screenshot(path=screenshot_dir / "pct-years.png", full_page=True)
    violations = axe_violations(page)
    assert not violations, describe(violations)
    page.get_by_role("link", name="Report 2008/09", exact=True).click()
    expect(page.get_by_role("heading", level=1, name=pct.name)).to_be_visible()
