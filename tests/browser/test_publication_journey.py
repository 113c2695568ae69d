"""DH staff publish a cycle, watch the progress page update by itself, open a PCT report."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from assurance import tasks
from assurance.models import PCT, Publication
from assurance.services import publication_worker as worker
from tests.assurance.publication_factories import give_everyone_results, publishing_cycle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _clear_cache():
    """Rendered league tables are cached by publication id, which a new test may reuse."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def test_dh_staff_publish_watch_progress_and_open_a_report(
    page, live_server, sign_in, dora, reference_data, screenshot_dir, monkeypatch
):
    cycle = publishing_cycle()
    pcts = list(PCT.objects.filter(sha__code="Q36").order_by("code")[:8])
    give_everyone_results(cycle, pcts)
    # The worker is this test: the queued job waits until the test runs each step, so the
    # page's polling can be watched step by step.
    enqueued: list[int] = []
    monkeypatch.setattr(tasks.compute_publication, "delay", enqueued.append)

    sign_in(page, dora)
    page.goto(f"{live_server.url}/results/")
    page.get_by_role("link", name=f"Publish {cycle.year_label}").click()
    expect(page.get_by_role("heading", name=f"Publish {cycle.year_label}")).to_be_visible()
    page.screenshot(path=screenshot_dir / "publication-start.png", full_page=True)
    page.get_by_label("Publish these results").check()
    page.get_by_role("button", name="Start publication").click()

    expect(page.get_by_role("heading", name=f"{cycle.year_label}, version 1")).to_be_visible()
    expect(page.get_by_test_id("status")).to_contain_text("Queued")
    publication = Publication.objects.get()
    assert enqueued == [publication.pk]

    worker.compute_publication(publication.pk)
    pending = worker.pending_document_ids(publication.pk)
    for pk in pending[:4]:  # the league table and three reports
        worker.render_document(pk)
    expect(page.get_by_test_id("report-count")).to_have_text("3 of 8 reports", timeout=10_000)
    expect(page.get_by_test_id("status")).to_contain_text("Rendering documents")
    page.screenshot(path=screenshot_dir / "publication-progress.png", full_page=True)

    for pk in pending[4:]:
        worker.render_document(pk)
    worker.finish_publication(publication.pk)
    expect(page.get_by_test_id("report-count")).to_have_text("8 of 8 reports", timeout=10_000)
    expect(page.get_by_test_id("status")).to_contain_text("Complete")
    page.screenshot(path=screenshot_dir / "publication-complete.png", full_page=True)

    page.get_by_role("link", name="Open the league table").click()
    expect(page.get_by_test_id("row-count")).to_contain_text("8 PCTs")
    page.get_by_label("Tier").select_option("support")
    expect(page.get_by_test_id("row-count")).to_contain_text("these filters")
    assert "tier=support" in page.url
    page.screenshot(path=screenshot_dir / "league-table.png", full_page=True)

    first = page.locator("#table tbody tr").first.get_by_role("link")
    name = first.inner_text()
    first.click()
    expect(page.get_by_role("heading", level=1, name=name)).to_be_visible()
    expect(page.get_by_role("heading", name="Tier and the reasons")).to_be_visible()
    expect(page.locator("svg.wcc-chart")).to_be_visible()
    page.screenshot(path=screenshot_dir / "pct-report.png", full_page=True)
