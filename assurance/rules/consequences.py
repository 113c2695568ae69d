"""What follows from a tier (domain brief §5): freedoms, review regime, required plans, in plain words.

Pure: plain values and frozen dataclasses in, values out; no ORM, no settings, no clock.
The one source for these rules: :mod:`assurance.rules.tiers` describes a tier with
:func:`what_follows`, and ``freedoms`` grants and tracks them (freedoms/services.py).
A newcomer asking "why does this PCT have a development plan for competency 6?" reads this."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from assurance.rules.scoring import GOVERNANCE_AREAS, GOVERNANCE_LABELS
from assurance.rules.tiers import Tier


class Regime(StrEnum):
    """Performance-management regime (§5 [rule]): how often the SHA reviews the PCT."""

    ANNUAL = "annual"
    QUARTERLY = "quarterly"
    MONTHLY = "monthly"


class FreedomCode(StrEnum):
    """The seven freedoms (§5 [fact]), in the order DH listed them."""

    LIGHTER_TOUCH = "lighter_touch"
    FRANCHISING = "franchising"
    SEAT_AT_TABLE = "seat_at_table"
    MULTI_YEAR_BUDGETS = "multi_year_budgets"
    HIGHLIGHTED = "highlighted"
    INNOVATION_FUND = "innovation_fund"
    PAY_FLEXIBILITIES = "pay_flexibilities"


ALL_FREEDOMS: tuple[FreedomCode, ...] = tuple(FreedomCode)


# §5 [rule]: freedoms tier → annual review; support → quarterly; on notice → monthly.
REGIME_BY_TIER: Mapping[Tier, Regime] = {
    Tier.FREEDOMS: Regime.ANNUAL,
    Tier.SUPPORT: Regime.QUARTERLY,
    Tier.NOTICE: Regime.MONTHLY,
}


REVIEW_INTERVAL_MONTHS: Mapping[Regime, int] = {
    Regime.ANNUAL: 12,
    Regime.QUARTERLY: 3,
    Regime.MONTHLY: 1,
}


# §5: a development plan against each support-tier competency below this level.
DEVELOPMENT_THRESHOLD = 3


# A required plan's subject keys its plan row: "notice", "governance:finance", "competency:6".
NOTICE_SUBJECT = "notice"
GOVERNANCE_SUBJECT = "governance:"


class PlanKind(StrEnum):
    RECOVERY = "recovery"
    DEVELOPMENT = "development"


@dataclass(frozen=True)
class TierResult:
    """The parts of one PCT's published result that consequences depend on."""

    tier: Tier
    governance: Mapping[str, str]
    competency_levels: Mapping[str, int]


@dataclass(frozen=True)
class RequiredPlan:
    """A plan the PCT must agree with its SHA. ``subject`` is stable: it keys the plan row."""

    kind: PlanKind
    subject: str
    title: str

    @property
    def about(self) -> str:
        """The governance area or competency number the plan is for ("" for a notice)."""
        return self.subject.partition(":")[2]


@dataclass(frozen=True)
class Consequences:
    freedoms: tuple[FreedomCode, ...]
    regime: Regime
    on_notice: bool
    support_package: bool
    plans: tuple[RequiredPlan, ...]


def required_plans(result: TierResult) -> tuple[RequiredPlan, ...]:
    """Plans a result requires (§2.2 fact, §5 rule).

    - On notice: a recovery plan for the notice.
    - Any amber or red governance area (whatever the tier): a recovery plan for that area.
    - Support tier: a development plan for each competency below level 3.
    """
    plans: list[RequiredPlan] = []
    if result.tier is Tier.NOTICE:
        plans.append(RequiredPlan(PlanKind.RECOVERY, NOTICE_SUBJECT, "Recovery plan: on notice"))
    for area in GOVERNANCE_AREAS:
        rating = result.governance.get(area, "")
        if rating in {"amber", "red"}:
            plans.append(
                RequiredPlan(
                    PlanKind.RECOVERY,
                    f"{GOVERNANCE_SUBJECT}{area}",
                    f"Recovery plan: {GOVERNANCE_LABELS[area].lower()} governance ({rating})",
                )
            )
    if result.tier is Tier.SUPPORT:
        for number in sorted(result.competency_levels, key=int):
            level = result.competency_levels[number]
            if level < DEVELOPMENT_THRESHOLD:
                plans.append(
                    RequiredPlan(
                        PlanKind.DEVELOPMENT,
                        f"competency:{int(number)}",
                        f"Development plan: competency {int(number)} (level {level})",
                    )
                )
    return tuple(plans)


def consequences(result: TierResult) -> Consequences:
    """Everything that follows from one PCT's tier (§5)."""
    return Consequences(
        freedoms=ALL_FREEDOMS if result.tier is Tier.FREEDOMS else (),
        regime=REGIME_BY_TIER[result.tier],
        on_notice=result.tier is Tier.NOTICE,
        support_package=result.tier is Tier.SUPPORT,
        plans=required_plans(result),
    )


FREEDOM_TITLES: Mapping[FreedomCode, str] = dict(
    zip(
        FreedomCode,
        (
            "Lighter-touch performance management (SHA and DH)",
            "Franchising: taking on commissioning functions of a poorer performing PCT",
            "Direct access to DH to influence national policy",
            "Setting budgets across multiple years, for specific proposals with SHA approval",
            "Being highlighted as a top PCT",
            "Preferential access to the £50m innovation fund (2010-11)",
            "A DH commitment to consider pay flexibilities",
        ),
        strict=True,
    )
)


def _listed(items: list[str]) -> str:
    """ "2", "2 and 5", "2, 5 and 6"."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def what_follows(
    tier: Tier, *, governance: Mapping[str, str], levels: Mapping[int, int]
) -> list[str]:
    """What a tier means for the PCT (domain brief §5), in plain sentences.

    The plans promised are written from :func:`required_plans`, the one source: a PCT is
    told of exactly the plans confirming its publication opens, and told plainly when its
    support package brings no development plan (issue 12).
    """
    plans = required_plans(
        TierResult(tier, governance, {str(number): level for number, level in levels.items()})
    )
    lines = [f"Performance management: {REGIME_BY_TIER[tier]} review by the SHA."]
    if tier is Tier.FREEDOMS:
        lines.append("The seven freedoms: " + "; ".join(FREEDOM_TITLES.values()) + ".")
    elif tier is Tier.NOTICE:
        if any(plan.subject == NOTICE_SUBJECT for plan in plans):
            lines.append(
                "On notice that performance must improve this year: a recovery plan (actions, "
                "owners, due dates) agreed with the SHA; at the next cycle the notice is "
                "discharged or escalated."
            )
    else:
        competencies = [plan.about for plan in plans if plan.kind is PlanKind.DEVELOPMENT]
        if competencies:
            lines.append(
                "Support package: a development plan agreed with the SHA for "
                f"competenc{'y' if len(competencies) == 1 else 'ies'} {_listed(competencies)} "
                f"(below level {DEVELOPMENT_THRESHOLD})."
            )
        else:
            lines.append(
                f"Support package: no competency is below level {DEVELOPMENT_THRESHOLD}, "
                "so no development plan is required."
            )
    areas = [plan.about for plan in plans if plan.subject.startswith(GOVERNANCE_SUBJECT)]
    if areas:
        lines.append(
            f"Governance ({', '.join(f'{area} {governance[area]}' for area in areas)}): a "
            f"recovery plan{' for each' if len(areas) > 1 else ''}, agreed with the SHA, "
            "which performance-manages its delivery."
        )
    return lines
