import datetime as dt

import pytest

from assurance.rules import due_process as rules


def test_ten_working_days_skip_weekends():
    # Monday 3 May 2010 + 10 working days, counting the first: Friday 14 May.
    assert rules.add_working_days(dt.date(2010, 5, 3), 10) == dt.date(2010, 5, 14)


def test_a_window_opened_on_a_saturday_starts_counting_on_monday():
    assert rules.add_working_days(dt.date(2010, 5, 1), 1) == dt.date(2010, 5, 3)


def test_holidays_are_not_working_days():
    holidays = {dt.date(2010, 5, 31)}  # spring bank holiday
    assert rules.add_working_days(dt.date(2010, 5, 28), 2, holidays) == dt.date(2010, 6, 1)


def test_it_rejects_a_window_of_no_days():
    with pytest.raises(ValueError):
        rules.add_working_days(dt.date(2010, 5, 3), 0)


def test_a_challenge_is_refused_when_the_window_is_not_open():
    assert "not open" in rules.challenge_refusal(
        window_open=False, closes_on=None, today=dt.date(2010, 5, 3)
    )


def test_a_challenge_is_refused_after_the_closing_day():
    closes = dt.date(2010, 5, 14)
    assert rules.challenge_refusal(window_open=True, closes_on=closes, today=closes) is None
    refusal = rules.challenge_refusal(
        window_open=True, closes_on=closes, today=closes + dt.timedelta(days=1)
    )
    assert refusal == "The factual accuracy check closed on 14 May 2010."


def test_a_review_may_be_asked_for_until_28_days_after_confirmation():
    confirmed = dt.date(2010, 7, 1)
    assert rules.review_deadline(confirmed) == dt.date(2010, 7, 29)
    ok = dict(published=True, superseded=False, confirmed_on=confirmed)
    assert rules.review_refusal(**ok, today=dt.date(2010, 7, 29)) is None
    assert "until 29 July 2010" in rules.review_refusal(**ok, today=dt.date(2010, 7, 30))


def test_a_review_of_a_superseded_or_unconfirmed_version_is_refused():
    today = dt.date(2010, 7, 2)
    assert "replaced" in rules.review_refusal(
        published=True, superseded=True, confirmed_on=dt.date(2010, 7, 1), today=today
    )
    assert "confirmed" in rules.review_refusal(
        published=True, superseded=False, confirmed_on=None, today=today
    )
    assert "published" in rules.review_refusal(
        published=False, superseded=False, confirmed_on=None, today=today
    )


def test_age_counts_whole_days():
    assert rules.age_in_days(dt.date(2010, 5, 3), dt.date(2010, 5, 10)) == 7
    assert rules.age_in_days(dt.date(2010, 5, 3), dt.date(2010, 5, 3)) == 0
