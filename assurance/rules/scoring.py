"""Scores → totals: the arithmetic of the assessment (domain brief §2.1, §2.3, §4).

Pure: plain values in, values out. No ORM, no settings, no clock.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from enum import StrEnum

TWO_PLACES = Decimal("0.01")
THREE_PLACES = Decimal("0.001")


class OutcomeStatus(StrEnum):
    ON_TRAJECTORY = "on_trajectory"
    IMPROVED = "improved"
    NOT_IMPROVED = "not_improved"

    @property
    def label(self) -> str:
        return {
            "on_trajectory": "On trajectory",
            "improved": "Improved",
            "not_improved": "Not improved",
        }[self.value]


GOVERNANCE_POINTS: dict[str, int] = {"red": 0, "amber": 1, "green": 2}
GOVERNANCE_AREAS: tuple[str, ...] = ("strategy", "finance", "board")
GOVERNANCE_LABELS: dict[str, str] = {"strategy": "Strategy", "finance": "Finance", "board": "Board"}


def competency_score(criteria_levels: Sequence[int]) -> Decimal:
    """A competency with criteria scores the mean of its criteria levels, to two decimals (§2.1)."""
    if not criteria_levels:
        raise ValueError("a competency score needs at least one criterion level")
    for level in criteria_levels:
        if level not in (1, 2, 3, 4):
            raise ValueError(f"level {level} is outside 1–4")
    mean = Decimal(sum(criteria_levels)) / Decimal(len(criteria_levels))
    return mean.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def competency_level(criteria_levels: Sequence[int]) -> int:
    """Its level is that mean rounded down (§2.1): criteria 3, 3, 2 → 2.67 → level 2."""
    mean = Decimal(sum(criteria_levels)) / Decimal(len(criteria_levels))
    competency_score(criteria_levels)  # validates
    return int(mean.to_integral_value(rounding=ROUND_FLOOR))


def outcome_status(
    *, baseline: Decimal, target: Decimal, actual: Decimal, higher_is_better: bool
) -> OutcomeStatus:
    """On trajectory: actual at or better than target; improved: better than baseline (§2.3)."""
    sign = 1 if higher_is_better else -1
    if sign * (actual - target) >= 0:
        return OutcomeStatus.ON_TRAJECTORY
    if sign * (actual - baseline) > 0:
        return OutcomeStatus.IMPROVED
    return OutcomeStatus.NOT_IMPROVED


def outcome_score(statuses: Iterable[OutcomeStatus]) -> Decimal | None:
    """(2 × on trajectory + 1 × improved) / (2 × number chosen), three decimals; None if none chosen."""
    statuses = list(statuses)
    if not statuses:
        return None
    points = sum(
        2 if s == OutcomeStatus.ON_TRAJECTORY else 1 if s == OutcomeStatus.IMPROVED else 0
        for s in statuses
    )
    return (Decimal(points) / Decimal(2 * len(statuses))).quantize(
        THREE_PLACES, rounding=ROUND_HALF_UP
    )


def improved_health_outcomes(score: Decimal | None, threshold: Decimal) -> bool:
    """ "Improved health outcomes" holds when the outcome score is at least the threshold (0.5)."""
    return score is not None and score >= threshold


def governance_points(ratings: dict[str, str]) -> int:
    """Red 0, amber 1, green 2, summed over strategy, finance and board (§4)."""
    return sum(GOVERNANCE_POINTS[ratings[area]] for area in GOVERNANCE_AREAS)


@dataclass(frozen=True)
class SpreadItem:
    """Panel members' levels for one item; a spread of 2 or more is highlighted (issue 4)."""

    levels: tuple[int, ...]

    @property
    def spread(self) -> int:
        return max(self.levels) - min(self.levels) if self.levels else 0

    @property
    def needs_discussion(self) -> bool:
        return self.spread >= 2
