"""The read side of the due process (domain brief §8): a PCT's draft result with its
challenges, the queues with counts and ages, and what a corrected version changed."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Min, Prefetch, Q, QuerySet

from assurance.models import (
    Challenge,
    ChallengeStatus,
    Consensus,
    Publication,
    PublicationStatus,
    PublishedResult,
    RatingReview,
    RatingReviewItem,
    ReviewStatus,
    SelfAssessment,
)
from assurance.queries.panel_items import ACTUAL, LEVEL, RATING, Item, panel_items, row_key
from assurance.queries.panels import ScoreRow, score_rows
from assurance.rules import due_process as rules
from assurance.rules import scoring

PUBLISHED = (PublicationStatus.COMPLETE, PublicationStatus.SUPERSEDED)
#: Every cache entry has an expiry (docs/decisions.md, issue 13): recomputed when it lapses.
MARKS_CACHE_SECONDS = 60 * 60 * 24


def consensus_label(consensus: Consensus) -> str:
    """An item's name for people (the consensus row's competency, criterion, area, outcome)."""
    if consensus.criterion_id:
        return f"{consensus.competency}: criterion {consensus.criterion.number}"
    if consensus.competency_id:
        return str(consensus.competency)
    if consensus.governance_area:
        return f"Governance: {consensus.get_governance_area_display()}"
    return f"Outcome: {consensus.chosen_outcome.indicator.name}"


def item_of(consensus: Consensus, items: Iterable[Item]) -> Item:
    """The panel item a consensus row scores; built from the row if the framework no
    longer lists it (never a 500 on an old record)."""
    key = row_key(consensus)
    found = next((i for i in items if i.key == key), None)
    if found is not None:
        return found
    kind = LEVEL if consensus.competency_id else RATING if consensus.governance_area else ACTUAL
    return Item(key=key, kind=kind, group="", label=consensus_label(consensus))


@dataclass
class DraftRow:
    row: ScoreRow
    challenges: list[Challenge] = field(default_factory=list)

    @property
    def open_challenge(self) -> Challenge | None:
        return next((c for c in self.challenges if not c.is_answered), None)


def draft_rows(sa: SelfAssessment, *, as_of: dt.datetime | None = None) -> list[DraftRow]:
    """Every item of the PCT's draft result — final value, outcome status, the panel's
    rationale, never a rank — with the challenges made to it and their answers.

    ``as_of``: once a version is published, the PCT's own staff see the values as published
    (a moderation made since shows with the next version, as on the panel result page)."""
    items = panel_items(sa)
    rows = score_rows(items, sa, as_of=as_of)
    by_item: dict[int, list[Challenge]] = defaultdict(list)
    for challenge in (
        Challenge.objects.filter(consensus__self_assessment=sa)
        .select_related("raised_by", "answered_by")
        .order_by("raised_at", "pk")
    ):
        by_item[challenge.consensus_id].append(challenge)
    return [
        DraftRow(row, by_item.get(row.consensus.pk, []) if row.consensus else []) for row in rows
    ]


def item_for(sa: SelfAssessment, consensus_pk: int) -> tuple[Consensus, ScoreRow]:
    """One item of the draft (for the challenge form), or LookupError."""
    consensus = (
        Consensus.objects.select_related("competency", "criterion", "chosen_outcome__indicator")
        .filter(self_assessment=sa, pk=consensus_pk)
        .first()
    )
    if consensus is None:
        raise LookupError(consensus_pk)
    key = row_key(consensus)
    items = [i for i in panel_items(sa) if i.key == key]
    return consensus, score_rows(items, sa)[0]


def unanswered_challenges(cycle: Any) -> int:
    return Challenge.objects.filter(cycle=cycle, status=ChallengeStatus.UNANSWERED).count()


# --- Queues ---------------------------------------------------------------------------------


@dataclass
class QueueRow:
    challenge: Challenge
    label: str
    age: int


def challenge_queue(scope: Q, today: dt.date, *, cycle_id: int | None = None) -> dict[str, Any]:
    """Unanswered challenges, oldest first, with their ages, and the counts by status."""
    challenges = Challenge.objects.filter(scope)
    if cycle_id is not None:
        challenges = challenges.filter(cycle_id=cycle_id)
    counts = challenges.aggregate(
        unanswered=Count("pk", filter=Q(status=ChallengeStatus.UNANSWERED)),
        accepted=Count("pk", filter=Q(status=ChallengeStatus.ACCEPTED)),
        not_accepted=Count("pk", filter=Q(status=ChallengeStatus.NOT_ACCEPTED)),
        oldest=Min("raised_at", filter=Q(status=ChallengeStatus.UNANSWERED)),
    )
    waiting = (
        challenges.filter(status=ChallengeStatus.UNANSWERED)
        .select_related(
            "pct__sha",
            "cycle",
            "consensus__competency",
            "consensus__criterion",
            "consensus__chosen_outcome__indicator",
        )
        .order_by("raised_at", "pk")
    )
    rows = [
        QueueRow(c, consensus_label(c.consensus), rules.age_in_days(c.raised_at.date(), today))
        for c in waiting[:500]
    ]
    oldest = counts.pop("oldest")
    counts["oldest_age"] = rules.age_in_days(oldest.date(), today) if oldest else None
    return {"counts": counts, "rows": rows}


@dataclass
class ReviewRow:
    review: RatingReview
    labels: list[str]
    age: int


def review_queue(scope: Q, today: dt.date) -> dict[str, Any]:
    """Rating reviews awaiting a DH decision, oldest first, with ages and counts."""
    reviews = RatingReview.objects.filter(scope)
    counts = reviews.aggregate(
        pending=Count("pk", filter=Q(status=ReviewStatus.PENDING)),
        upheld=Count("pk", filter=Q(status=ReviewStatus.UPHELD)),
        not_upheld=Count("pk", filter=Q(status=ReviewStatus.NOT_UPHELD)),
    )
    pending = (
        reviews.filter(status=ReviewStatus.PENDING)
        .select_related("pct__sha", "publication__cycle")
        .prefetch_related(_items_prefetch())
        .order_by("asked_at", "pk")
    )
    rows = [
        ReviewRow(
            r,
            [consensus_label(i.consensus) for i in r.items.all()],
            rules.age_in_days(r.asked_at.date(), today),
        )
        for r in pending[:500]
    ]
    return {"counts": counts, "rows": rows}


def _items_prefetch() -> Prefetch:
    return Prefetch(
        "items",
        queryset=RatingReviewItem.objects.select_related(
            "consensus__competency",
            "consensus__criterion",
            "consensus__chosen_outcome__indicator",
            "moderation",
        ),
    )


def review_items(review: RatingReview) -> list[RatingReviewItem]:
    return list(
        RatingReviewItem.objects.filter(review=review)
        .select_related(
            "consensus__self_assessment__cycle__framework",
            "consensus__self_assessment__pct",
            "consensus__competency",
            "consensus__criterion",
            "consensus__chosen_outcome__indicator",
            "moderation",
        )
        .order_by("pk")
    )


def reviews_with_items(reviews: QuerySet[RatingReview]) -> QuerySet[RatingReview]:
    return reviews.select_related(
        "publication__cycle", "pct", "asked_by", "decided_by"
    ).prefetch_related(_items_prefetch())


def _marks_key(cycle_id: int) -> str:
    return f"review-marks:{cycle_id}"


def review_marks(cycle_id: int) -> frozenset[int]:
    """The PCTs of a cycle with a rating review pending, which the league table marks.

    Cached (one query on a miss, none on a hit); asking for or deciding a review forgets it
    (:func:`forget_review_marks`), so a cached page never hides or keeps a mark."""
    marks = cache.get(_marks_key(cycle_id))
    if marks is None:
        marks = frozenset(
            RatingReview.objects.filter(
                publication__cycle_id=cycle_id, status=ReviewStatus.PENDING
            ).values_list("pct_id", flat=True)
        )
        cache.set(_marks_key(cycle_id), marks, MARKS_CACHE_SECONDS)
    return frozenset(marks)


def marks_stamp(marks: frozenset[int]) -> str:
    """A short digest of the marks, part of the league table's cache keys."""
    return hashlib.sha256(",".join(map(str, sorted(marks))).encode()).hexdigest()[:16]


def forget_review_marks(cycle_id: int) -> None:
    cache.delete(_marks_key(cycle_id))


def reviewable_items(sa: SelfAssessment, publication: Publication) -> list[tuple[Consensus, bool]]:
    """Every item of the PCT's result, and whether a review of this version named it already."""
    taken = set(
        RatingReviewItem.objects.filter(
            publication=publication, consensus__self_assessment=sa
        ).values_list("consensus_id", flat=True)
    )
    items = (
        Consensus.objects.filter(self_assessment=sa)
        .select_related("competency", "criterion", "chosen_outcome__indicator")
        .order_by("competency__number", "criterion__number", "governance_area", "pk")
    )
    return [(c, c.pk in taken) for c in items]


# --- What a corrected version changed -----------------------------------------------------


@dataclass
class Change:
    what: str
    old: str
    new: str


@dataclass
class Reason:
    item: str
    old: str
    new: str
    why: str


@dataclass
class VersionChanges:
    pct_id: int
    name: str
    code: str
    changes: list[Change]
    reasons: list[Reason]


def previous_version(publication: Publication) -> Publication | None:
    """The published version this one corrects (None for version 1)."""
    return (
        Publication.objects.filter(
            cycle_id=publication.cycle_id, version__lt=publication.version, status__in=PUBLISHED
        )
        .order_by("-version")
        .first()
    )


def _compare(old: PublishedResult, new: PublishedResult) -> list[Change]:
    changes: list[Change] = []
    for number in sorted(set(old.competency_levels) | set(new.competency_levels), key=int):
        a, b = old.competency_levels.get(number), new.competency_levels.get(number)
        if a != b:
            changes.append(Change(f"Competency {number} level", str(a), str(b)))
    for area in scoring.GOVERNANCE_AREAS:
        a, b = old.governance.get(area, ""), new.governance.get(area, "")
        if a != b:
            label = scoring.GOVERNANCE_LABELS[area]
            changes.append(Change(f"Governance: {label}", a.capitalize(), b.capitalize()))
    if old.outcome_score != new.outcome_score:
        changes.append(Change("Outcome score", str(old.outcome_score), str(new.outcome_score)))
    if old.tier != new.tier:
        changes.append(Change("Tier", old.get_tier_display(), new.get_tier_display()))
    if old.rank != new.rank:
        changes.append(Change("National rank", str(old.rank), str(new.rank)))
    if old.mark != new.mark:
        changes.append(Change("Overall mark", str(old.mark), str(new.mark)))
    return changes


def version_changes(
    publication: Publication, pct_ids: Iterable[int] | None = None
) -> list[VersionChanges]:
    """What changed for each PCT from the version before, and why: the upheld reviews of
    that version (and any other moderation since it was computed), item by item.

    Four queries whatever the number of PCTs; empty for a first version.
    """
    before = previous_version(publication)
    if before is None:
        return []
    new_results = PublishedResult.objects.filter(publication=publication).select_related("pct")
    old_results = PublishedResult.objects.filter(publication=before)
    if pct_ids is not None:
        pct_ids = list(pct_ids)
        new_results = new_results.filter(pct_id__in=pct_ids)
        old_results = old_results.filter(pct_id__in=pct_ids)
    old_by_pct = {r.pct_id: r for r in old_results}
    reasons: dict[int, list[Reason]] = defaultdict(list)
    upheld = RatingReviewItem.objects.filter(
        publication=before, review__status=ReviewStatus.UPHELD, moderation__isnull=False
    ).select_related(
        "review",
        "moderation",
        "consensus__competency",
        "consensus__criterion",
        "consensus__chosen_outcome__indicator",
    )
    for item in upheld.order_by("pk"):
        reasons[item.review.pct_id].append(
            Reason(
                consensus_label(item.consensus),
                item.moderation.old_value.capitalize(),
                item.moderation.new_value.capitalize(),
                f"Rating review upheld by DH: {item.review.decision}",
            )
        )
    out: list[VersionChanges] = []
    for result in sorted(new_results, key=lambda r: r.pct.name):
        old = old_by_pct.get(result.pct_id)
        changes = _compare(old, result) if old is not None else [Change("Result", "", "New")]
        if changes or reasons.get(result.pct_id):
            out.append(
                VersionChanges(
                    result.pct_id,
                    result.pct.name,
                    result.pct.code,
                    changes,
                    reasons.get(result.pct_id, []),
                )
            )
    return out
