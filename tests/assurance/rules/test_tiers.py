"""The ranking and tier rules (domain brief §4), without a database."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assurance.rules.tiers import (
    PCTResult,
    RuleSettings,
    Tier,
    compute_tiers,
    freedoms_shortfalls,
    most_improved,
    notice_risks,
    overall_mark,
    rank_results,
    regional_ranks,
)

RULES = RuleSettings()
GREEN = {"strategy": "green", "finance": "green", "board": "green"}


def result(
    key: str,
    levels: list[int] | None = None,
    governance: dict[str, str] | None = None,
    outcome: str | None = "0.750",
) -> PCTResult:
    levels = levels if levels is not None else [3] * 9 + [4, 4]
    return PCTResult(
        key=key,
        competency_levels={n: level for n, level in enumerate(levels, start=1)},
        governance=governance or dict(GREEN),
        outcome_score=Decimal(outcome) if outcome is not None else None,
    )


def by_key(tiered):
    return {t.key: t for t in tiered}


# --- examples, one per rule -------------------------------------------------------------


def test_it_ranks_by_governance_before_competencies():
    strong_competencies = result("A", [4] * 11, {**GREEN, "board": "amber"})
    green = result("B", [2] * 11)
    ranks = rank_results([strong_competencies, green])
    assert ranks == {"B": 1, "A": 2}


def test_it_breaks_ties_on_competencies_then_outcome_score():
    ranks = rank_results(
        [
            result("A", [3] * 11, outcome="0.250"),
            result("B", [3] * 11, outcome="0.750"),
            result("C", [3] * 10 + [4], outcome="0.000"),
        ]
    )
    assert ranks == {"C": 1, "B": 2, "A": 3}


def test_equal_results_share_a_rank_and_the_next_rank_skips():
    ranks = rank_results(
        [result("A", [4] * 11), result("B", [3] * 11), result("C", [3] * 11), result("D", [2] * 11)]
    )
    assert ranks == {"A": 1, "B": 2, "C": 2, "D": 4}


def test_the_mark_weights_governance_and_competencies_equally():
    assert overall_mark(result("A", [4] * 11), 11) == Decimal("100.00")
    half = result("B", [2] * 11, {"strategy": "amber", "finance": "amber", "board": "amber"})
    assert overall_mark(half, 11) == Decimal("50.00")
    assert overall_mark(result("C", [1] * 10, {**GREEN, "finance": "red"}), 10) == Decimal("45.83")


def test_competency_points_use_criteria_scores_where_the_framework_has_them():
    plain = result("A", [3] * 11)
    with_criteria = replace(plain, competency_scores={1: Decimal("3.67")})
    assert with_criteria.competency_points == Decimal("33.67")
    ranks = rank_results([plain, replace(with_criteria, key="B")])
    assert ranks == {"B": 1, "A": 2}


def test_freedoms_need_all_green_level_three_everywhere_two_fours_and_improved_outcomes():
    tiered = by_key(
        compute_tiers(
            [
                result("OK", [3] * 9 + [4, 4]),
                result("AMBER", [3] * 9 + [4, 4], {**GREEN, "finance": "amber"}),
                result("TWO", [2] + [3] * 8 + [4, 4]),
                result("ONEFOUR", [3] * 10 + [4]),
                result("OUTCOMES", [3] * 9 + [4, 4], outcome="0.499"),
                result("NONE", [3] * 9 + [4, 4], outcome=None),
            ],
            RULES,
        )
    )
    assert tiered["OK"].tier == Tier.FREEDOMS
    assert [k for k, t in tiered.items() if t.tier == Tier.FREEDOMS] == ["OK"]
    assert "finance amber: not eligible for freedoms" in tiered["AMBER"].reasons
    assert any("competency 1 at level 2" in r for r in tiered["TWO"].reasons)
    assert any("1 competency at level 4, 2 needed" in r for r in tiered["ONEFOUR"].reasons)
    assert any("outcome score 0.499 below 0.500" in r for r in tiered["OUTCOMES"].reasons)
    assert any("no outcomes chosen" in r for r in tiered["NONE"].reasons)


def test_the_outcome_threshold_and_level_four_count_come_from_the_settings():
    pct = result("A", [3] * 10 + [4], outcome="0.400")
    assert compute_tiers([pct], RULES)[0].tier == Tier.SUPPORT
    lenient = RuleSettings(min_level_four=1, outcome_threshold=Decimal("0.4"))
    assert compute_tiers([pct], lenient)[0].tier == Tier.FREEDOMS


def test_any_red_area_or_level_one_puts_a_pct_at_risk_of_notice():
    tiered = by_key(
        compute_tiers(
            [
                result("RED", [3] * 11, {**GREEN, "strategy": "red"}),
                result("ONE", [1] + [3] * 10),
                result("AMBER", [2] * 11, {**GREEN, "board": "amber"}),
            ],
            RULES,
        )
    )
    assert tiered["RED"].tier == Tier.NOTICE
    assert "strategy red: at risk of notice" in tiered["RED"].reasons
    assert tiered["ONE"].tier == Tier.NOTICE
    assert "competency 1 at level 1: at risk of notice" in tiered["ONE"].reasons
    assert tiered["AMBER"].tier == Tier.SUPPORT


def test_the_best_ranked_eligible_pcts_get_freedoms_up_to_the_cap():
    pcts = [result(f"P{i:02d}", [3] * 9 + [4, 4], outcome=f"0.{50 + i}") for i in range(20)]
    tiered = by_key(compute_tiers(pcts, RULES))
    freedoms = sorted(k for k, t in tiered.items() if t.tier == Tier.FREEDOMS)
    assert freedoms == [f"P{i:02d}" for i in range(5, 20)]
    assert any("cap of 15 was reached" in r for r in tiered["P04"].reasons)


def test_a_tied_group_straddling_the_freedoms_cap_is_left_out_whole():
    leaders = [result(f"A{i}", [4] * 11) for i in range(13)]
    tied = [result(f"T{i}", [3] * 9 + [4, 4]) for i in range(3)]
    tiered = by_key(compute_tiers(leaders + tied, RULES))
    assert sum(t.tier == Tier.FREEDOMS for t in tiered.values()) == 13
    for i in range(3):
        assert tiered[f"T{i}"].tier == Tier.SUPPORT
        assert any("tied group would exceed the cap of 15" in r for r in tiered[f"T{i}"].reasons)


def test_the_worst_ranked_at_risk_pcts_go_on_notice_up_to_the_cap():
    reds = [result(f"R{i}", [1 + i % 3] * 11, {**GREEN, "board": "red"}) for i in range(9)]
    tiered = by_key(compute_tiers(reds, RuleSettings(notice_cap=3)))
    on_notice = {k for k, t in tiered.items() if t.tier == Tier.NOTICE}
    # Levels 1 (R0, R3, R6) rank worst: exactly the cap.
    assert on_notice == {"R0", "R3", "R6"}
    assert any("not put on notice" in r for r in tiered["R1"].reasons)


def test_a_tied_group_straddling_the_notice_cap_is_left_out_whole():
    worst = [result("W", [1] * 11, {**GREEN, "board": "red"})]
    tied = [result(f"T{i}", [2] * 11, {**GREEN, "board": "red"}) for i in range(3)]
    tiered = by_key(compute_tiers(worst + tied, RuleSettings(notice_cap=2)))
    assert tiered["W"].tier == Tier.NOTICE
    assert all(tiered[f"T{i}"].tier == Tier.SUPPORT for i in range(3))
    assert any("left out" in r for r in tiered["T0"].reasons)


def test_the_top_fifth_are_elite_candidates():
    pcts = [result(f"P{i:03d}", [1 + i % 4] * 11, outcome=f"0.{i:03d}") for i in range(152)]
    tiered = compute_tiers(pcts, RULES)
    elite = [t for t in tiered if t.elite_candidate]
    assert max(t.rank for t in elite) <= 30
    assert all(t.rank > 30 for t in tiered if not t.elite_candidate)
    assert any("elite candidate" in r for r in elite[0].reasons)


def test_it_rejects_a_missing_governance_rating_and_a_level_above_four():
    with pytest.raises(ValueError, match="finance"):
        result("A", governance={"strategy": "green", "board": "green"})
    with pytest.raises(ValueError, match="outside"):
        result("A", [5] * 11)


def test_most_improved_orders_by_places_then_mark():
    rows = most_improved(
        [
            ("A", 1, Decimal("80")),
            ("B", 2, Decimal("70")),
            ("C", 3, Decimal("60")),
            ("N", 4, Decimal("1")),
        ],
        {"A": (1, Decimal("75")), "B": (5, Decimal("60")), "C": (6, Decimal("40"))},
    )
    assert [(r.key, r.places, r.mark_change) for r in rows] == [
        ("C", 3, Decimal("20")),
        ("B", 3, Decimal("10")),
        ("A", 0, Decimal("5")),
    ]


# --- properties ----------------------------------------------------------------------------

RAG = st.sampled_from(["red", "amber", "green"])


@st.composite
def pct_results(draw, key: str):
    levels = draw(st.lists(st.integers(1, 4), min_size=10, max_size=10))
    governance = {"strategy": draw(RAG), "finance": draw(RAG), "board": draw(RAG)}
    outcome = draw(st.none() | st.integers(0, 8).map(lambda n: Decimal(n) / 8))
    return PCTResult(
        key=key,
        competency_levels={n: level for n, level in enumerate(levels, start=1)},
        governance=governance,
        outcome_score=outcome,
    )


@st.composite
def cohorts(draw):
    n = draw(st.integers(1, 40))
    # Few distinct results make ties (and cap straddles) common.
    pool = draw(st.lists(pct_results(key="x"), min_size=1, max_size=6))
    return [
        replace(draw(st.sampled_from(pool) | pct_results(key="x")), key=f"P{i}") for i in range(n)
    ]


RULE_SETTINGS = st.builds(
    RuleSettings,
    freedoms_cap=st.integers(0, 10),
    notice_cap=st.integers(0, 10),
    min_level_four=st.integers(0, 3),
    outcome_threshold=st.sampled_from([Decimal("0.25"), Decimal("0.5"), Decimal("0.75")]),
)


@given(cohorts(), RULE_SETTINGS)
@settings(max_examples=200, deadline=None)
def test_caps_are_never_exceeded_and_each_pct_is_in_exactly_one_tier(pcts, rules):
    tiered = compute_tiers(pcts, rules)
    assert sorted(t.key for t in tiered) == sorted(p.key for p in pcts)
    assert all(t.tier in (Tier.FREEDOMS, Tier.SUPPORT, Tier.NOTICE) for t in tiered)
    assert sum(t.tier == Tier.FREEDOMS for t in tiered) <= rules.freedoms_cap
    assert sum(t.tier == Tier.NOTICE for t in tiered) <= rules.notice_cap


@given(cohorts(), RULE_SETTINGS)
@settings(max_examples=200, deadline=None)
def test_freedoms_only_for_eligible_and_notice_only_for_at_risk(pcts, rules):
    by = {p.key: p for p in pcts}
    for t in compute_tiers(pcts, rules):
        pct = by[t.key]
        if t.tier == Tier.FREEDOMS:
            assert all(pct.governance[a] == "green" for a in ("strategy", "finance", "board"))
            assert min(pct.competency_levels.values()) >= 3
            assert list(pct.competency_levels.values()).count(4) >= rules.min_level_four
            assert pct.outcome_score is not None and pct.outcome_score >= rules.outcome_threshold
        if t.tier == Tier.NOTICE:
            assert "red" in pct.governance.values() or 1 in pct.competency_levels.values()
        assert t.reasons


@given(cohorts(), RULE_SETTINGS)
@settings(max_examples=200, deadline=None)
def test_tied_groups_are_never_split_across_a_tier(pcts, rules):
    tiered = compute_tiers(pcts, rules)
    for tier in (Tier.FREEDOMS, Tier.NOTICE):
        ranks_in = {t.rank for t in tiered if t.tier == tier}
        candidates = [
            t
            for t in tiered
            if t.rank in ranks_in
            and (t.eligible_for_freedoms if tier == Tier.FREEDOMS else t.at_risk)
        ]
        assert all(t.tier == tier for t in candidates)


@given(cohorts(), st.data())
@settings(max_examples=200, deadline=None)
def test_raising_one_pcts_scores_never_lowers_its_rank(pcts, data):
    target = data.draw(st.sampled_from(pcts))
    levels = dict(target.competency_levels)
    governance = dict(target.governance)
    number = data.draw(st.sampled_from(sorted(levels)))
    levels[number] = min(4, levels[number] + data.draw(st.integers(0, 3)))
    area = data.draw(st.sampled_from(["strategy", "finance", "board"]))
    governance[area] = {
        "red": data.draw(st.sampled_from(["red", "amber", "green"])),
        "amber": data.draw(st.sampled_from(["amber", "green"])),
        "green": "green",
    }[governance[area]]
    outcome = target.outcome_score
    if data.draw(st.booleans()):
        outcome = max(outcome or Decimal(0), Decimal(data.draw(st.integers(0, 8))) / 8)
    raised = replace(target, competency_levels=levels, governance=governance, outcome_score=outcome)
    before = rank_results(pcts)[target.key]
    after = rank_results([raised if p.key == target.key else p for p in pcts])[target.key]
    assert after <= before


@given(cohorts())
@settings(max_examples=200, deadline=None)
def test_equal_results_share_a_rank(pcts):
    ranks = rank_results(pcts)
    for a in pcts:
        for b in pcts:
            if a.ranking_key == b.ranking_key:
                assert ranks[a.key] == ranks[b.key]
            elif a.ranking_key > b.ranking_key:
                assert ranks[a.key] < ranks[b.key]
    ordered = sorted(ranks.values())
    # Standard competition ranking: the k-th PCT (1-based) in order has rank ≤ k, and a new
    # rank equals its position.
    for position, rank in enumerate(ordered, start=1):
        assert rank <= position
        assert ordered.count(rank) + rank - 1 >= position


def test_the_regional_rank_ranks_within_each_sha():
    a1 = result("A1")
    a2 = result("A2", governance={**GREEN, "board": "amber"})
    b1 = result("B1", governance={"strategy": "amber", "finance": "amber", "board": "amber"})
    region = {"A1": "Q31", "A2": "Q31", "B1": "Q32"}
    assert regional_ranks([a1, a2, b1], region) == {"A1": 1, "A2": 2, "B1": 1}


@given(cohorts(), st.data())
@settings(max_examples=60, deadline=None)
def test_a_regional_rank_is_the_national_rank_in_a_table_of_its_sha_alone(pcts, data):
    shas = ["Q30", "Q31", "Q32"]
    region = {p.key: data.draw(st.sampled_from(shas)) for p in pcts}
    regional = regional_ranks(pcts, region)
    national = rank_results(pcts)
    for sha in shas:
        alone = [p for p in pcts if region[p.key] == sha]
        assert {p.key: regional[p.key] for p in alone} == rank_results(alone)
    # Never worse regionally than nationally, and all PCTs ranked.
    assert set(regional) == set(national)
    assert all(regional[k] <= national[k] for k in national)


def test_the_reasons_say_each_thing_once_grouped_by_level():
    pct = result("G", levels=[1, 2, 2, 3, 2, 1, 3, 3, 3, 3, 3])
    reasons = freedoms_shortfalls(pct, RULES) + notice_risks(pct)
    assert (
        "competencies 1 and 6 at level 1, competencies 2, 3 and 5 at level 2: "
        "not eligible for freedoms (every competency needs level 3)"
    ) in reasons
    assert "competencies 1 and 6 at level 1: at risk of notice" in reasons
    assert sum("not eligible for freedoms (every competency" in r for r in reasons) == 1


def test_the_reasons_promise_no_plan_the_tier_does_not_bring():
    # Support because of one amber area, every competency at 3 or above: the reasons say
    # why (not eligible, support package) and promise no development plan (issue 12;
    # what follows, plans included, is consequences.what_follows).
    amber = result("AMBER", [3] * 11, {**GREEN, "finance": "amber"})
    (tiered,) = compute_tiers([amber], RULES)
    assert tiered.tier is Tier.SUPPORT
    assert tiered.reasons[-1] == "support package"
    assert not any("plan" in reason for reason in tiered.reasons)
