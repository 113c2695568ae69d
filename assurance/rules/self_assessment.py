"""Rules of a PCT's self-assessment (domain brief §2, §3 phase 1): pure, no Django.

What must be filled in before the board's sign-off can be submitted, what state each
task-list section is in, and when a PCT may still change its answers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from assurance.rules.scoring import GOVERNANCE_AREAS, GOVERNANCE_LABELS

# The four key documents (§3 "Evidence a PCT submits"), in the order shown to people.
KEY_DOCUMENTS: tuple[tuple[str, str], ...] = (
    ("strategic_plan", "Five-year strategic plan"),
    ("od_plan", "Organisational development plan"),
    ("financial_plan", "Financial plan"),
    ("comms_strategy", "Communications strategy"),
)


@dataclass(frozen=True)
class RatingSlot:
    """One thing the PCT rates: a competency, or one criterion of it where it has criteria."""

    competency_number: int
    competency_name: str
    criterion_number: str | None = None

    @property
    def key(self) -> str:
        return f"c{self.competency_number}" + (
            f"-{self.criterion_number}" if self.criterion_number else ""
        )

    @property
    def label(self) -> str:
        if self.criterion_number:
            return f"criterion {self.criterion_number} of competency {self.competency_number}"
        return f"competency {self.competency_number} ({self.competency_name})"


@dataclass(frozen=True)
class RatingAnswer:
    level: int | None
    evidence: str

    @property
    def is_complete(self) -> bool:
        return self.level is not None and bool(self.evidence.strip())

    @property
    def is_started(self) -> bool:
        return self.level is not None or bool(self.evidence.strip())


@dataclass(frozen=True)
class MissingItem:
    """Something that stops submission; ``anchor`` is where the error summary links to."""

    section: str
    anchor: str
    message: str


#: Governance ratings that need the PCT's reason (an amber or red rating needs a recovery
#: plan agreed with the SHA, domain brief §2.2): the commentary says why, and what is planned.
RATINGS_NEEDING_A_REASON = ("amber", "red")


def reason_missing(rating: str, commentary: str) -> bool:
    return rating in RATINGS_NEEDING_A_REASON and not commentary.strip()


def missing_for_submission(
    slots: Sequence[RatingSlot],
    answers: Mapping[str, RatingAnswer],
    document_kinds: Iterable[str],
    declarations: Mapping[str, tuple[str, str]] | None = None,
) -> list[MissingItem]:
    """Everything missing before submission (§3, issue 3 "sign-off").

    Every competency (or each of its criteria) needs a level and an evidence narrative;
    a governance area the PCT rates amber or red needs its reason (``declarations``:
    area → (rating, commentary)); the four key documents must be uploaded. An empty list
    means it can be submitted.
    """
    missing: list[MissingItem] = []
    for slot in slots:
        answer = answers.get(slot.key, RatingAnswer(None, ""))
        section = competency_section(slot.competency_number)
        if answer.level is None:
            missing.append(
                MissingItem(section, f"{slot.key}-level", f"Choose a level for {slot.label}")
            )
        if not answer.evidence.strip():
            missing.append(
                MissingItem(
                    section, f"{slot.key}-evidence", f"Describe the evidence for {slot.label}"
                )
            )
    for area in GOVERNANCE_AREAS:
        rating, commentary = (declarations or {}).get(area, ("", ""))
        if reason_missing(rating, commentary):
            missing.append(
                MissingItem(
                    "governance",
                    f"{area}-commentary",
                    f"Say why {GOVERNANCE_LABELS[area].lower()} is rated {rating}",
                )
            )
    present = set(document_kinds)
    for kind, name in KEY_DOCUMENTS:
        if kind not in present:
            missing.append(MissingItem("documents", f"doc-{kind}", f"Upload the {name.lower()}"))
    return missing


class SectionState(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"

    @property
    def label(self) -> str:
        return {
            SectionState.NOT_STARTED: "Not started",
            SectionState.IN_PROGRESS: "In progress",
            SectionState.COMPLETED: "Completed",
        }[self]


def competency_section(number: int) -> str:
    return f"competency-{number}"


def section_state(*, started: bool, complete: bool) -> SectionState:
    """A section is completed when it has everything submission needs from it (there is no
    separate "mark as completed": it would count for nothing, issue 14), else in progress
    once anything is in it."""
    if complete:
        return SectionState.COMPLETED
    if started:
        return SectionState.IN_PROGRESS
    return SectionState.NOT_STARTED


def governance_complete(declarations: Mapping[str, tuple[str, str]]) -> bool:
    """Every area rated, and an amber or red one explained."""
    return all(
        declarations.get(area, ("", ""))[0] and not reason_missing(*declarations[area])
        for area in GOVERNANCE_AREAS
    )


def outcome_complete(baseline: object, target: object) -> bool:
    return baseline is not None and target is not None


def editing_refusal(
    *, phase_one_open: bool, submitted: bool, closes_on: dt.date | None
) -> str | None:
    """Why a PCT may not change its self-assessment now, or ``None`` if it may.

    Changes are allowed while phase 1 is open (DH's decision, §3) and the
    self-assessment has not been submitted; the close date is the deadline shown.
    """
    if submitted:
        return (
            "This self-assessment has been submitted and can no longer be changed. "
            "Ask DH staff to reopen it if something must change."
        )
    if not phase_one_open:
        deadline = f" on {closes_on:%-d %B %Y}" if closes_on else ""
        return (
            f"The self-assessment phase closed{deadline}. Changes can no longer be saved; "
            "copy anything you typed that you need to keep."
        )
    return None


def level_error(level: int | None) -> str | None:
    if level is not None and not 1 <= level <= 4:
        return "Choose a level from 1 to 4"
    return None
