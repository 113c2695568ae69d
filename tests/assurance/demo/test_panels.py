"""The panels demo step: year-1 shape, deterministic and safe to run twice."""

from __future__ import annotations

import io
import random
from collections import Counter

import pytest
from django.db.models import F

from assurance import models as m
from assurance.demo.panels import create_demo_panels
from assurance.demo.people import create_demo_users

pytestmark = pytest.mark.django_db


def run_demo():
    out = io.StringIO()
    create_demo_users(random.Random("1:people"), out)
    create_demo_panels(random.Random("1:panels"), out)
    return out.getvalue()


def test_year_one_is_scored_agreed_and_calibrated_in_its_shape(reference_data):
    run_demo()
    year_one = m.Cycle.objects.get(year_label="2008/09")
    consensus = m.Consensus.objects.filter(self_assessment__cycle=year_one)
    for area, expected in {
        "board": (71, 78, 3),
        "finance": (61, 78, 13),
        "strategy": (45, 90, 17),
    }.items():
        counts = Counter(consensus.filter(governance_area=area).values_list("rating", flat=True))
        assert (counts["green"], counts["amber"], counts["red"]) == expected
    levels = Counter(consensus.filter(competency__isnull=False).values_list("level", flat=True))
    assert levels[4] == 0 and levels[1] + levels[2] > 2 * levels[3]
    assert (
        m.PanelResult.objects.filter(
            self_assessment__cycle=year_one, locked_at__isnull=False
        ).count()
        == 152
    )
    assert m.Moderation.objects.filter(consensus__self_assessment__cycle=year_one).exists()
    year_two = m.Cycle.objects.get(year_label="2009/10")
    assert m.PanelSlot.objects.filter(panel_day__cycle=year_two).exists()
    assert not m.PanelSlot.objects.filter(panel_day__cycle=year_two, pct__code="5K7").exists()


def test_every_item_row_carries_its_self_assessments_cycle(reference_data):
    # The demo writes with bulk_create, which skips save(): the writer sets the cycle.
    run_demo()
    for model in (m.Consensus, m.CompetencyRating, m.GovernanceDeclaration):
        rows = model.objects.all()
        assert rows.exists()
        assert not rows.exclude(cycle=F("self_assessment__cycle")).exists()


def test_running_it_twice_changes_nothing(reference_data):
    run_demo()
    before = (
        m.PanelDay.objects.count(),
        m.PanelScore.objects.count(),
        m.Consensus.objects.count(),
        m.Moderation.objects.count(),
    )
    assert "0 panel days, 0 PCTs scored, 0 moderations" in run_demo()
    after = (
        m.PanelDay.objects.count(),
        m.PanelScore.objects.count(),
        m.Consensus.objects.count(),
        m.Moderation.objects.count(),
    )
    assert before == after


def test_after_the_earlier_demo_steps_the_year_one_shape_holds(reference_data):
    from assurance import demo
    from assurance.queries.panels import competency_calibration

    out = io.StringIO()
    for name, step in demo.STEPS:
        step(random.Random(f"3:{name}"), out)
        if name == "panels":
            break
    year_one = m.Cycle.objects.get(year_label="2008/09")
    means = {
        c.number: competency_calibration(year_one, c).national
        for c in m.Competency.objects.filter(framework=year_one.framework)
    }
    assert all(row.counts[3] == 0 for row in means.values())  # no level 4 in year 1
    assert max(means, key=lambda n: means[n].mean) == 2  # competency 2 strongest
    assert min(means, key=lambda n: means[n].mean) == 7  # competency 7 weakest
    widest = sorted(means, key=lambda n: means[n].gap, reverse=True)[:2]
    assert set(widest) == {5, 6}  # panels furthest below the self-assessments on 5 and 6
