"""Due process after calibration (domain brief §8): the factual accuracy check before a
publication and the rating review after it. Pure: dates in, dates and refusals out.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Collection

#: The domain brief's defaults (§8); each cycle holds its own copy as a rule setting.
DEFAULT_ACCURACY_CHECK_WORKING_DAYS = 10
DEFAULT_REVIEW_DAYS = 28


class ChallengeStatus(enum.StrEnum):
    UNANSWERED = "unanswered"
    ACCEPTED = "accepted"
    NOT_ACCEPTED = "not_accepted"

    @property
    def label(self) -> str:
        return {
            ChallengeStatus.UNANSWERED: "Awaiting an answer",
            ChallengeStatus.ACCEPTED: "Accepted",
            ChallengeStatus.NOT_ACCEPTED: "Not accepted",
        }[self]


class ReviewStatus(enum.StrEnum):
    PENDING = "pending"
    UPHELD = "upheld"
    NOT_UPHELD = "not_upheld"

    @property
    def label(self) -> str:
        return {
            ReviewStatus.PENDING: "Review pending",
            ReviewStatus.UPHELD: "Upheld",
            ReviewStatus.NOT_UPHELD: "Not upheld",
        }[self]


def add_working_days(
    start: dt.date, days: int, holidays: Collection[dt.date] = frozenset()
) -> dt.date:
    """The date ``days`` working days after ``start`` (Monday–Friday, not ``holidays``).

    The window includes its first day when that is a working day: opened on Monday
    3 May with 10 working days, it closes at the end of Friday 14 May.
    """
    if days < 1:
        raise ValueError("A window is at least one working day long.")
    day = start
    counted = 0
    while True:
        if day.weekday() < 5 and day not in holidays:
            counted += 1
            if counted == days:
                return day
        day += dt.timedelta(days=1)


def challenge_refusal(
    *, window_open: bool, closes_on: dt.date | None, today: dt.date
) -> str | None:
    """Why a challenge cannot be made now, or None."""
    if not window_open or closes_on is None:
        return "The factual accuracy check is not open for this cycle."
    if today > closes_on:
        return f"The factual accuracy check closed on {closes_on:%-d %B %Y}."
    return None


def review_deadline(confirmed_on: dt.date, days: int = DEFAULT_REVIEW_DAYS) -> dt.date:
    """The last day a rating review may be asked for: ``days`` days after confirmation."""
    return confirmed_on + dt.timedelta(days=days)


def review_refusal(
    *,
    published: bool,
    superseded: bool,
    confirmed_on: dt.date | None,
    today: dt.date,
    days: int = DEFAULT_REVIEW_DAYS,
) -> str | None:
    """Why a rating review of a publication version cannot be asked for now, or None."""
    if superseded:
        return "This version has been replaced by a corrected one: ask about the current version."
    if not published:
        return "Only a published version can be reviewed."
    if confirmed_on is None:
        return "A review can be asked for once DH staff have confirmed the publication."
    deadline = review_deadline(confirmed_on, days)
    if today > deadline:
        return f"Reviews of this version could be asked for until {deadline:%-d %B %Y}."
    return None


def age_in_days(raised_on: dt.date, today: dt.date) -> int:
    """How long an item has waited, in whole days (0 on the day it was raised)."""
    return max((today - raised_on).days, 0)
