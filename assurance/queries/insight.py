"""The national picture of a cycle: self against panel per competency, the spread of levels,
governance ratings, tiers and the SHAs side by side (issue 16, part 4).

Two sources, one shape (:class:`Insight`):

- a **published** cycle is read from its current publication's frozen snapshot
  (:class:`PublishedResult`) in two aggregate queries — every national figure in one, the
  SHAs in one ``GROUP BY`` — plus one for the PCTs' own (self-assessed) levels and one
  for the framework;
- a cycle **in progress** is read from the live panel values (moderated, else consensus,
  §3) of the self-assessments a person may review (``access.panels.
  reviewable_self_assessments``: SHA staff their SHA's, DH every one), in five queries
  whatever the number of PCTs. There are no tiers before publication.

The means and the chart geometry are pure functions in ``assurance/rules/insight.py``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import (
    Avg,
    CharField,
    Count,
    F,
    Func,
    IntegerField,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import Cast, Coalesce, Floor, NullIf

from assurance.models import (
    SHA,
    Competency,
    CompetencyRating,
    Consensus,
    Cycle,
    Publication,
    PublicationStatus,
    PublishedResult,
    SelfAssessment,
    SelfAssessmentStatus,
    Tier,
)
from assurance.rules import insight as rules
from assurance.rules.scoring import GOVERNANCE_AREAS, GOVERNANCE_LABELS

RATINGS: tuple[str, ...] = ("red", "amber", "green")
RATING_LABELS = {"red": "Red", "amber": "Amber", "green": "Green"}


class JSONText(Func):
    """The text at one top-level key of a JSON object column.

    Django's key transforms read a key of digits ("1") as an array index, so the snapshot's
    ``competency_levels`` ({"1": 2, …}) cannot be read with them; this names the key as a
    key on both databases.
    """

    output_field = CharField()

    def __init__(self, column: str, key: str) -> None:
        if not key.replace("_", "").isalnum():
            raise ValueError(f"unexpected JSON key {key!r}")
        self.key = key
        super().__init__(F(column))

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> Any:  # SQLite
        sql, params = compiler.compile(self.source_expressions[0])
        return f"json_extract({sql}, %s)", [*params, f'$."{self.key}"']

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        sql, params = compiler.compile(self.source_expressions[0])
        return f"({sql} ->> %s)", [*params, self.key]


def _level(number: int) -> Cast:
    return Cast(JSONText("competency_levels", str(number)), IntegerField())


@dataclass
class CompetencyFigures:
    number: int
    name: str
    counts: dict[int, int]  # final panel level → PCTs
    self_counts: dict[int, int]  # self-assessed level → PCTs (submitted self-assessments)

    @property
    def panel_n(self) -> int:
        return sum(self.counts.values())

    @property
    def self_n(self) -> int:
        return sum(self.self_counts.values())

    @property
    def panel_mean(self) -> Decimal | None:
        return rules.mean_of_counts(self.counts)

    @property
    def self_mean(self) -> Decimal | None:
        return rules.mean_of_counts(self.self_counts)

    @property
    def gap(self) -> Decimal | None:
        """Self mean − panel mean: positive when PCTs rated themselves higher."""
        return rules.difference(self.self_mean, self.panel_mean)

    @property
    def level_counts(self) -> list[int]:
        return [self.counts.get(level, 0) for level in rules.LEVELS]


@dataclass
class ShaFigures:
    code: str
    name: str
    pcts: int = 0
    mean_level: Decimal | None = None
    all_green: int = 0
    mean_mark: Decimal | None = None  # published only
    tiers: dict[str, int] = field(default_factory=dict)  # published only

    @property
    def tier_counts(self) -> list[int]:
        return [self.tiers.get(t, 0) for t in Tier.values]


@dataclass
class Insight:
    cycle: Cycle
    publication: Publication | None  # None: live figures of a cycle in progress
    scope: str  # "England" or the SHA the figures are limited to
    pcts: int
    competencies: list[CompetencyFigures]
    governance: dict[str, dict[str, int]]  # area → rating → PCTs
    all_green: int
    shas: list[ShaFigures]
    tiers: dict[str, int] | None = None  # published only
    mean_mark: Decimal | None = None

    @property
    def published(self) -> bool:
        return self.publication is not None

    @property
    def illustrative(self) -> bool:
        return bool(self.publication.illustrative if self.publication else self.cycle.illustrative)

    @property
    def governance_rows(self) -> list[tuple[str, str, list[int]]]:
        """(area, label, counts in RATINGS order) for the three areas (§2.2)."""
        return [
            (a, GOVERNANCE_LABELS[a], [self.governance[a].get(r, 0) for r in RATINGS])
            for a in GOVERNANCE_AREAS
        ]

    @property
    def tier_rows(self) -> list[tuple[str, str, int]]:
        return [(t.value, t.label, (self.tiers or {}).get(t.value, 0)) for t in Tier]


def published_cycles() -> QuerySet[Cycle]:
    """Cycles with a published version, newest first."""
    return (
        Cycle.objects.filter(publications__status=PublicationStatus.COMPLETE)
        .distinct()
        .order_by("-year_label")
    )


def _competencies(cycle: Cycle) -> list[Competency]:
    return list(Competency.objects.filter(framework_id=cycle.framework_id).order_by("number"))


def _self_counts(cycle: Cycle, assessments: QuerySet[SelfAssessment]) -> dict[int, dict[int, int]]:
    """Competency number → self-assessed level → PCTs, over *submitted* self-assessments.

    One query: a PCT's level for a competency with criteria is the floor of the mean of its
    criteria levels (§2.1), so levels are grouped per PCT and competency in SQL and counted
    here.
    """
    rows = (
        CompetencyRating.objects.filter(
            cycle=cycle,
            self_assessment__in=assessments.filter(status=SelfAssessmentStatus.SUBMITTED),
            level__isnull=False,
        )
        .values("self_assessment_id", number=F("competency__number"))
        .annotate(value=Floor(Avg("level")))
        .order_by()
        .values_list("number", "value")
    )
    counts: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for number, value in rows:
        counts[number][int(value)] += 1
    return counts


# --- a published cycle: from the snapshot ------------------------------------------------


def published_insight(publication: Publication) -> Insight:
    """The national picture from a publication's frozen results (four queries)."""
    cycle = publication.cycle
    comps = _competencies(cycle)
    results = PublishedResult.objects.filter(publication=publication)
    annotated = results.annotate(
        **{f"level_{c.number}": _level(c.number) for c in comps},
        **{f"gov_{a}": JSONText("governance", a) for a in GOVERNANCE_AREAS},
    )
    all_green = Q(**{f"gov_{a}": "green" for a in GOVERNANCE_AREAS})
    aggregates: dict[str, Any] = {"n": Count("pk"), "mean_mark": Avg("mark")}
    aggregates["all_green"] = Count("pk", filter=all_green)
    for c in comps:
        for level in rules.LEVELS:
            aggregates[f"c{c.number}_{level}"] = Count(
                "pk", filter=Q(**{f"level_{c.number}": level})
            )
    for a in GOVERNANCE_AREAS:
        for r in RATINGS:
            aggregates[f"g_{a}_{r}"] = Count("pk", filter=Q(**{f"gov_{a}": r}))
    for t in Tier.values:
        aggregates[f"t_{t}"] = Count("pk", filter=Q(tier=t))
    figures = annotated.aggregate(**aggregates)

    # The PCTs' own levels: their submitted self-assessments, for the PCTs ranked as having
    # submitted one (frozen in the snapshot).
    submitted = SelfAssessment.objects.filter(
        cycle=cycle,
        pct_id__in=results.filter(self_assessment_submitted=True).values("pct_id"),
    )
    self_counts = _self_counts(cycle, submitted)

    per_sha = (
        annotated.values("sha_id", code=F("sha__code"), name=F("sha__name"))
        .annotate(
            n=Count("pk"),
            mean_mark=Avg("mark"),
            mean_points=Avg("competency_points"),
            all_green=Count("pk", filter=all_green),
            **{f"t_{t}": Count("pk", filter=Q(tier=t)) for t in Tier.values},
        )
        .order_by("name")
    )
    shas = [
        ShaFigures(
            code=row["code"],
            name=row["name"],
            pcts=row["n"],
            mean_level=rules.mean(Decimal(str(row["mean_points"])), len(comps)) if comps else None,
            all_green=row["all_green"],
            mean_mark=rules.mean(Decimal(str(row["mean_mark"])), 1),
            tiers={t: row[f"t_{t}"] for t in Tier.values},
        )
        for row in per_sha
    ]
    return Insight(
        cycle=cycle,
        publication=publication,
        scope="England",
        pcts=figures["n"],
        competencies=[
            CompetencyFigures(
                number=c.number,
                name=c.short_name,
                counts={
                    level: figures[f"c{c.number}_{level}"]
                    for level in rules.LEVELS
                    if figures[f"c{c.number}_{level}"]
                },
                self_counts=dict(self_counts.get(c.number, {})),
            )
            for c in comps
        ],
        governance={a: {r: figures[f"g_{a}_{r}"] for r in RATINGS} for a in GOVERNANCE_AREAS},
        all_green=figures["all_green"],
        shas=shas,
        tiers={t: figures[f"t_{t}"] for t in Tier.values},
        mean_mark=(
            rules.mean(Decimal(str(figures["mean_mark"])), 1)
            if figures["mean_mark"] is not None
            else None
        ),
    )


#: A published version's figures never change (the snapshot is frozen; a new version has its
#: own id), so they are kept for everyone, as the league table page is.
PUBLISHED_CACHE_SECONDS = 60 * 60


def cached_published_insight(publication: Publication) -> Insight:
    """:func:`published_insight`, from the cache after the first visitor."""
    from django.core.cache import cache

    key = f"insight:{publication.pk}:{publication.status}"
    return cache.get_or_set(  # type: ignore[no-any-return]
        key, lambda: published_insight(publication), PUBLISHED_CACHE_SECONDS
    )


# --- a cycle in progress: the live panel values a person may see ---------------------------


def live_insight(cycle: Cycle, assessments: QuerySet[SelfAssessment], scope: str) -> Insight:
    """The picture so far from the panels' final values (moderated, else consensus) of
    ``assessments`` — the self-assessments the person may review. Five queries: the
    framework, panel levels and governance ratings per PCT, own levels, the SHAs."""
    comps = _competencies(cycle)
    names = {c.number: c.short_name for c in comps}
    levels = (
        Consensus.objects.filter(
            cycle=cycle, self_assessment__in=assessments, competency__isnull=False
        )
        .values("self_assessment_id", number=F("competency__number"))
        .annotate(
            value=Floor(Avg(Coalesce("moderated_level", "level"))),
            sha_id=F("self_assessment__pct__sha_id"),
        )
        .order_by()
        .values_list("self_assessment_id", "number", "value", "sha_id")
    )
    counts: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    sha_levels: dict[int, list[int]] = defaultdict(list)
    sha_pcts: dict[int, set[int]] = defaultdict(set)
    for sa_id, number, value, sha_id in levels:
        if value is None:
            continue
        counts[number][int(value)] += 1
        sha_levels[sha_id].append(int(value))
        sha_pcts[sha_id].add(sa_id)

    ratings = (
        Consensus.objects.filter(cycle=cycle, self_assessment__in=assessments)
        .exclude(governance_area="")
        .annotate(
            final=Coalesce(
                NullIf("moderated_rating", Value("")), "rating", output_field=CharField()
            )
        )
        .values_list(
            "self_assessment_id", "governance_area", "final", "self_assessment__pct__sha_id"
        )
    )
    governance: dict[str, dict[str, int]] = {a: dict.fromkeys(RATINGS, 0) for a in GOVERNANCE_AREAS}
    greens: dict[int, int] = defaultdict(int)
    sha_of: dict[int, int] = {}
    for sa_id, area, final, sha_id in ratings:
        if final in RATINGS and area in governance:
            governance[area][final] += 1
            greens[sa_id] += final == "green"
            sha_of[sa_id] = sha_id
            sha_pcts[sha_id].add(sa_id)
    all_green = {sa for sa, n in greens.items() if n == len(GOVERNANCE_AREAS)}

    self_counts = _self_counts(cycle, assessments)
    shas = [
        ShaFigures(
            code=sha.code,
            name=sha.name,
            pcts=len(sha_pcts[sha.pk]),
            mean_level=rules.mean(sum(sha_levels[sha.pk]), len(sha_levels[sha.pk])),
            all_green=sum(1 for sa in all_green if sha_of[sa] == sha.pk),
        )
        for sha in SHA.objects.filter(pk__in=list(sha_pcts)).order_by("name")
    ]
    return Insight(
        cycle=cycle,
        publication=None,
        scope=scope,
        pcts=len(set().union(*sha_pcts.values())) if sha_pcts else 0,
        competencies=[
            CompetencyFigures(
                number=n,
                name=names[n],
                counts=dict(counts.get(n, {})),
                self_counts=dict(self_counts.get(n, {})),
            )
            for n in sorted(names)
        ],
        governance=governance,
        all_green=len(all_green),
        shas=shas,
    )


# --- charts and CSVs: the same figures ------------------------------------------------------

LEVEL_KEYS = [(f"level-{level}", f"Level {level}") for level in rules.LEVELS]
CHARTS = ("road-ahead", "levels", "governance", "tiers", "shas")


def charts(insight: Insight) -> dict[str, Any]:
    """The SVG geometry of each chart on the page, from :mod:`assurance.rules.insight`."""
    from wcc.status import tag_colour

    comps = insight.competencies
    out: dict[str, Any] = {
        "road_ahead": rules.bar_chart(
            [(f"{c.number}. {c.name}", [c.self_mean, c.panel_mean]) for c in comps],
            ["Mean self-assessed level", "Mean final panel level"],
            short=["Self", "Panel"],
            maximum=4,
            ticks=[0, 1, 2, 3, 4],
        ),
        "levels": rules.stacked_chart(
            [(f"{c.number}. {c.name}", c.level_counts) for c in comps],
            LEVEL_KEYS,
            short=[f"L{level}" for level in rules.LEVELS],
        ),
        "governance": rules.stacked_chart(
            [(label, counts) for _, label, counts in insight.governance_rows],
            [(f"status-{tag_colour(r)}", RATING_LABELS[r]) for r in RATINGS],
            short=[RATING_LABELS[r] for r in RATINGS],
        ),
        "shas": rules.bar_chart(
            [(s.name, [s.mean_level]) for s in insight.shas],
            ["Mean competency level"],
            maximum=4,
            ticks=[0, 1, 2, 3, 4],
        ),
    }
    if insight.tiers is not None:
        rows = insight.tier_rows
        out["tiers"] = rules.stacked_chart(
            [("All PCTs ranked", [n for _, _, n in rows])],
            [(f"status-{tag_colour(t)}", label) for t, label, _ in rows],
            short=[label for _, label, _ in rows],
        )
    return out


def table(insight: Insight, chart: str) -> list[list[Any]]:
    """The figures of one chart as rows (header first), for its CSV."""
    if chart == "road-ahead":
        return [
            ["Competency", "Name", "Mean self-assessed level", "PCTs (self)",
             "Mean final panel level", "PCTs (panel)", "Self − panel"],
            *(
                [c.number, c.name, c.self_mean, c.self_n, c.panel_mean, c.panel_n, c.gap]
                for c in insight.competencies
            ),
        ]  # fmt: skip
    if chart == "levels":
        return [
            ["Competency", "Name", *(label for _, label in LEVEL_KEYS), "Mean"],
            *([c.number, c.name, *c.level_counts, c.panel_mean] for c in insight.competencies),
        ]
    if chart == "governance":
        return [
            ["Area", *(RATING_LABELS[r] for r in RATINGS)],
            *([label, *counts] for _, label, counts in insight.governance_rows),
            ["All three green", "", "", insight.all_green],
        ]
    if chart == "tiers":
        if insight.tiers is None:
            raise ValueError("tiers are set at publication")
        return [["Tier", "PCTs"], *([label, n] for _, label, n in insight.tier_rows)]
    if chart == "shas":
        header = ["SHA", "PCTs", "Mean competency level", "All three green"]
        if insight.published:
            header += ["Mean mark", *(t.label for t in Tier)]
        lines: list[list[Any]] = [header]
        for s in insight.shas:
            line: list[Any] = [s.name, s.pcts, s.mean_level, s.all_green]
            if insight.published:
                line += [s.mean_mark, *s.tier_counts]
            lines.append(line)
        return lines
    raise ValueError(f"no chart {chart!r}")


# --- a PCT's years on one screen (issue 16, part 5) -------------------------------------------


@dataclass
class PctYear:
    """One published cycle of a PCT: its frozen result, formatted for the registry page."""

    result: PublishedResult
    ranked: int  # PCTs ranked nationally in that publication
    ranked_in_sha: int
    levels: list[int | None]  # per competency number of the page's columns
    governance: list[tuple[str, str, str]]  # (area label, rating, tag class)

    @property
    def cycle(self) -> Cycle:
        return self.result.publication.cycle

    @property
    def tier_label(self) -> str:
        return Tier(self.result.tier).label


@dataclass
class PctYears:
    years: list[PctYear]  # newest first, as the table reads
    columns: list[tuple[int, str]]  # (number, name): every competency any year scored
    rank_chart: rules.LineChart | None
    mark_chart: rules.LineChart | None


def pct_years(pct_id: int) -> PctYears:
    """Every published cycle's result of one PCT (its current version), with how many PCTs
    were ranked nationally and in its SHA that year, in two queries whatever the number of
    cycles: the results with both counts as subqueries, and the competencies' names."""
    from django.db.models import OuterRef, Subquery
    from django.db.models.functions import Coalesce as _Coalesce

    from wcc.status import tag_class

    def ranked(**same: Any) -> Any:
        return _Coalesce(
            Subquery(
                PublishedResult.objects.filter(publication=OuterRef("publication"), **same)
                .order_by()
                .values("publication")
                .annotate(n=Count("pk"))
                .values("n")[:1]
            ),
            0,
        )

    results = list(
        PublishedResult.objects.filter(
            pct_id=pct_id, publication__status=PublicationStatus.COMPLETE
        )
        .select_related("publication__cycle")
        .annotate(ranked=ranked(), ranked_in_sha=ranked(sha_id=OuterRef("sha_id")))
        .order_by("-publication__cycle__year_label")
    )
    numbers = sorted({int(n) for r in results for n in r.competency_levels})
    names: dict[int, str] = {}
    if results:
        newest_first = [r.publication.cycle.framework_id for r in results]
        for framework_id, number, name in Competency.objects.filter(
            framework_id__in=newest_first
        ).values_list("framework_id", "number", "short_name"):
            # The newest framework's wording wins (the texts changed a little, §2.1).
            if number not in names or framework_id == newest_first[0]:
                names[number] = name
    years = [
        PctYear(
            result=r,
            ranked=r.ranked,  # type: ignore[attr-defined]
            ranked_in_sha=r.ranked_in_sha,  # type: ignore[attr-defined]
            levels=[r.competency_levels.get(str(n)) for n in numbers],
            governance=[
                (GOVERNANCE_LABELS[a], r.governance[a], tag_class(r.governance[a]))
                for a in GOVERNANCE_AREAS
            ],
        )
        for r in results
    ]
    oldest_first = list(reversed(years))
    return PctYears(
        years=years,
        columns=[(n, names.get(n, f"Competency {n}")) for n in numbers],
        rank_chart=rules.line_chart(
            [(y.cycle.year_label, y.result.rank) for y in oldest_first],
            low=1,
            high=max(2, *(y.ranked for y in years)),
            inverted=True,
        )
        if years
        else None,
        mark_chart=rules.line_chart(
            [(y.cycle.year_label, y.result.mark) for y in oldest_first], low=0, high=100
        )
        if years
        else None,
    )
