"""What follows from a tier (assurance/rules/consequences.py), without a database."""

from __future__ import annotations

from assurance.rules.consequences import ALL_FREEDOMS, PlanKind, Regime, TierResult, consequences
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
