"""The public finds results (issue 14): the home page links the latest league table and says
what the tiers mean; a PCT's registry page lists its published results with report links."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.freedoms.factories import publish

pytestmark = pytest.mark.django_db


def test_the_home_page_links_the_latest_league_table_and_explains_the_tiers(
    client, camden, islington
):
    publication = publish({camden: "support", islington: "notice"})
    body = client.get(reverse("home")).content.decode()
    assert reverse("publications:league_table", args=[publication.pk]) in body
    assert "On notice" in body and "Freedoms" in body and "Support" in body


def test_the_home_page_has_no_results_link_before_anything_is_published(client, reference_data):
    assert 'data-testid="latest-results"' not in client.get(reverse("home")).content.decode()


def test_a_pcts_registry_page_links_its_published_results_and_report_pdf(client, camden, islington):
    publication = publish({camden: "support", islington: "notice"})
    body = client.get(reverse("registry:pct_detail", args=[camden.code])).content.decode()
    assert reverse("publications:pct_report", args=[publication.pk, camden.code]) in body
    assert reverse("publications:pct_report_pdf", args=[publication.pk, camden.code]) in body


def test_unpublished_work_is_not_listed_on_the_registry_page(client, camden):
    body = client.get(reverse("registry:pct_detail", args=[camden.code])).content.decode()
    assert "No results have been published" in body


def test_find_my_pct_goes_to_its_report(client, camden, islington):
    publication = publish({camden: "support", islington: "notice"})
    table = client.get(reverse("publications:league_table", args=[publication.pk]))
    assert f'<option value="{camden.code}">Camden</option>' in table.content.decode()
    response = client.get(reverse("publications:find", args=[publication.pk]), {"code": "5k7"})
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "publications:pct_report", args=[publication.pk, camden.code]
    )
    missing = client.get(reverse("publications:find", args=[publication.pk]), {"code": "ZZZ"})
    assert missing.status_code == 404


def test_the_table_scrolls_in_its_own_box_and_the_sort_belongs_to_the_filter_form(
    client, camden, islington
):
    publication = publish({camden: "support", islington: "notice"})
    url = reverse("publications:league_table", args=[publication.pk])
    body = client.get(url, {"sort": "mark"}).content.decode()
    assert 'class="wcc-table-scroll"' in body
    # The sort is swapped in with the table and submitted with the filters.
    assert '<input type="hidden" name="sort" value="mark" form="league-filters">' in body
    partial = client.get(url, {"sort": "pct"}, headers={"HX-Request": "true"}).content.decode()
    assert 'value="pct" form="league-filters"' in partial
