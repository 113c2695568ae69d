"""What follows from a tier (assurance/rules/consequences.py), without a database."""

from __future__ import annotations

import pytest

from assurance.rules.consequences import (
    ALL_FREEDOMS,
    PlanKind,
    Regime,
    TierResult,
    consequences,
    what_follows,
)
from assurance.rules.tiers import Tier

GREEN = {"strategy": "green", "finance": "green", "board": "green"}


def result(tier: Tier, governance=GREEN, levels=None) -> TierResult:
    return TierResult(tier, governance, levels or {str(n): 3 for n in range(1, 11)})


def test_a_freedoms_pct_gets_all_seven_freedoms_and_an_annual_review():
    c = consequences(result(Tier.FREEDOMS))
    assert c.freedoms == ALL_FREEDOMS
    assert len(c.freedoms) == 7
    assert c.regime is Regime.ANNUAL
    assert not c.on_notice and not c.support_package
    assert c.plans == ()


def test_support_is_quarterly_and_on_notice_monthly():
    assert consequences(result(Tier.SUPPORT)).regime is Regime.QUARTERLY
    assert consequences(result(Tier.NOTICE)).regime is Regime.MONTHLY
    assert consequences(result(Tier.SUPPORT)).freedoms == ()
    assert consequences(result(Tier.SUPPORT)).support_package
    assert consequences(result(Tier.NOTICE)).on_notice


def test_a_support_pct_needs_a_development_plan_for_each_competency_below_three():
    levels = {"1": 3, "5": 2, "6": 1, "10": 4, "2": 2}
    plans = consequences(result(Tier.SUPPORT, levels=levels)).plans
    assert [(p.kind, p.subject) for p in plans] == [
        (PlanKind.DEVELOPMENT, "competency:2"),
        (PlanKind.DEVELOPMENT, "competency:5"),
        (PlanKind.DEVELOPMENT, "competency:6"),
    ]


def test_each_amber_or_red_governance_area_needs_a_recovery_plan():
    governance = {"strategy": "amber", "finance": "red", "board": "green"}
    plans = consequences(result(Tier.SUPPORT, governance=governance)).plans
    assert [p.subject for p in plans] == ["governance:strategy", "governance:finance"]
    assert all(p.kind is PlanKind.RECOVERY for p in plans)
    assert "finance governance (red)" in plans[1].title


def test_on_notice_needs_a_recovery_plan_and_no_development_plans():
    levels = {"1": 1, "2": 2}
    plans = consequences(result(Tier.NOTICE, governance=GREEN, levels=levels)).plans
    assert [p.subject for p in plans] == ["notice"]


# --- What follows, in words: promised plans are the plans required (issue 12) ----------


def test_a_support_pct_with_no_competency_below_three_is_told_no_development_plan_is_required():
    lines = what_follows(Tier.SUPPORT, governance=GREEN, levels={n: 3 for n in range(1, 11)})
    assert (
        "Support package: no competency is below level 3, so no development plan is required."
        in lines
    )
    assert not any("a development plan" in line for line in lines)


def test_a_support_pct_is_promised_a_development_plan_only_for_competencies_below_three():
    levels = {1: 3, 2: 2, 5: 1, 10: 4}
    lines = what_follows(Tier.SUPPORT, governance=GREEN, levels=levels)
    assert (
        "Support package: a development plan agreed with the SHA for competencies 2 and 5 "
        "(below level 3)." in lines
    )
    required = consequences(result(Tier.SUPPORT, levels={str(k): v for k, v in levels.items()}))
    assert [p.subject for p in required.plans] == ["competency:2", "competency:5"]


def test_one_competency_below_three_is_named_in_the_singular():
    lines = what_follows(Tier.SUPPORT, governance=GREEN, levels={1: 3, 6: 2})
    assert "for competency 6 (below level 3)." in " ".join(lines)


def test_on_notice_promises_the_recovery_plan_and_no_development_plan():
    lines = what_follows(Tier.NOTICE, governance=GREEN, levels={1: 1, 2: 2})
    assert any(line.startswith("On notice") and "recovery plan" in line for line in lines)
    assert not any("development plan" in line for line in lines)


def test_each_governance_concern_is_promised_its_recovery_plan():
    governance = {"strategy": "amber", "finance": "red", "board": "green"}
    lines = what_follows(Tier.SUPPORT, governance=governance, levels={1: 3})
    assert (
        "Governance (strategy amber, finance red): a recovery plan for each, agreed with the "
        "SHA, which performance-manages its delivery." in lines
    )


def test_a_freedoms_pct_is_promised_no_plan():
    lines = what_follows(Tier.FREEDOMS, governance=GREEN, levels={1: 4, 2: 4, 3: 3})
    assert not any("plan" in line for line in lines)
    assert lines[0] == "Performance management: annual review by the SHA."


@pytest.mark.parametrize("tier", list(Tier))
@pytest.mark.parametrize(
    "levels", [{1: 3, 2: 3}, {1: 2, 2: 3}, {1: 1, 2: 4}, {1: 4, 2: 4}], ids=str
)
@pytest.mark.parametrize(
    "governance",
    [GREEN, {"strategy": "amber", "finance": "green", "board": "red"}],
    ids=["green", "concerns"],
)
def test_every_plan_promised_is_a_plan_required_and_the_other_way_round(tier, levels, governance):
    lines = " ".join(what_follows(tier, governance=governance, levels=levels))
    plans = consequences(
        result(tier, governance=governance, levels={str(k): v for k, v in levels.items()})
    ).plans
    assert ("development plan agreed" in lines) == any(
        p.kind is PlanKind.DEVELOPMENT for p in plans
    )
    assert ("recovery plan" in lines) == any(p.kind is PlanKind.RECOVERY for p in plans)
