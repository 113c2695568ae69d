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
