"""The demo's calendar, without a database: year 1 agrees with §7, other years with §3."""

from __future__ import annotations

import datetime as dt

from assurance.demo import dates


def test_year_one_panels_run_in_autumn_2008():
    opens, closes = dates.phase_dates(2008)[3]
    assert dt.date(2008, 9, 1) <= opens <= closes <= dt.date(2008, 11, 30)


def test_year_one_calibration_is_final_by_31_january_2009():
    opens, closes = dates.phase_dates(2008)[4]
    assert dates.phase_dates(2008)[3][1] < opens
    assert closes <= dt.date(2009, 1, 31)
    assert dates.national_calibration(closes).date() <= closes


def test_year_one_is_published_and_confirmed_by_march_2009():
    opens, closes = dates.phase_dates(2008)[5]
    published = dates.published(opens)
    confirmed = dates.confirmed(opens, closes)
    assert dt.date(2009, 1, 31) < published.date() < confirmed.date() <= dt.date(2009, 3, 31)


def test_year_one_phases_run_in_order():
    phases = dates.phase_dates(2008)
    for kind in range(1, 5):
        assert phases[kind][0] <= phases[kind][1] < phases[kind + 1][0]


def test_other_years_follow_the_year_two_table():
    phases = dates.phase_dates(2009)
    assert phases[1] == (dt.date(2009, 9, 16), dt.date(2009, 12, 31))
    assert phases[3][0].month == 4 and phases[5][1] == dt.date(2010, 7, 31)


def test_panel_days_fall_on_weekdays():
    # 4 October 2008 was a Saturday.
    assert dates.first_panel_day(dt.date(2008, 10, 1), 1) == dt.date(2008, 10, 6)
    assert dates.weekday(dt.date(2008, 10, 1)) == dt.date(2008, 10, 1)


def test_staff_save_ratings_the_month_before_the_boards_meet():
    closes = dates.phase_dates(2008)[1][1]
    assert dates.self_rating_day(closes, 10).date() < dates.board_day(closes, 3)
    assert dates.board_day(closes, 3) <= closes
