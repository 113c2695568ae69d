"""The 2008/09 results the demo shows, built to agree with the public record.

Pure: PCT codes and a random generator in, plain values out; no ORM, no clock. The demo
steps write what these functions return (``cycles`` the self levels, ``panels`` the panel
view), so the facts below can be tested without a database.

What the record says about year 1 (domain brief §2.1, §2.2, §7) and the demo honours:

* Birmingham East and North came first; it, Tower Hamlets and Somerset led the table (§7).
* 27 PCTs all-green, 2 triple-red; board 71 green / 78 amber / 3 red, finance 61/78/13,
  strategy 45/90/17 (§2.2).
* Great Yarmouth and Waveney was triple-red, with level 1 in six of its ten competencies
  (§7); the other triple-red PCT is not named, so the demo picks one.
* No level 4 anywhere; competency 2 strongest, 7 weakest; panels below the
  self-assessments, most of all on competencies 5 and 6 (§2.1).

Everything else (which other PCTs are green, who scored what) is illustrative. Plausibility,
the demo's own choice: most levels are 2, a few 3s, and level 1 only where a PCT is weak,
so many PCTs have no level 1 at all and not every PCT is at risk of notice.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from assurance.rules.scoring import GOVERNANCE_AREAS, GOVERNANCE_POINTS
from assurance.rules.tiers import RuleSettings

T = TypeVar("T")
GREEN, AMBER, RED = "green", "amber", "red"
PCT_COUNT = 152
COMPETENCIES = tuple(range(1, 11))  # year 1 scored competencies 1–10 (§2.1)

# --- The record (§2.1, §2.2, §7) ---------------------------------------------------------

BIRMINGHAM_EAST_AND_NORTH = "5PG"
TOWER_HAMLETS = "5C4"
SOMERSET = "5QL"
GREAT_YARMOUTH_AND_WAVENEY = "5PR"
FIRST = BIRMINGHAM_EAST_AND_NORTH
LEADERS = (BIRMINGHAM_EAST_AND_NORTH, TOWER_HAMLETS, SOMERSET)  # "led the table" (§7)

#: Governance ratings of the 152 PCTs per area: (green, amber, red) (§2.2).
GOVERNANCE_COUNTS: Mapping[str, tuple[int, int, int]] = {
    "strategy": (45, 90, 17),
    "finance": (61, 78, 13),
    "board": (71, 78, 3),
}
ALL_GREEN = 27
TRIPLE_RED = 2
GYW_LEVEL_ONES = 6  # Great Yarmouth and Waveney: level 1 in six of its ten (§7)
MAX_PANEL_LEVEL = 3  # no PCT scored 4 on any competency in year 1 (§2.1)
STRONGEST, WEAKEST = 2, 7  # §2.1
WIDEST_GAPS = (5, 6)  # panels furthest below the self-assessments (§2.1)

# --- The demo's choices, within the record ----------------------------------------------

#: Panel levels per competency: how many PCTs at (1, 2, 3). Exact counts make the means
#: exact: competency 2 strongest (2.22), 7 weakest (1.74), the rest 1.92–2.07.
PANEL_COUNTS: Mapping[int, tuple[int, int, int]] = {
    1: (18, 106, 28),
    2: (8, 102, 42),
    3: (22, 106, 24),
    4: (20, 106, 26),
    5: (24, 108, 20),
    6: (26, 108, 18),
    7: (48, 96, 8),
    8: (24, 106, 22),
    9: (30, 104, 18),
    10: (20, 108, 24),
}
#: Self-assessed levels per competency: how many PCTs at (1, 2, 3, 4). Every mean is above
#: the panel's, by 0.38–0.50, and by 0.83 and 0.84 on competencies 5 and 6.
SELF_COUNTS: Mapping[int, tuple[int, int, int, int]] = {
    1: (8, 64, 70, 10),
    2: (2, 50, 88, 12),
    3: (10, 68, 66, 8),
    4: (8, 68, 68, 8),
    5: (2, 40, 96, 14),
    6: (2, 42, 94, 14),
    7: (22, 92, 36, 2),
    8: (10, 70, 64, 8),
    9: (14, 72, 60, 6),
    10: (8, 68, 68, 8),
}


def _row(levels: str) -> dict[int, int]:
    return {n: int(level) for n, level in zip(COMPETENCIES, levels.split(), strict=True)}


#: The named PCTs' panel levels, competencies 1–10. Birmingham East and North has the
#: highest competency total (28) of all; Tower Hamlets and Somerset the next (27 each: the
#: record does not order them, so the outcome score does); every other all-green PCT has
#: at most LEADER_MARGIN below them. Great Yarmouth and Waveney: six 1s, and 2 elsewhere.
NAMED_PANEL: Mapping[str, dict[int, int]] = {
    BIRMINGHAM_EAST_AND_NORTH: _row("3 3 3 3 3 3 2 3 2 3"),
    TOWER_HAMLETS: _row("3 3 3 3 2 3 2 3 2 3"),
    SOMERSET: _row("3 3 3 3 3 2 2 2 3 3"),
    GREAT_YARMOUTH_AND_WAVENEY: _row("2 2 1 2 1 1 1 2 1 1"),
}
#: Their own view of themselves: at or above the panel's on every competency.
NAMED_SELF: Mapping[str, dict[int, int]] = {
    BIRMINGHAM_EAST_AND_NORTH: _row("4 4 3 3 3 3 3 3 3 3"),
    TOWER_HAMLETS: _row("3 4 4 3 3 3 2 3 3 3"),
    SOMERSET: _row("3 3 3 4 3 3 3 3 3 3"),
    GREAT_YARMOUTH_AND_WAVENEY: _row("2 3 2 2 2 2 1 2 2 2"),
}
NAMED_GOVERNANCE: Mapping[str, str] = {
    BIRMINGHAM_EAST_AND_NORTH: GREEN,
    TOWER_HAMLETS: GREEN,
    SOMERSET: GREEN,
    GREAT_YARMOUTH_AND_WAVENEY: RED,
}
#: Every other all-green PCT's competency total is at most this: strictly behind the leaders.
OTHER_ALL_GREEN_MAX = 26
#: Every other PCT has fewer level 1s than Great Yarmouth and Waveney (the demo's choice:
#: its "bottom marks in six of its ten" stands out, as the record tells it).
MAX_LEVEL_ONES = GYW_LEVEL_ONES - 1
PANEL_NOISE = 0.9
NOTICE_CAP = RuleSettings().notice_cap  # §4 default: "up to seven" put on notice


@dataclass(frozen=True)
class PanelView:
    """One PCT's final panel result for 2008/09: governance per area, level per competency."""

    governance: Mapping[str, str]
    levels: Mapping[int, int]

    @property
    def governance_points(self) -> int:
        return sum(GOVERNANCE_POINTS[self.governance[a]] for a in GOVERNANCE_AREAS)

    @property
    def competency_points(self) -> int:
        return sum(self.levels.values())

    @property
    def ranking_key(self) -> tuple[int, int]:
        """§4's first two keys; the third, the outcome score, is the outcomes' business."""
        return (self.governance_points, self.competency_points)

    @property
    def at_risk(self) -> bool:
        """§4: any red area or any competency at level 1."""
        return RED in self.governance.values() or 1 in self.levels.values()


def _check_codes(codes: Sequence[str]) -> list[str]:
    ordered = sorted(set(codes))
    if len(ordered) != PCT_COUNT or not set(NAMED_PANEL) <= set(ordered):
        raise ValueError(
            f"The year-1 record is of {PCT_COUNT} PCTs including "
            f"{', '.join(sorted(NAMED_PANEL))}; got {len(ordered)}"
        )
    return ordered


def _deal(order: Sequence[str], counts: Sequence[int], levels: Sequence[T]) -> dict[str, T]:
    """Give the first ``counts[0]`` of ``order`` ``levels[0]``, the next ``counts[1]``
    ``levels[1]``, and so on."""
    dealt: dict[str, T] = {}
    position = 0
    for count, level in zip(counts, levels, strict=True):
        for code in order[position : position + count]:
            dealt[code] = level
        position += count
    return dealt


def _remaining(
    total: Sequence[int], named: Mapping[str, Mapping[int, int]], number: int, levels: Sequence[int]
) -> list[int]:
    taken = Counter(row[number] for row in named.values())
    left = [count - taken[level] for count, level in zip(total, levels, strict=True)]
    if min(left) < 0:
        raise ValueError(f"competency {number}: the named PCTs use more levels than counted")
    return left


def year_one_self_levels(codes: Sequence[str], rng: random.Random) -> dict[str, dict[int, int]]:
    """Each PCT's self-assessed level per competency (1–10) for 2008/09.

    Per competency the counts are exactly :data:`SELF_COUNTS`; a PCT that rates itself
    highly on one competency tends to on the others (one confidence per PCT, plus noise).
    """
    ordered = _check_codes(codes)
    others = [c for c in ordered if c not in NAMED_SELF]
    confidence = {code: rng.gauss(0, 1) for code in others}
    levels: dict[str, dict[int, int]] = {code: dict(row) for code, row in NAMED_SELF.items()}
    for code in others:
        levels[code] = {}
    for number in COMPETENCIES:
        counts = _remaining(SELF_COUNTS[number], NAMED_SELF, number, (1, 2, 3, 4))
        noise = {code: rng.gauss(0, 0.8) for code in others}
        order = sorted(others, key=lambda c: (confidence[c] + noise[c], c), reverse=True)
        for code, level in _deal(order, counts[::-1], (4, 3, 2, 1)).items():
            levels[code][number] = level
    return {code: levels[code] for code in ordered}


def _governance(
    ordered: Sequence[str], strength: Mapping[str, float], rng: random.Random
) -> dict[str, dict[str, str]]:
    """Exactly the §2.2 counts, with the named PCTs as the record has them and no other
    PCT all-green or triple-red beyond the 27 and 2. Stronger PCTs tend to be greener."""
    others = [c for c in ordered if c not in NAMED_GOVERNANCE]
    key = {c: strength[c] + rng.gauss(0, 0.5) for c in others}
    by_key = sorted(others, key=lambda c: (key[c], c), reverse=True)
    named_green = [c for c, r in NAMED_GOVERNANCE.items() if r == GREEN]
    named_red = [c for c, r in NAMED_GOVERNANCE.items() if r == RED]
    all_green = named_green + by_key[: ALL_GREEN - len(named_green)]
    triple_red = named_red + by_key[::-1][: TRIPLE_RED - len(named_red)]
    rows = {c: dict.fromkeys(GOVERNANCE_AREAS, GREEN) for c in all_green}
    rows.update({c: dict.fromkeys(GOVERNANCE_AREAS, RED) for c in triple_red})
    rest = [c for c in by_key if c not in rows]
    for code in rest:
        rows[code] = {}
    for area in GOVERNANCE_AREAS:
        green, amber, red = GOVERNANCE_COUNTS[area]
        counts = (green - ALL_GREEN, amber, red - TRIPLE_RED)
        noisy = {c: key[c] + rng.gauss(0, 0.6) for c in rest}
        order = sorted(rest, key=lambda c: (noisy[c], c), reverse=True)
        for code, rating in _deal(order, counts, (GREEN, AMBER, RED)).items():
            rows[code][area] = rating
    # Swap within an area (keeping its counts) until no other PCT is all-green or
    # triple-red: the record has exactly 27 and 2.
    for uniform, partner in ((GREEN, AMBER), (RED, AMBER)):
        for code in rest:
            if set(rows[code].values()) != {uniform}:
                continue
            area = rng.choice(GOVERNANCE_AREAS)
            donor = next(
                c
                for c in sorted(rest, key=lambda c: key[c], reverse=uniform == GREEN)
                if rows[c][area] == partner
                and sum(rows[c][a] == uniform for a in GOVERNANCE_AREAS if a != area) < 2
            )
            rows[code][area], rows[donor][area] = partner, uniform
    return {c: rows[c] for c in ordered}


def _levels(
    ordered: Sequence[str],
    self_levels: Mapping[str, Mapping[int, int]],
    governance: Mapping[str, Mapping[str, str]],
    rng: random.Random,
) -> dict[str, dict[int, int]]:
    """Panel levels 1–3 with exactly :data:`PANEL_COUNTS` per competency: a PCT's level
    follows its own claim and its governance, with noise; then the record's limits."""
    others = [c for c in ordered if c not in NAMED_PANEL]
    points = {c: sum(GOVERNANCE_POINTS[r] for r in governance[c].values()) for c in ordered}
    levels: dict[str, dict[int, int]] = {c: dict(row) for c, row in NAMED_PANEL.items()}
    for code in others:
        levels[code] = {}
    for number in COMPETENCIES:
        counts = _remaining(PANEL_COUNTS[number], NAMED_PANEL, number, (1, 2, 3))
        key = {
            c: self_levels[c][number] + 0.3 * points[c] + rng.gauss(0, PANEL_NOISE) for c in others
        }
        order = sorted(others, key=lambda c: (key[c], c), reverse=True)
        for code, level in _deal(order, counts[::-1], (3, 2, 1)).items():
            levels[code][number] = level

    def swap(code: str, number: int, donors: Sequence[str], donor_level: int) -> bool:
        for donor in donors:
            if donor != code and levels[donor][number] == donor_level:
                levels[code][number], levels[donor][number] = donor_level, levels[code][number]
                return True
        return False

    def ones(code: str) -> int:
        return sum(v == 1 for v in levels[code].values())

    # Swaps keep every competency's counts (and so its mean) exact.
    all_green = {c for c in others if points[c] == 2 * len(GOVERNANCE_AREAS)}
    by_points = sorted(others, key=lambda c: (points[c], sum(levels[c].values()), c))
    for code in sorted(all_green):
        # Strictly behind the three leaders: hand a 3 to the strongest PCT that is not green.
        for number in sorted(COMPETENCIES, key=lambda n: (self_levels[code][n], n)):
            if sum(levels[code].values()) <= OTHER_ALL_GREEN_MAX:
                break
            if levels[code][number] == MAX_PANEL_LEVEL:
                donors = [c for c in reversed(by_points) if c not in all_green]
                swap(code, number, donors, 2)
    for code in others:
        # No one has more 1s than Great Yarmouth and Waveney: pass a 1 to a weak PCT that
        # is already at risk and has room, so the 1s stay with the weak.
        for number in COMPETENCIES:
            if ones(code) <= MAX_LEVEL_ONES:
                break
            if levels[code][number] == 1:
                donors = sorted(
                    (c for c in by_points if c not in all_green and 0 < ones(c) < MAX_LEVEL_ONES),
                    key=ones,
                )
                swap(code, number, donors, 2)
    return {c: levels[c] for c in ordered}


def _worst_at_risk(panel: Mapping[str, PanelView]) -> list[tuple[int, int]]:
    return sorted((v.governance_points, v.competency_points) for v in panel.values() if v.at_risk)


def problems(panel: Mapping[str, PanelView]) -> list[str]:
    """Where ``panel`` departs from the record (and from the demo's limits); empty when not."""
    found: list[str] = []
    views = list(panel.values())
    for area, expected in GOVERNANCE_COUNTS.items():
        got = Counter(v.governance[area] for v in views)
        if (got[GREEN], got[AMBER], got[RED]) != expected:
            found.append(f"{area}: {got[GREEN]}/{got[AMBER]}/{got[RED]}, not {expected}")
    uniform = Counter(
        next(iter(set(v.governance.values())))
        for v in views
        if len(set(v.governance.values())) == 1
    )
    if (uniform[GREEN], uniform[RED]) != (ALL_GREEN, TRIPLE_RED):
        found.append(f"{uniform[GREEN]} all-green and {uniform[RED]} triple-red")
    leaders = {panel[c].ranking_key for c in LEADERS}
    if any(v.ranking_key >= panel[FIRST].ranking_key for c, v in panel.items() if c != FIRST):
        found.append("Birmingham East and North is not strictly first")
    if any(v.ranking_key >= min(leaders) for c, v in panel.items() if c not in LEADERS):
        found.append("Tower Hamlets and Somerset are not strictly in the top three")
    gyw = panel[GREAT_YARMOUTH_AND_WAVENEY]
    if set(gyw.governance.values()) != {RED} or sum(lv == 1 for lv in gyw.levels.values()) != 6:
        found.append("Great Yarmouth and Waveney is not triple-red with six level 1s")
    if any(lv > MAX_PANEL_LEVEL for v in views for lv in v.levels.values()):
        found.append("a level above 3")
    if any(
        sum(lv == 1 for lv in v.levels.values()) > MAX_LEVEL_ONES
        for c, v in panel.items()
        if c != GREAT_YARMOUTH_AND_WAVENEY
    ):
        found.append(
            f"a PCT other than Great Yarmouth and Waveney with more than {MAX_LEVEL_ONES} level 1s"
        )
    worst = _worst_at_risk(panel)
    if len(worst) > NOTICE_CAP and worst[NOTICE_CAP - 1] == worst[NOTICE_CAP]:
        found.append(f"the {NOTICE_CAP}th and {NOTICE_CAP + 1}th worst PCTs at risk tie")
    return found


def year_one_panel(
    self_levels: Mapping[str, Mapping[int, int]], rng: random.Random, *, attempts: int = 50
) -> dict[str, PanelView]:
    """Each PCT's final 2008/09 panel result, agreeing with the record (module docstring).

    ``self_levels`` are the PCTs' own levels (:func:`year_one_self_levels`): the panel
    follows them, lower. Deterministic for the generator's state. A draw that departs from
    the record (:func:`problems`) is drawn again: in practice only when the seventh and
    eighth worst PCTs at risk tie, which would leave the notice tier short of its cap.
    """
    ordered = _check_codes(list(self_levels))
    for _ in range(attempts):
        strength = {
            c: sum(self_levels[c].values()) / len(COMPETENCIES) + rng.gauss(0, 0.35)
            for c in ordered
        }
        governance = _governance(ordered, strength, rng)
        levels = _levels(ordered, self_levels, governance, rng)
        panel = {c: PanelView(governance[c], levels[c]) for c in ordered}
        if not problems(panel):
            return panel
    raise RuntimeError("no draw of the year-1 panel agrees with the record")
