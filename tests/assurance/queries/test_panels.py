"""Calibration is set-based: the same number of queries for 152 PCTs as for 1,520."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assurance import models as m
from tests.assurance.panel_factories import bulk_assess, panel_cycle
from tests.factories import synthetic_code

pytestmark = pytest.mark.django_db


def pages(cycle):
    competency = m.Competency.objects.filter(framework=cycle.framework).first()
    return [
        reverse("panels:calibration_item", args=[cycle.pk, "competency", competency.number])
        + "?sha=Q36",
        reverse("panels:calibration_item", args=[cycle.pk, "governance", "finance"]) + "?sha=Q36",
    ]


def count_queries(client, urls) -> list[int]:
    counts = []
    for url in urls:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200
        counts.append(len(ctx.captured_queries))
    return counts


def test_calibration_query_count_is_the_same_for_152_and_1520_pcts(client, reference_data, dora):
    cycle = panel_cycle(open_phase=4)
    bulk_assess(cycle, list(m.PCT.objects.all()))
    client.force_login(dora)
    small = count_queries(client, pages(cycle))
    html = client.get(pages(cycle)[0]).content.decode()
    assert "England" in html

    shas = list(m.SHA.objects.order_by("code"))
    extra = m.PCT.objects.bulk_create(
        m.PCT(code=synthetic_code(i), name=f"Synthetic {i}", sha=shas[i % 10]) for i in range(1368)
    )
    bulk_assess(cycle, extra, seed=2)
    assert m.SelfAssessment.objects.filter(cycle=cycle).count() == 1520
    large = count_queries(client, pages(cycle))
    assert small == large
    assert max(large) <= 15


def test_the_pcts_under_a_chart_are_paged_with_the_same_queries(
    client, reference_data, dora, monkeypatch
):
    cycle = panel_cycle(open_phase=4)
    bulk_assess(cycle, list(m.PCT.objects.all()))
    client.force_login(dora)
    monkeypatch.setattr("assurance.views.panels.PCT_ROWS_PER_PAGE", 5)
    url = pages(cycle)[0]
    first, second = count_queries(client, [url, url + "&page=2"])
    assert first == second
    response = client.get(url + "&page=2")
    london = m.PCT.objects.filter(sha__code="Q36").order_by("name")
    names = [c.self_assessment.pct.name for c in response.context["pct_rows"]]
    assert names == [p.name for p in london[5:10]]
    assert 'aria-label="Pagination"' in response.content.decode()


def test_calibration_counts_only_its_own_cycles_scores(reference_data, camden, islington):
    from assurance.queries.panels import competency_calibration, governance_calibration

    earlier = panel_cycle(open_phase=4, year_label="2008/09")
    cycle = panel_cycle(open_phase=4)
    bulk_assess(earlier, list(m.PCT.objects.all()))
    bulk_assess(cycle, [camden, islington], seed=3)
    competency = m.Competency.objects.get(framework=cycle.framework, number=1)
    assert sum(competency_calibration(cycle, competency).national.counts) == 2
    assert sum(governance_calibration(cycle, "board").national.counts) == 2
    earlier_competency = m.Competency.objects.get(framework=earlier.framework, number=1)
    assert sum(competency_calibration(earlier, earlier_competency).national.counts) == 152


def test_calibration_uses_moderated_values_else_consensus(
    reference_data, camden, islington, durham
):
    from decimal import Decimal

    from assurance.queries.panels import competency_calibration, governance_calibration

    cycle = panel_cycle(open_phase=4)
    bulk_assess(cycle, [camden, islington, durham])
    competency = m.Competency.objects.filter(framework=cycle.framework).first()
    m.Consensus.objects.filter(competency=competency).update(level=2)
    m.Consensus.objects.filter(competency=competency, self_assessment__pct=camden).update(
        moderated_level=4
    )
    m.CompetencyRating.objects.filter(competency=competency).update(level=3)
    data = competency_calibration(cycle, competency)
    assert data.national.counts == (0, 2, 0, 1)
    london = next(r for r in data.shas if r.code == "Q36")
    north_east = next(r for r in data.shas if r.code == "Q30")
    assert london.counts == (0, 1, 0, 1) and london.mean == Decimal("3.00")
    assert london.self_mean == Decimal("3.00") and london.gap == Decimal("0.00")
    assert north_east.mean == Decimal("2.00") and north_east.gap == Decimal("1.00")
    assert data.national.mean == Decimal("2.67")
    assert not london.flagged and north_east.flagged

    m.Consensus.objects.filter(governance_area="board").update(rating="amber", moderated_rating="")
    m.Consensus.objects.filter(governance_area="board", self_assessment__pct=durham).update(
        moderated_rating="red"
    )
    board = governance_calibration(cycle, "board")
    assert board.national.counts == (1, 2, 0)  # red, amber, green
    assert next(r for r in board.shas if r.code == "Q36").self_mean == Decimal("2.00")


def test_a_competency_with_criteria_calibrates_on_the_floor_of_their_mean(reference_data, camden):
    from assurance.queries.panels import competency_calibration
    from tests.factories import CompetencyFactory, FrameworkFactory

    framework = FrameworkFactory()
    competency = CompetencyFactory(framework=framework, number=1)
    criteria = [
        m.Criterion.objects.create(competency=competency, number=f"1.{i}", position=i, text="c")
        for i in (1, 2, 3)
    ]
    cycle = panel_cycle(4, year_label="2011/12")
    cycle.framework = framework
    cycle.save()
    sa = m.SelfAssessment.objects.create(cycle=cycle, pct=camden, status="submitted")
    for criterion, level in zip(criteria, (3, 3, 2), strict=True):  # mean 2.67 → level 2 (§2.1)
        m.Consensus.objects.create(
            self_assessment=sa,
            competency=competency,
            criterion=criterion,
            level=level,
            rationale="r",
        )
    data = competency_calibration(cycle, competency)
    assert data.national.counts == (0, 1, 0, 0)
