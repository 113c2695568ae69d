import datetime as dt
from decimal import Decimal

import pytest

from assurance.models import (
    AuditEntry,
    Cycle,
    Framework,
    PhaseChange,
    PhaseStatus,
    Publication,
    PublicationStatus,
)
from assurance.services import cycles
from assurance.services.errors import NotAllowed, ServiceError
from tests.factories import PHASE_DATES

pytestmark = pytest.mark.django_db


@pytest.fixture
def framework(reference_data):
    return Framework.objects.get(year_label="2009/10")


def test_dh_creates_a_cycle_with_five_phases_not_yet_open(dora, framework):
    cycle = cycles.create_cycle(
        dora, year_label="2009/10", framework=framework, phase_dates=PHASE_DATES
    )
    assert [p.status for p in cycle.phases.all()] == [PhaseStatus.SCHEDULED] * 5
    assert cycle.freedoms_cap == 15 and cycle.notice_cap == 7 and cycle.min_level_four == 2
    assert cycle.indicators.count() == 5
    assert AuditEntry.objects.filter(action="cycle.created", cycle=cycle).exists()


def test_only_dh_creates_cycles(alice, sara, framework):
    for user in (alice, sara):
        with pytest.raises(NotAllowed):
            cycles.create_cycle(
                user, year_label="2009/10", framework=framework, phase_dates=PHASE_DATES
            )


def test_it_refuses_a_duplicate_or_malformed_year(dora, framework, cycle):
    with pytest.raises(ServiceError, match="already exists"):
        cycles.create_cycle(
            dora, year_label="2009/10", framework=framework, phase_dates=PHASE_DATES
        )
    with pytest.raises(ServiceError, match="like 2009/10"):
        cycles.create_cycle(dora, year_label="2010", framework=framework, phase_dates=PHASE_DATES)


def test_it_refuses_a_phase_that_closes_before_it_opens(dora, framework):
    dates = {**PHASE_DATES, 2: (dt.date(2010, 3, 1), dt.date(2010, 1, 1))}
    with pytest.raises(ServiceError, match="close date") as refused:
        cycles.create_cycle(dora, year_label="2009/10", framework=framework, phase_dates=dates)
    assert refused.value.field == "phase_2_closes"
    assert not Cycle.objects.exists()


def test_starting_from_last_year_copies_dates_plus_a_year_and_settings(dora, cycle):
    cycles.update_rule_settings(dora, cycle, freedoms_cap=12, elite_share=Decimal("0.250"))
    nxt = cycles.start_from_last_year(dora, cycle)
    assert nxt.year_label == "2010/11" and nxt.previous == cycle
    assert nxt.freedoms_cap == 12 and nxt.elite_share == Decimal("0.250")
    assert nxt.phase(1).opens_on == dt.date(2010, 9, 16)
    assert nxt.phase(5).closes_on == dt.date(2011, 7, 31)
    assert all(p.status == PhaseStatus.SCHEDULED for p in nxt.phases.all())
    assert set(nxt.indicators.all()) == set(cycle.indicators.all())


def test_opening_closing_and_reopening_record_who_and_why(dora, cycle):
    phase_one = cycle.phase(1)
    cycles.close_phase(dora, phase_one)
    with pytest.raises(ServiceError, match="reason"):
        cycles.reopen_phase(dora, phase_one, reason="")
    cycles.reopen_phase(dora, phase_one, reason="Two boards met late")
    phase_one.refresh_from_db()
    assert phase_one.status == PhaseStatus.OPEN
    changes = list(PhaseChange.objects.filter(phase=phase_one).order_by("changed_at", "id"))
    assert [(c.action, c.reason, c.changed_by) for c in changes] == [
        ("close", "", dora),
        ("reopen", "Two boards met late", dora),
    ]
    assert AuditEntry.objects.filter(action="phase.reopen", reason="Two boards met late").exists()


def test_opening_a_phase_sets_when_it_opened(dora, cycle):
    phase_two = cycle.phase(2)
    cycles.open_phase(dora, phase_two)
    phase_two.refresh_from_db()
    assert phase_two.status == PhaseStatus.OPEN and phase_two.opened_at is not None


def test_phases_open_in_order(dora, cycle):
    with pytest.raises(ServiceError, match="in order"):
        cycles.open_phase(dora, cycle.phase(3))


def test_only_dh_changes_phases(alice, lena, cycle):
    for user in (alice, lena):
        with pytest.raises(NotAllowed):
            cycles.close_phase(user, cycle.phase(1))


def test_rule_settings_change_with_old_and_new_in_the_trail(dora, cycle):
    cycles.update_rule_settings(dora, cycle, notice_cap=5)
    cycle.refresh_from_db()
    assert cycle.notice_cap == 5
    entry = AuditEntry.objects.get(action="cycle.settings")
    assert (entry.field, entry.old_value, entry.new_value) == ("notice_cap", "7", "5")


def test_rule_settings_are_refused_out_of_range(dora, cycle):
    with pytest.raises(ServiceError, match="between 0 and 1"):
        cycles.update_rule_settings(dora, cycle, elite_share=Decimal("1.5"))


def test_rule_settings_are_frozen_once_published(dora, cycle):
    Publication.objects.create(cycle=cycle, version=1, status=PublicationStatus.COMPLETE)
    with pytest.raises(ServiceError, match="published"):
        cycles.update_rule_settings(dora, cycle, freedoms_cap=10)


def test_phase_dates_can_move_with_a_trail(dora, cycle):
    phase = cycle.phase(1)
    cycles.update_phase_dates(dora, phase, opens_on=phase.opens_on, closes_on=dt.date(2010, 1, 15))
    phase.refresh_from_db()
    assert phase.closes_on == dt.date(2010, 1, 15)
    assert AuditEntry.objects.filter(
        action="phase.dates", field="closes_on", new_value="2010-01-15"
    ).exists()
