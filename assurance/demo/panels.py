"""Demo panels: 2008/09 fully scored, agreed and partly calibrated; 2009/10 panel days booked.

Year-1 shape (domain brief §2.1–2.2): panels scored mostly levels 1–2 and no 4s, below
the self-assessments (largest gaps on competencies 5 and 6), competency 2 strongest and
7 weakest; governance exactly the year-1 counts of 152 PCTs — board 71 green / 78 amber
/ 3 red, finance 61/78/13, strategy 45/90/17, with 27 all-green and 2 triple-red.
Outcome baselines, targets and actuals are illustrative demo values, not real figures.

Bulk inserts, deterministic for a seed, and safe to run twice: each part only fills
what is missing (PCTs without a slot, self-assessments without a panel result).
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from decimal import Decimal
from typing import TextIO

from django.db.models import Exists, OuterRef

from assurance import models as m

YEAR_ONE_GOVERNANCE = {  # green, amber, red (domain brief §2.2)
    "board": (71, 78, 3),
    "finance": (61, 78, 13),
    "strategy": (45, 90, 17),
}
ALL_GREEN, TRIPLE_RED = 27, 2
# Panel level weights (levels 1, 2, 3): year 1 had no 4s; competency 2 strongest, 7 weakest.
LEVEL_WEIGHTS = {2: (20, 55, 25), 7: (65, 33, 2)}
DEFAULT_WEIGHTS = (40, 50, 10)
WIDE_GAP = {5, 6}  # the largest self-vs-panel gaps in year 1
WEAKEST = 7
HIGHER_IS_BETTER = {"deaths-at-home"}
SLOT_TIMES = [(dt.time(9, 30), dt.time(11, 30)), (dt.time(13, 0), dt.time(15, 0))]
# PCTs whose 2009/10 self-assessment the self-assessment demo leaves for people to edit.
KEEP_FOR_SELF_ASSESSMENT_DEMO = {"5K7", "5K8", "5ND"}
PANEL_SHAS_2009 = ("Q36", "Q30")  # London and North East book 2009/10 panel days


def _phase_dates(first_year: int) -> dict[int, tuple[dt.date, dt.date]]:
    y = first_year
    return {
        1: (dt.date(y, 9, 16), dt.date(y, 12, 31)),
        2: (dt.date(y + 1, 1, 1), dt.date(y + 1, 3, 31)),
        3: (dt.date(y + 1, 4, 1), dt.date(y + 1, 5, 21)),
        4: (dt.date(y + 1, 6, 1), dt.date(y + 1, 7, 15)),
        5: (dt.date(y + 1, 7, 16), dt.date(y + 1, 7, 31)),
    }


def _cycle(label: str, open_phase: int, previous: m.Cycle | None) -> m.Cycle:
    """The cycle (made by the cycles demo step when present; else here, with its phases)."""
    existing = m.Cycle.objects.filter(year_label=label).first()
    if existing:
        return existing
    cycle = m.Cycle.objects.create(
        year_label=label,
        framework=m.Framework.objects.filter(year_label=label).order_by("-version").first(),
        previous=previous,
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
            opened_at=dt.datetime(first_year, 9, 16, 9, tzinfo=dt.UTC)
            if kind <= open_phase
            else None,
        )
        for kind, (opens, closes) in _phase_dates(first_year).items()
    )
    cycle.indicators.set(m.OutcomeIndicator.objects.filter(active=True))
    return cycle


def _panel_level(rng: random.Random, number: int) -> int:
    return rng.choices((1, 2, 3), LEVEL_WEIGHTS.get(number, DEFAULT_WEIGHTS))[0]


def _self_level(rng: random.Random, number: int, panel: int) -> int:
    gap = rng.choice((1, 1, 2)) if number in WIDE_GAP else rng.choice((0, 1, 1))
    return min(4, panel + gap)


def _gap(rng: random.Random, number: int) -> int:
    """How far the panel scored below the PCT's own level (year 1: widest on 5 and 6, and
    competency 7 the weakest of all)."""
    if number in WIDE_GAP:
        return rng.choice((1, 1, 2))
    if number == WEAKEST:
        return 1
    return rng.choice((0, 1, 1))


def _governance(rng: random.Random, n: int) -> list[dict[str, str]]:
    """Exact year-1 counts when n is 152: 27 all-green, 2 triple-red, the rest shuffled."""
    if n != 152:
        return [
            {
                area: rng.choices(("green", "amber", "red"), (45, 45, 10))[0]
                for area in YEAR_ONE_GOVERNANCE
            }
            for _ in range(n)
        ]
    rest = n - ALL_GREEN - TRIPLE_RED
    columns: dict[str, list[str]] = {}
    while True:
        for area, (green, amber, red) in YEAR_ONE_GOVERNANCE.items():
            column = (
                ["green"] * (green - ALL_GREEN) + ["amber"] * amber + ["red"] * (red - TRIPLE_RED)
            )
            rng.shuffle(column)
            columns[area] = column
        rows = [{a: columns[a][i] for a in YEAR_ONE_GOVERNANCE} for i in range(rest)]
        if not any(set(r.values()) in ({"green"}, {"red"}) for r in rows):
            break
    rows += [dict.fromkeys(YEAR_ONE_GOVERNANCE, "green")] * ALL_GREEN
    rows += [dict.fromkeys(YEAR_ONE_GOVERNANCE, "red")] * TRIPLE_RED
    rng.shuffle(rows)
    return rows


def _self_rating(rng: random.Random, panel: str) -> str:
    # PCTs rated their own governance at or above the panel's view.
    return {
        "red": rng.choice(("amber", "red")),
        "amber": rng.choice(("green", "amber")),
        "green": "green",
    }[panel]


def _create_self_assessments(
    rng: random.Random, cycle: m.Cycle, pcts: list[m.PCT], submitted_on: dt.date, outcomes: int
) -> list[m.SelfAssessment]:
    """Submitted self-assessments with self ratings and chosen outcomes, for PCTs without one."""
    have = set(m.SelfAssessment.objects.filter(cycle=cycle).values_list("pct_id", flat=True))
    new = [p for p in pcts if p.pk not in have]
    if not new:
        return []
    at = dt.datetime.combine(submitted_on, dt.time(17), tzinfo=dt.UTC)
    sas = m.SelfAssessment.objects.bulk_create(
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
            panel = _panel_level(rng, c.number)
            ratings.append(
                m.CompetencyRating(
                    self_assessment=sa,
                    cycle_id=sa.cycle_id,
                    competency=c,
                    level=_self_level(rng, c.number, panel),
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
        for indicator in rng.sample(indicators, min(outcomes, len(indicators))):
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
    return sas


def _schedule(
    rng: random.Random, cycle: m.Cycle, sas: list[m.SelfAssessment], first_day: dt.date, venue: str
) -> int:
    """Panel days per SHA, two PCTs a day, the SHA's lead and assessors as members."""
    by_sha: dict[int, list[m.SelfAssessment]] = defaultdict(list)
    for sa in sas:
        by_sha[sa.pct.sha_id].append(sa)
    members_of: dict[int, list[m.User]] = defaultdict(list)
    for user in m.User.objects.filter(
        sha_id__in=by_sha, role__in=[m.Role.SHA_LEAD, m.Role.SHA_ASSESSOR]
    ).order_by("email"):
        members_of[user.sha_id].append(user)
    days, slots, links = [], [], []
    for sha_id, group in sorted(by_sha.items()):
        group.sort(key=lambda sa: sa.pct.name)
        date = first_day
        for i in range(0, len(group), len(SLOT_TIMES)):
            while date.weekday() >= 5:
                date += dt.timedelta(days=1)
            lead = next((u for u in members_of[sha_id] if u.role == m.Role.SHA_LEAD), None)
            day = m.PanelDay(cycle=cycle, sha_id=sha_id, date=date, venue=venue, chair=lead)
            days.append((day, group[i : i + len(SLOT_TIMES)], members_of[sha_id]))
            date += dt.timedelta(days=1)
    m.PanelDay.objects.bulk_create([d for d, _, _ in days])
    for day, group, members in days:
        for sa, (start, end) in zip(group, SLOT_TIMES, strict=False):
            slots.append(m.PanelSlot(panel_day=day, pct_id=sa.pct_id, starts_at=start, ends_at=end))
        links += [m.PanelDay.members.through(panelday_id=day.pk, user_id=u.pk) for u in members]
    m.PanelSlot.objects.bulk_create(slots)
    m.PanelDay.members.through.objects.bulk_create(links)
    return len(days)


def _score(rng: random.Random, cycle: m.Cycle) -> int:
    """Two assessors' sheets, the lead's consensus and a locked result for every unscored PCT."""
    sas = list(
        m.SelfAssessment.objects.filter(cycle=cycle, status=m.SelfAssessmentStatus.SUBMITTED)
        .exclude(Exists(m.PanelResult.objects.filter(self_assessment=OuterRef("pk"))))
        .select_related("pct")
        .order_by("pct__code")
    )
    if not sas:
        return 0
    self_levels = {
        (r.self_assessment_id, r.competency_id): r.level
        for r in m.CompetencyRating.objects.filter(self_assessment__in=sas)
    }
    competencies = list(m.Competency.objects.filter(framework=cycle.framework))
    chosen = defaultdict(list)
    for co in m.ChosenOutcome.objects.filter(self_assessment__in=sas).select_related("indicator"):
        chosen[co.self_assessment_id].append(co)
    staff: dict[int, dict[str, list[m.User]]] = defaultdict(lambda: defaultdict(list))
    for user in m.User.objects.filter(role__in=[m.Role.SHA_LEAD, m.Role.SHA_ASSESSOR]).order_by(
        "email"
    ):
        staff[user.sha_id][user.role].append(user)
    governance = _governance(rng, len(sas))
    at = dt.datetime.combine(
        _phase_dates(int(cycle.year_label[:4]))[3][1], dt.time(16), tzinfo=dt.UTC
    )

    sheets, consensus, results = [], [], []
    plan = []  # (sa, [(lookup, kind, value, rationale)])
    for sa, ratings in zip(sas, governance, strict=True):
        items = []
        for c in competencies:
            self_level = self_levels.get((sa.pk, c.pk)) or 2
            level = max(1, min(3, self_level - _gap(rng, c.number)))
            items.append(
                ({"competency": c}, "level", level, f"Panel view of {c.short_name.lower()}.")
            )
        for area, rating in ratings.items():
            items.append(
                ({"governance_area": area}, "rating", rating, f"{area.capitalize()} assurance.")
            )
        for co in chosen[sa.pk]:
            drift = Decimal(rng.randint(-10, 10)) / 10
            anchor = co.target if co.target is not None else co.baseline or Decimal(10)
            items.append(({"chosen_outcome": co}, "actual", anchor + drift, "Validated data."))
        plan.append((sa, items))
        lead = (staff[sa.pct.sha_id][m.Role.SHA_LEAD] or [None])[0]
        for item in items:
            consensus.append(
                m.Consensus(
                    self_assessment=sa,
                    cycle_id=sa.cycle_id,
                    set_by=lead,
                    rationale=item[3],
                    **item[0],
                    **{item[1]: item[2]},
                )
            )
        results.append(m.PanelResult(self_assessment=sa, locked_at=at, locked_by=lead))
        for assessor in staff[sa.pct.sha_id][m.Role.SHA_ASSESSOR][:2]:
            sheets.append(m.ScoreSheet(self_assessment=sa, assessor=assessor, submitted_at=at))
    m.ScoreSheet.objects.bulk_create(sheets)
    by_sa: dict[int, list[m.ScoreSheet]] = defaultdict(list)
    for sheet in sheets:
        by_sa[sheet.self_assessment_id].append(sheet)
    scores = []
    for sa, items in plan:
        for sheet in by_sa[sa.pk]:
            for lookup, kind, value, rationale in items:
                if kind == "level":  # members differ from the consensus by a level now and then
                    value = max(1, min(3, value + rng.choice((0, 0, 0, -1, 1))))
                scores.append(
                    m.PanelScore(sheet=sheet, rationale=rationale, **lookup, **{kind: value})
                )
    m.PanelScore.objects.bulk_create(scores, batch_size=2000)
    m.Consensus.objects.bulk_create(consensus, batch_size=2000)
    m.PanelResult.objects.bulk_create(results)
    return len(sas)


def _moderate(rng: random.Random, cycle: m.Cycle) -> int:
    """A few regional (SHA lead) and national (DH) moderations, each with its reason."""
    if m.Moderation.objects.filter(consensus__self_assessment__cycle=cycle).exists():
        return 0
    dh = m.User.objects.filter(role=m.Role.DH_STAFF).order_by("email").first()
    leads = {u.sha_id: u for u in m.User.objects.filter(role=m.Role.SHA_LEAD).order_by("-email")}
    rows = list(
        m.Consensus.objects.filter(self_assessment__cycle=cycle, competency__isnull=False)
        .select_related("self_assessment__pct", "competency")
        .order_by("pk")
    )
    if not rows or dh is None:
        return 0
    picked = rng.sample(rows, min(12, len(rows)))
    moderations = []
    at = dt.datetime.combine(
        _phase_dates(int(cycle.year_label[:4]))[4][0], dt.time(11), tzinfo=dt.UTC
    )
    for i, row in enumerate(picked):
        regional = i % 2 == 0
        author = leads.get(row.self_assessment.pct.sha_id) if regional else dh
        if author is None:
            continue
        new = 2 if row.level == 1 else row.level - 1 if regional else min(3, row.level + 1)
        if new == row.level:
            continue
        moderations.append(
            m.Moderation(
                consensus=row,
                stage=m.ModerationStage.REGIONAL if regional else m.ModerationStage.NATIONAL,
                old_value=str(row.level),
                new_value=str(new),
                reason=(
                    "Brought into line with the region's other panels on the evidence."
                    if regional
                    else "National calibration: evidence supports the change."
                ),
                moderated_by=author,
            )
        )
        row.moderated_level = new
    m.Consensus.objects.bulk_update(picked, ["moderated_level"])
    created = m.Moderation.objects.bulk_create(moderations)
    m.Moderation.objects.filter(pk__in=[x.pk for x in created]).update(moderated_at=at)
    return len(created)


def create_demo_panels(rng: random.Random, out: TextIO) -> None:
    pcts = list(m.PCT.objects.select_related("sha").order_by("code"))
    year_one = _cycle("2008/09", open_phase=4, previous=None)
    year_two = _cycle("2009/10", open_phase=3, previous=year_one)

    # The cycles step makes the self-assessments; without it, this step makes its own.
    if not m.SelfAssessment.objects.filter(cycle=year_one).exists():
        _create_self_assessments(rng, year_one, pcts, dt.date(2008, 12, 12), outcomes=2)
    unslotted = list(
        m.SelfAssessment.objects.filter(cycle=year_one, status=m.SelfAssessmentStatus.SUBMITTED)
        .exclude(Exists(m.PanelSlot.objects.filter(pct=OuterRef("pct"), panel_day__cycle=year_one)))
        .select_related("pct")
    )
    days = _schedule(rng, year_one, unslotted, dt.date(2009, 4, 20), "SHA headquarters")
    scored = _score(rng, year_one)
    moderated = _moderate(rng, year_one)
    out.write(f"    2008/09: {days} panel days, {scored} PCTs scored, {moderated} moderations\n")

    if not m.PanelDay.objects.filter(cycle=year_two).exists():
        panel_pcts = [
            p
            for p in pcts
            if p.sha.code in PANEL_SHAS_2009 and p.code not in KEEP_FOR_SELF_ASSESSMENT_DEMO
        ]
        if not m.SelfAssessment.objects.filter(cycle=year_two).exists():
            _create_self_assessments(rng, year_two, panel_pcts, dt.date(2009, 12, 11), outcomes=2)
        ready = list(
            m.SelfAssessment.objects.filter(
                cycle=year_two,
                status=m.SelfAssessmentStatus.SUBMITTED,
                pct__sha__code__in=PANEL_SHAS_2009,
            ).select_related("pct")
        )
        days = _schedule(rng, year_two, ready, dt.date(2010, 4, 19), "SHA headquarters")
        out.write(f"    2009/10: {days} panel days booked for {len(ready)} PCTs\n")
