"""Results → rank, overall mark, tier, elite flag and reasons (domain brief §4).

The one place that decides a tier. Pure: frozen dataclasses in, frozen dataclasses out;
no ORM, no settings, no clock. Views, tasks and commands call :func:`compute_tiers`.

The rules (§4, numbers from the cycle's settings, :class:`RuleSettings`):

* Governance points: red 0, amber 1, green 2, summed over strategy, finance, board.
  Competency points: the sum of the competency scores (the criteria mean, where the
  framework has criteria) else levels.
* Rank: governance points, then competency points, then outcome score, all descending;
  equal on all three share a rank (1, 2, 2, 4).
* Overall mark: 50 × governance points / maximum + 50 × competency points / maximum.
* Freedoms tier: all three areas green, every competency ≥ 3, at least
  ``min_level_four`` competencies at 4, improved health outcomes (score ≥ threshold).
  Of those the best-ranked up to ``freedoms_cap``.
* On notice: any red area or any competency at level 1. Of those the worst-ranked up to
  ``notice_cap``.
* Caps are never exceeded: a tied group straddling a cap is left out of that tier whole.
* Support: every other PCT. Elite candidate: rank ≤ ``elite_share`` × number ranked.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from assurance.rules.scoring import GOVERNANCE_AREAS, GOVERNANCE_POINTS

TWO_PLACES = Decimal("0.01")
MAX_GOVERNANCE_POINTS = 2 * len(GOVERNANCE_AREAS)
MAX_LEVEL = 4


class Tier(StrEnum):
    FREEDOMS = "freedoms"
    SUPPORT = "support"
    NOTICE = "notice"

    @property
    def label(self) -> str:
        return {"freedoms": "Freedoms", "support": "Support", "notice": "On notice"}[self.value]


@dataclass(frozen=True)
class RuleSettings:
    """A cycle's rule settings (§4 defaults). DH staff can change them per cycle."""

    freedoms_cap: int = 15
    notice_cap: int = 7
    min_level_four: int = 2
    elite_share: Decimal = Decimal("0.200")
    outcome_threshold: Decimal = Decimal("0.500")

    def as_dict(self) -> dict[str, str | int]:
        return {
            "freedoms_cap": self.freedoms_cap,
            "notice_cap": self.notice_cap,
            "min_level_four": self.min_level_four,
            "elite_share": str(self.elite_share),
            "outcome_threshold": str(self.outcome_threshold),
        }


@dataclass(frozen=True)
class PCTResult:
    """One PCT's final (moderated, else consensus) results for a cycle.

    ``competency_levels`` maps competency number → level 1–4; ``competency_scores``
    optionally maps number → criteria mean (two decimals) where the framework has criteria.
    ``governance`` maps strategy/finance/board → red/amber/green. ``outcome_score`` is
    :func:`assurance.rules.scoring.outcome_score` (None when no outcome was chosen).
    """

    key: str
    competency_levels: Mapping[int, int]
    governance: Mapping[str, str]
    outcome_score: Decimal | None
    competency_scores: Mapping[int, Decimal] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for area in GOVERNANCE_AREAS:
            if self.governance.get(area) not in GOVERNANCE_POINTS:
                raise ValueError(f"{self.key}: governance {area} needs red, amber or green")
        for number, level in self.competency_levels.items():
            if level not in (1, 2, 3, 4):
                raise ValueError(f"{self.key}: competency {number} level {level} is outside 1–4")
        if not self.competency_levels:
            raise ValueError(f"{self.key}: no competency levels")

    @property
    def governance_points(self) -> int:
        return sum(GOVERNANCE_POINTS[self.governance[area]] for area in GOVERNANCE_AREAS)

    @property
    def competency_points(self) -> Decimal:
        return sum(
            (
                self.competency_scores.get(number, Decimal(level))
                for number, level in self.competency_levels.items()
            ),
            Decimal(0),
        )

    @property
    def ranking_key(self) -> tuple[int, Decimal, Decimal]:
        """Higher is better on each. No outcomes chosen counts as a score of 0."""
        return (
            self.governance_points,
            self.competency_points,
            self.outcome_score if self.outcome_score is not None else Decimal(0),
        )


@dataclass(frozen=True)
class TieredResult:
    key: str
    rank: int
    mark: Decimal
    tier: Tier
    elite_candidate: bool
    eligible_for_freedoms: bool
    at_risk: bool
    governance_points: int
    competency_points: Decimal
    outcome_score: Decimal | None
    reasons: tuple[str, ...]


def ordinal(n: int) -> str:
    suffix = "th" if 11 <= n % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def rank_results(results: Sequence[PCTResult]) -> dict[str, int]:
    """Standard competition ranking (1, 2, 2, 4) on :attr:`PCTResult.ranking_key`."""
    ordered = sorted(results, key=lambda r: r.ranking_key, reverse=True)
    ranks: dict[str, int] = {}
    previous: tuple[int, Decimal, Decimal] | None = None
    rank = 0
    for position, result in enumerate(ordered, start=1):
        if result.ranking_key != previous:
            rank = position
            previous = result.ranking_key
        ranks[result.key] = rank
    return ranks


def regional_ranks(results: Sequence[PCTResult], region: Mapping[str, str]) -> dict[str, int]:
    """The same competition ranking among the PCTs of one SHA (§4 [rule] regional rank).

    ``region`` maps each result's key to its SHA; a PCT's regional rank is its rank in a
    table of its SHA's PCTs alone.
    """
    by_region: dict[str, list[PCTResult]] = {}
    for result in results:
        by_region.setdefault(region[result.key], []).append(result)
    ranks: dict[str, int] = {}
    for members in by_region.values():
        ranks.update(rank_results(members))
    return ranks


def overall_mark(result: PCTResult, competency_count: int) -> Decimal:
    """50 × governance points / 6 + 50 × competency points / (4 × competencies), 2 places."""
    governance = Decimal(50) * result.governance_points / MAX_GOVERNANCE_POINTS
    competencies = Decimal(50) * result.competency_points / (MAX_LEVEL * competency_count)
    return (governance + competencies).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


#: §4 [rule]: freedoms need every competency at this level or above.
FREEDOMS_MIN_LEVEL = 3


def _numbers(numbers: Sequence[int]) -> str:
    """ "competency 4", "competencies 1, 2 and 5"."""
    if len(numbers) == 1:
        return f"competency {numbers[0]}"
    return f"competencies {', '.join(map(str, numbers[:-1]))} and {numbers[-1]}"


def _by_level(levels: Mapping[int, int], keep: Callable[[int], bool]) -> str:
    """The competencies whose level ``keep`` picks, said once per level, lowest first:
    "competencies 1 and 7 at level 1, competencies 2, 3 and 5 at level 2"."""
    grouped: dict[int, list[int]] = {}
    for number, level in sorted(levels.items()):
        if keep(level):
            grouped.setdefault(level, []).append(number)
    return ", ".join(
        f"{_numbers(numbers)} at level {level}" for level, numbers in sorted(grouped.items())
    )


def freedoms_shortfalls(result: PCTResult, settings: RuleSettings) -> list[str]:
    """Why a PCT is not eligible for freedoms (empty when it is)."""
    reasons = [
        f"{area} {result.governance[area]}: not eligible for freedoms"
        for area in GOVERNANCE_AREAS
        if result.governance[area] != "green"
    ]
    below = _by_level(result.competency_levels, lambda level: level < FREEDOMS_MIN_LEVEL)
    if below:
        reasons.append(
            f"{below}: not eligible for freedoms "
            f"(every competency needs level {FREEDOMS_MIN_LEVEL})"
        )
    fours = sum(1 for level in result.competency_levels.values() if level == MAX_LEVEL)
    if fours < settings.min_level_four:
        reasons.append(
            f"{fours} competenc{'y' if fours == 1 else 'ies'} at level 4, "
            f"{settings.min_level_four} needed: not eligible for freedoms"
        )
    score = result.outcome_score
    if score is None:
        reasons.append(
            "no outcomes chosen: health outcomes not improved, not eligible for freedoms"
        )
    elif score < settings.outcome_threshold:
        reasons.append(
            f"outcome score {score} below {settings.outcome_threshold}: "
            "health outcomes not improved, not eligible for freedoms"
        )
    return reasons


def notice_risks(result: PCTResult) -> list[str]:
    """Why a PCT is at risk of being put on notice (empty when it is not)."""
    reasons = [
        f"{area} red: at risk of notice"
        for area in GOVERNANCE_AREAS
        if result.governance[area] == "red"
    ]
    ones = _by_level(result.competency_levels, lambda level: level == 1)
    if ones:
        reasons.append(f"{ones}: at risk of notice")
    return reasons


def _within_cap(
    candidates: Sequence[str], ranks: Mapping[str, int], cap: int, ahead: str
) -> tuple[set[str], dict[str, str]]:
    """Take whole rank groups of ``candidates`` (already best-first for the tier) up to ``cap``.

    Returns the keys taken and, for those left out, why: a tied group that would take the
    tier past its cap is left out whole, and so is everyone after it (§4: caps are never
    exceeded, and a lower-ranked PCT never jumps a higher-ranked one).
    """
    taken: set[str] = set()
    left_out: dict[str, str] = {}
    groups: list[list[str]] = []
    for key in candidates:
        if groups and ranks[groups[-1][0]] == ranks[key]:
            groups[-1].append(key)
        else:
            groups.append([key])
    full = False
    straddled = False
    for group in groups:
        if not full and len(taken) + len(group) <= cap:
            taken.update(group)
            continue
        if not full and len(group) > 1 and len(taken) < cap:
            for key in group:
                left_out[key] = (
                    f"shares rank {ranks[key]} with {len(group) - 1} other "
                    f"PCT{'s' if len(group) > 2 else ''} in the same position; taking the whole "
                    f"tied group would exceed the cap of {cap}, so the group is left out"
                )
            straddled = True
        elif straddled:
            for key in group:
                left_out[key] = (
                    f"a {ahead} tied group was left out at the cap of {cap}, "
                    "and no PCT is taken ahead of it"
                )
        else:
            for key in group:
                left_out[key] = f"the cap of {cap} was reached by {ahead} PCTs"
        full = True
    return taken, left_out


def compute_tiers(
    results: Iterable[PCTResult],
    settings: RuleSettings,
    *,
    competency_count: int | None = None,
) -> list[TieredResult]:
    """Rank every PCT and place each in exactly one tier, with the reasons (§4).

    ``competency_count`` is the number of competencies the framework scores (10 in
    2008/09, 11 in 2009/10); by default the largest number any result has.
    Returned in rank order (ties by key).
    """
    results = list(results)
    if not results:
        return []
    keys = [r.key for r in results]
    if len(set(keys)) != len(keys):
        raise ValueError("each PCT may appear only once")
    count = competency_count or max(len(r.competency_levels) for r in results)
    ranks = rank_results(results)
    by_rank = sorted(results, key=lambda r: (ranks[r.key], r.key))

    shortfalls = {r.key: freedoms_shortfalls(r, settings) for r in results}
    risks = {r.key: notice_risks(r) for r in results}
    eligible = [r.key for r in by_rank if not shortfalls[r.key]]
    at_risk = [r.key for r in reversed(by_rank) if risks[r.key]]
    freedoms, freedoms_left_out = _within_cap(
        eligible, ranks, settings.freedoms_cap, "better-ranked"
    )
    notice, notice_left_out = _within_cap(at_risk, ranks, settings.notice_cap, "worse-ranked")

    elite_limit = settings.elite_share * len(results)
    tiered: list[TieredResult] = []
    for result in by_rank:
        key, rank = result.key, ranks[result.key]
        reasons: list[str] = []
        if key in freedoms:
            tier = Tier.FREEDOMS
            reasons.append(
                f"all three governance areas green, every competency at level 3 or above, "
                f"at least {settings.min_level_four} at level 4 and improved health outcomes: "
                "eligible for freedoms"
            )
            reasons.append(f"among the best-ranked {settings.freedoms_cap} eligible PCTs: freedoms")
        elif key in notice:
            tier = Tier.NOTICE
            reasons.extend(risks[key])
            reasons.append(f"among the worst-ranked {settings.notice_cap} PCTs at risk: on notice")
        else:
            tier = Tier.SUPPORT
            if key in freedoms_left_out:
                reasons.append(
                    f"eligible for freedoms, but {freedoms_left_out[key]}: not given freedoms"
                )
            else:
                reasons.extend(shortfalls[key])
            if key in notice_left_out:
                reasons.extend(risks[key])
                reasons.append(f"at risk, but {notice_left_out[key]}: not put on notice")
            reasons.append("support package")
        elite = Decimal(rank) <= elite_limit
        if elite:
            reasons.append(
                f"ranked {ordinal(rank)} of {len(results)}, within the top "
                f"{(settings.elite_share * 100).normalize():f}%: elite candidate (subject to DH interview)"
            )
        tiered.append(
            TieredResult(
                key=key,
                rank=rank,
                mark=overall_mark(result, count),
                tier=tier,
                elite_candidate=elite,
                eligible_for_freedoms=not shortfalls[key],
                at_risk=bool(risks[key]),
                governance_points=result.governance_points,
                competency_points=result.competency_points,
                outcome_score=result.outcome_score,
                reasons=tuple(reasons),
            )
        )
    return tiered


@dataclass(frozen=True)
class Improvement:
    key: str
    rank: int
    previous_rank: int
    places: int
    mark: Decimal
    previous_mark: Decimal
    mark_change: Decimal


def improvement(
    key: str, rank: int, mark: Decimal, *, previous_rank: int, previous_mark: Decimal
) -> Improvement:
    """One PCT's movement between two publications: places gained and mark gained."""
    return Improvement(
        key=key,
        rank=rank,
        previous_rank=previous_rank,
        places=previous_rank - rank,
        mark=mark,
        previous_mark=previous_mark,
        mark_change=mark - previous_mark,
    )


def most_improved(
    current: Iterable[tuple[str, int, Decimal]],
    previous: Mapping[str, tuple[int, Decimal]],
) -> list[Improvement]:
    """PCTs ranked in both cycles, most improved first: places gained, then mark gained (§4).

    ``current`` holds (key, rank, mark); ``previous`` maps key → (rank, mark). Ties go to
    the better current rank, then the key. ``assurance.queries.publications.improvement_rows`` applies
    the same order in SQL for a page of a large publication.
    """
    rows = [
        improvement(key, rank, mark, previous_rank=previous[key][0], previous_mark=previous[key][1])
        for key, rank, mark in current
        if key in previous
    ]
    return sorted(rows, key=lambda r: (-r.places, -r.mark_change, r.rank, r.key))
