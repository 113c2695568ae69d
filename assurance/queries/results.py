"""A cycle's final results, read set-based for publication (domain brief §3, §4)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, QuerySet

from assurance.models import (
    ASSESSED_STATUSES,
    PCT,
    ChosenOutcome,
    Competency,
    Consensus,
    Cycle,
    DocumentStatus,
    LeftOut,
    Publication,
    PublicationStatus,
    PublishedDocument,
    SelfAssessment,
    SelfAssessmentStatus,
)
from assurance.rules import scoring, tiers


def rule_settings(cycle: Cycle) -> tiers.RuleSettings:
    return tiers.RuleSettings(
        freedoms_cap=cycle.freedoms_cap,
        notice_cap=cycle.notice_cap,
        min_level_four=cycle.min_level_four,
        elite_share=cycle.elite_share,
        outcome_threshold=cycle.outcome_threshold,
    )


@dataclass
class Gathered:
    results: list[tiers.PCTResult]
    pcts: dict[str, PCT]
    competency_count: int
    problems: list[str]
    #: PCT codes ranked on the panel's assessment of a draft phase 1 closed on (§4).
    not_submitted: set[str] = field(default_factory=set)
    #: PCTs DH left out of the publication, with the reason, frozen into the snapshot.
    not_assessed: list[dict[str, object]] = field(default_factory=list)


def gather_results(cycle: Cycle) -> Gathered:
    """Every PCT's final results for ``cycle`` in five queries, whatever the size (§4 [rule]:
    every PCT is ranked, whether or not its self-assessment was submitted by the close of
    phase 1; only DH staff leave a PCT out, with a recorded reason).

    Final = moderated, else consensus (§3). Competencies with criteria score the criteria
    mean and take its floor as their level (§2.1). An outcome counts only with a baseline,
    a target and a final actual; otherwise it is "not improved" (docs/decisions.md).
    A PCT missing a governance rating or a competency level is a problem: publication
    refuses to start rather than rank it on partial results.
    """
    left_out = {
        row.pct_id: row for row in LeftOut.objects.filter(cycle=cycle).select_related("pct__sha")
    }
    assessments = {
        sa.pk: sa
        for sa in SelfAssessment.objects.filter(cycle=cycle, status__in=ASSESSED_STATUSES)
        .exclude(pct_id__in=left_out.keys())
        .select_related("pct__sha")
    }
    numbers = list(
        Competency.objects.filter(framework_id=cycle.framework_id)
        .order_by("number")
        .values_list("number", flat=True)
    )
    outcomes = {
        o["pk"]: o
        for o in ChosenOutcome.objects.filter(self_assessment__in=assessments.keys()).values(
            "pk", "self_assessment_id", "baseline", "target", "direction"
        )
    }
    levels: dict[int, dict[int, int]] = defaultdict(dict)
    criteria: dict[int, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    governance: dict[int, dict[str, str]] = defaultdict(dict)
    statuses: dict[int, list[scoring.OutcomeStatus]] = defaultdict(list)
    actuals: dict[int, Decimal | None] = {}
    rows = Consensus.objects.filter(self_assessment__in=assessments.keys()).values(
        "self_assessment_id",
        "competency__number",
        "criterion_id",
        "governance_area",
        "chosen_outcome_id",
        "level",
        "moderated_level",
        "rating",
        "moderated_rating",
        "actual",
        "moderated_actual",
    )
    for row in rows:
        sa = row["self_assessment_id"]
        level = row["moderated_level"] if row["moderated_level"] is not None else row["level"]
        if row["criterion_id"] is not None:
            if level is not None:
                criteria[sa][row["competency__number"]].append(level)
        elif row["competency__number"] is not None:
            if level is not None:
                levels[sa][row["competency__number"]] = level
        elif row["governance_area"]:
            rating = row["moderated_rating"] or row["rating"]
            if rating:
                governance[sa][row["governance_area"]] = rating
        elif row["chosen_outcome_id"] is not None:
            actual = row["moderated_actual"]
            actuals[row["chosen_outcome_id"]] = actual if actual is not None else row["actual"]
    for pk, outcome in outcomes.items():
        actual = actuals.get(pk)
        if actual is None or outcome["baseline"] is None or outcome["target"] is None:
            status = scoring.OutcomeStatus.NOT_IMPROVED
        else:
            status = scoring.outcome_status(
                baseline=outcome["baseline"],
                target=outcome["target"],
                actual=actual,
                higher_is_better=outcome["direction"] == "higher",
            )
        statuses[outcome["self_assessment_id"]].append(status)

    results: list[tiers.PCTResult] = []
    pcts: dict[str, PCT] = {}
    problems: list[str] = []
    not_submitted: set[str] = set()
    for sa_pk, sa in sorted(assessments.items(), key=lambda item: item[1].pct.name):
        scores: dict[int, Decimal] = {}
        pct_levels = dict(levels[sa_pk])
        for number, criteria_levels in criteria[sa_pk].items():
            scores[number] = scoring.competency_score(criteria_levels)
            pct_levels[number] = scoring.competency_level(criteria_levels)
        missing = [str(n) for n in numbers if n not in pct_levels]
        missing += [a for a in scoring.GOVERNANCE_AREAS if a not in governance[sa_pk]]
        if missing:
            problems.append(f"{sa.pct.name} has no final result for: {', '.join(missing)}")
            continue
        if sa.status == SelfAssessmentStatus.NOT_SUBMITTED:
            not_submitted.add(sa.pct.code)
        results.append(
            tiers.PCTResult(
                key=sa.pct.code,
                competency_levels={n: pct_levels[n] for n in numbers},
                governance=governance[sa_pk],
                outcome_score=scoring.outcome_score(statuses[sa_pk]),
                competency_scores=scores,
            )
        )
        pcts[sa.pct.code] = sa.pct
    if not assessments:
        problems.append("no PCT has a submitted self-assessment in this cycle")
    not_assessed = [
        {
            "pct_id": row.pct_id,
            "code": row.pct.code,
            "name": row.pct.name,
            "sha": row.pct.sha.name,
            "reason": row.reason,
        }
        for row in sorted(left_out.values(), key=lambda r: r.pct.name)
    ]
    return Gathered(results, pcts, len(numbers) or 1, problems, not_submitted, not_assessed)


def current_publication(cycle: Cycle) -> Publication | None:
    """The publication the public sees: the latest complete one."""
    return (
        Publication.objects.filter(cycle=cycle, status=PublicationStatus.COMPLETE)
        .order_by("-version")
        .first()
    )


def document_counts(publication_id: int) -> dict[str, int]:
    """Totals for the progress display, in one query: 87 of 152 reports."""
    from django.db.models import Count

    return PublishedDocument.objects.filter(publication_id=publication_id).aggregate(
        total=Count("pk"),
        done=Count("pk", filter=Q(status=DocumentStatus.DONE)),
        failed=Count("pk", filter=Q(status=DocumentStatus.FAILED)),
        reports_total=Count("pk", filter=Q(pct__isnull=False)),
        reports_done=Count("pk", filter=Q(pct__isnull=False, status=DocumentStatus.DONE)),
    )


def left_out(cycle: Cycle) -> QuerySet[LeftOut]:
    return LeftOut.objects.filter(cycle=cycle).select_related("pct", "left_out_by")


def pcts_that_may_be_left_out(cycle: Cycle) -> QuerySet[PCT]:
    """Every PCT not yet left out (a merged PCT may have no self-assessment at all)."""
    return PCT.objects.exclude(
        pk__in=LeftOut.objects.filter(cycle=cycle).values("pct_id")
    ).order_by("name")
