"""The public and DH in a real browser (issues 12–14): the league table's sort survives a
filter change made with htmx, "find a PCT" goes to its report, the table scrolls in its
own box on a phone, a demo table says it is illustrative, DH leaves a PCT out, a peer
expert's header offers only what they can open, and a missing page is the NHS 404."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from assurance.models import PCT, Role
from tests.assurance.publication_factories import give_everyone_results, publishing_cycle
from tests.factories import sha_user
from tests.freedoms.factories import publish

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def london_table(reference_data):
    pcts = list(PCT.objects.filter(sha__code="Q36").order_by("code")[:6])
    tiers = ["support", "notice", "support", "support", "notice", "support"]
    publication = publish(dict(zip(pcts, tiers, strict=True)))
    for step, result in enumerate(publication.results.order_by("rank")):
        result.mark = 40 + 7 * ((step * 5) % 6)  # marks out of rank order
        result.save(update_fields=["mark"])
    publication.cycle.illustrative = True
    publication.cycle.save(update_fields=["illustrative"])
    publication.illustrative = True
    publication.save(update_fields=["illustrative"])
    return publication


def test_a_sort_survives_a_filter_change_and_find_a_pct_opens_its_report(
    page, live_server, london_table, screenshot_dir
):
    page.goto(f"{live_server.url}/results/{london_table.pk}/")
    expect(page.get_by_test_id("illustrative").first).to_contain_text("Illustrative data")

    page.locator("#table thead").get_by_role("link", name="Mark").click()  # htmx swap
    expect(page.locator("#table thead th[aria-sort]")).to_contain_text("Mark")
    page.get_by_label("Tier").select_option("support")  # htmx request from the filter form
    expect(page.get_by_test_id("row-count")).to_contain_text("these filters")
    assert "sort=mark" in page.url and "tier=support" in page.url
    marks = [
        float(text) for text in page.locator("#table tbody tr td:nth-child(7)").all_inner_texts()
    ]
    assert marks == sorted(marks, reverse=True) and len(marks) == 4
    page.screenshot(path=screenshot_dir / "league-table-sorted-filtered.png", full_page=True)

    name = PCT.objects.filter(sha__code="Q36").order_by("code")[2].name
    page.get_by_label("Find a PCT").select_option(label=name)
    page.get_by_role("button", name="Show its result").click()
    expect(page.get_by_role("heading", level=1, name=name)).to_be_visible()
    expect(page.get_by_test_id("illustrative").first).to_be_visible()
    expect(page.get_by_test_id("regional-rank")).to_be_visible()


def test_on_a_phone_the_table_scrolls_inside_its_box(
    browser, live_server, london_table, screenshot_dir
):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"{live_server.url}/results/{london_table.pk}/")
    width = page.evaluate("document.documentElement.scrollWidth")
    box = page.locator(".wcc-table-scroll").first
    inner = box.evaluate("el => el.scrollWidth > el.clientWidth")
    box.scroll_into_view_if_needed()
    page.screenshot(path=screenshot_dir / "league-table-phone.png")
    context.close()
    assert width <= 390, f"the page is {width} px wide at 390 px"
    assert inner  # the table itself is wider, and scrolls in its box


def test_dh_leaves_a_pct_out_from_the_publish_page(
    page, live_server, sign_in, dora, reference_data
):
    cycle = publishing_cycle()
    pcts = list(PCT.objects.filter(sha__code="Q36").order_by("code")[:3])
    give_everyone_results(cycle, pcts)
    sign_in(page, dora)
    page.goto(f"{live_server.url}/results/cycles/{cycle.pk}/publish/")
    expect(page.get_by_test_id("readiness")).to_contain_text("3")
    page.get_by_text("Leave a PCT out").click()
    page.get_by_role("button", name="Leave this PCT out").click()  # nothing chosen
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("reason")
    page.get_by_label("PCT", exact=True).select_option(label=pcts[1].name)
    page.get_by_label("Reason").fill("Merged with its neighbour")
    page.get_by_role("button", name="Leave this PCT out").click()
    expect(page.get_by_text(f"{pcts[1].name}: Merged with its neighbour")).to_be_visible()
    page.get_by_role("button", name=f"Include again {pcts[1].name}").click()
    expect(page.get_by_text("None: every PCT will be ranked.")).to_be_visible()


def test_a_peer_experts_header_offers_only_what_they_can_open(page, live_server, sign_in, london):
    peer = sha_user(london, Role.PEER_EXPERT, full_name="Pia Peer", email="pia@peer.example")
    sign_in(page, peer)
    nav = page.locator("header")
    expect(nav.get_by_role("link", name="Panels")).to_be_visible()
    expect(nav.get_by_role("link", name="Reviews")).to_have_count(0)
    expect(nav.get_by_role("link", name="Approvals")).to_have_count(0)


def test_a_missing_page_is_the_nhs_404_with_a_way_back(page, live_server, reference_data):
    response = page.goto(f"{live_server.url}/no/such/page/")
    assert response.status == 404
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    page.get_by_role("link", name="Go to the home page").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("World class commissioning")
