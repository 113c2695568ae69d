"""A PCT's years on one screen (issue 16, part 5): every published cycle on its registry page,
with rank and mark charted, in a query count that does not grow with the cycles."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from assurance import models as m
from assurance.queries import insight
from tests.factories import CycleFactory
from tests.freedoms.factories import publish

pytestmark = pytest.mark.django_db

YEARS = ["2008/09", "2009/10", "2010/11", "2011/12"]


def publish_years(camden, islington, durham, count: int) -> list[m.Publication]:
    publications = []
    for i, year in enumerate(YEARS[:count]):
        cycle = m.Cycle.objects.filter(year_label=year).first() or CycleFactory(
            year_label=year, open_phase=m.PhaseKind.PUBLICATION
        )
        # Camden climbs: third, then second, then first.
        order = [islington, durham, camden] if i == 0 else [islington, camden, durham]
        if i >= 2:
            order = [camden, islington, durham]
        publication = publish(dict.fromkeys(order, "support"), cycle=cycle)
        m.PublishedResult.objects.filter(publication=publication, pct=camden).update(
            mark=Decimal(40 + 10 * i), regional_rank=1 if i >= 2 else 2
        )
        publications.append(publication)
    return publications


def test_every_published_year_with_ranks_of_how_many_and_report_links(
    client, camden, islington, durham
):
    publications = publish_years(camden, islington, durham, 3)
    # Work in progress is not a year of the PCT's record.
    publish({camden: "support"}, cycle=CycleFactory(year_label="2011/12", open_phase=5))
    m.Publication.objects.filter(cycle__year_label="2011/12").update(
        status=m.PublicationStatus.COMPUTING
    )
    body = client.get(reverse("registry:pct_detail", args=[camden.code])).content.decode()
    table = body.split('data-testid="published-results"')[1].split("</table>")[0]
    years = re.findall(r'data-testid="year-([\d-]+)"', table)
    assert years == ["2010-11", "2009-10", "2008-09"]  # newest first; 2011/12 unpublished
    oldest = table.split('data-testid="year-2008-09"')[1].split("</tr>")[0]
    assert re.search(r">3 <span[^>]*>of 3</span>", oldest)
    assert ">40.00<" in oldest
    # London has Camden and Islington; Durham is North East's.
    assert re.search(r">2 <span[^>]*>of 2</span>", oldest)
    for publication in publications:
        assert reverse("publications:pct_report", args=[publication.pk, camden.code]) in table
        assert reverse("publications:pct_report_pdf", args=[publication.pk, camden.code]) in table
    # Each competency's level, and the governance ratings, in words.
    assert "Strategy: green" in oldest or "Strategy: amber" in oldest
    assert len(re.findall(r'scope="col"><abbr title="Competency', table)) == 11


def test_the_charts_draw_rank_and_mark_over_the_years(client, camden, islington, durham):
    publish_years(camden, islington, durham, 3)
    body = client.get(reverse("registry:pct_detail", args=[camden.code])).content.decode()
    rank = body.split('data-testid="chart-years-rank"')[1].split("</svg>")[0]
    assert "<title id=" in rank and "2008/09: 3; 2009/10: 2; 2010/11: 1." in rank
    mark = body.split('data-testid="chart-years-mark"')[1].split("</svg>")[0]
    assert "2008/09: 40.00; 2009/10: 50.00; 2010/11: 60.00." in mark
    assert "<polyline" in rank and "<polyline" in mark


def test_the_years_read_in_two_queries_however_many_cycles(
    camden, islington, durham, django_assert_num_queries
):
    publish_years(camden, islington, durham, 1)
    with django_assert_num_queries(2):
        one = insight.pct_years(camden.pk)
    m.Publication.objects.all().delete()
    publish_years(camden, islington, durham, 4)
    with django_assert_num_queries(2):
        four = insight.pct_years(camden.pk)
    assert len(one.years) == 1 and len(four.years) == 4
    assert [y.result.rank for y in four.years] == [1, 1, 2, 3]
    assert four.years[0].ranked == 3 and four.years[0].ranked_in_sha == 2


def test_the_page_query_count_does_not_grow_with_cycles(client, camden, islington, durham):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("registry:pct_detail", args=[camden.code])).status_code == 200
        return len(ctx)

    publish_years(camden, islington, durham, 1)
    one = count()
    m.Publication.objects.all().delete()
    publish_years(camden, islington, durham, 4)
    assert count() == one


def test_a_pct_never_published_says_so(client, camden):
    body = client.get(reverse("registry:pct_detail", args=[camden.code])).content.decode()
    assert "No results have been published for Camden yet." in body
    assert "chart-years-rank" not in body
