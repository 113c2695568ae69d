"""The seeded demo agrees with the public record of 2008/09 (domain brief §2.1, §2.2, §7).

One full ``seed_demo`` run (every step, PDFs stubbed) per module, rolled back at the end;
each test reads one fact off what the demo published and stored, computing it afresh from
the rows rather than trusting the demo's own builder.
"""

from __future__ import annotations

import datetime as dt
import io
import statistics
from collections import Counter
from contextlib import ExitStack
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from unittest import mock

import pytest
from django.apps import apps
from django.db import connection, models, transaction
from django.test import override_settings

from assurance import demo
from assurance import models as m
from assurance.demo import people
from assurance.queries.insight import published_insight
from assurance.queries.results import current_publication
from assurance.services import pdf
from assurance.services.reference import load_reference_data
from freedoms import models as f

# pytest-django sets up the test database only for a session with a database test.
pytestmark = pytest.mark.django_db

SEED = 2009
AREAS = ("strategy", "finance", "board")
COMPETENCIES = range(1, 11)
FAST = {
    "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
    "CACHES": {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
}
# Reference data and accounts are loaded the day the demo runs; they are not cycle dates.
NOT_CYCLE_DATES = {
    ("assurance", "pct"),
    ("assurance", "sha"),
    ("assurance", "cluster"),
    ("assurance", "framework"),
    ("assurance", "user"),
}


@dataclass
class Result:
    name: str
    rank: int
    tier: str
    governance: dict[str, str]
    levels: dict[int, int]
    regional_rank: int | None = None
    sha: str = ""

    @property
    def at_risk(self) -> bool:  # §4: any red governance area or any competency at level 1
        return "red" in self.governance.values() or 1 in self.levels.values()


@dataclass
class Seeded:
    results: dict[str, Result] = field(default_factory=dict)
    self_levels: dict[str, dict[int, int]] = field(default_factory=dict)
    notice_cap: int = 0
    phases: dict[int, tuple[dt.date, dt.date]] = field(default_factory=dict)
    item_levels: list[int] = field(default_factory=list)
    board_days: list[dt.date] = field(default_factory=list)
    panel_days: list[dt.date] = field(default_factory=list)
    scored_at: list[dt.datetime] = field(default_factory=list)
    moderations: list[tuple[str, dt.datetime]] = field(default_factory=list)
    calibration_closed: list[dt.datetime] = field(default_factory=list)
    publication: dict[str, dt.datetime | None] = field(default_factory=dict)
    standings: list[tuple[dt.date, dt.date]] = field(default_factory=list)
    designations: list[dt.datetime] = field(default_factory=list)
    plans_agreed: list[dt.datetime] = field(default_factory=list)
    illustrative: bool = False
    actions_due: list[dt.date] = field(default_factory=list)
    reviews: list[dt.date] = field(default_factory=list)
    fund: list[dt.datetime] = field(default_factory=list)
    latest: dict[str, dt.date] = field(default_factory=dict)
    year_two_ends: dt.date | None = None
    insight: Any = None  # the insight page's figures of 2008/09 (issue 16)


def _day(value: dt.date | dt.datetime) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def _latest_dates() -> dict[str, dt.date]:
    """The latest value of every date and time column the demo wrote, by model.field."""
    latest = {}
    for model in apps.get_models():
        meta = model._meta
        if meta.app_label not in ("assurance", "freedoms"):
            continue
        if (meta.app_label, meta.model_name) in NOT_CYCLE_DATES:
            continue
        for column in meta.concrete_fields:
            if isinstance(column, models.DateField):  # DateTimeField is one too
                value = model.objects.aggregate(v=models.Max(column.name))["v"]
                if value is not None:
                    latest[f"{meta.label}.{column.name}"] = _day(value)
    return latest


def _read() -> Seeded:
    s = Seeded()
    year_one = m.Cycle.objects.get(year_label="2008/09")
    publication = current_publication(year_one)
    assert publication is not None
    s.notice_cap = publication.rule_settings["notice_cap"]
    s.illustrative = publication.illustrative
    for r in publication.results.select_related("pct"):
        s.results[r.pct.name] = Result(
            r.pct.name,
            r.rank,
            r.tier,
            dict(r.governance),
            {int(n): level for n, level in r.competency_levels.items()},
            r.regional_rank,
            r.sha_id,
        )
    for name, number, level in m.CompetencyRating.objects.filter(cycle=year_one).values_list(
        "self_assessment__pct__name", "competency__number", "level"
    ):
        s.self_levels.setdefault(name, {})[number] = level
    s.phases = {p.kind: (p.opens_on, p.closes_on) for p in year_one.phases.all()}
    for model, column in ((m.Consensus, "level"), (m.Consensus, "moderated_level")):
        s.item_levels += [
            v
            for v in model.objects.filter(cycle=year_one).values_list(column, flat=True)
            if v is not None
        ]
    s.item_levels += list(
        m.PanelScore.objects.filter(
            sheet__self_assessment__cycle=year_one, level__isnull=False
        ).values_list("level", flat=True)
    )
    sas = m.SelfAssessment.objects.filter(cycle=year_one)
    s.board_days = list(sas.values_list("board_ratified_on", flat=True))
    s.panel_days = list(m.PanelDay.objects.filter(cycle=year_one).values_list("date", flat=True))
    s.scored_at = list(
        m.ScoreSheet.objects.filter(self_assessment__cycle=year_one).values_list(
            "submitted_at", flat=True
        )
    ) + list(
        m.PanelResult.objects.filter(self_assessment__cycle=year_one).values_list(
            "locked_at", flat=True
        )
    )
    s.moderations = list(
        m.Moderation.objects.filter(consensus__cycle=year_one).values_list("stage", "moderated_at")
    )
    s.calibration_closed = list(
        m.PhaseChange.objects.filter(
            phase__cycle=year_one, phase__kind=m.PhaseKind.CALIBRATION, action="close"
        ).values_list("changed_at", flat=True)
    )
    s.publication = {
        "created": publication.created_at,
        "computed": publication.computed_at,
        "completed": publication.completed_at,
        "confirmed": publication.confirmed_at,
    }
    s.standings = list(f.Standing.objects.values_list("since", "next_review_due"))
    s.designations = list(f.Designation.objects.values_list("created_at", flat=True))
    s.plans_agreed = list(
        f.Plan.objects.filter(agreed_at__isnull=False).values_list("agreed_at", flat=True)
    )
    s.actions_due = list(f.PlanAction.objects.values_list("due_on", flat=True))
    s.reviews = list(f.ReviewRecord.objects.values_list("held_on", flat=True))
    s.fund = [
        at
        for pair in f.FundApplication.objects.values_list("submitted_at", "decided_at")
        for at in pair
        if at is not None
    ]
    s.latest = _latest_dates()
    s.year_two_ends = m.Phase.objects.get(cycle__year_label="2009/10", kind=5).closes_on
    s.insight = published_insight(publication)
    return s


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker, tmp_path_factory) -> Seeded:
    """Run ``seed_demo`` once (PDF rendering stubbed: it is slow and not what is tested),
    read what it made, and roll it all back."""
    with ExitStack() as stack:
        stack.enter_context(django_db_blocker.unblock())
        name = str(connection.settings_dict["NAME"])
        assert name.startswith(("test_", "file:memorydb")), f"{name} is not a test database"
        stack.enter_context(override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media"), **FAST))
        for name in ("league_table_pdf", "pct_report_pdf"):
            stack.enter_context(mock.patch.object(pdf, name, return_value=b"%PDF-1.4 demo"))
        with transaction.atomic():
            load_reference_data()
            demo.run(SEED, io.StringIO())
            snapshot = _read()
            transaction.set_rollback(True)
    people._HASH.clear()  # hashed with the fast test hasher
    return snapshot


def _by_rank(seeded: Seeded) -> list[Result]:
    return sorted(seeded.results.values(), key=lambda r: (r.rank, r.name))


def _uniform(seeded: Seeded, rating: str) -> set[str]:
    return {r.name for r in seeded.results.values() if set(r.governance.values()) == {rating}}


# --- §7: the named PCTs -----------------------------------------------------------------


def test_all_152_pcts_are_published(seeded):
    assert len(seeded.results) == 152


def test_birmingham_east_and_north_is_first(seeded):
    first = [r.name for r in seeded.results.values() if r.rank == 1]
    assert first == ["Birmingham East and North"]


def test_tower_hamlets_and_somerset_are_in_the_top_three(seeded):
    top = {r.name for r in seeded.results.values() if r.rank <= 3}
    assert top == {"Birmingham East and North", "Tower Hamlets", "Somerset"}


def test_great_yarmouth_and_waveney_is_triple_red_with_six_level_ones(seeded):
    gyw = seeded.results["Great Yarmouth and Waveney"]
    assert gyw.governance == dict.fromkeys(AREAS, "red")
    assert len(gyw.levels) == 10
    assert Counter(gyw.levels.values())[1] == 6


# --- §2.2: governance -------------------------------------------------------------------


def test_27_pcts_are_all_green(seeded):
    assert len(_uniform(seeded, "green")) == 27


def test_2_pcts_are_triple_red(seeded):
    triple_red = _uniform(seeded, "red")
    assert len(triple_red) == 2
    assert "Great Yarmouth and Waveney" in triple_red


@pytest.mark.parametrize(
    ("area", "expected"),
    [("board", (71, 78, 3)), ("finance", (61, 78, 13)), ("strategy", (45, 90, 17))],
)
def test_governance_counts_are_the_year_one_counts(seeded, area, expected):
    counts = Counter(r.governance[area] for r in seeded.results.values())
    assert (counts["green"], counts["amber"], counts["red"]) == expected


def test_the_triple_red_pcts_are_on_notice_and_the_notice_tier_is_full(seeded):
    ranked = _by_rank(seeded)
    notice = {r.name for r in ranked if r.tier == "notice"}
    worst_at_risk = [r.name for r in reversed(ranked) if r.at_risk][: seeded.notice_cap]
    assert seeded.notice_cap == 7
    assert len(notice) == seeded.notice_cap
    assert _uniform(seeded, "red") <= notice
    assert notice == set(worst_at_risk)


# --- §2.1: competencies -----------------------------------------------------------------


def test_no_pct_scored_level_4_so_none_earns_freedoms(seeded):
    published = [level for r in seeded.results.values() for level in r.levels.values()]
    assert max(published) <= 3
    assert max(seeded.item_levels) <= 3  # consensus, moderated and each assessor's score
    assert not [r for r in seeded.results.values() if r.tier == "freedoms"]


def _panel_means(seeded: Seeded) -> dict[int, float]:
    return {n: statistics.mean(r.levels[n] for r in seeded.results.values()) for n in COMPETENCIES}


def test_competency_2_is_strongest_and_7_weakest(seeded):
    means = _panel_means(seeded)
    assert max(means, key=means.__getitem__) == 2
    assert min(means, key=means.__getitem__) == 7
    assert sorted(means.values())[-1] > sorted(means.values())[-2]  # no tie at the top
    assert sorted(means.values())[0] < sorted(means.values())[1]  # nor at the bottom


def test_panels_scored_below_the_self_assessments_most_on_5_and_6(seeded):
    panel = _panel_means(seeded)
    own = {
        n: statistics.mean(levels[n] for levels in seeded.self_levels.values())
        for n in COMPETENCIES
    }
    gaps = {n: own[n] - panel[n] for n in COMPETENCIES}
    assert len(seeded.self_levels) == 152
    assert all(gap > 0 for gap in gaps.values())
    assert set(sorted(gaps, key=gaps.__getitem__)[-2:]) == {5, 6}


def test_most_levels_are_1_or_2_and_few_are_3(seeded):
    levels = Counter(level for r in seeded.results.values() for level in r.levels.values())
    total = sum(levels.values())
    assert levels[2] > total / 2
    assert levels[3] < total / 5
    assert levels[1] < total / 5


def test_level_1_is_far_from_universal_so_not_every_pct_is_at_risk(seeded):
    results = seeded.results.values()
    without_a_one = [r for r in results if 1 not in r.levels.values()]
    not_at_risk = [r for r in results if not r.at_risk]
    assert len(without_a_one) >= len(seeded.results) / 4
    assert len(not_at_risk) >= len(seeded.results) / 4
    assert {r.tier for r in not_at_risk} == {"support"}


# --- §7: dates follow the cycle, never the machine clock ----------------------------------


def test_boards_ratified_within_phase_1_before_the_panels(seeded):
    opens, closes = seeded.phases[1]
    assert all(opens <= day <= closes for day in seeded.board_days)
    assert max(seeded.board_days) < min(seeded.panel_days)


def test_year_one_panel_days_run_in_autumn_2008(seeded):
    opens, closes = seeded.phases[3]
    assert len(seeded.panel_days) >= 76  # two PCTs a day at most
    assert all(dt.date(2008, 9, 1) <= day <= dt.date(2008, 11, 30) for day in seeded.panel_days)
    assert all(opens <= day <= closes for day in seeded.panel_days)
    assert all(day.weekday() < 5 for day in seeded.panel_days)
    assert all(min(seeded.panel_days) <= _day(at) <= closes for at in seeded.scored_at)


def test_panel_scores_are_final_after_national_calibration_by_31_january_2009(seeded):
    final_by = dt.date(2009, 1, 31)
    stages = {stage for stage, _ in seeded.moderations}
    assert stages == {m.ModerationStage.REGIONAL, m.ModerationStage.NATIONAL}
    assert all(max(seeded.panel_days) < _day(at) <= final_by for _, at in seeded.moderations)
    assert seeded.phases[4][1] <= final_by
    assert seeded.calibration_closed
    assert all(_day(at) <= final_by for at in seeded.calibration_closed)


def test_year_one_is_published_and_confirmed_by_march_2009(seeded):
    dates = seeded.publication
    assert all(dates.values())
    assert dt.date(2009, 1, 31) < _day(dates["created"]) <= _day(dates["completed"])
    assert _day(dates["computed"]) <= _day(dates["completed"]) <= _day(dates["confirmed"])
    assert _day(dates["confirmed"]) <= dt.date(2009, 3, 31)
    opens, closes = seeded.phases[5]
    assert all(opens <= _day(at) <= closes for at in dates.values())


def test_what_follows_is_dated_from_the_confirmation(seeded):
    confirmed = _day(seeded.publication["confirmed"])
    a_year_on = confirmed + dt.timedelta(days=365)
    assert seeded.standings and seeded.designations and seeded.plans_agreed
    assert {since for since, _ in seeded.standings} == {confirmed}
    assert all(confirmed < due <= a_year_on for _, due in seeded.standings)
    assert {_day(at) for at in seeded.designations} == {confirmed}
    assert all(confirmed < _day(at) <= a_year_on for at in seeded.plans_agreed)
    assert seeded.actions_due and all(confirmed < due <= a_year_on for due in seeded.actions_due)
    assert seeded.reviews and all(confirmed < day <= a_year_on for day in seeded.reviews)
    assert min(seeded.actions_due) < max(seeded.reviews)  # an action overdue at the review
    assert seeded.fund and all(confirmed < _day(at) <= a_year_on for at in seeded.fund)


def test_no_demo_date_is_the_day_the_demo_was_loaded(seeded):
    # Every date the demo wrote lies within its cycles (2009/10 ends in July 2010).
    assert seeded.latest
    late = {column: day for column, day in seeded.latest.items() if day > seeded.year_two_ends}
    assert late == {}


# --- §7 [rule] and §4 [rule]: labelled illustrative; regional ranks ------------------------


def test_the_demo_publication_is_labelled_illustrative(seeded):
    assert seeded.illustrative


def test_birmingham_east_and_north_is_also_first_in_its_region(seeded):
    assert seeded.results["Birmingham East and North"].regional_rank == 1


def test_each_sha_has_a_regional_first(seeded):
    by_sha: dict[object, list[int]] = {}
    for r in seeded.results.values():
        by_sha.setdefault(r.sha, []).append(r.regional_rank)
    assert len(by_sha) == 10
    assert all(min(ranks) == 1 for ranks in by_sha.values())


# --- the insight page (issue 16): what it charts of 2008/09 is the record ------------------


@pytest.mark.parametrize(
    ("area", "expected"),
    [("board", (71, 78, 3)), ("finance", (61, 78, 13)), ("strategy", (45, 90, 17))],
)
def test_the_insight_page_shows_the_records_governance_counts(seeded, area, expected):
    counts = seeded.insight.governance[area]
    assert (counts["green"], counts["amber"], counts["red"]) == expected
    assert seeded.insight.all_green == 27
    assert seeded.insight.pcts == 152


def test_the_insight_page_shows_panels_below_self_most_on_5_and_6_and_2_strongest(seeded):
    comps = {c.number: c for c in seeded.insight.competencies}
    assert set(comps) == set(COMPETENCIES)
    assert all(c.gap > 0 for c in comps.values())
    gaps = sorted(comps, key=lambda n: comps[n].gap)
    assert set(gaps[-2:]) == {5, 6}
    means = {n: c.panel_mean for n, c in comps.items()}
    assert max(means, key=means.__getitem__) == 2 and means[2] == Decimal("2.22")
    assert min(means, key=means.__getitem__) == 7 and means[7] == Decimal("1.74")
    assert all(4 not in c.counts for c in comps.values())  # no level 4 (§2.1)
    assert seeded.insight.tiers["freedoms"] == 0 and seeded.insight.tiers["notice"] == 7
