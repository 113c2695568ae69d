"""Rules of panel days and calibration (domain brief §2–3, §6; issue 4).

Pure: plain values in, values out. No ORM, no settings, no clock.

- Scheduling conflicts: a member or a PCT in two slots at once.
- Calibration: distribution of panel values per SHA against national, the
  self-vs-panel gap, and SHAs whose mean is more than 0.5 from the national mean.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

TWO_PLACES = Decimal("0.01")
#: An SHA whose mean differs from the national mean by more than this is flagged (issue 4).
CALIBRATION_FLAG_DISTANCE = Decimal("0.5")


# --- Scheduling --------------------------------------------------------------------------


@dataclass(frozen=True)
class Booking:
    """A slot already on the calendar: when, which PCT, and who sits on its panel."""

    date: dt.date
    starts_at: dt.time
    ends_at: dt.time
    pct_id: int
    pct_name: str
    member_ids: frozenset[int]


def overlaps(a_start: dt.time, a_end: dt.time, b_start: dt.time, b_end: dt.time) -> bool:
    """Half-open intervals: a slot ending at 11:00 does not clash with one starting at 11:00."""
    return a_start < b_end and b_start < a_end


def _when(booking: Booking) -> str:
    return f"{booking.starts_at:%H:%M}–{booking.ends_at:%H:%M} on {booking.date:%-d %B %Y}"


def slot_conflicts(
    *,
    date: dt.date,
    starts_at: dt.time,
    ends_at: dt.time,
    pct_id: int,
    pct_name: str,
    members: Mapping[int, str],
    bookings: Iterable[Booking],
) -> list[str]:
    """Why a new slot cannot be booked, as messages for people; empty when it can.

    A PCT has one panel per cycle, so any other slot for it is refused (at the same
    time, or on another day); a member cannot sit on two panels at once.
    """
    if ends_at <= starts_at:
        return ["The slot must end after it starts."]
    problems: list[str] = []
    for booking in bookings:
        same_time = booking.date == date and overlaps(
            starts_at, ends_at, booking.starts_at, booking.ends_at
        )
        if booking.pct_id == pct_id:
            if same_time:
                problems.append(f"{pct_name} is already in a slot at {_when(booking)}.")
            else:
                problems.append(
                    f"{pct_name} already has a panel slot at {_when(booking)}: "
                    "a PCT has one panel per cycle."
                )
        if same_time:
            for member_id in sorted(booking.member_ids & members.keys(), key=members.__getitem__):
                problems.append(
                    f"{members[member_id]} is already on the panel for {booking.pct_name} "
                    f"at {_when(booking)}."
                )
    return problems


# --- Calibration -------------------------------------------------------------------------


@dataclass(frozen=True)
class ShaInput:
    """One SHA's aggregated values for one item: panel counts per value, self sum and count."""

    code: str
    name: str
    counts: Mapping[int, int]
    self_total: Decimal
    self_count: int


@dataclass(frozen=True)
class CalibrationRow:
    code: str
    name: str
    counts: tuple[int, ...]  # in the order of ``values``
    total: int
    mean: Decimal | None
    self_mean: Decimal | None
    gap: Decimal | None  # self mean − panel mean: positive when PCTs rated themselves higher
    flagged: bool


@dataclass(frozen=True)
class Calibration:
    values: tuple[int, ...]
    national: CalibrationRow
    shas: tuple[CalibrationRow, ...]

    @property
    def flagged(self) -> tuple[CalibrationRow, ...]:
        return tuple(row for row in self.shas if row.flagged)


def _mean(total: Decimal, count: int) -> Decimal | None:
    if not count:
        return None
    return (total / Decimal(count)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def _row(
    code: str,
    name: str,
    counts: Mapping[int, int],
    values: Sequence[int],
    self_total: Decimal,
    self_count: int,
    national_mean: Decimal | None,
) -> CalibrationRow:
    ordered = tuple(counts.get(v, 0) for v in values)
    total = sum(ordered)
    mean = _mean(Decimal(sum(v * counts.get(v, 0) for v in values)), total)
    self_mean = _mean(self_total, self_count)
    gap = self_mean - mean if self_mean is not None and mean is not None else None
    flagged = (
        mean is not None
        and national_mean is not None
        and abs(mean - national_mean) > CALIBRATION_FLAG_DISTANCE
    )
    return CalibrationRow(code, name, ordered, total, mean, self_mean, gap, flagged)


def calibrate(shas: Sequence[ShaInput], values: Sequence[int]) -> Calibration:
    """Per-SHA distribution, mean and self-vs-panel gap against the national figures.

    ``values`` are the scale: levels 1–4 for competencies, governance points 0–2
    (red 0, amber 1, green 2; domain brief §4) for governance areas.
    """
    national_counts: dict[int, int] = {}
    for sha in shas:
        for value, n in sha.counts.items():
            national_counts[value] = national_counts.get(value, 0) + n
    national = _row(
        "ENG",
        "England",
        national_counts,
        values,
        sum((s.self_total for s in shas), Decimal(0)),
        sum(s.self_count for s in shas),
        None,
    )
    rows = tuple(
        _row(s.code, s.name, s.counts, values, s.self_total, s.self_count, national.mean)
        for s in shas
    )
    return Calibration(tuple(values), national, rows)


@dataclass(frozen=True)
class Segment:
    value: int
    count: int
    x: Decimal
    width: Decimal


def stacked_segments(counts: Sequence[int], values: Sequence[int], width: int) -> list[Segment]:
    """Geometry of a 100% stacked bar: one segment per value with a count, widths summing to width."""
    total = sum(counts)
    segments: list[Segment] = []
    if not total:
        return segments
    x = Decimal(0)
    for value, count in zip(values, counts, strict=True):
        if not count:
            continue
        w = (Decimal(width) * count / total).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        segments.append(Segment(value, count, x, w))
        x += w
    return segments
