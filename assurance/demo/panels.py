"""Demo panels: 2008/09 fully scored, agreed and calibrated; 2009/10 panel days booked.

2008/09's final results are the year-1 record (:mod:`assurance.demo.record`, domain brief
§2.1, §2.2, §7): Birmingham East and North first, Tower Hamlets and Somerset in the top
three, Great Yarmouth and Waveney triple-red with six level 1s, exactly the year-1
governance counts, no level 4, competency 2 strongest and 7 weakest, panels below the
self-assessments. Calibration moves a few consensus levels onto those results; it never
moves a result off them. Outcome baselines, targets and actuals are illustrative demo
values, not real figures.

Every date follows the cycle's calendar (:mod:`assurance.demo.dates`): 2008/09 panel days
in autumn 2008, scores locked on the day, regional calibration in December and national
calibration final by 31 January 2009.

Bulk inserts, deterministic for a seed, and safe to run twice: each part only fills
what is missing (PCTs without a slot, self-assessments without a panel result).
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Mapping
from decimal import Decimal
from typing import TextIO

from django.db.models import Exists, OuterRef

from assurance import models as m
from assurance.demo import dates, record

HIGHER_IS_BETTER = {"deaths-at-home"}
SLOT_TIMES = [(dt.time(9, 30), dt.time(11, 30)), (dt.time(13, 0), dt.time(15, 0))]
# PCTs whose 2009/10 self-assessment the self-assessment demo leaves for people to edit.
KEEP_FOR_SELF_ASSESSMENT_DEMO = {"5K7", "5K8", "5ND"}
PANEL_SHAS_2009 = ("Q36", "Q30")  # London and North East book 2009/10 panel days
MODERATIONS = 12  # consensus levels calibration moves onto the final result
# Self levels 1–4 of a 2009/10 self-assessment this step makes without the cycles step.
SELF_WEIGHTS = (8, 40, 44, 8)


def _cycle(label: str, open_phase: int, previous: m.Cycle | None) -> m.Cycle:
    """The cycle (made by the cycles demo step when present; else here, with its phases)."""
    existing = m.Cycle.objects.filter(year_label=label).first()
    if existing:
        return existing
    cycle = m.Cycle.objects.create(
        year_label=label,
        framework=m.Framework.objects.filter(year_label=label).order_by("-version").first(),
        previous=previous,
        illustrative=True,  # demo results are labelled as such everywhere (§7)
    )
    first_year = int(label[:4])
    m.Phase.objects.bulk_create(
        m.Phase(
            cycle=cycle,
            kind=kind,
            opens_on=opens,
            closes_on=closes,
            status=m.PhaseStatus.OPEN
            if kind == open_phase
            else m.PhaseStatus.CLOSED
            if kind < open_phase
            else m.PhaseStatus.SCHEDULED,
            opened_at=dates.at(opens, 9) if kind <= open_phase else None,
        )
        for kind, (opens, closes) in dates.phase_dates(first_year).items()
    )
    m.Cycle.objects.filter(pk=cycle.pk).update(
        created_at=dates.cycle_created(dates.phase_dates(first_year)[1][0])
    )
    cycle.indicators.set(m.OutcomeIndicator.objects.filter(active=True))
    return cycle


def _create_self_assessments(
    rng: random.Random,
    cycle: m.Cycle,
    pcts: list[m.PCT],
    submitted_on: dt.date,
    levels: Mapping[str, Mapping[int, int]] | None = None,
) -> int:
    """Submitted self-assessments with self ratings and two chosen outcomes, for PCTs
    without one (the cycles step makes them in a full demo). ``levels`` maps PCT code to
    competency number to self level; without it, levels are drawn."""
    have = set(m.SelfAssessment.objects.filter(cycle=cycle).values_list("pct_id", flat=True))
    new = [p for p in pcts if p.pk not in have]
    if not new:
        return 0
    at = dates.at(submitted_on, 17)
    m.SelfAssessment.objects.bulk_create(
        m.SelfAssessment(
            cycle=cycle,
            pct=p,
            status=m.SelfAssessmentStatus.SUBMITTED,
            submitted_at=at,
            board_ratified_on=submitted_on,
        )
        for p in new
    )
    sas = list(m.SelfAssessment.objects.filter(cycle=cycle, pct__in=new).select_related("pct"))
    competencies = list(m.Competency.objects.filter(framework=cycle.framework))
    indicators = list(cycle.indicators.order_by("code"))
    ratings, declarations, chosen = [], [], []
    for sa in sas:
        for c in competencies:
            level = (
                levels[sa.pct.code][c.number]
                if levels is not None
                else rng.choices((1, 2, 3, 4), SELF_WEIGHTS)[0]
            )
            ratings.append(
                m.CompetencyRating(
                    self_assessment=sa,
                    cycle_id=sa.cycle_id,
                    competency=c,
                    level=level,
                    evidence=f"Board evidence for {c.short_name.lower()} (demo).",
                )
            )
        for area in m.GovernanceArea.values:
            declarations.append(
                m.GovernanceDeclaration(
                    self_assessment=sa,
                    cycle_id=sa.cycle_id,
                    area=area,
                    rating=rng.choice(("green", "green", "amber")),
                    commentary="Board's declaration (demo).",
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
                )
            )
    m.CompetencyRating.objects.bulk_create(ratings)
    m.GovernanceDeclaration.objects.bulk_create(declarations)
    m.ChosenOutcome.objects.bulk_create(chosen)
    return len(sas)


def _schedule(cycle: m.Cycle, sas: list[m.SelfAssessment], venue: str) -> int:
    """Panel days per SHA from the first weekday of phase 3, two PCTs a day, the SHA's lead
    and assessors as members; each SHA starts a few days after the one before."""
    by_sha: dict[int, list[m.SelfAssessment]] = defaultdict(list)
    for sa in sas:
        by_sha[sa.pct.sha_id].append(sa)
    members_of: dict[int, list[m.User]] = defaultdict(list)
    for user in m.User.objects.filter(
        sha_id__in=by_sha, role__in=[m.Role.SHA_LEAD, m.Role.SHA_ASSESSOR]
    ).order_by("email"):
        members_of[user.sha_id].append(user)
    opens = cycle.phase(m.PhaseKind.PANEL_DAYS).opens_on
    days, slots, links = [], [], []
    for index, (sha_id, group) in enumerate(sorted(by_sha.items())):
        group.sort(key=lambda sa: sa.pct.name)
        date = dates.first_panel_day(opens, index)
        for i in range(0, len(group), len(SLOT_TIMES)):
            date = dates.weekday(date)
            lead = next((u for u in members_of[sha_id] if u.role == m.Role.SHA_LEAD), None)
            day = m.PanelDay(cycle=cycle, sha_id=sha_id, date=date, venue=venue, chair=lead)
            days.append((day, group[i : i + len(SLOT_TIMES)], members_of[sha_id]))
            date += dt.timedelta(days=1)
    m.PanelDay.objects.bulk_create([d for d, _, _ in days])
    m.PanelDay.objects.filter(pk__in=[d.pk for d, _, _ in days]).update(
        created_at=dates.panel_days_booked(cycle.phase(m.PhaseKind.SELF_ASSESSMENT).closes_on)
    )
    for day, group, members in days:
        for sa, (start, end) in zip(group, SLOT_TIMES, strict=False):
            slots.append(m.PanelSlot(panel_day=day, pct_id=sa.pct_id, starts_at=start, ends_at=end))
        links += [m.PanelDay.members.through(panelday_id=day.pk, user_id=u.pk) for u in members]
    m.PanelSlot.objects.bulk_create(slots)
    m.PanelDay.members.through.objects.bulk_create(links)
    return len(days)


def _record_panel(rng: random.Random, cycle: m.Cycle) -> dict[str, record.PanelView]:
    """The record's 2008/09 panel results, following the PCTs' own (stored) levels."""
    self_levels: dict[str, dict[int, int]] = defaultdict(dict)
    for code, number, level in m.CompetencyRating.objects.filter(
        cycle=cycle, self_assessment__cycle=cycle, criterion__isnull=True
    ).values_list("self_assessment__pct__code", "competency__number", "level"):
        self_levels[code][number] = level
    return record.year_one_panel(self_levels, rng)


def _score(rng: random.Random, cycle: m.Cycle) -> tuple[int, int]:
    """Two assessors' sheets, the lead's consensus and a locked result for every unscored
    PCT, on its panel day; then regional and national calibration. Returns (PCTs scored,
    moderations)."""
    sas = list(
        m.SelfAssessment.objects.filter(cycle=cycle, status=m.SelfAssessmentStatus.SUBMITTED)
        .exclude(Exists(m.PanelResult.objects.filter(self_assessment=OuterRef("pk"))))
        .select_related("pct")
        .order_by("pct__code")
    )
    if not sas:
        return 0, 0
    panel = _record_panel(rng, cycle)
    competencies = list(m.Competency.objects.filter(framework=cycle.framework).order_by("number"))
    chosen = defaultdict(list)
    for co in (
        m.ChosenOutcome.objects.filter(self_assessment__in=sas)
        .select_related("indicator")
        .order_by("pk")
    ):
        chosen[co.self_assessment_id].append(co)
    staff: dict[int, dict[str, list[m.User]]] = defaultdict(lambda: defaultdict(list))
    for user in m.User.objects.filter(role__in=[m.Role.SHA_LEAD, m.Role.SHA_ASSESSOR]).order_by(
        "email"
    ):
        staff[user.sha_id][user.role].append(user)
    panel_day = dict(
        m.PanelSlot.objects.filter(panel_day__cycle=cycle).values_list("pct_id", "panel_day__date")
    )
    fallback_day = cycle.phase(m.PhaseKind.PANEL_DAYS).closes_on
    # Calibration moved these consensus levels onto the final ones (a level either side).
    pairs = [(sa, c.number) for sa in sas for c in competencies]
    agreed: dict[tuple[int, int], int] = {}
    for sa, number in rng.sample(pairs, min(MODERATIONS, len(pairs))):
        final = panel[sa.pct.code].levels[number]
        agreed[(sa.pk, number)] = 2 if final != 2 else rng.choice((1, 3))

    sheets, consensus, results = [], [], []
    plan = []  # (sa, day, [(lookup, kind, value, rationale)])
    for sa in sas:
        view = panel[sa.pct.code]
        day = panel_day.get(sa.pct_id, fallback_day)
        items = []
        for c in competencies:
            items.append(
                (
                    {"competency": c},
                    "level",
                    view.levels[c.number],
                    f"Panel view of {c.short_name.lower()}.",
                )
            )
        for area in m.GovernanceArea.values:
            rating = view.governance[area]
            items.append(
                ({"governance_area": area}, "rating", rating, f"{area.capitalize()} assurance.")
            )
        for co in chosen[sa.pk]:
            drift = Decimal(rng.randint(-10, 10)) / 10
            anchor = co.target if co.target is not None else co.baseline or Decimal(10)
            items.append(({"chosen_outcome": co}, "actual", anchor + drift, "Validated data."))
        plan.append((sa, day, items))
        lead = (staff[sa.pct.sha_id][m.Role.SHA_LEAD] or [None])[0]
        for lookup, kind, value, rationale in items:
            moderated = {}
            if kind == "level" and (sa.pk, lookup["competency"].number) in agreed:
                moderated = {"moderated_level": value}
                value = agreed[(sa.pk, lookup["competency"].number)]
            consensus.append(
                m.Consensus(
                    self_assessment=sa,
                    cycle_id=sa.cycle_id,
                    set_by=lead,
                    rationale=rationale,
                    **lookup,
                    **{kind: value},
                    **moderated,
                )
            )
        results.append(
            m.PanelResult(self_assessment=sa, locked_at=dates.at(day, 17), locked_by=lead)
        )
        for assessor in staff[sa.pct.sha_id][m.Role.SHA_ASSESSOR][:2]:
            sheets.append(
                m.ScoreSheet(self_assessment=sa, assessor=assessor, submitted_at=dates.at(day, 16))
            )
    m.ScoreSheet.objects.bulk_create(sheets)
    by_sa: dict[int, list[m.ScoreSheet]] = defaultdict(list)
    for sheet in sheets:
        by_sa[sheet.self_assessment_id].append(sheet)
    scores = []
    for sa, _day, items in plan:
        for sheet in by_sa[sa.pk]:
            for lookup, kind, value, rationale in items:
                if kind == "level":  # members differ from the consensus by a level now and then
                    value = agreed.get((sa.pk, lookup["competency"].number), value)
                    value = max(
                        1, min(record.MAX_PANEL_LEVEL, value + rng.choice((0, 0, 0, -1, 1)))
                    )
                scores.append(
                    m.PanelScore(sheet=sheet, rationale=rationale, **lookup, **{kind: value})
                )
    m.PanelScore.objects.bulk_create(scores, batch_size=2000)
    m.Consensus.objects.bulk_create(consensus, batch_size=2000)
    m.PanelResult.objects.bulk_create(results)
    # auto_now stamps the machine's clock: the panel agreed its consensus on the day.
    by_day: dict[dt.date, list[int]] = defaultdict(list)
    for sa, day, _items in plan:
        by_day[day].append(sa.pk)
    for day, pks in by_day.items():
        at = dates.at(day, 16, 30)
        m.Consensus.objects.filter(self_assessment_id__in=pks).update(set_at=at)
        m.PanelScore.objects.filter(sheet__self_assessment_id__in=pks).update(
            updated_at=dates.at(day, 16)
        )
    return len(sas), _moderate(cycle, agreed)


def _moderate(cycle: m.Cycle, agreed: Mapping[tuple[int, int], int]) -> int:
    """The moderations behind ``agreed``: alternately regional (the SHA lead, a week into
    phase 4) and national (DH, a week before phase 4 closes), each with its reason."""
    dh = m.User.objects.filter(role=m.Role.DH_STAFF).order_by("email").first()
    leads = {u.sha_id: u for u in m.User.objects.filter(role=m.Role.SHA_LEAD).order_by("-email")}
    calibration = cycle.phase(m.PhaseKind.CALIBRATION)
    regional_at = dates.regional_calibration(calibration.opens_on)
    national_at = dates.national_calibration(calibration.closes_on)
    rows = {
        (row.self_assessment_id, row.competency.number): row
        for row in m.Consensus.objects.filter(
            self_assessment__cycle=cycle, moderated_level__isnull=False, competency__isnull=False
        ).select_related("self_assessment__pct", "competency")
    }
    moderations, when = [], []
    for i, key in enumerate(sorted(agreed)):
        row = rows[key]
        regional = i % 2 == 0
        author = leads.get(row.self_assessment.pct.sha_id) if regional else dh
        if author is None:
            author, regional = dh, False
        moderations.append(
            m.Moderation(
                consensus=row,
                stage=m.ModerationStage.REGIONAL if regional else m.ModerationStage.NATIONAL,
                old_value=str(row.level),
                new_value=str(row.moderated_level),
                reason=(
                    "Brought into line with the region's other panels on the evidence."
                    if regional
                    else "National calibration: evidence supports the change."
                ),
                moderated_by=author,
            )
        )
        when.append(regional_at if regional else national_at)
    created = m.Moderation.objects.bulk_create(moderations)
    for at in set(when):
        m.Moderation.objects.filter(
            pk__in=[x.pk for x, w in zip(created, when, strict=True) if w == at]
        ).update(moderated_at=at)
    return len(created)


def create_demo_panels(rng: random.Random, out: TextIO) -> None:
    pcts = list(m.PCT.objects.select_related("sha").order_by("code"))
    year_one = _cycle("2008/09", open_phase=4, previous=None)
    year_two = _cycle("2009/10", open_phase=3, previous=year_one)
    # One generator per part, so a rerun that creates nothing draws the same numbers.
    rng_self, rng_score, rng_two = (random.Random(rng.random()) for _ in range(3))

    # The cycles step makes the self-assessments; without it, this step makes its own.
    if not m.SelfAssessment.objects.filter(cycle=year_one).exists():
        levels = record.year_one_self_levels([p.code for p in pcts], rng_self)
        board = dates.board_day(year_one.phase(m.PhaseKind.SELF_ASSESSMENT).closes_on, 12)
        _create_self_assessments(rng_self, year_one, pcts, board, levels)
    unslotted = list(
        m.SelfAssessment.objects.filter(cycle=year_one, status=m.SelfAssessmentStatus.SUBMITTED)
        .exclude(Exists(m.PanelSlot.objects.filter(pct=OuterRef("pct"), panel_day__cycle=year_one)))
        .select_related("pct")
    )
    days = _schedule(year_one, unslotted, "SHA headquarters")
    scored, moderated = _score(rng_score, year_one)
    out.write(f"    2008/09: {days} panel days, {scored} PCTs scored, {moderated} moderations\n")

    if not m.PanelDay.objects.filter(cycle=year_two).exists():
        panel_pcts = [
            p
            for p in pcts
            if p.sha.code in PANEL_SHAS_2009 and p.code not in KEEP_FOR_SELF_ASSESSMENT_DEMO
        ]
        if not m.SelfAssessment.objects.filter(cycle=year_two).exists():
            board = dates.board_day(year_two.phase(m.PhaseKind.SELF_ASSESSMENT).closes_on, 11)
            _create_self_assessments(rng_two, year_two, panel_pcts, board)
        ready = list(
            m.SelfAssessment.objects.filter(
                cycle=year_two,
                status=m.SelfAssessmentStatus.SUBMITTED,
                pct__sha__code__in=PANEL_SHAS_2009,
            ).select_related("pct")
        )
        days = _schedule(year_two, ready, "SHA headquarters")
        out.write(f"    2009/10: {days} panel days booked for {len(ready)} PCTs\n")
