"""Rules of the assurance cycle's phases (domain brief §3): pure, no Django.

Whether a phase is open is DH staff's explicit decision; these rules say which
decisions are allowed, and how "start from last year" shifts a cycle's dates.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping

SCHEDULED = "scheduled"
OPEN = "open"
CLOSED = "closed"

YEAR_LABEL = re.compile(r"^(\d{4})/(\d{2})$")


def valid_year_label(label: str) -> bool:
    """``2009/10``: the second part is the year after the first."""
    match = YEAR_LABEL.match(label)
    if not match:
        return False
    first, second = int(match.group(1)), int(match.group(2))
    return (first + 1) % 100 == second


def next_year_label(label: str) -> str:
    """``2009/10`` → ``2010/11``."""
    match = YEAR_LABEL.match(label)
    if not match:
        raise ValueError(f"Not a year label: {label!r}")
    first = int(match.group(1)) + 1
    return f"{first}/{(first + 1) % 100:02d}"


def shift_one_year(day: dt.date) -> dt.date:
    """The same date a year later; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


def transition_refusal(
    action: str, kind: int, statuses: Mapping[int, str], reason: str
) -> str | None:
    """Why DH staff may not ``open``/``close``/``reopen`` phase ``kind`` now, or ``None``.

    - open: only a phase not yet open, and only once the phase before it has opened
      (the year runs in order, §3);
    - close: only an open phase;
    - reopen: only a closed phase, with a reason (it undoes a deadline people relied on).
    """
    status = statuses.get(kind)
    if status is None:
        return "This cycle has no such phase."
    if action == "open":
        if status != SCHEDULED:
            return "This phase has already been opened. Use reopen for a closed phase."
        before = statuses.get(kind - 1)
        if before == SCHEDULED:
            return "Open the phases in order: the phase before this one has not opened yet."
        return None
    if action == "close":
        return None if status == OPEN else "Only an open phase can be closed."
    if action == "reopen":
        if status != CLOSED:
            return "Only a closed phase can be reopened."
        if not reason.strip():
            return "Give a reason for reopening this phase."
        return None
    return f"Unknown action {action!r}."


def dates_refusal(opens_on: dt.date, closes_on: dt.date) -> str | None:
    if closes_on < opens_on:
        return "The close date must be the same as or after the open date."
    return None
