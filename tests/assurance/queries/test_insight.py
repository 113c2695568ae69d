"""The insight read side: figures from the published snapshot and from live panel values,
against factories, in a fixed number of queries."""

from __future__ import annotations

from decimal import Decimal

import pytest

from assurance import models as m
from assurance.access.panels import reviewable_self_assessments
from assurance.queries import insight
from tests.assurance.panel_factories import submitted_self_assessment
from tests.assurance.publication_factories import give_results
from tests.factories import CycleFactory
from tests.freedoms.factories import PublicationFactory, result

pytestmark = pytest.mark.django_db

GREEN = {"strategy": "green", "finance": "green", "board": "green"}
MIXED = {"strategy": "red", "finance": "amber", "board": "green"}


def levels(*values: int) -> dict[str, int]:
    """Levels for competencies 1, 2, 3, … in order; the rest of the eleven at 2."""
    out = {str(n): 2 for n in range(1, 12)}
    out.update({str(n): v for n, v in enumerate(values, start=1)})
    return out


@pytest.fixture
def published(camden, islington, durham):
    cycle = CycleFactory(year_label="2009/10", open_phase=m.PhaseKind.PUBLICATION)
    publication = PublicationFactory(cycle=cycle)
    for pct, tier, own, governance, mark in (
        (camden, "freedoms", levels(4, 3), GREEN, "90.00"),
        (islington, "support", levels(2, 3), MIXED, "60.00"),
        (durham, "notice", levels(1, 1), MIXED, "31.00"),
    ):
        row = result(publication, pct, tier, competency_levels=own, governance=governance,
                     self_assessment_submitted=pct != durham)  # fmt: skip
        m.PublishedResult.objects.filter(pk=row.pk).update(mark=Decimal(mark))
    # Their own ratings: Camden and Islington submitted (level 3 and 4 everywhere); Durham's
    # draft (level 1) was never submitted, so it is not a self-assessment to count.
    submitted_self_assessment(cycle, camden, self_level=3)
    submitted_self_assessment(cycle, islington, self_level=4)
    draft = m.SelfAssessment.objects.create(
        cycle=cycle, pct=durham, status=m.SelfAssessmentStatus.NOT_SUBMITTED
    )
    m.CompetencyRating.objects.create(
        self_assessment=draft, competency=cycle.framework.competencies.get(number=1), level=1
    )
    return publication


def test_it_counts_levels_governance_and_tiers_from_the_snapshot(published):
    figures = insight.published_insight(published)
    assert figures.pcts == 3
    first, second, third = figures.competencies[:3]
    assert first.counts == {1: 1, 2: 1, 4: 1}
    assert first.level_counts == [1, 1, 0, 1]
    assert first.panel_mean == Decimal("2.33")
    assert second.counts == {1: 1, 3: 2}
    assert third.counts == {2: 3} and third.panel_mean == Decimal("2.00")
    assert figures.governance == {
        "strategy": {"red": 2, "amber": 0, "green": 1},
        "finance": {"red": 0, "amber": 2, "green": 1},
        "board": {"red": 0, "amber": 0, "green": 3},
    }
    assert figures.all_green == 1
    assert figures.tiers == {"freedoms": 1, "support": 1, "notice": 1}
    assert figures.mean_mark == Decimal("60.33")


def test_self_means_count_only_submitted_self_assessments(published):
    first = insight.published_insight(published).competencies[0]
    assert first.self_counts == {3: 1, 4: 1}
    assert first.self_n == 2 and first.panel_n == 3
    assert first.self_mean == Decimal("3.50")
    assert first.gap == Decimal("3.50") - Decimal("2.33")


def test_shas_side_by_side(published, london, north_east):
    shas = {s.code: s for s in insight.published_insight(published).shas}
    assert set(shas) == {london.code, north_east.code}
    ldn = shas[london.code]
    assert (ldn.pcts, ldn.all_green, ldn.mean_mark) == (2, 1, Decimal("75.00"))
    assert ldn.tiers == {"freedoms": 1, "support": 1, "notice": 0}
    # Camden 4+3+9×2 = 25, Islington 2+3+18 = 23 over 11 competencies: 24 / 11.
    assert ldn.mean_level == Decimal("2.18")
    assert shas[north_east.code].tier_counts == [0, 0, 1]


def test_the_snapshot_is_read_in_four_queries_however_many_pcts(
    published, django_assert_num_queries
):
    for i, pct in enumerate(m.PCT.objects.exclude(published_results__publication=published)[:40]):
        result(published, pct, "support", rank=4 + i)
        submitted_self_assessment(published.cycle, pct, self_level=2)
    published = m.Publication.objects.select_related("cycle").get(pk=published.pk)
    with django_assert_num_queries(4):
        figures = insight.published_insight(published)
    assert figures.pcts == 43
    assert figures.competencies[0].self_n == 42


def test_a_later_score_change_does_not_move_published_figures(published, camden):
    before = insight.published_insight(published)
    give_results(published.cycle, camden, [1] * 11, MIXED)  # live values move, snapshot not
    after = insight.published_insight(published)
    assert after.competencies[0].counts == before.competencies[0].counts
    assert after.governance == before.governance


# --- live figures of a cycle in progress ---------------------------------------------------


@pytest.fixture
def in_progress(camden, islington, durham):
    cycle = CycleFactory(year_label="2009/10", open_phase=m.PhaseKind.PANEL_DAYS)
    for pct, own, panel, governance in (
        (camden, 4, [3, 3], GREEN),
        (islington, 3, [2, 3], MIXED),
        (durham, 2, [1, 1], MIXED),
    ):
        submitted_self_assessment(cycle, pct, self_level=own)
        give_results(cycle, pct, panel + [2] * 9, governance)
    return m.Cycle.objects.prefetch_related("phases").get(pk=cycle.pk)


def test_dh_sees_every_pct_with_moderated_values_over_the_consensus(in_progress, dora, durham):
    # National moderation moves Durham's competency 1 from 1 to 2 and its strategy to amber.
    m.Consensus.objects.filter(
        self_assessment__pct=durham, competency__number=1, criterion__isnull=True
    ).update(moderated_level=2)
    m.Consensus.objects.filter(self_assessment__pct=durham, governance_area="strategy").update(
        moderated_rating="amber"
    )
    figures = insight.live_insight(
        in_progress, reviewable_self_assessments(dora, in_progress), "England"
    )
    assert figures.pcts == 3
    first = figures.competencies[0]
    assert first.counts == {3: 1, 2: 2}
    assert first.self_counts == {4: 1, 3: 1, 2: 1}
    assert first.self_mean == Decimal("3.00") and first.panel_mean == Decimal("2.33")
    assert figures.governance["strategy"] == {"red": 1, "amber": 1, "green": 1}
    assert figures.all_green == 1
    assert figures.tiers is None
    assert len(figures.shas) == 2


def test_sha_staff_see_only_their_own_shas_figures(in_progress, sara, london):
    figures = insight.live_insight(
        in_progress, reviewable_self_assessments(sara, in_progress), london.name
    )
    assert figures.pcts == 2  # Camden and Islington; Durham is North East's
    assert figures.competencies[0].counts == {3: 1, 2: 1}
    assert figures.governance["strategy"] == {"red": 1, "amber": 0, "green": 1}
    assert [s.code for s in figures.shas] == [london.code]
    assert figures.shas[0].mean_level == Decimal("2.14")  # (3+3+2+3 + 18×2) / 22


def test_live_figures_take_five_queries_however_many_pcts(
    in_progress, dora, django_assert_num_queries
):
    for pct in m.PCT.objects.filter(self_assessments__isnull=True)[:30]:
        submitted_self_assessment(in_progress, pct, self_level=3)
        give_results(in_progress, pct, [2] * 11, GREEN)
    scope = reviewable_self_assessments(dora, in_progress)
    with django_assert_num_queries(5):
        figures = insight.live_insight(in_progress, scope, "England")
    assert figures.pcts == 33


def test_csv_tables_carry_the_charts_figures(published):
    figures = insight.published_insight(published)
    road = insight.table(figures, "road-ahead")
    assert road[0][:3] == ["Competency", "Name", "Mean self-assessed level"]
    assert road[1][2:6] == [Decimal("3.50"), 2, Decimal("2.33"), 3]
    assert insight.table(figures, "governance")[1] == ["Strategy", 2, 0, 1]
    assert insight.table(figures, "tiers")[1:] == [
        ["Freedoms", 1],
        ["Support", 1],
        ["On notice", 1],
    ]
    assert len(insight.table(figures, "shas")[0]) == 4 + 1 + 3
    with pytest.raises(ValueError):
        insight.table(figures, "pie")


def test_a_published_versions_figures_are_cached_for_everyone(published, django_assert_num_queries):
    first = insight.cached_published_insight(published)
    with django_assert_num_queries(0):
        again = insight.cached_published_insight(published)
    assert again.governance == first.governance and again.pcts == 3
