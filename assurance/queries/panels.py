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
    F,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Floor, NullIf

from assurance.models import (
    SHA,
    Competency,
    CompetencyRating,
    Consensus,
    Cycle,
    GovernanceArea,
    Moderation,
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
    for mod in moderations.select_related("moderated_by").order_by("moderated_at", "pk"):
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
