"""The demo's calendar: every date the demo writes follows its cycle's phases, never the
day the demo is loaded (domain brief §7 [rule]).

Pure: dates in, dates out; no ORM, no clock.

Year 1 (2008/09). The record (§7): panels ran from autumn 2008; the 152 panel scores were
final, after national calibration, by 31 January 2009; PCTs knew their standing by March
2009, about three months before DH announced the freedoms (June 2009). The phases around
those facts are the demo's choice (the record gives no year-1 phase dates):

====================  ===========================  ======================================
phase                 dates                        why
====================  ===========================  ======================================
1 self-assessment     2 Jun – 29 Aug 2008          boards ratify in August, before panels
2 plans analysed      1 – 30 Sep 2008              assessors read the plans
3 panel days          1 Oct – 28 Nov 2008          "from autumn 2008"
4 calibration         1 Dec 2008 – 30 Jan 2009     final "by 31 January 2009"
5 publication         2 – 31 Mar 2009              standing known "by March 2009"
====================  ===========================  ======================================

Other years follow §3's year-2 table (2009/10: Sep–Dec, Jan–Mar, Apr–May, Jun–Jul, Jul).

Within a cycle the demo's moments hang off its phases: self ratings in the month before
the boards meet in the last month of phase 1; panel days from the first weekday of phase
3, a few days apart per SHA; regional calibration a week into phase 4 and national a week
before it closes; DH publishes on the morning phase 5 opens and confirms a week later.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

YEAR_ONE = 2008
YEAR_ONE_PHASES: Mapping[int, tuple[dt.date, dt.date]] = {
    1: (dt.date(2008, 6, 2), dt.date(2008, 8, 29)),
    2: (dt.date(2008, 9, 1), dt.date(2008, 9, 30)),
    3: (dt.date(2008, 10, 1), dt.date(2008, 11, 28)),
    4: (dt.date(2008, 12, 1), dt.date(2009, 1, 30)),
    5: (dt.date(2009, 3, 2), dt.date(2009, 3, 31)),
}
#: §7: the panel scores were final, after national calibration, by this day.
YEAR_ONE_FINAL_BY = dt.date(2009, 1, 31)
#: §7: PCTs learned their year-1 standing (publication, and DH's confirmation) by the end of
#: March 2009.
YEAR_ONE_KNOWN_BY = dt.date(2009, 3, 31)

BOARD_DAYS = (3, 5, 8, 10, 12, 15, 17)  # board meetings in the last month of phase 1 (§3)
SHA_STAGGER = dt.timedelta(days=3)  # each SHA's first panel day, a few days after the last's
CONFIRMATION_DELAY = dt.timedelta(days=7)


def phase_dates(first_year: int) -> dict[int, tuple[dt.date, dt.date]]:
    """Open and close dates of phases 1–5 of the cycle starting in ``first_year``."""
    if first_year == YEAR_ONE:
        return dict(YEAR_ONE_PHASES)
    y = first_year
    return {
        1: (dt.date(y, 9, 16), dt.date(y, 12, 31)),
        2: (dt.date(y + 1, 1, 1), dt.date(y + 1, 3, 31)),
        3: (dt.date(y + 1, 4, 1), dt.date(y + 1, 5, 21)),
        4: (dt.date(y + 1, 6, 1), dt.date(y + 1, 7, 15)),
        5: (dt.date(y + 1, 7, 16), dt.date(y + 1, 7, 31)),
    }


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """A moment on ``day`` (UTC, as the demo writes every time)."""
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=dt.UTC)


def weekday(day: dt.date) -> dt.date:
    """``day``, or the Monday after it when it falls at a weekend."""
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def cycle_created(phase_one_opens: dt.date) -> dt.datetime:
    """DH sets up a cycle two weeks before its self-assessment opens."""
    return at(phase_one_opens - dt.timedelta(days=14), 9)


def panel_days_booked(phase_one_closes: dt.date) -> dt.datetime:
    """SHAs book their panel days as the self-assessment closes."""
    return at(phase_one_closes, 12)


def board_day(phase_one_closes: dt.date, day: int) -> dt.date:
    """A board meeting that ratifies the self-assessment: in phase 1's last month."""
    return phase_one_closes.replace(day=day)


def self_rating_day(phase_one_closes: dt.date, number: int) -> dt.datetime:
    """When PCT staff last saved competency ``number``: the month before the boards meet."""
    first_of_month = phase_one_closes.replace(day=1)
    return at(first_of_month - dt.timedelta(days=30) + dt.timedelta(days=number), 10)


def first_panel_day(phase_three_opens: dt.date, sha_index: int) -> dt.date:
    """The first panel day of the ``sha_index``-th SHA (0 first): SHAs start a few days apart."""
    return weekday(phase_three_opens + sha_index * SHA_STAGGER)


def regional_calibration(phase_four_opens: dt.date) -> dt.datetime:
    return at(weekday(phase_four_opens + dt.timedelta(days=7)), 11)


def national_calibration(phase_four_closes: dt.date) -> dt.datetime:
    return at(weekday(phase_four_closes - dt.timedelta(days=7)), 11)


def published(phase_five_opens: dt.date) -> dt.datetime:
    """DH opens phase 5 at 09:00 and publishes at 10:00 the same morning."""
    return at(phase_five_opens, 10)


def confirmed(phase_five_opens: dt.date, phase_five_closes: dt.date) -> dt.datetime:
    """DH confirms the publication a week after publishing it, within phase 5."""
    return at(min(phase_five_opens + CONFIRMATION_DELAY, phase_five_closes), 10)
