"""What the self-assessment pages show: the task list, its states and overall progress.

A presenter: it reads (a fixed number of queries, whatever the number of files or
ratings) and shapes; the rules come from ``assurance.rules.self_assessment``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse

from assurance.access.cycles import cycle_slug
from assurance.models import (
    ChosenOutcome,
    Competency,
    CompetencyRating,
    Criterion,
    EvidenceDocument,
    Framework,
    GovernanceArea,
    GovernanceDeclaration,
    Phase,
    PhaseKind,
    SelfAssessment,
)
from assurance.rules import self_assessment as rules


def sa_url(name: str, assessment: SelfAssessment, *args: Any) -> str:
    return reverse(
        f"self_assessment:{name}", args=[cycle_slug(assessment.cycle), assessment.pct.code, *args]
    )


@dataclass
class Section:
    key: str
    title: str
    url: str
    state: rules.SectionState
    hint: str = ""


@dataclass
class Overview:
    assessment: SelfAssessment
    phase: Phase | None
    slots: list[Slot]
    answers: dict[str, tuple[rules.RatingAnswer, CompetencyRating]]
    documents: list[EvidenceDocument]
    declarations: dict[str, GovernanceDeclaration]
    outcomes: list[ChosenOutcome]
    sections: list[Section] = field(default_factory=list)
    missing: list[rules.MissingItem] = field(default_factory=list)

    @property
    def completed_count(self) -> int:
        return sum(1 for s in self.sections if s.state == rules.SectionState.COMPLETED)

    @property
    def refusal(self) -> str | None:
        return rules.editing_refusal(
            phase_one_open=bool(self.phase and self.phase.is_open),
            submitted=self.assessment.is_submitted,
            closes_on=self.phase.closes_on if self.phase else None,
        )


def build_overview(assessment: SelfAssessment) -> Overview:
    """Everything the overview and submit pages need, in a fixed number of queries."""
    phase = Phase.objects.filter(
        cycle_id=assessment.cycle_id, kind=PhaseKind.SELF_ASSESSMENT
    ).first()
    slots = rating_slots(assessment.cycle.framework)
    answers = answers_by_key(assessment, slots)
    documents = list(
        EvidenceDocument.objects.filter(self_assessment=assessment, is_current=True)
        .select_related("uploaded_by")
        .order_by("kind", "-uploaded_at")
    )
    declarations = {
        d.area: d for d in GovernanceDeclaration.objects.filter(self_assessment=assessment)
    }
    outcomes = list(
        ChosenOutcome.objects.filter(self_assessment=assessment).select_related("indicator")
    )
    overview = Overview(assessment, phase, slots, answers, documents, declarations, outcomes)
    declared = {a: (d.rating, d.commentary) for a, d in declarations.items()}
    overview.missing = rules.missing_for_submission(
        [s.rule for s in slots],
        {k: a for k, (a, _) in answers.items()},
        [d.kind for d in documents],
        declared,
    )
    gaps = {m.section for m in overview.missing}

    by_competency: dict[int, list[Slot]] = {}
    for slot in slots:
        by_competency.setdefault(slot.competency.number, []).append(slot)
    for number, comp_slots in by_competency.items():
        key = rules.competency_section(number)
        started = any(
            answers[s.rule.key][0].is_started for s in comp_slots if s.rule.key in answers
        )
        overview.sections.append(
            Section(
                key,
                f"{number}. {comp_slots[0].competency.short_name}",
                sa_url("competency", assessment, number),
                rules.section_state(started=started, complete=key not in gaps),
            )
        )
    overview.sections.append(
        Section(
            "governance",
            "Governance self-declaration",
            sa_url("governance", assessment),
            rules.section_state(
                started=any(d.rating or d.commentary for d in declarations.values()),
                complete=rules.governance_complete(declared),
            ),
        )
    )
    overview.sections.append(
        Section(
            "outcomes",
            "Health outcomes",
            sa_url("outcomes", assessment),
            rules.section_state(
                started=bool(outcomes),
                complete=bool(outcomes)
                and all(rules.outcome_complete(o.baseline, o.target) for o in outcomes),
            ),
        )
    )
    overview.sections.append(
        Section(
            "documents",
            "Key documents and other evidence",
            sa_url("documents", assessment),
            rules.section_state(
                started=bool(documents),
                complete="documents" not in gaps,
            ),
        )
    )
    return overview


@dataclass(frozen=True)
class AnswerRow:
    """One line of "check your answers": what was asked, what was answered, where to change it."""

    title: str
    level: int | None
    evidence: str
    url: str


def answer_rows(overview: Overview) -> list[AnswerRow]:
    """Every rating slot in framework order with its answer (no queries: the overview's)."""
    rows = []
    for slot in overview.slots:
        answer = overview.answers.get(slot.rule.key)
        title = f"{slot.competency.number}. {slot.competency.short_name}"
        if slot.criterion:
            title += f" – criterion {slot.criterion.number}"
        rows.append(
            AnswerRow(
                title,
                answer[0].level if answer else None,
                answer[0].evidence if answer else "",
                sa_url("competency", overview.assessment, slot.competency.number)
                + f"#{slot.rule.key}-level",
            )
        )
    return rows


def declaration_rows(overview: Overview) -> list[tuple[str, GovernanceDeclaration | None]]:
    return [(area.label, overview.declarations.get(area.value)) for area in GovernanceArea]


def missing_links(assessment: SelfAssessment, missing: list[rules.MissingItem]) -> list[dict]:
    """Error-summary entries that link to the field of each missing item, on its own page."""
    links = []
    for item in missing:
        if item.section in ("documents", "governance"):
            url = sa_url(item.section, assessment)
        else:
            url = sa_url("competency", assessment, int(item.section.split("-")[1]))
        links.append({"href": f"{url}#{item.anchor}", "message": item.message})
    return links


@dataclass(frozen=True)
class Slot:
    """A rating slot with its model objects (the framework's competency and criterion)."""

    rule: rules.RatingSlot
    competency: Competency
    criterion: Criterion | None


def rating_slots(framework: Framework, number: int | None = None) -> list[Slot]:
    """What the PCT rates under ``framework``: each competency, or each of its criteria (§2.1).

    ``number`` limits it to one competency."""
    slots: list[Slot] = []
    competencies = framework.competencies.prefetch_related("criteria").order_by("number")
    if number is not None:
        competencies = competencies.filter(number=number)
    for competency in competencies:
        criteria = list(competency.criteria.all())
        if not criteria:
            slots.append(
                Slot(rules.RatingSlot(competency.number, competency.short_name), competency, None)
            )
        for criterion in criteria:
            slots.append(
                Slot(
                    rules.RatingSlot(competency.number, competency.short_name, criterion.number),
                    competency,
                    criterion,
                )
            )
    return slots


def slot_key(rating: CompetencyRating, numbers: dict[int, int], criteria: dict[int, str]) -> str:
    number = numbers[rating.competency_id]
    key = f"c{number}"
    if rating.criterion_id:
        key += f"-{criteria[rating.criterion_id]}"
    return key


def answers_by_key(
    assessment: SelfAssessment, slots: list[Slot]
) -> dict[str, tuple[rules.RatingAnswer, CompetencyRating]]:
    """The saved answers, keyed like the slots (one query)."""
    numbers = {s.competency.pk: s.competency.number for s in slots}
    criteria = {s.criterion.pk: s.criterion.number for s in slots if s.criterion}
    result = {}
    for rating in CompetencyRating.objects.filter(self_assessment=assessment):
        if rating.competency_id not in numbers:
            continue
        key = slot_key(rating, numbers, criteria)
        result[key] = (rules.RatingAnswer(rating.level, rating.evidence), rating)
    return result


def missing_items(assessment: SelfAssessment) -> list[rules.MissingItem]:
    """Everything still to do before the approver can submit (empty list: ready)."""
    slots = rating_slots(assessment.cycle.framework)
    answers = {k: a for k, (a, _) in answers_by_key(assessment, slots).items()}
    kinds = EvidenceDocument.objects.filter(self_assessment=assessment, is_current=True)
    declared = {
        d.area: (d.rating, d.commentary)
        for d in GovernanceDeclaration.objects.filter(self_assessment=assessment)
    }
    return rules.missing_for_submission(
        [s.rule for s in slots], answers, kinds.values_list("kind", flat=True), declared
    )


def self_assessment_phase(assessment: SelfAssessment) -> Phase | None:
    return Phase.objects.filter(
        cycle_id=assessment.cycle_id, kind=PhaseKind.SELF_ASSESSMENT
    ).first()


def editing_refusal(assessment: SelfAssessment) -> str | None:
    """Why PCT staff cannot change this self-assessment now (None: they can)."""
    phase = self_assessment_phase(assessment)
    return rules.editing_refusal(
        phase_one_open=bool(phase and phase.is_open),
        submitted=assessment.is_submitted,
        closes_on=phase.closes_on if phase else None,
    )
