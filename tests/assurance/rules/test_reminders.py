"""Which reminder is due today (domain brief §8): pure, the day passed in."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from assurance.rules.reminders import (
    OVERDUE,
    PHASES_BY_ROLE,
    due_stage,
    reminder_key,
    when_due,
)

DEADLINE = dt.date(2009, 12, 18)


def stage(days_before: int, **kw):
    found = due_stage(DEADLINE, DEADLINE - dt.timedelta(days=days_before), **kw)
    return found.key if found else None


def test_nothing_is_due_more_than_30_days_ahead():
    assert stage(31) is None
    assert stage(300) is None


def test_each_window_names_its_reminder():
    assert [stage(d) for d in (30, 29, 8)] == ["30", "30", "30"]
    assert [stage(d) for d in (7, 6, 2)] == ["7", "7", "7"]
    assert [stage(d) for d in (1, 0)] == ["1", "1"]


def test_after_the_deadline_only_kinds_with_an_overdue_notice_send_one():
    assert stage(-1) is None
    assert stage(-1, overdue=True) == OVERDUE
    assert due_stage(DEADLINE, DEADLINE + dt.timedelta(days=3), overdue=True).days_left == -3


def test_work_that_arrives_late_gets_the_nearest_reminder_not_every_earlier_one():
    # First seen 5 days before: the 7-day reminder only, never a stale 30-day one.
    assert stage(5) == "7"


def test_walking_day_by_day_meets_30_7_1_in_that_order():
    seen = []
    for before in range(60, -1, -1):
        key = stage(before)
        if key and (not seen or seen[-1] != key):
            seen.append(key)
    assert seen == ["30", "7", "1"]


@given(st.integers(min_value=-400, max_value=400))
def test_a_stage_is_never_later_than_the_days_left(days_left):
    found = due_stage(DEADLINE, DEADLINE - dt.timedelta(days=days_left))
    if days_left < 0 or days_left > 30:
        assert found is None
    else:
        assert found is not None and found.days_left == days_left
        assert days_left <= int(found.key)
        # …and no smaller threshold has been reached yet.
        assert all(days_left > d for d in (30, 7, 1) if d < int(found.key))


def test_the_wording_says_when():
    assert when_due(0) == "due today"
    assert when_due(1) == "due tomorrow"
    assert when_due(7) == "due in 7 days"
    assert when_due(-1) == "1 day overdue"
    assert when_due(-4) == "4 days overdue"


def test_the_key_names_the_deadline_so_a_moved_deadline_is_reminded_again():
    a = reminder_key("self_assessment", "self-assessment:1:2", DEADLINE, "7")
    b = reminder_key("self_assessment", "self-assessment:1:2", DEADLINE + dt.timedelta(7), "7")
    assert a == "reminder:self_assessment:self-assessment:1:2:2009-12-18:7"
    assert a != b


def test_every_role_has_its_deadlines():
    from assurance.models import Role

    assert set(PHASES_BY_ROLE) == set(Role.values)
    assert PHASES_BY_ROLE["pct_approver"] == (1,)
