import datetime as dt

import pytest

from assurance.rules.cycles import (
    dates_refusal,
    next_year_label,
    shift_one_year,
    transition_refusal,
    valid_year_label,
)

ALL_SCHEDULED = {1: "scheduled", 2: "scheduled", 3: "scheduled", 4: "scheduled", 5: "scheduled"}


def test_it_moves_the_year_label_on_by_one():
    assert next_year_label("2009/10") == "2010/11"
    assert next_year_label("2099/00") == "2100/01"


def test_it_checks_year_labels():
    assert valid_year_label("2009/10")
    assert not valid_year_label("2009/11")
    assert not valid_year_label("2009-10")


def test_it_shifts_29_february_to_28_february():
    assert shift_one_year(dt.date(2008, 2, 29)) == dt.date(2009, 2, 28)
    assert shift_one_year(dt.date(2009, 9, 16)) == dt.date(2010, 9, 16)


def test_it_opens_the_first_phase():
    assert transition_refusal("open", 1, ALL_SCHEDULED, "") is None


def test_it_refuses_to_open_a_phase_before_the_one_before_it():
    assert "in order" in transition_refusal("open", 3, ALL_SCHEDULED, "")


def test_it_refuses_to_open_an_open_phase_again():
    assert "already" in transition_refusal("open", 1, {**ALL_SCHEDULED, 1: "open"}, "")


def test_it_refuses_to_close_a_phase_that_is_not_open():
    assert transition_refusal("close", 1, ALL_SCHEDULED, "") == "Only an open phase can be closed."


def test_it_refuses_to_reopen_without_a_reason():
    statuses = {**ALL_SCHEDULED, 1: "closed"}
    assert "reason" in transition_refusal("reopen", 1, statuses, "  ")
    assert transition_refusal("reopen", 1, statuses, "Board met late") is None


def test_it_refuses_to_reopen_an_open_phase():
    assert "Only a closed" in transition_refusal("reopen", 1, {**ALL_SCHEDULED, 1: "open"}, "x")


@pytest.mark.parametrize("action", ["open", "close", "reopen"])
def test_it_refuses_a_phase_the_cycle_does_not_have(action):
    assert transition_refusal(action, 9, ALL_SCHEDULED, "x") == "This cycle has no such phase."


def test_it_refuses_a_close_date_before_the_open_date():
    assert dates_refusal(dt.date(2009, 9, 1), dt.date(2009, 8, 1))
    assert dates_refusal(dt.date(2009, 9, 1), dt.date(2009, 9, 1)) is None
