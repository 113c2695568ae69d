"""The pure rules of panel days and calibration, without a database."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from assurance.rules.panels import (
    Booking,
    ShaInput,
    calibrate,
    overlaps,
    slot_conflicts,
    stacked_segments,
)

T = dt.time.fromisoformat
DAY = dt.date(2010, 4, 20)


def booking(pct_id=1, start="10:00", end="11:30", members=(7,), date=DAY, name="Camden"):
    return Booking(
        DAY if date is None else date, T(start), T(end), pct_id, name, frozenset(members)
    )


def conflicts(bookings, start="11:00", end="12:00", pct_id=2, members=None):
    return slot_conflicts(
        date=DAY,
        starts_at=T(start),
        ends_at=T(end),
        pct_id=pct_id,
        pct_name="Islington",
        members=members if members is not None else {7: "Sara Assessor"},
        bookings=bookings,
    )


def test_slots_that_touch_do_not_overlap():
    assert not overlaps(T("10:00"), T("11:00"), T("11:00"), T("12:00"))
    assert overlaps(T("10:00"), T("11:01"), T("11:00"), T("12:00"))


def test_it_refuses_a_member_in_two_slots_at_once():
    assert conflicts([booking()]) == [
        "Sara Assessor is already on the panel for Camden at 10:00–11:30 on 20 April 2010."
    ]


def test_a_member_may_sit_on_consecutive_slots():
    assert conflicts([booking()], start="11:30", end="12:30") == []


def test_a_member_may_sit_at_the_same_time_on_another_date():
    assert conflicts([booking(date=dt.date(2010, 4, 21))]) == []


def test_it_refuses_a_pct_in_two_slots_at_once():
    problems = conflicts([booking(pct_id=2, members=(8,), name="Islington")])
    assert problems == ["Islington is already in a slot at 10:00–11:30 on 20 April 2010."]


def test_it_refuses_a_second_panel_for_a_pct_in_the_cycle():
    problems = conflicts([booking(pct_id=2, members=(8,), date=dt.date(2010, 5, 1))])
    assert "a PCT has one panel per cycle" in problems[0]


def test_it_refuses_a_slot_that_ends_before_it_starts():
    assert conflicts([], start="12:00", end="11:00") == ["The slot must end after it starts."]


def test_calibration_flags_an_sha_more_than_half_a_level_from_national():
    result = calibrate(
        [
            ShaInput("Q36", "London", {1: 4, 2: 6}, Decimal(30), 10),
            ShaInput("Q30", "North East", {2: 10}, Decimal(25), 10),
            ShaInput("Q31", "North West", {3: 10}, Decimal(30), 10),
        ],
        (1, 2, 3, 4),
    )
    assert result.national.counts == (4, 16, 10, 0)
    assert result.national.mean == Decimal("2.20")
    london, north_east, north_west = result.shas
    assert london.mean == Decimal("1.60") and london.flagged
    assert north_east.mean == Decimal("2.00") and not north_east.flagged
    assert north_west.mean == Decimal("3.00") and north_west.flagged
    assert london.gap == Decimal("1.40")  # self 3.00 − panel 1.60
    assert result.flagged == (london, north_west)


def test_exactly_half_a_level_away_is_not_flagged():
    result = calibrate(
        [ShaInput("A", "A", {1: 1}, Decimal(0), 0), ShaInput("B", "B", {2: 1}, Decimal(0), 0)],
        (1, 2, 3, 4),
    )
    assert result.national.mean == Decimal("1.50")
    assert not result.flagged
    assert result.shas[0].self_mean is None and result.shas[0].gap is None


def test_an_sha_with_no_scores_has_no_mean_and_no_flag():
    result = calibrate([ShaInput("A", "A", {}, Decimal(0), 0)], (0, 1, 2))
    assert result.shas[0].mean is None and not result.shas[0].flagged


def test_stacked_segments_fill_the_width_in_value_order():
    segments = stacked_segments([1, 0, 3], (0, 1, 2), 400)
    assert [(s.value, s.x, s.width) for s in segments] == [
        (0, Decimal(0), Decimal("100.0")),
        (2, Decimal("100.0"), Decimal("300.0")),
    ]
    assert stacked_segments([0, 0], (1, 2), 400) == []
