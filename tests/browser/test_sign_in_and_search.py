import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_pct_user_signs_in_and_searches_the_registry(
    page, live_server, sign_in, alice, screenshot_dir
):
    sign_in(page, alice)
    assert "Alice Staff" in page.locator("header").inner_text()
    assert "PCT staff, Camden" in page.get_by_test_id("user-role").inner_text()

    page.goto(f"{live_server.url}/registry/")
    assert page.get_by_test_id("result-count").inner_text().startswith("152 PCTs")
    page.get_by_label("Search by PCT name, ODS code or SHA").fill("tyne")
    expect(page.get_by_test_id("result-count")).to_contain_text("2 PCTs matching")
    assert page.locator("#results").get_by_role("link", name="North Tyneside").is_visible()
    assert page.locator("#results").get_by_role("link", name="Camden").count() == 0
    assert "q=tyne" in page.url
    page.screenshot(path=screenshot_dir / "registry-search.png", full_page=True)
