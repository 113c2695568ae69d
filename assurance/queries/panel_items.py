"""What a panel scores for one self-assessment, with the PCT's own rating beside each item.

An item is a competency (or each of its criteria, where the framework has them), a
governance area, or a chosen outcome's actual value (domain brief §2.1–2.3).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from assurance.models import (
    ChosenOutcome,
    Competency,
    CompetencyRating,
    Direction,
    GovernanceArea,
    GovernanceDeclaration,
    SelfAssessment,
)
from assurance.rules import scoring

LEVEL, RATING, ACTUAL = "level", "rating", "actual"


@dataclass
class Item:
    key: str
    kind: str  # level | rating | actual
    group: str
    label: str
    competency_id: int | None = None
    criterion_id: int | None = None
    governance_area: str = ""
    chosen_outcome: ChosenOutcome | None = None
    self_value: Any = None
    # The outcome status of the value saved so far (§2.3), shown beside an actual.
    status: scoring.OutcomeStatus | None = None

    @property
    def lookup(self) -> dict[str, Any]:
        """Field values that identify this item on a PanelScore or Consensus row."""
        if self.criterion_id:
            return {"competency_id": self.competency_id, "criterion_id": self.criterion_id}
        if self.competency_id:
            return {"competency_id": self.competency_id, "criterion_id": None}
        if self.governance_area:
            return {"governance_area": self.governance_area}
        assert self.chosen_outcome is not None
        return {"chosen_outcome_id": self.chosen_outcome.pk}

    @property
    def field_prefix(self) -> str:
        return self.key.replace("-", "_")

    def outcome_status(self, actual: Decimal | None) -> scoring.OutcomeStatus | None:
        """§2.3: on trajectory / improved / not improved, when baseline and target are known."""
        co = self.chosen_outcome
        if co is None or actual is None or co.baseline is None or co.target is None:
            return None
        return scoring.outcome_status(
            baseline=co.baseline,
            target=co.target,
            actual=actual,
            higher_is_better=co.direction == Direction.HIGHER,
        )


def with_statuses(
    items: list[Item], rows: dict[str, Any], *, final: bool = False
) -> Decimal | None:
    """Set each outcome item's status from its saved actual; return the outcome score (§2.3)."""
    for item in items:
        row = rows.get(item.key)
        if item.kind == ACTUAL and row is not None:
            item.status = item.outcome_status(row.final_actual if final else row.actual)
    statuses = [i.status for i in items if i.kind == ACTUAL and i.status is not None]
    return scoring.outcome_score(statuses)


def row_key(row: Any) -> str:
    """The item key of a PanelScore, Consensus or self rating row."""
    if getattr(row, "criterion_id", None):
        return f"criterion-{row.criterion_id}"
    if getattr(row, "competency_id", None):
        return f"competency-{row.competency_id}"
    if getattr(row, "governance_area", ""):
        return f"governance-{row.governance_area}"
    return f"outcome-{row.chosen_outcome_id}"


def panel_items(sa: SelfAssessment) -> list[Item]:
    """Every item the panel scores for this self-assessment, in the order of the framework.

    Four queries whatever the size of the framework.
    """
    competencies = Competency.objects.filter(framework_id=sa.cycle.framework_id).prefetch_related(
        "criteria"
    )
    self_levels = {
        (r.competency_id, r.criterion_id): r.level
        for r in CompetencyRating.objects.filter(self_assessment=sa)
    }
    items: list[Item] = []
    for c in competencies:
        criteria = list(c.criteria.all())
        if criteria:
            for cr in criteria:
                items.append(
                    Item(
                        key=f"criterion-{cr.pk}",
                        kind=LEVEL,
                        group="Competencies",
                        label=f"{cr.number} {cr.text}",
                        competency_id=c.pk,
                        criterion_id=cr.pk,
                        self_value=self_levels.get((c.pk, cr.pk)),
                    )
                )
        else:
            items.append(
                Item(
                    key=f"competency-{c.pk}",
                    kind=LEVEL,
                    group="Competencies",
                    label=str(c),
                    competency_id=c.pk,
                    self_value=self_levels.get((c.pk, None)),
                )
            )
    declared = {d.area: d.rating for d in GovernanceDeclaration.objects.filter(self_assessment=sa)}
    for area in GovernanceArea:
        items.append(
            Item(
                key=f"governance-{area.value}",
                kind=RATING,
                group="Governance",
                label=area.label,
                governance_area=area.value,
                self_value=declared.get(area.value) or None,
            )
        )
    for co in ChosenOutcome.objects.filter(self_assessment=sa).select_related("indicator"):
        items.append(
            Item(
                key=f"outcome-{co.pk}",
                kind=ACTUAL,
                group="Outcomes",
                label=co.indicator.name,
                chosen_outcome=co,
            )
        )
    return items


def display(value: Any, kind: str) -> str:
    if value is None or value == "":
        return ""
    if kind == RATING:
        return str(value).capitalize()
    if kind == ACTUAL:
        return f"{Decimal(value).normalize():f}"
    return str(value)
