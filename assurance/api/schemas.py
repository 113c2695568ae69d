"""The API's response shapes (pydantic, through django-ninja): what the OpenAPI schema says."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Generic, TypeVar

from ninja import Schema
from pydantic import Field

from assurance.rules.tiers import Tier

T = TypeVar("T")

# One enum of tiers, from the rules (STYLE 17); the schema lists its values.
TierValue = StrEnum("TierValue", {t.name: t.value for t in Tier})  # type: ignore[misc]


class Sort(StrEnum):
    RANK = "rank"
    PCT = "pct"
    SHA = "sha"
    MARK = "mark"
    MOVEMENT = "movement"


class Error(Schema):
    detail: str | list[dict[str, object]]


class Page(Schema, Generic[T]):
    count: int = Field(description="Items in every page together")
    page: int
    pages: int
    next: str | None = Field(description="The next page's address, or null on the last")
    previous: str | None
    results: list[T]


class ShaRef(Schema):
    code: str = Field(examples=["Q36"])
    name: str


class Sha(ShaRef):
    ons_code: str
    pct_count: int


class PctRef(Schema):
    code: str = Field(examples=["5K7"])
    name: str


class Pct(PctRef):
    sha: ShaRef
    population: int | None
    opened_on: dt.date | None
    closed_on: dt.date | None
    successor: PctRef | None


class CycleRef(Schema):
    slug: str = Field(examples=["2008-09"])
    year_label: str = Field(examples=["2008/09"])


class PublicationRef(Schema):
    id: int
    version: int
    status: str = Field(description="complete (current), superseded; DH also see others")


class Cycle(CycleRef):
    current_publication: PublicationRef | None = Field(
        description="The version the public reads: the latest complete one"
    )
    publications: list[PublicationRef]


class Competency(Schema):
    number: int
    name: str


class NotAssessed(Schema):
    code: str
    name: str
    sha: str
    reason: str


class Publication(Schema):
    id: int
    cycle: CycleRef
    version: int
    status: str
    superseded_by: int | None = Field(description="The id of the version that replaced it")
    computed_at: dt.datetime | None
    completed_at: dt.datetime | None
    illustrative: bool = Field(description="Demo data: not the programme's results")
    ranked: int | None = Field(description="PCTs ranked (null until computed)")
    competencies: list[Competency]
    not_assessed: list[NotAssessed] = Field(
        description="PCTs DH left out of this publication, with the reason"
    )


class Governance(Schema):
    strategy: str
    finance: str
    board: str


class Result(Schema):
    pct: PctRef
    sha: ShaRef
    rank: int
    regional_rank: int | None
    mark: float
    tier: TierValue  # type: ignore[valid-type]
    tier_label: str
    elite_candidate: bool
    governance: Governance
    governance_points: int
    competency_points: float
    competency_levels: dict[str, int] = Field(description="Final level by competency number")
    outcome_score: float | None
    previous_rank: int | None
    previous_tier: str | None
    movement: int | None = Field(description="Places gained since last cycle; null when new")
    regional_movement: int | None
    not_submitted: bool = Field(
        description="True: ranked on the panel's assessment of a draft never submitted"
    )


class PctYear(Schema):
    cycle: CycleRef
    publication: PublicationRef
    result: Result


class SelfAssessmentStatus(Schema):
    id: int
    pct: PctRef
    sha: ShaRef
    status: str
    submitted_at: dt.datetime | None


class CalibrationRow(Schema):
    code: str = Field(description="SHA code, or ENG for England")
    name: str
    counts: list[int] = Field(description="PCTs at each value, in the order of values")
    total: int
    mean: float | None
    self_mean: float | None
    gap: float | None = Field(description="Self mean − panel mean")
    flagged: bool


class CalibrationItem(Schema):
    kind: str = Field(description="competency or governance")
    ref: str = Field(description="Competency number or governance area")
    name: str
    values: list[int] = Field(description="Levels 1–4, or governance points 0–2 (red–green)")
    national: CalibrationRow
    shas: list[CalibrationRow]


class Calibration(Schema):
    cycle: CycleRef
    items: list[CalibrationItem]


class Moderation(Schema):
    stage: str = Field(description="regional (SHA lead) or national (DH)")
    old_value: str
    new_value: str
    reason: str
    moderated_at: dt.datetime


class PanelItem(Schema):
    key: str
    kind: str = Field(description="level, rating or actual")
    group: str
    label: str
    self_assessed: str = Field(description="The PCT's own value, as shown; empty if none")
    consensus: str
    moderated: str
    final: str
    outcome_status: str | None
    moderations: list[Moderation]


class PanelResult(Schema):
    self_assessment: int
    cycle: CycleRef
    pct: PctRef
    sha: ShaRef
    status: str
    locked_at: dt.datetime | None = Field(description="When the lead agreed every item")
    outcome_score: float | None
    items: list[PanelItem]
