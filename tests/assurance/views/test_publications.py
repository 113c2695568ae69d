"""Publication pages: who may publish and see what, progress polling, league table, exports."""

from __future__ import annotations

import io

import pytest
from django.http import QueryDict
from django.urls import reverse
from openpyxl import load_workbook

from assurance.models import PCT, Publication, PublicationStatus, PublishedDocument
from assurance.services import publication as service
from assurance.services import publication_worker as worker
from tests.assurance.publication_factories import (
    give_everyone_results,
    give_results,
    publishing_cycle,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache():
    """Rendered league tables are cached by publication id, which a new test may reuse."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def published(reference_data, dora, django_capture_on_commit_callbacks):
    """A complete publication of eight PCTs (Camden among them)."""
    cycle = publishing_cycle()
    pcts = list(PCT.objects.filter(sha__code="Q36").order_by("code")[:6])
    pcts += list(PCT.objects.filter(code__in=["5ND", "5K7"]).exclude(pk__in=[p.pk for p in pcts]))
    give_everyone_results(cycle, pcts)
    with django_capture_on_commit_callbacks(execute=True):
        publication, _ = service.start_publication(cycle, dora)
    publication.refresh_from_db()
    assert publication.status == PublicationStatus.COMPLETE
    return publication


@pytest.fixture
def in_progress(reference_data, dora):
    cycle = publishing_cycle("2010/11")
    give_results(cycle, PCT.objects.get(code="5K7"), [3] * 11)
    publication, _ = service.start_publication(cycle, dora)  # not enqueued: stays queued
    worker.compute_publication(publication.pk)
    return publication


CONFIRMED = {"publish-confirm": "yes"}


def test_starting_without_the_confirmation_publishes_nothing(client, dora, reference_data):
    cycle = publishing_cycle()
    give_results(cycle, PCT.objects.get(code="5K7"), [3] * 11)
    client.force_login(dora)
    page = client.get(reverse("publications:publish", args=[cycle.pk])).content.decode()
    assert "1 PCT will be ranked" in page and 'name="publish-confirm"' in page
    response = client.post(reverse("publications:publish", args=[cycle.pk]))
    assert response.status_code == 400
    assert "Confirm that you want to publish these results" in response.content.decode()
    assert not Publication.objects.exists()


def test_dh_staff_start_a_publication_and_are_sent_to_its_progress(
    client, dora, reference_data, django_capture_on_commit_callbacks
):
    cycle = publishing_cycle()
    give_results(cycle, PCT.objects.get(code="5K7"), [3] * 11)
    client.force_login(dora)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("publications:publish", args=[cycle.pk]), CONFIRMED)
    publication = Publication.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("publications:progress", args=[publication.pk])


def test_starting_shows_why_it_cannot_start(client, dora, reference_data):
    cycle = publishing_cycle()
    give_results(cycle, PCT.objects.get(code="5K7"), [3] * 10)
    client.force_login(dora)
    response = client.post(reverse("publications:publish", args=[cycle.pk]), CONFIRMED)
    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()
    assert "no final result for: 11" in response.content.decode()
    assert not Publication.objects.exists()


@pytest.mark.parametrize("who", ["alice", "sara", "lena"])
def test_only_dh_staff_reach_the_publish_page(client, request, who, reference_data):
    cycle = publishing_cycle()
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("publications:publish", args=[cycle.pk])).status_code == 404
    assert client.post(reverse("publications:publish", args=[cycle.pk])).status_code == 404
    assert not Publication.objects.exists()


def test_the_public_is_sent_to_sign_in_to_publish(client, reference_data):
    cycle = publishing_cycle()
    response = client.post(reverse("publications:publish", args=[cycle.pk]))
    assert response.status_code == 302
    assert "/accounts/login/" in response.url


def test_progress_shows_reports_done_and_keeps_polling(client, dora, in_progress):
    client.force_login(dora)
    worker.render_document(worker.pending_document_ids(in_progress.pk)[0])
    response = client.get(
        reverse("publications:progress", args=[in_progress.pk]), headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "0 of 1 reports" in body
    assert 'data-hx-trigger="every 2s"' in body
    assert "<html" not in body


def test_progress_stops_polling_when_done(client, dora, in_progress):
    for pk in worker.pending_document_ids(in_progress.pk):
        worker.render_document(pk)
    worker.finish_publication(in_progress.pk)
    client.force_login(dora)
    response = client.get(
        reverse("publications:progress", args=[in_progress.pk]), headers={"HX-Request": "true"}
    )
    assert response.status_code == 286
    body = response.content.decode()
    assert "1 of 1 reports" in body
    assert "hx-trigger" not in body


def test_progress_shows_a_lasting_failure(client, dora, in_progress):
    doc = PublishedDocument.objects.get(publication=in_progress, pct__code="5K7")
    worker.note_document_error(doc.pk, RuntimeError("no fonts"), final=True)
    worker.finish_publication(in_progress.pk)
    client.force_login(dora)
    response = client.get(reverse("publications:progress", args=[in_progress.pk]))
    body = response.content.decode()
    assert "Publication failed" in body
    assert "Camden" in body and "no fonts" in body
    assert "Retry the failed documents" in body


def test_work_in_progress_is_dh_only(client, alice, dora, in_progress):
    urls = [
        reverse("publications:progress", args=[in_progress.pk]),
        reverse("publications:league_table", args=[in_progress.pk]),
        reverse("publications:pct_report", args=[in_progress.pk, "5K7"]),
        reverse("publications:csv", args=[in_progress.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code in (302, 404), url
    client.force_login(alice)
    for url in urls:
        assert client.get(url).status_code == 404, url
    client.force_login(dora)
    assert client.get(urls[1]).status_code == 200
    assert "Not published" in client.get(urls[1]).content.decode()


def test_the_public_reads_a_complete_league_table(client, published, django_assert_max_num_queries):
    # 9 on a cold cache: the ninth reads which PCTs have a rating review pending (§8).
    with django_assert_max_num_queries(9):
        response = client.get(reverse("publications:league_table", args=[published.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    for result in published.results.select_related("pct"):
        assert result.pct.name in body
    assert "nhsuk-tag--" in body
    assert "new" in body


def test_the_league_table_query_count_does_not_grow_with_pcts(
    client, reference_data, dora, django_capture_on_commit_callbacks
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for label, n in (("2009/10", 3), ("2010/11", 30)):
        cycle = publishing_cycle(label)
        give_everyone_results(cycle, PCT.objects.order_by("code")[:n])
        publication, _ = service.start_publication(cycle, dora)
        worker.compute_publication(publication.pk)
        client.force_login(dora)
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("publications:league_table", args=[publication.pk]))
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_it_filters_by_sha_and_tier_with_a_get_fallback_and_htmx(client, published):
    url = reverse("publications:league_table", args=[published.pk])
    response = client.get(url, {"sha": "Q30"})
    body = response.content.decode()
    table = body[body.index('id="table"') :]  # "Find a PCT" above it lists every PCT
    assert "County Durham" in table
    assert "Camden" not in table
    partial = client.get(url, {"sha": "Q36", "sort": "pct"}, headers={"HX-Request": "true"})
    assert "<html" not in partial.content.decode()
    assert "Camden" in partial.content.decode()
    tier = published.results.first().tier
    response = client.get(url, {"tier": tier})
    assert response.context["rows"]
    assert all(row.result.tier == tier for row in response.context["rows"])


def test_it_ignores_unknown_filters(client, published):
    response = client.get(
        reverse("publications:league_table", args=[published.pk]),
        {"sha": "ZZZ", "tier": "gold", "sort": "drop table"},
    )
    assert response.status_code == 200
    assert len(response.context["rows"]) == 8


def test_it_sorts_by_name(client, published):
    response = client.get(
        reverse("publications:league_table", args=[published.pk]), {"sort": "pct"}
    )
    names = [row.result.pct.name for row in response.context["rows"]]
    assert names == sorted(names)


def test_it_shows_a_table_per_sha(client, published):
    response = client.get(
        reverse("publications:league_table", args=[published.pk]), {"view": "sha"}
    )
    body = response.content.decode()
    assert [sha.name for sha, _ in response.context["groups"]] == ["London", "North East"]
    assert body.count('<table class="nhsuk-table wcc-league">') == 2


def test_csv_and_xlsx_downloads_hold_every_row(client, published):
    csv_response = client.get(reverse("publications:csv", args=[published.pk]))
    lines = csv_response.content.decode().strip().splitlines()
    assert csv_response["Content-Type"].startswith("text/csv")
    assert lines[0].startswith(
        "Rank,Regional rank,ODS code,PCT,SHA,Self-assessment,Strategy,Finance,Board,Competency 1"
    )
    assert len(lines) == 9
    xlsx = client.get(reverse("publications:xlsx", args=[published.pk]), {"sha": "Q30"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.max_row == 2
    assert sheet.cell(row=2, column=4).value == "County Durham"


def test_pdfs_download_once_published(client, published):
    response = client.get(reverse("publications:league_table_pdf", args=[published.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    report = client.get(reverse("publications:pct_report_pdf", args=[published.pk, "5k7"]))
    assert report.status_code == 200
    missing = client.get(reverse("publications:pct_report_pdf", args=[published.pk, "5A3"]))
    assert missing.status_code == 404


def test_the_pct_report_shows_levels_averages_reasons_and_what_follows(client, alice, published):
    client.force_login(alice)
    response = client.get(reverse("publications:pct_report", args=[published.pk, "5K7"]))
    body = response.content.decode()
    result = published.results.get(pct__code="5K7")
    assert response.status_code == 200
    assert "<svg" in body and "National average" in body
    assert result.reasons[0][:20] in body or result.reasons[0].capitalize()[:20] in body
    assert "What follows" in body
    assert "review by the SHA" in body


def test_a_superseded_version_stays_readable_and_points_to_the_new_one(
    client, dora, published, django_capture_on_commit_callbacks
):
    url = reverse("publications:league_table", args=[published.pk])
    assert "Superseded" not in client.get(url).content.decode()  # now cached
    with django_capture_on_commit_callbacks(execute=True):
        second, _ = service.start_publication(published.cycle, dora)
    response = client.get(reverse("publications:league_table", args=[published.pk]))
    assert response.status_code == 200
    assert "Superseded" in response.content.decode()
    assert reverse("publications:league_table", args=[second.pk]) in response.content.decode()


def test_most_improved_lists_climbers_first(
    client, reference_data, dora, django_capture_on_commit_callbacks
):
    a, b = PCT.objects.filter(code__in=["5K7", "5K8"]).order_by("code")
    last = publishing_cycle("2008/09")
    give_results(last, a, [3] * 11)
    give_results(last, b, [2] * 11)
    with django_capture_on_commit_callbacks(execute=True):
        service.start_publication(last, dora)
    now = publishing_cycle("2009/10", previous=last)
    give_results(now, a, [2] * 11)
    give_results(now, b, [4] * 11)
    with django_capture_on_commit_callbacks(execute=True):
        publication, _ = service.start_publication(now, dora)
    response = client.get(reverse("publications:improvement", args=[publication.pk]))
    rows = response.context["rows"]
    assert [r.pct.code for _, r in rows] == [b.code, a.code]
    assert "▲1" in response.content.decode()
    assert "▼1" in response.content.decode()


def test_the_results_index_lists_only_published_versions_to_the_public(
    client, published, in_progress
):
    body = client.get(reverse("publications:index")).content.decode()
    assert "2009/10" in body
    assert "2010/11" not in body


def test_a_published_table_is_served_from_the_cache_after_the_first_view(
    client, published, django_assert_max_num_queries
):
    url = reverse("publications:league_table", args=[published.pk])
    first = client.get(url, {"sha": "Q36"}).content.decode()
    with django_assert_max_num_queries(0):
        again = client.get(url, {"sha": "Q36"}).content.decode()
    assert again.split("<main")[1] == first.split("<main")[1]
    with django_assert_max_num_queries(0):
        partial = client.get(url, {"sha": "Q36"}, headers={"HX-Request": "true"})
    assert "Camden" in partial.content.decode()
    client.get(url)
    with django_assert_max_num_queries(0):
        assert client.get(url).status_code == 200


def test_signed_out_visitors_get_the_same_cached_page_without_a_csrf_token(
    client, published, django_assert_max_num_queries
):
    url = reverse("publications:league_table", args=[published.pk])
    first = client.get(url, {"tier": "support"})
    assert "csrf" not in first.content.decode().lower()
    assert "csrftoken" not in first.cookies
    with django_assert_max_num_queries(0):
        again = client.get(url, {"tier": "support"})
    assert again.content == first.content


def test_signed_in_users_never_get_the_public_page_cache(client, alice, published):
    url = reverse("publications:league_table", args=[published.pk])
    client.get(url)
    client.force_login(alice)
    body = client.get(url).content.decode()
    assert "Alice Staff" in body
    assert "X-CSRFToken" in body


def test_the_league_table_pages_past_200_pcts_and_exports_them_all(client, dora, reference_data):
    from assurance.models import PCT, SHA
    from assurance.services import publication as service
    from tests.assurance.publication_factories import give_everyone_results, publishing_cycle
    from tests.factories import PCTFactory, synthetic_code

    shas = list(SHA.objects.all())
    PCT.objects.bulk_create(
        PCTFactory.build(code=synthetic_code(i), name=f"Synthetic {i}", sha=shas[i % 10])
        for i in range(100)
    )
    cycle = publishing_cycle()
    give_everyone_results(cycle)
    publication, _ = service.start_publication(cycle, dora)
    worker.compute_publication(publication.pk)  # the ranked snapshot; PDFs are not needed here
    client.force_login(dora)
    url = f"/results/{publication.pk}/"
    first = client.get(url).content.decode()
    assert "252 PCTs" in first
    assert 'href="?page=2"' in first
    second = client.get(url, {"page": 2}).content.decode()
    assert "/pcts/" in second
    rows = client.get(f"/results/{publication.pk}/league-table.csv").content.decode().splitlines()
    assert len(rows) == 253  # header + every PCT, whatever the page


def test_junk_query_strings_add_no_cache_entries(client, published):
    """Issue 13, finding 5: 20 junk queries grew Redis from 1.5 to 17 MB. The page is cached
    under its validated parameters only, so junk shares the one entry."""
    from django.core.cache import cache

    url = reverse("publications:league_table", args=[published.pk])

    def visit(i):
        junk = {
            "sha": "q36",
            "tier": f"gold{i}",
            "sort": f"drop table {i}",
            "page": [f"x{i}", str(1000 + i)][i % 2],
            f"utm_{i}": "y" * 1000,
        }
        page = client.get(url, junk)
        fragment = client.get(url, junk, headers={"HX-Request": "true"})
        assert page.status_code == fragment.status_code == 200
        return page.content, fragment.content

    first = visit(0)
    assert visit(1) == first
    keys = set(cache._cache)  # LocMemCache in tests (conftest)
    for i in range(2, 22):
        assert visit(i) == first
    assert set(cache._cache) == keys
    assert b"utm_" not in first[0]


def test_page_links_carry_only_the_validated_parameters():
    from django.template import Context, Template
    from django.test import RequestFactory

    request = RequestFactory().get("/results/1/", {"sha": "Q36", "utm": "x"})
    link = Template("{% load pagination %}{% page_url 2 %}")
    html = link.render(Context({"request": request, "page_query": QueryDict("sha=Q36")}))
    assert html == "?sha=Q36&amp;page=2"
    assert link.render(Context({"request": request, "page_query": QueryDict("")})) == "?page=2"
    assert link.render(Context({"request": request})) == "?sha=Q36&amp;utm=x&amp;page=2"
