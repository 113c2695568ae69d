"""Read side of panels: calibration aggregates and the three-scores rows (issue 4).

Calibration is set-based: one GROUP BY query per item whatever the number of PCTs,
per-PCT values computed in SQL (a competency with criteria: the floor of the mean of
its criteria's final levels, domain brief §2.1).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import (
    Avg,
    Case,
    CharField,
    Count,
    Exists,
    F,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Floor, NullIf

from assurance.models import (
    ASSESSED_STATUSES,
    SHA,
    Competency,
    CompetencyRating,
    Consensus,
    Cycle,
    EvidenceDocument,
    GovernanceArea,
    GovernanceDeclaration,
    Moderation,
    PanelDay,
    PanelResult,
    PanelScore,
    PanelSlot,
    PhaseKind,
    PhaseStatus,
    ReviewNote,
    ScoreSheet,
    SelfAssessment,
)
from assurance.queries.panel_items import ACTUAL, LEVEL, Item, display, row_key
from assurance.rules import panels as panel_rules
from assurance.rules import scoring

LEVELS = (1, 2, 3, 4)
POINTS = (0, 1, 2)  # governance: red 0, amber 1, green 2 (domain brief §4)
RAG_BY_POINTS = {v: k for k, v in scoring.GOVERNANCE_POINTS.items()}


def _points(expr: Any) -> Case:
    return Case(
        *(When(**{expr: rag}, then=Value(p)) for rag, p in scoring.GOVERNANCE_POINTS.items()),
        default=None,
        output_field=IntegerField(),
    )


def _inputs(rows: list[dict[str, Any]], shas: list[SHA]) -> list[panel_rules.ShaInput]:
    counts: dict[int, dict[int, int]] = defaultdict(dict)
    self_total: dict[int, Decimal] = defaultdict(Decimal)
    self_count: dict[int, int] = defaultdict(int)
    for row in rows:
        if row["value"] is None:
            continue
        counts[row["sha"]][int(row["value"])] = row["n"]
        self_total[row["sha"]] += Decimal(row["self_total"] or 0)
        self_count[row["sha"]] += row["self_n"]
    return [
        panel_rules.ShaInput(s.code, s.name, counts[s.pk], self_total[s.pk], self_count[s.pk])
        for s in shas
    ]


def competency_calibration(cycle: Cycle, competency: Competency) -> panel_rules.Calibration:
    """Panel levels (moderated, else consensus) per SHA against national, with self levels."""
    if competency.criteria.exists():
        return _criteria_calibration(cycle, competency)
    # One row per PCT with a consensus: the consensus, the PCT's own rating joined in,
    # grouped by SHA and level. Both sides are read by their (cycle, competency) index.
    rows = list(
        Consensus.objects.filter(
            cycle=cycle,
            self_assessment__cycle=cycle,  # lets the join to PCTs read only this cycle's
            competency=competency,
            criterion__isnull=True,
        )
        .annotate(
            own=FilteredRelation(
                "self_assessment__competency_ratings",
                condition=Q(
                    self_assessment__competency_ratings__cycle=cycle,
                    self_assessment__competency_ratings__competency=competency,
                    self_assessment__competency_ratings__criterion__isnull=True,
                ),
            ),
        )
        .values(value=Coalesce("moderated_level", "level"), sha=F("self_assessment__pct__sha_id"))
        .annotate(
            n=Count("self_assessment"),  # a column of the index: no visit to the table
            self_total=Sum("own__level"),
            self_n=Count("own__level"),
        )
        .order_by()
    )
    return panel_rules.calibrate(_inputs(rows, list(SHA.objects.all())), LEVELS)


def _criteria_calibration(cycle: Cycle, competency: Competency) -> panel_rules.Calibration:
    """With criteria, a PCT's level is the floor of the mean of its criteria levels (§2.1)."""
    panel_level = Floor(
        Subquery(
            Consensus.objects.filter(
                cycle=cycle, self_assessment=OuterRef("pk"), competency=competency
            )
            .values("self_assessment")
            .annotate(mean=Avg(Coalesce("moderated_level", "level")))
            .values("mean")[:1]
        )
    )
    self_level = Floor(
        Subquery(
            CompetencyRating.objects.filter(
                cycle=cycle,
                self_assessment=OuterRef("pk"),
                competency=competency,
                level__isnull=False,
            )
            .values("self_assessment")
            .annotate(mean=Avg("level"))
            .values("mean")[:1]
        )
    )
    rows = list(
        SelfAssessment.objects.filter(cycle=cycle)
        .annotate(value=panel_level, self_value=self_level)
        .filter(value__isnull=False)
        .values("value", sha=F("pct__sha_id"))
        .annotate(n=Count("id"), self_total=Sum("self_value"), self_n=Count("self_value"))
        .order_by()
    )
    return panel_rules.calibrate(_inputs(rows, list(SHA.objects.all())), LEVELS)


def governance_calibration(cycle: Cycle, area: str) -> panel_rules.Calibration:
    """Governance points (red 0, amber 1, green 2) per SHA against national, with self ratings."""
    rows = list(
        Consensus.objects.filter(cycle=cycle, self_assessment__cycle=cycle, governance_area=area)
        .annotate(
            own=FilteredRelation(
                "self_assessment__governance_declarations",
                condition=Q(
                    self_assessment__governance_declarations__cycle=cycle,
                    self_assessment__governance_declarations__area=area,
                ),
            ),
            final=Coalesce(
                NullIf("moderated_rating", Value("")), "rating", output_field=CharField()
            ),
        )
        .annotate(value=_points("final"), self_value=_points("own__rating"))
        .values("value", sha=F("self_assessment__pct__sha_id"))
        .annotate(
            n=Count("self_assessment"), self_total=Sum("self_value"), self_n=Count("self_value")
        )
        .order_by()
    )
    return panel_rules.calibrate(_inputs(rows, list(SHA.objects.all())), POINTS)


def governance_label(area: str) -> str:
    return GovernanceArea(area).label


# --- Three scores side by side -----------------------------------------------------------


@dataclass
class ScoreRow:
    """One item with the PCT's own score, the panel consensus and the moderated value."""

    item: Item
    consensus: Consensus | None
    self_display: str
    consensus_display: str
    moderated_display: str
    final_display: str
    moderations: list[Moderation] = field(default_factory=list)
    status: scoring.OutcomeStatus | None = None


def _as_value(text: str, kind: str) -> Any:
    """A moderation's recorded new value back as the item's value."""
    if kind == ACTUAL:
        return Decimal(text)
    if kind == LEVEL:
        return int(text)
    return text


def score_rows(
    items: list[Item], sa: SelfAssessment, *, as_of: datetime | None = None
) -> list[ScoreRow]:
    """Two queries: the consensus rows, and their moderation trail with authors.

    ``as_of``: only moderations made by then count (a PCT sees its result as published,
    not a moderation made since, before any republication: issue 13, finding 8).
    """
    consensus = {row_key(c): c for c in Consensus.objects.filter(self_assessment=sa)}
    trail: dict[int, list[Moderation]] = defaultdict(list)
    moderations = Moderation.objects.filter(consensus__self_assessment=sa)
    if as_of is not None:
        moderations = moderations.filter(moderated_at__lte=as_of)
    moderations = moderations.select_related("moderated_by", "challenge", "review_item")
    for mod in moderations.order_by("moderated_at", "pk"):
        trail[mod.consensus_id].append(mod)
    rows = []
    for item in items:
        c = consensus.get(item.key)
        value = getattr(c, item.kind, None) if c else None
        if as_of is None:
            moderated = getattr(c, f"moderated_{item.kind}", None) if c else None
        else:
            made = trail.get(c.pk) if c else None
            moderated = _as_value(made[-1].new_value, item.kind) if made else None
        final = (moderated or None) if moderated not in (None, "") else value
        status = item.outcome_status(final) if item.kind == ACTUAL and final is not None else None
        rows.append(
            ScoreRow(
                item=item,
                consensus=c,
                self_display=display(item.self_value, item.kind),
                consensus_display=display(value, item.kind),
                moderated_display=display(moderated, item.kind),
                final_display=display(final, item.kind),
                moderations=trail.get(c.pk, []) if c else [],
                status=status,
            )
        )
    return rows


def outcome_score(rows: list[ScoreRow]) -> Decimal | None:
    statuses = [r.status for r in rows if r.status is not None]
    return scoring.outcome_score(statuses)


def consensus_rows(
    form_rows: list[tuple[Item, Any, Any]],
    others: list[dict[str, Any]],
    existing: dict[str, Consensus],
) -> list[dict[str, Any]]:
    """The lead's view of each item: self, every member's score, the spread, the consensus."""
    rows = []
    for item, value_field, rationale_field in form_rows:
        scores = [o["scores"].get(item.key) for o in others]
        levels = tuple(s.level for s in scores if s is not None and s.level is not None)
        agreed = existing.get(item.key)
        rows.append(
            {
                "item": item,
                "value_field": value_field,
                "rationale_field": rationale_field,
                "self": display(item.self_value, item.kind),
                "scores": [
                    {
                        "value": display(getattr(s, item.kind), item.kind) if s else "",
                        "rationale": s.rationale if s else "",
                    }
                    for s in scores
                ],
                "spread": scoring.SpreadItem(levels),
                "consensus": agreed,
                "consensus_display": display(getattr(agreed, item.kind, None), item.kind),
                "moderated_display": display(
                    getattr(agreed, f"moderated_{item.kind}", None), item.kind
                ),
            }
        )
    return rows


# --- Pages: what the panel views show ----------------------------------------------------


def cycles_with_phases() -> list[Cycle]:
    return list(Cycle.objects.prefetch_related("phases"))


def chosen_cycle(cycles: list[Cycle], wanted: object = None) -> Cycle | None:
    """The cycle asked for by id (the first, newest, when none is asked for)."""
    for cycle in cycles:
        if wanted is None or str(cycle.pk) == str(wanted):
            return cycle
    return None


def submitted_self_assessments_of_pct(cycle: Cycle, pct_id: int) -> QuerySet[SelfAssessment]:
    return SelfAssessment.objects.filter(cycle=cycle, pct_id=pct_id, status__in=ASSESSED_STATUSES)


def with_panel_progress(
    assessments: QuerySet[SelfAssessment], user: Any, cycle: Cycle
) -> QuerySet[SelfAssessment]:
    """Each self-assessment with the user's place on its panel and the panel's progress."""
    return assessments.annotate(
        on_my_panel=Exists(
            PanelSlot.objects.filter(
                pct=OuterRef("pct"), panel_day__cycle=cycle, panel_day__members=user
            )
        ),
        my_sheet_submitted=Exists(
            ScoreSheet.objects.filter(
                self_assessment=OuterRef("pk"), assessor=user, submitted_at__isnull=False
            )
        ),
        sheets_submitted=Count("score_sheets", filter=Q(score_sheets__submitted_at__isnull=False)),
        locked=Exists(
            PanelResult.objects.filter(self_assessment=OuterRef("pk"), locked_at__isnull=False)
        ),
    ).order_by("pct__name")


def panel_days_closed(cycle: Cycle) -> bool:
    """Phase 3 has closed: every panel day of the cycle is held."""
    return any(
        p.kind == PhaseKind.PANEL_DAYS and p.status == PhaseStatus.CLOSED
        for p in cycle.phases.all()
    )


def day_slots(day: PanelDay) -> QuerySet[PanelSlot]:
    """A day's slots, each marked ``sat`` once a member submitted a score sheet for its PCT."""
    return (
        day.slots.select_related("pct")
        .annotate(
            sat=Exists(
                ScoreSheet.objects.filter(
                    self_assessment__cycle_id=day.cycle_id,
                    self_assessment__pct=OuterRef("pct"),
                    submitted_at__isnull=False,
                )
            )
        )
        .order_by("starts_at")
    )


def with_members_and_slots(days: QuerySet[PanelDay]) -> QuerySet[PanelDay]:
    return days.prefetch_related(
        "members", Prefetch("slots", PanelSlot.objects.select_related("pct"))
    )


def review_sections(sa: SelfAssessment) -> list[dict[str, Any]]:
    """The self-assessment by section, for phase 2 review: competencies, governance, outcomes."""
    ratings = {
        (r.competency_id, r.criterion_id): r
        for r in CompetencyRating.objects.filter(self_assessment=sa).select_related("criterion")
    }
    sections: list[dict[str, Any]] = []
    for c in Competency.objects.filter(framework_id=sa.cycle.framework_id).prefetch_related(
        "criteria"
    ):
        entries = [ratings[k] for k in ratings if k[0] == c.pk]
        sections.append({"key": f"competency-{c.number}", "title": str(c), "ratings": entries})
    sections.append(
        {
            "key": "governance",
            "title": "Governance",
            "declarations": GovernanceDeclaration.objects.filter(self_assessment=sa),
        }
    )
    sections.append(
        {
            "key": "outcomes",
            "title": "Outcomes",
            "outcomes": sa.chosen_outcomes.select_related("indicator"),
        }
    )
    return sections


def review_notes(sa: SelfAssessment) -> list[ReviewNote]:
    return list(ReviewNote.objects.filter(self_assessment=sa).select_related("author"))


def current_evidence(sa: SelfAssessment) -> QuerySet[EvidenceDocument]:
    return EvidenceDocument.objects.filter(
        self_assessment=sa, is_current=True, removed_at__isnull=True
    )


def own_score_sheet(sa: SelfAssessment, user: Any) -> ScoreSheet | None:
    return ScoreSheet.objects.filter(self_assessment=sa, assessor=user).first()


def submitted_sheets(sa: SelfAssessment, exclude: int | None = None) -> list[dict[str, Any]]:
    """Submitted sheets of the panel, item by item (for members who submitted, and the lead)."""
    sheets = (
        ScoreSheet.objects.filter(self_assessment=sa, submitted_at__isnull=False)
        .exclude(assessor_id=exclude)
        .select_related("assessor")
        .prefetch_related(Prefetch("scores", PanelScore.objects.all()))
        .order_by("assessor__full_name")
    )
    return [
        {"assessor": s.assessor, "scores": {row_key(r): r for r in s.scores.all()}} for s in sheets
    ]


def consensus_by_key(sa: SelfAssessment) -> dict[str, Consensus]:
    return {row_key(c): c for c in Consensus.objects.filter(self_assessment=sa)}


def panel_result(sa: SelfAssessment) -> PanelResult | None:
    return PanelResult.objects.filter(self_assessment=sa).first()


def framework_competencies(cycle: Cycle) -> QuerySet[Competency]:
    return Competency.objects.filter(framework_id=cycle.framework_id)


def framework_competency(cycle: Cycle, number: str) -> Competency | None:
    if not number.isdigit():
        return None
    return Competency.objects.filter(framework_id=cycle.framework_id, number=number).first()


def sha_codes(sha_ids: list[int]) -> set[str]:
    return set(SHA.objects.filter(pk__in=sha_ids).values_list("code", flat=True))


def sha_ids_for_code(code: str) -> list[int]:
    return list(SHA.objects.filter(code=code).values_list("pk", flat=True))


def _self_value_subquery(kind: str, ref: str, has_criteria: bool = False) -> Subquery:
    """The PCT's own rating of the same item, beside the consensus and moderated values."""
    if kind == "governance":
        return Subquery(
            GovernanceDeclaration.objects.filter(
                self_assessment=OuterRef("self_assessment"), area=ref
            ).values("rating")[:1]
        )
    same_item = Q(criterion=OuterRef("criterion")) if has_criteria else Q(criterion__isnull=True)
    return Subquery(
        CompetencyRating.objects.filter(
            same_item,
            self_assessment=OuterRef("self_assessment"),
            competency=OuterRef("competency"),
        ).values("level")[:1]
    )


def calibration_pct_rows(
    cycle: Cycle, sha_ids: list[int], *, competency: Competency | None = None, area: str = ""
) -> QuerySet[Consensus]:
    """Each PCT's consensus (and its own rating) for one competency or governance area."""
    if competency is not None:
        item = Q(competency=competency)
        self_value = _self_value_subquery(
            "competency", str(competency.number), competency.criteria.exists()
        )
    else:
        item = Q(governance_area=area)
        self_value = _self_value_subquery("governance", area)
    return (
        Consensus.objects.annotate(self_value=self_value)
        .filter(item, cycle=cycle, self_assessment__pct__sha_id__in=sha_ids)
        .select_related("self_assessment__pct", "criterion", "competency")
        .order_by("self_assessment__pct__name", "criterion__position", "pk")
    )
