"""The year-1 builder, without a database: every seed agrees with the record (§2.1, §2.2, §7)."""

from __future__ import annotations

import csv
import dataclasses
import random
import statistics
from collections import Counter
from pathlib import Path

import pytest

from assurance.demo import record
from assurance.rules import tiers

PCTS = Path(__file__).resolve().parents[3] / "fixtures" / "registry" / "pcts.csv"
CODES = [row["ods_code"] for row in csv.DictReader(PCTS.open())]
SEEDS = range(12)


def build(seed: int) -> tuple[dict[str, dict[int, int]], dict[str, record.PanelView]]:
    own = record.year_one_self_levels(CODES, random.Random(f"{seed}:self"))
    return own, record.year_one_panel(own, random.Random(f"{seed}:panel"))


@pytest.fixture(scope="module", params=SEEDS)
def built(request):
    return build(request.param)


def test_it_is_deterministic_for_a_seed():
    assert build(7) == build(7)
    assert build(7) != build(8)  # the unnamed PCTs' places change with the seed


def test_every_seed_agrees_with_the_record(built):
    _own, panel = built
    assert record.problems(panel) == []


def test_the_named_pcts_lead_and_trail_the_ranking(built):
    _own, panel = built
    results = [
        tiers.PCTResult(
            key=code, competency_levels=v.levels, governance=v.governance, outcome_score=None
        )
        for code, v in panel.items()
    ]
    tiered = {t.key: t for t in tiers.compute_tiers(results, tiers.RuleSettings())}
    assert tiered["5PG"].rank == 1 and [t for t in tiered.values() if t.rank == 1] == [
        tiered["5PG"]
    ]
    assert {k for k, t in tiered.items() if t.rank <= 3} == {"5PG", "5C4", "5QL"}
    notice = {k for k, t in tiered.items() if t.tier is tiers.Tier.NOTICE}
    triple_red = {k for k, v in panel.items() if set(v.governance.values()) == {"red"}}
    assert len(notice) == 7 and "5PR" in triple_red and triple_red <= notice
    assert not [t for t in tiered.values() if t.tier is tiers.Tier.FREEDOMS]


def test_means_and_gaps_have_the_year_one_shape(built):
    own, panel = built
    means = {n: statistics.mean(v.levels[n] for v in panel.values()) for n in record.COMPETENCIES}
    gaps = {n: statistics.mean(own[c][n] for c in own) - means[n] for n in record.COMPETENCIES}
    assert max(means, key=means.__getitem__) == 2
    assert min(means, key=means.__getitem__) == 7
    assert min(gaps.values()) > 0
    assert set(sorted(gaps, key=gaps.__getitem__)[-2:]) == {5, 6}


def test_level_one_is_with_the_weak_and_many_have_none(built):
    _own, panel = built
    without_a_one = [v for v in panel.values() if 1 not in v.levels.values()]
    assert len(without_a_one) >= len(panel) / 4
    assert len([v for v in panel.values() if not v.at_risk]) >= len(panel) / 4
    ones = Counter(sum(lv == 1 for lv in v.levels.values()) for v in panel.values())
    assert max(ones) == 6 and ones[6] == 1  # Great Yarmouth and Waveney alone


def test_the_panel_mostly_scores_at_or_below_the_pcts_own_level(built):
    own, panel = built
    above = sum(panel[c].levels[n] > own[c][n] for c in panel for n in record.COMPETENCIES)
    assert above < 0.05 * len(panel) * len(record.COMPETENCIES)


def test_problems_name_a_broken_fact():
    _own, panel = build(1)
    gyw = panel["5PR"]
    panel["5PR"] = dataclasses.replace(gyw, governance={**gyw.governance, "finance": "amber"})
    found = record.problems(panel)
    assert any("Great Yarmouth" in p for p in found)
    assert any(p.startswith("finance") for p in found)
    assert any("triple-red" in p for p in found)


def test_it_refuses_a_registry_without_the_named_pcts():
    with pytest.raises(ValueError, match="152 PCTs"):
        record.year_one_self_levels([c for c in CODES if c != "5PG"], random.Random(1))
