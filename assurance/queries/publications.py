"""Reading a publication: league-table rows, filters, averages, the PCT report and exports.

Read side only (no writes). Every function here reads the frozen snapshot
(:class:`PublishedResult`), never live scores, so what the public sees is what DH published.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet

from assurance.models import (
    SHA,
    ChosenOutcome,
    Competency,
    Consensus,
    Moderation,
    Publication,
    PublicationStatus,
    PublishedResult,
    Tier,
)
from assurance.queries.due_process import previous_version, version_changes
from assurance.rules import consequences, scoring, tiers
from assurance.rules.scoring import GOVERNANCE_AREAS
from assurance.rules.scoring import GOVERNANCE_LABELS as GOVERNANCE_AREAS_LABELS
from wcc.status import tag_class

SORTS = {
    "rank": ("rank", "pct__name"),
    "pct": ("pct__name",),
    "sha": ("sha__name", "rank", "pct__name"),
    "mark": ("-mark", "rank", "pct__name"),
    "movement": ("movement_order", "rank", "pct__name"),
}


@dataclass
class Filters:
    sha: str = ""
    tier: str = ""
    sort: str = "rank"

    @classmethod
    def from_query(cls, query: Any) -> Filters:
        sha = (query.get("sha") or "").upper()[:3]
        tier = query.get("tier") or ""
        sort = query.get("sort") or "rank"
        return cls(
            sha=sha if sha and sha in sha_codes() else "",
            tier=tier if tier in Tier.values else "",
            sort=sort if sort in SORTS else "rank",
        )

    def as_query(self) -> str:
        from urllib.parse import urlencode

        return urlencode(
            {k: v for k, v in (("sha", self.sha), ("tier", self.tier), ("sort", self.sort)) if v}
        )


def sha_codes() -> set[str]:
    """The SHAs' codes, cached: reference data that changes only by a registry import."""
    from django.core.cache import cache

    return cache.get_or_set(  # type: ignore[no-any-return]
        "league:sha-codes", lambda: set(SHA.objects.values_list("code", flat=True)), 3600
    )


def competencies(publication: Publication) -> list[Competency]:
    return list(
        Competency.objects.filter(framework_id=publication.cycle.framework_id).order_by("number")
    )


def league_rows(
    publication: Publication, filters: Filters | None = None
) -> QuerySet[PublishedResult]:
    from django.db.models import F

    filters = filters or Filters()
    rows = PublishedResult.objects.filter(publication=publication).select_related("pct", "sha")
    if filters.sha:
        rows = rows.filter(sha__code=filters.sha)
    if filters.tier:
        rows = rows.filter(tier=filters.tier)
    if filters.sort == "movement":
        # Biggest climbers first; new entries last.
        rows = rows.annotate(movement_order=F("rank") - F("previous_rank")).order_by(
            F("movement_order").asc(nulls_last=True), "rank", "pct__name"
        )
        return rows
    return rows.order_by(*SORTS[filters.sort])


def _arrow(move: int | None) -> str:
    if move is None:
        return "new"
    if move > 0:
        return f"▲{move}"
    if move < 0:
        return f"▼{-move}"
    return "–"


def _label(move: int | None) -> str:
    if move is None:
        return "new this cycle"
    if move == 0:
        return "no change"
    return f"{'up' if move > 0 else 'down'} {abs(move)} place{'s' if abs(move) != 1 else ''}"


@dataclass
class Row:
    """One league-table line, formatted for templates (templates hold no rules)."""

    result: PublishedResult
    levels: list[int]
    governance: list[tuple[str, str, str]]  # (area label, rating, tag class)

    @property
    def movement(self) -> str:
        return _arrow(self.result.movement)

    @property
    def movement_label(self) -> str:
        return _label(self.result.movement)

    @property
    def regional_movement(self) -> str:
        return _arrow(self.result.regional_movement)

    @property
    def regional_movement_label(self) -> str:
        return _label(self.result.regional_movement)

    @property
    def tier_label(self) -> str:
        return Tier(self.result.tier).label

    @property
    def tier_tag(self) -> str:
        return tag_class(self.result.tier)


def present(rows: Any, numbers: list[int]) -> list[Row]:
    return [
        Row(
            result=r,
            levels=[r.competency_levels.get(str(n)) for n in numbers],
            governance=[
                (area.capitalize(), r.governance[area], tag_class(r.governance[area]))
                for area in GOVERNANCE_AREAS
            ],
        )
        for r in rows
    ]


def by_sha(rows: list[Row]) -> list[tuple[SHA, list[Row]]]:
    groups: dict[int, list[Row]] = defaultdict(list)
    shas: dict[int, SHA] = {}
    for row in rows:
        groups[row.result.sha_id].append(row)
        shas[row.result.sha_id] = row.result.sha
    return [(shas[k], groups[k]) for k in sorted(groups, key=lambda k: shas[k].name)]


def averages(publication: Publication) -> tuple[dict[str, Decimal], dict[int, dict[str, Decimal]]]:
    """National and per-SHA mean level per competency, from the snapshot (one query)."""
    national: dict[str, list[int]] = defaultdict(list)
    regional: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for sha_id, levels in PublishedResult.objects.filter(publication=publication).values_list(
        "sha_id", "competency_levels"
    ):
        for number, level in levels.items():
            national[number].append(level)
            regional[sha_id][number].append(level)

    def mean(values: list[int]) -> Decimal:
        return (Decimal(sum(values)) / len(values)).quantize(Decimal("0.01"), ROUND_HALF_UP)

    return (
        {n: mean(v) for n, v in national.items()},
        {sha: {n: mean(v) for n, v in nums.items()} for sha, nums in regional.items()},
    )


# --- the PCT report ----------------------------------------------------------------------


@dataclass
class ChartBar:
    y: int
    width: int
    value: str
    fill: str
    label: str


@dataclass
class ChartRow:
    number: int
    name: str
    y: int
    bars: list[ChartBar] = field(default_factory=list)


CHART_LEFT = 250
CHART_WIDTH = 400  # four levels × 100 px
BAR = 10
# NHS blue, NHS mid grey, NHS aqua green: told apart by position and legend, not colour alone.
CHART_FILLS = ("#005eb8", "#768692", "#00a499")


def chart(
    comps: list[Competency],
    pct_levels: dict[str, int],
    sha_means: dict[str, Decimal],
    national_means: dict[str, Decimal],
) -> dict[str, Any]:
    """Geometry for the server-rendered SVG bar chart: PCT vs SHA vs national, per competency."""
    rows = []
    y = 30
    for comp in comps:
        key = str(comp.number)
        row = ChartRow(number=comp.number, name=comp.short_name, y=y)
        series = [
            (Decimal(pct_levels.get(key, 0)), CHART_FILLS[0], "This PCT"),
            (sha_means.get(key, Decimal(0)), CHART_FILLS[1], "SHA average"),
            (national_means.get(key, Decimal(0)), CHART_FILLS[2], "National average"),
        ]
        for i, (value, fill, label) in enumerate(series):
            row.bars.append(
                ChartBar(
                    y=y + i * (BAR + 1),
                    width=int(value * CHART_WIDTH / 4),
                    value=f"{value.normalize():f}" if value else "–",
                    fill=fill,
                    label=label,
                )
            )
        rows.append(row)
        y += 3 * (BAR + 1) + 10
    return {
        "rows": rows,
        "height": y + 10,
        "width": CHART_LEFT + CHART_WIDTH + 50,
        "left": CHART_LEFT,
        "ticks": [(level, CHART_LEFT + level * CHART_WIDTH // 4) for level in range(5)],
        "legend": [
            (CHART_LEFT + i * 140, fill, label)
            for i, (fill, label) in enumerate(
                zip(CHART_FILLS, ("This PCT", "SHA average", "National average"), strict=True)
            )
        ],
    }


def previous_result(result: PublishedResult) -> PublishedResult | None:
    """The same PCT in the previous cycle's current publication, if it was published."""
    previous_cycle_id = result.publication.cycle.previous_id
    if previous_cycle_id is None:
        return None
    return (
        PublishedResult.objects.filter(
            publication__cycle_id=previous_cycle_id,
            publication__status=PublicationStatus.COMPLETE,
            pct_id=result.pct_id,
        )
        .order_by("-publication__version")
        .first()
    )


def report_context(publication: Publication, result: PublishedResult) -> dict[str, Any]:
    comps = competencies(publication)
    national, regional = averages(publication)
    previous = previous_result(result)
    competency_rows = [
        {
            "competency": c,
            "level": result.competency_levels.get(str(c.number)),
            "sha": regional.get(result.sha_id, {}).get(str(c.number)),
            "national": national.get(str(c.number)),
            "previous": previous.competency_levels.get(str(c.number)) if previous else None,
        }
        for c in comps
    ]
    changes = version_changes(publication, [result.pct_id])
    return {
        "publication": publication,
        "result": result,
        # A corrected version says what changed for this PCT from the version before, and
        # why (domain brief §8): empty for a first version.
        "changes": changes[0] if changes else None,
        "corrected_from": previous_version(publication) if publication.version > 1 else None,
        "row": present([result], [c.number for c in comps])[0],
        "previous": previous,
        "previous_row": present([previous], [c.number for c in comps])[0] if previous else None,
        "competency_rows": competency_rows,
        "chart": chart(comps, result.competency_levels, regional.get(result.sha_id, {}), national),
        "what_follows": consequences.what_follows(
            tiers.Tier(result.tier),
            governance=result.governance,
            levels={int(k): v for k, v in result.competency_levels.items()},
        ),
        **PublishedResult.objects.filter(publication=publication).aggregate(
            ranked=Count("pk"), ranked_in_sha=Count("pk", filter=Q(sha_id=result.sha_id))
        ),
    }


# --- improvement --------------------------------------------------------------------------


def improvement_rows(publication: Publication) -> QuerySet[PublishedResult]:
    """PCTs ranked in both cycles, most improved first, ordered in SQL.

    The order is :func:`assurance.rules.tiers.most_improved`'s (places gained, then mark gained,
    then rank, then ODS code), so a page of 200 is a LIMIT, not a sort of every PCT in
    Python; ``tests/assurance/queries/test_publications.py`` checks the two orders agree. The mark change is
    rounded to its two decimal places so SQLite's floating-point arithmetic ties where
    PostgreSQL's numeric does.
    """
    from django.db.models import F
    from django.db.models.functions import Round

    return (
        PublishedResult.objects.filter(
            publication=publication, previous_rank__isnull=False, previous_mark__isnull=False
        )
        .select_related("pct", "sha")
        # Only what the page shows: the snapshot's JSON columns would be carried through the
        # sort of every PCT for nothing.
        .only(
            "publication_id",
            "rank",
            "mark",
            "previous_rank",
            "previous_mark",
            "pct__code",
            "pct__name",
            "sha__name",
        )
        .annotate(
            places=F("previous_rank") - F("rank"),
            mark_change=Round(F("mark") - F("previous_mark"), 2),
        )
        .order_by("-places", "-mark_change", "rank", "pct__code")
    )


def improvements(rows: Any) -> list[tuple[tiers.Improvement, PublishedResult]]:
    """Each row of a page of :func:`improvement_rows` with its improvement figures."""
    return [
        (
            tiers.improvement(
                r.pct.code,
                r.rank,
                r.mark,
                previous_rank=r.previous_rank,
                previous_mark=r.previous_mark,
            ),
            r,
        )
        for r in rows
    ]


# --- exports ------------------------------------------------------------------------------

ILLUSTRATIVE = "Illustrative data — not the programme's results"
NOT_SUBMITTED = "self-assessment not submitted"

EXPORT_HEADER = [
    "Rank",
    "Regional rank",
    "ODS code",
    "PCT",
    "SHA",
    "Self-assessment",
    "Strategy",
    "Finance",
    "Board",
    "Governance points",
    "Competency points",
    "Outcome score",
    "Mark",
    "Tier",
    "Elite candidate",
    "Previous rank",
    "Movement",
    "Previous regional rank",
    "Regional movement",
]
#: Where the competency columns go: after the governance ratings.
COMPETENCY_COLUMNS_AT = 9


def export_rows(
    rows: list[Row],
    numbers: list[int],
    *,
    not_assessed: Sequence[Mapping[str, Any]] = (),
    illustrative: bool = False,
) -> list[list[Any]]:
    """The league table as cells: every ranked PCT, then those DH left out ("not assessed",
    with the reason). A demo publication's every row says its data is illustrative."""
    at = COMPETENCY_COLUMNS_AT
    header = EXPORT_HEADER[:at] + [f"Competency {n}" for n in numbers] + EXPORT_HEADER[at:]
    if illustrative:
        header.append("Data")
    out: list[list[Any]] = [header]
    for row in rows:
        r = row.result
        line = [
            r.rank,
            r.regional_rank if r.regional_rank is not None else "",
            r.pct.code,
            r.pct.name,
            r.sha.name,
            "submitted" if r.self_assessment_submitted else "not submitted",
            *(r.governance[a] for a in GOVERNANCE_AREAS),
            *row.levels,
            r.governance_points,
            r.competency_points,
            r.outcome_score if r.outcome_score is not None else "",
            r.mark,
            row.tier_label,
            "yes" if r.elite_candidate else "no",
            r.previous_rank if r.previous_rank is not None else "",
            row.movement,
            r.previous_regional_rank if r.previous_regional_rank is not None else "",
            row.regional_movement,
        ]
        out.append([*line, ILLUSTRATIVE] if illustrative else line)
    for left in not_assessed:
        line = ["", "", left["code"], left["name"], left["sha"], f"not assessed: {left['reason']}"]
        line += [""] * (len(header) - len(line) - (1 if illustrative else 0))
        out.append([*line, ILLUSTRATIVE] if illustrative else line)
    return out


#: A cell starting with one of these is a formula to a spreadsheet (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _neutralised(value: Any) -> Any:
    """Text a spreadsheet would run as a formula gets a leading apostrophe; nothing else.
    Numbers (negative ones too) stay numbers; an empty cell stays empty."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return f"'{value}"
    return value


def to_csv(table: list[list[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for line in table:
        writer.writerow([_neutralised(v) for v in line])
    return buffer.getvalue()


def to_xlsx(table: list[list[Any]], title: str) -> bytes:
    return to_workbook([(title, table)])


def to_workbook(sheets: Sequence[tuple[str, list[list[Any]]]]) -> bytes:
    """An XLSX of one sheet per (title, table), header row bold and frozen."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    for title, table in sheets:
        sheet = book.create_sheet(title[:31])
        for line in table:
            sheet.append([float(v) if isinstance(v, Decimal) else v for v in line])
            for cell in sheet[sheet.max_row]:
                # openpyxl takes text starting with "=" as a formula: keep it text (a PCT name
                # such as =HYPERLINK(…) must not run in the reader's Excel; issue 13, finding 8).
                if cell.data_type == "f":
                    cell.data_type = "s"
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- DH's workbook of a whole publication (issue 16, part 6) ---------------------------------


def _pct_columns(r: PublishedResult) -> list[Any]:
    return [r.pct.code, r.pct.name, r.sha.name]


def workbook_sheets(publication: Publication) -> list[tuple[str, list[list[Any]]]]:
    """Every sheet of DH's workbook of a publication, as tables: the league table (as the
    public export), competency levels, governance, outcomes, the tier reasons and the
    moderation trail that shaped this version. Seven queries, whatever the number of PCTs.

    Outcomes and moderations are read as of the moment the version was computed, so a
    moderation made since does not show as if it had been published.
    """
    comps = competencies(publication)
    numbers = [c.number for c in comps]
    results = list(league_rows(publication))
    rows = present(results, numbers)
    illustrative = publication.illustrative

    def labelled(table: list[list[Any]]) -> list[list[Any]]:
        if not illustrative:
            return table
        return [[*table[0], "Data"], *([*line, ILLUSTRATIVE] for line in table[1:])]

    pct_header = ["ODS code", "PCT", "SHA"]
    with_scores = any(r.competency_scores for r in results)
    levels = [[*pct_header, "Rank", *(f"{c.number}. {c.short_name}" for c in comps)]]
    levels += [
        [*_pct_columns(r), r.rank, *row.levels] for r, row in zip(results, rows, strict=True)
    ]
    if with_scores:
        levels[0] += [f"Score {n}" for n in numbers]
        for line, r in zip(levels[1:], results, strict=True):
            line += [r.competency_scores.get(str(n), "") for n in numbers]
    governance = [
        [*pct_header, "Rank", *(GOVERNANCE_AREAS_LABELS[a] for a in GOVERNANCE_AREAS),
         "Governance points"],
        *(
            [*_pct_columns(r), r.rank, *(r.governance[a] for a in GOVERNANCE_AREAS),
             r.governance_points]
            for r in results
        ),
    ]  # fmt: skip
    reasons = [[*pct_header, "Rank", "Tier", "Reason"]]
    for row in rows:
        r = row.result
        for reason in r.reasons or [""]:
            reasons.append([*_pct_columns(r), r.rank, row.tier_label, reason])

    as_of = publication.computed_at
    by_pct = {r.pct_id: r for r in results}
    moderations = Moderation.objects.filter(
        consensus__cycle_id=publication.cycle_id,
        consensus__self_assessment__pct_id__in=list(by_pct),
    ).select_related(
        "moderated_by",
        "consensus__competency",
        "consensus__criterion",
        "consensus__chosen_outcome__indicator",
        "consensus__self_assessment",
    )
    if as_of is not None:
        moderations = moderations.filter(moderated_at__lte=as_of)
    trail = list(moderations.order_by("moderated_at", "pk"))
    moderated_actual: dict[int, str] = {
        m.consensus_id: m.new_value for m in trail if m.consensus.chosen_outcome_id is not None
    }

    def item(consensus: Any) -> str:
        if consensus.criterion_id:
            return f"Criterion {consensus.criterion.number}"
        if consensus.competency_id:
            return f"Competency {consensus.competency.number}"
        if consensus.governance_area:
            return f"Governance: {GOVERNANCE_AREAS_LABELS[consensus.governance_area]}"
        return f"Outcome: {consensus.chosen_outcome.indicator.name}"

    moderation = [
        [*pct_header, "Item", "Stage", "From", "To", "Reason", "By", "At"],
        *(
            [*_pct_columns(by_pct[m.consensus.self_assessment.pct_id]), item(m.consensus),
             m.get_stage_display(), m.old_value, m.new_value, m.reason,
             m.moderated_by.full_name, m.moderated_at.replace(tzinfo=None)]
            for m in trail
        ),
    ]  # fmt: skip

    actuals = {
        c["chosen_outcome_id"]: (c["pk"], c["actual"])
        for c in Consensus.objects.filter(
            cycle_id=publication.cycle_id,
            chosen_outcome__isnull=False,
            self_assessment__pct_id__in=list(by_pct),
        ).values("pk", "chosen_outcome_id", "actual")
    }
    outcomes = [
        [*pct_header, "Indicator", "Direction", "Baseline", "Target", "Actual", "Status",
         "Outcome score"],
    ]  # fmt: skip
    chosen = (
        ChosenOutcome.objects.filter(
            self_assessment__cycle_id=publication.cycle_id,
            self_assessment__pct_id__in=list(by_pct),
        )
        .select_related("indicator", "self_assessment")
        .order_by("self_assessment__pct__name", "indicator__name")
    )
    for outcome in chosen:
        r = by_pct[outcome.self_assessment.pct_id]
        pk, actual = actuals.get(outcome.pk, (None, None))
        if pk in moderated_actual:
            actual = Decimal(moderated_actual[pk])
        if actual is None or outcome.baseline is None or outcome.target is None:
            status = scoring.OutcomeStatus.NOT_IMPROVED  # nothing shows it improved (§2.3)
        else:
            status = scoring.outcome_status(
                baseline=outcome.baseline,
                target=outcome.target,
                actual=actual,
                higher_is_better=outcome.direction == "higher",
            )
        outcomes.append(
            [*_pct_columns(r), outcome.indicator.name, outcome.get_direction_display(),
             outcome.baseline, outcome.target, actual, status.label,
             r.outcome_score if r.outcome_score is not None else ""]
        )  # fmt: skip

    about = [
        ["Publication", f"{publication.cycle.year_label} version {publication.version}"],
        ["Status", publication.get_status_display()],
        ["Computed", as_of.replace(tzinfo=None) if as_of else ""],
        ["PCTs ranked", len(results)],
        ["PCTs not assessed", len(publication.not_assessed)],
    ]
    if illustrative:
        about.append(["Data", ILLUSTRATIVE])
    return [
        ("About", about),
        (
            "League table",
            export_rows(
                rows, numbers, not_assessed=publication.not_assessed, illustrative=illustrative
            ),
        ),
        ("Competency levels", labelled(levels)),
        ("Governance", labelled(governance)),
        ("Outcomes", labelled(outcomes)),
        ("Reasons", labelled(reasons)),
        ("Moderation trail", labelled(moderation)),
    ]


# --- what the public finds first ---------------------------------------------------------


def latest_publication() -> Publication | None:
    """The newest cycle's current publication (complete, not superseded), if any."""
    return (
        Publication.objects.filter(status=PublicationStatus.COMPLETE)
        .select_related("cycle")
        .order_by("-cycle__year_label", "-version")
        .first()
    )


def published_results_of(pct_id: int) -> QuerySet[PublishedResult]:
    """A PCT's results in every cycle's current publication, newest first."""
    return (
        PublishedResult.objects.filter(
            pct_id=pct_id, publication__status=PublicationStatus.COMPLETE
        )
        .select_related("publication__cycle")
        .order_by("-publication__cycle__year_label")
    )


def pct_choices(publication: Publication) -> list[tuple[str, str]]:
    """(code, name) of every PCT ranked in the publication, by name, for "find my PCT"."""
    return list(
        PublishedResult.objects.filter(publication=publication)
        .order_by("pct__name")
        .values_list("pct__code", "pct__name")
    )
