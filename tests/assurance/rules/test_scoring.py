from decimal import Decimal

import pytest

from assurance.rules.scoring import (
    OutcomeStatus,
    SpreadItem,
    competency_level,
    competency_score,
    governance_points,
    improved_health_outcomes,
    outcome_score,
    outcome_status,
)


def test_a_competency_with_criteria_scores_their_mean_to_two_decimals():
    assert competency_score([3, 3, 2]) == Decimal("2.67")


def test_its_level_is_the_mean_rounded_down():
    assert competency_level([3, 3, 2]) == 2
    assert competency_level([4, 4, 4]) == 4
    assert competency_level([1, 2]) == 1


def test_it_rejects_a_level_above_four():
    with pytest.raises(ValueError):
        competency_score([5, 3])


@pytest.mark.parametrize(
    ("actual", "higher", "expected"),
    [
        (Decimal("20"), False, OutcomeStatus.ON_TRAJECTORY),  # at target, lower is better
        (Decimal("22"), False, OutcomeStatus.IMPROVED),  # better than baseline 24, short of 20
        (Decimal("24"), False, OutcomeStatus.NOT_IMPROVED),  # no better than baseline
        (Decimal("26"), False, OutcomeStatus.NOT_IMPROVED),
    ],
)
def test_outcome_status_follows_the_direction(actual, higher, expected):
    status = outcome_status(
        baseline=Decimal("24"), target=Decimal("20"), actual=actual, higher_is_better=higher
    )
    assert status == expected


def test_higher_is_better_outcomes():
    kwargs = {"baseline": Decimal("50"), "target": Decimal("60"), "higher_is_better": True}
    assert outcome_status(actual=Decimal("61"), **kwargs) == OutcomeStatus.ON_TRAJECTORY
    assert outcome_status(actual=Decimal("55"), **kwargs) == OutcomeStatus.IMPROVED
    assert outcome_status(actual=Decimal("49"), **kwargs) == OutcomeStatus.NOT_IMPROVED


def test_outcome_score_weights_on_trajectory_twice():
    statuses = [OutcomeStatus.ON_TRAJECTORY, OutcomeStatus.IMPROVED, OutcomeStatus.NOT_IMPROVED]
    assert outcome_score(statuses) == Decimal("0.500")
    assert improved_health_outcomes(outcome_score(statuses), Decimal("0.5"))
    assert not improved_health_outcomes(Decimal("0.499"), Decimal("0.5"))
    assert outcome_score([]) is None
    assert not improved_health_outcomes(None, Decimal("0.5"))


def test_governance_points():
    assert governance_points({"strategy": "green", "finance": "amber", "board": "red"}) == 3
    assert governance_points({"strategy": "green", "finance": "green", "board": "green"}) == 6


def test_a_spread_of_two_levels_needs_discussion():
    assert SpreadItem((1, 3, 2)).needs_discussion
    assert not SpreadItem((2, 3)).needs_discussion
