"""Demo cycles and self-assessments (domain brief §2, §3).

- 2008/09 (framework 2008/09, competencies 1–10): phases 1–4 closed (phase 5 is left for
  the publications step, which opens it and publishes), every one of the
  152 PCTs' self-assessments submitted with levels, evidence, governance declarations,
  two outcomes and the four key documents, and the trail of phase changes and submissions.
  Self levels are the record's (:func:`assurance.demo.record.year_one_self_levels`): above
  the panel's levels the panels step builds from them, most of all on competencies 5 and 6
  (§2.1). Boards ratify in August 2008, before the autumn panels (§7).
- 2009/10 (all 11 competencies): phase 1 open. London and North East PCTs submitted (their
  SHAs book panel days); elsewhere a deterministic mix of submitted, part-done and not
  started. Camden (5K7) is part-done, Islington (5K8) not started and County Durham (5ND)
  complete but not yet submitted, so the demo logins have something to do.

Every date follows the cycle's calendar (:mod:`assurance.demo.dates`), never the day the
demo is loaded (§7). Runs before the panels step (which uses these cycles). Bulk inserts;
deterministic for the seed; safe to run twice (only what is missing is created). Demo text
is marked (demo).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from collections import defaultdict
from collections.abc import Mapping
from decimal import Decimal
from typing import TextIO

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from assurance import models as m
from assurance.demo import dates, record
from assurance.demo.panels import HIGHER_IS_BETTER

SUBMITTED_SHAS_2009 = ("Q36", "Q30")  # London and North East: panels step books their days
PART_DONE, NOT_STARTED, READY, SUBMITTED = "part", "none", "ready", "submitted"
FIXED_2009 = {"5K7": PART_DONE, "5K8": NOT_STARTED, "5ND": READY}
# Self-assessed level weights for levels 1–4 in 2009/10 (2008/09's are the record's).
SELF_WEIGHTS = {2: (2, 20, 55, 23), 7: (25, 52, 21, 2)}
DEFAULT_SELF_WEIGHTS = (8, 40, 44, 8)
DEMO_PDF = b"%PDF-1.4\n%demo evidence\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _status(kind: int, closed_through: int, open_kind: int | None) -> str:
    if kind <= closed_through:
        return m.PhaseStatus.CLOSED
    return m.PhaseStatus.OPEN if kind == open_kind else m.PhaseStatus.SCHEDULED


def _cycle(
    label: str,
    previous: m.Cycle | None,
    dh: m.User | None,
    *,
    closed_through: int,
    open_kind: int | None,
) -> m.Cycle:
    cycle = m.Cycle.objects.filter(year_label=label).first()
    if cycle:
        return cycle
    first_year = int(label[:4])
    cycle = m.Cycle.objects.create(
        year_label=label,
        framework=m.Framework.objects.filter(year_label=label).order_by("-version").first(),
        previous=previous,
        created_by=dh,
        illustrative=True,  # demo results are labelled as such everywhere (§7)
    )
    phases = []
    for kind, (opens, closes) in dates.phase_dates(first_year).items():
        status = _status(kind, closed_through, open_kind)
        phases.append(
            m.Phase(
                cycle=cycle,
                kind=kind,
                opens_on=opens,
                closes_on=closes,
                status=status,
                opened_at=None if status == m.PhaseStatus.SCHEDULED else dates.at(opens, 9),
            )
        )
    phases = m.Phase.objects.bulk_create(phases)
    m.Cycle.objects.filter(pk=cycle.pk).update(created_at=dates.cycle_created(phases[0].opens_on))
    cycle.indicators.set(m.OutcomeIndicator.objects.filter(active=True))
    # The phase-change trail, dated when DH opened and closed each phase.
    changes, when = [], []
    for phase in phases:
        if phase.opened_at is None:
            continue
        changes.append(m.PhaseChange(phase=phase, action="open", changed_by=dh))
        when.append(phase.opened_at)
        if phase.status == m.PhaseStatus.CLOSED:
            changes.append(m.PhaseChange(phase=phase, action="close", changed_by=dh))
            when.append(dates.at(phase.closes_on, 17))
    created = m.PhaseChange.objects.bulk_create(changes)
    for change, at in zip(created, when, strict=True):
        m.PhaseChange.objects.filter(pk=change.pk).update(changed_at=at)
    return cycle


def _documents() -> dict[str, tuple[str, int, str]]:
    """One stored demo file per key-document kind, shared by the demo rows (name, size, sha)."""
    stored = {}
    for kind in m.KEY_DOCUMENT_KINDS:
        name = f"evidence/demo-{kind}.pdf"
        data = DEMO_PDF.replace(b"demo evidence", f"demo {kind}".encode())
        if not default_storage.exists(name):
            default_storage.save(name, ContentFile(data))
        stored[kind] = (name, len(data), hashlib.sha256(data).hexdigest())
    return stored


def _level(rng: random.Random, number: int) -> int:
    return rng.choices((1, 2, 3, 4), SELF_WEIGHTS.get(number, DEFAULT_SELF_WEIGHTS))[0]


def _fill(
    rng: random.Random,
    cycle: m.Cycle,
    plans: dict[m.PCT, str],
    users: dict[int, dict[str, m.User]],
    levels: Mapping[str, Mapping[int, int]] | None = None,
) -> int:
    """Create the self-assessments in ``plans`` that do not exist yet, with their contents.

    ``levels`` (PCT code → competency number → level) gives the self levels; without it they
    are drawn. Dates follow the cycle's phase 1: staff save their ratings the month before
    the boards meet, in the last month of the phase.
    """
    phase_one = cycle.phase(m.PhaseKind.SELF_ASSESSMENT)
    have = set(m.SelfAssessment.objects.filter(cycle=cycle).values_list("pct_id", flat=True))
    todo = {p: s for p, s in plans.items() if s != NOT_STARTED and p.pk not in have}
    # Draw for every planned PCT, created or not, so a rerun sees the same numbers.
    draws = {p: rng.random() for p in plans}
    board_days = {
        p: dates.board_day(phase_one.closes_on, rng.choice(dates.BOARD_DAYS)) for p in plans
    }
    if not todo:
        return 0
    m.SelfAssessment.objects.bulk_create(
        m.SelfAssessment(
            cycle=cycle,
            pct=p,
            status=m.SelfAssessmentStatus.SUBMITTED
            if state == SUBMITTED
            else m.SelfAssessmentStatus.DRAFT,
            board_ratified_on=board_days[p] if state == SUBMITTED else None,
            submitted_at=dates.at(board_days[p], 17) if state == SUBMITTED else None,
            submitted_by=users.get(p.pk, {}).get("approver") if state == SUBMITTED else None,
        )
        for p, state in todo.items()
    )
    sas = m.SelfAssessment.objects.filter(cycle=cycle, pct__in=list(todo)).select_related("pct")
    competencies = list(m.Competency.objects.filter(framework=cycle.framework).order_by("number"))
    indicators = list(cycle.indicators.order_by("code"))
    docs = _documents()
    ratings, declarations, chosen, documents, trail = [], [], [], [], []
    trail_dates: list[dt.datetime] = []
    for sa in sas:
        state = todo[sa.pct]
        staff = users.get(sa.pct_id, {}).get("staff")
        # Part-done: some competencies rated, some documents, no sign-off.
        share = 1.0 if state in (SUBMITTED, READY) else 0.2 + 0.5 * draws[sa.pct]
        rated = competencies[: max(1, round(len(competencies) * share))]
        for c in rated:
            level = levels[sa.pct.code][c.number] if levels else _level(rng, c.number)
            evidence = f"{sa.pct.name}: board papers and results for {c.short_name.lower()} (demo)."
            ratings.append(
                m.CompetencyRating(
                    self_assessment=sa,
                    cycle_id=sa.cycle_id,
                    competency=c,
                    level=level,
                    evidence=evidence,
                    updated_by=staff,
                )
            )
            trail.append(
                m.AuditEntry(
                    actor=staff,
                    cycle=cycle,
                    pct=sa.pct,
                    action="self_rating.updated",
                    object_type="assurance.competencyrating",
                    label=f"Competency {c.number}",
                    field="level",
                    new_value=str(level),
                )
            )
            trail_dates.append(dates.self_rating_day(phase_one.closes_on, c.number))
        if state != PART_DONE or draws[sa.pct] > 0.5:
            for area in m.GovernanceArea.values:
                declarations.append(
                    m.GovernanceDeclaration(
                        self_assessment=sa,
                        cycle_id=sa.cycle_id,
                        area=area,
                        rating=rng.choice(("green", "green", "amber")),
                        commentary="The board's own view (demo).",
                        updated_by=staff,
                    )
                )
            for indicator in rng.sample(indicators, min(2, len(indicators))):
                baseline = Decimal(rng.randint(150, 300)) / 10
                higher = indicator.code in HIGHER_IS_BETTER
                step = Decimal(rng.randint(3, 12)) / 10
                chosen.append(
                    m.ChosenOutcome(
                        self_assessment=sa,
                        indicator=indicator,
                        baseline=baseline,
                        target=baseline + step if higher else baseline - step,
                        direction=m.Direction.HIGHER if higher else m.Direction.LOWER,
                        updated_by=staff,
                    )
                )
        kinds = m.KEY_DOCUMENT_KINDS if state != PART_DONE else m.KEY_DOCUMENT_KINDS[:2]
        for kind in kinds:
            name, size, sha = docs[kind]
            documents.append(
                m.EvidenceDocument(
                    self_assessment=sa,
                    kind=kind,
                    file=name,
                    original_name=f"{sa.pct.code} {m.DocumentKind(kind).label}.pdf",
                    content_type="application/pdf",
                    size=size,
                    sha256=sha,
                    uploaded_by=staff,
                )
            )
        if state == SUBMITTED:
            trail.append(
                m.AuditEntry(
                    actor=sa.submitted_by,
                    cycle=cycle,
                    pct=sa.pct,
                    action="self_assessment.submitted",
                    object_type="assurance.selfassessment",
                    object_id=sa.pk,
                    label="Self-assessment submitted",
                    field="status",
                    old_value="Draft",
                    new_value=f"Submitted (board ratified {sa.board_ratified_on:%-d %B %Y})",
                )
            )
            trail_dates.append(sa.submitted_at)
    m.CompetencyRating.objects.bulk_create(ratings, batch_size=2000)
    m.GovernanceDeclaration.objects.bulk_create(declarations, batch_size=2000)
    m.ChosenOutcome.objects.bulk_create(chosen, batch_size=2000)
    m.EvidenceDocument.objects.bulk_create(documents, batch_size=2000)
    created = m.AuditEntry.objects.bulk_create(trail, batch_size=2000)
    # auto_now_add stamps "now": date the trail when things happened, one update per date.
    by_date: dict[dt.datetime, list[int]] = defaultdict(list)
    for entry, at in zip(created, trail_dates, strict=True):
        by_date[at].append(entry.pk)
    for at, pks in by_date.items():
        m.AuditEntry.objects.filter(pk__in=pks).update(at=at)
    _date_rows(list(sas), phase_one, [c.number for c in competencies])
    return len(todo)


def _date_rows(sas: list[m.SelfAssessment], phase_one: m.Phase, numbers: list[int]) -> None:
    """``auto_now`` stamped the new rows with the machine's clock: date them by phase 1,
    as the trail is (the pages show when a rating was saved and a document uploaded)."""
    closes = phase_one.closes_on
    ids = [sa.pk for sa in sas]
    for number in numbers:
        m.CompetencyRating.objects.filter(
            self_assessment_id__in=ids, competency__number=number
        ).update(updated_at=dates.self_rating_day(closes, number))
    saved = dates.self_rating_day(closes, 14)
    m.GovernanceDeclaration.objects.filter(self_assessment_id__in=ids).update(updated_at=saved)
    m.ChosenOutcome.objects.filter(self_assessment_id__in=ids).update(updated_at=saved)
    m.EvidenceDocument.objects.filter(self_assessment_id__in=ids).update(
        uploaded_at=dates.self_rating_day(closes, 12)
    )
    started = dates.at(phase_one.opens_on + dt.timedelta(days=14), 9)
    last: dict[dt.datetime, list[int]] = defaultdict(list)
    for sa in sas:
        last[sa.submitted_at or saved].append(sa.pk)
    for at, pks in last.items():
        m.SelfAssessment.objects.filter(pk__in=pks).update(created_at=started, updated_at=at)


def _users() -> dict[int, dict[str, m.User]]:
    users: dict[int, dict[str, m.User]] = defaultdict(dict)
    for user in m.User.objects.filter(role__in=[m.Role.PCT_STAFF, m.Role.PCT_APPROVER]).order_by(
        "email"
    ):
        key = "approver" if user.role == m.Role.PCT_APPROVER else "staff"
        users[user.pct_id].setdefault(key, user)
    return users


def create_demo_cycles(rng: random.Random, out: TextIO) -> None:
    dh = m.User.objects.filter(email="dh@wcc.example").first()
    pcts = list(m.PCT.objects.select_related("sha").order_by("code"))
    users = _users()

    # One generator per part, so a rerun that creates nothing draws the same plans.
    rng_one, rng_two, rng_plan, rng_record = (random.Random(rng.random()) for _ in range(4))

    # Phase 5 of 2008/09 is left for the publications step to open and publish.
    year_one = _cycle("2008/09", None, dh, closed_through=4, open_kind=None)
    levels = record.year_one_self_levels([p.code for p in pcts], rng_record)
    made = _fill(rng_one, year_one, dict.fromkeys(pcts, SUBMITTED), users, levels)
    out.write(f"    2008/09: phases 1-4 closed, {made} self-assessments submitted\n")

    year_two = _cycle("2009/10", year_one, dh, closed_through=0, open_kind=1)
    plans: dict[m.PCT, str] = {}
    for pct in pcts:
        draw = rng_plan.random()
        if pct.code in FIXED_2009:
            plans[pct] = FIXED_2009[pct.code]
        elif pct.sha.code in SUBMITTED_SHAS_2009 or draw < 0.35:
            plans[pct] = SUBMITTED
        elif draw < 0.7:
            plans[pct] = PART_DONE
        else:
            plans[pct] = NOT_STARTED
    made = _fill(rng_two, year_two, plans, users)
    counts = {s: sum(1 for v in plans.values() if v == s) for s in (SUBMITTED, PART_DONE, READY)}
    out.write(
        f"    2009/10: phase 1 open, {made} self-assessments created "
        f"({counts[SUBMITTED]} submitted, {counts[PART_DONE] + counts[READY]} in progress, "
        f"{len(plans) - sum(counts.values())} not started)\n"
    )
