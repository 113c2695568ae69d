"""What the self-assessment pages show: the task list, its states and overall progress.

A presenter: it reads (a fixed number of queries, whatever the number of files or
ratings) and shapes; the rules come from ``assurance.self_assessment_rules``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse

from assurance import self_assessment_rules as rules
from assurance.access import cycle_slug
from assurance.models import (
    ChosenOutcome,
    CompetencyRating,
    EvidenceDocument,
    GovernanceDeclaration,
    Phase,
    PhaseKind,
    SectionProgress,
    SelfAssessment,
)
from assurance.services import self_assessment as sa


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
    slots: list[sa.Slot]
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
    slots = sa.rating_slots(assessment.cycle.framework)
    answers = sa.answers_by_key(assessment, slots)
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
    marked = set(
        SectionProgress.objects.filter(self_assessment=assessment, completed=True).values_list(
            "section", flat=True
        )
    )
    if assessment.is_submitted:
        # The board's sign-off completes every section that has what it needs.
        marked |= {rules.competency_section(s.competency.number) for s in slots}
        marked |= {"governance", "outcomes", "documents"}
    overview = Overview(assessment, phase, slots, answers, documents, declarations, outcomes)
    overview.missing = rules.missing_for_submission(
        [s.rule for s in slots],
        {k: a for k, (a, _) in answers.items()},
        [d.kind for d in documents],
    )
    gaps = {m.section for m in overview.missing}

    by_competency: dict[int, list[sa.Slot]] = {}
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
                rules.section_state(
                    started=started, complete=key not in gaps, marked_complete=key in marked
                ),
            )
        )
    ratings = {a: d.rating for a, d in declarations.items()}
    overview.sections.append(
        Section(
            "governance",
            "Governance self-declaration",
            sa_url("governance", assessment),
            rules.section_state(
                started=any(d.rating or d.commentary for d in declarations.values()),
                complete=rules.governance_complete(ratings),
                marked_complete="governance" in marked,
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
                marked_complete="outcomes" in marked,
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
                marked_complete="documents" in marked,
            ),
        )
    )
    return overview


def missing_links(assessment: SelfAssessment, missing: list[rules.MissingItem]) -> list[dict]:
    """Error-summary entries that link to the field of each missing item, on its own page."""
    links = []
    for item in missing:
        if item.section == "documents":
            url = sa_url("documents", assessment)
        else:
            url = sa_url("competency", assessment, int(item.section.split("-")[1]))
        links.append({"href": f"{url}#{item.anchor}", "message": item.message})
    return links
