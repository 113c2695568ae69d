"""The daily reminders (issue 15 part 3; domain brief §8): the clock driven through the 30,
7 and 1 days before each deadline, each reminder once, none twice, none to people whose
work is done."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from assurance import models as m
from assurance.queries import reminders as kinds
from assurance.services import panels as panel_services
from assurance.services.reminders import send_reminders
from assurance.tasks import send_reminders as send_reminders_task
from tests.assurance.panel_factories import (
    full_values,
    panel_cycle,
    panel_day,
    set_phase,
    submitted_self_assessment,
)
from tests.factories import CycleFactory

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
PHASE_1_CLOSES = dt.date(2009, 12, 31)  # tests/factories.py PHASE_DATES
PHASE_3_CLOSES = dt.date(2010, 5, 21)
PHASE_4_CLOSES = dt.date(2010, 7, 15)


def run_job_on(day: dt.date, runs: int = 1) -> None:
    """Run the beat task as the scheduler would, at 07:00 London time on ``day``."""
    with time_machine.travel(dt.datetime.combine(day, dt.time(7, 0), tzinfo=LONDON), tick=False):
        for _ in range(runs):
            send_reminders_task.delay()


def reminders_of(user: m.User) -> list[str]:
    return sorted(
        n.key.rsplit(":", 1)[1]
        for n in m.Notification.objects.filter(recipient=user, kind=m.NotificationKind.REMINDER)
    )


def emails_to(user: m.User) -> list[str]:
    return [message.subject for message in mail.outbox if message.to == [user.email]]


def test_the_clock_through_30_7_and_1_days_sends_each_reminder_once(
    cycle, alice, ann, bob, islington, django_capture_on_commit_callbacks
):
    """Camden has not submitted; Islington has. Every day from 40 days before the deadline
    to 5 days after, the job runs twice."""
    submitted_self_assessment(cycle, islington)
    sent_on = {}
    with django_capture_on_commit_callbacks(execute=True):
        for offset in range(40, -6, -1):
            day = PHASE_1_CLOSES - dt.timedelta(days=offset)
            before = m.Notification.objects.count()
            run_job_on(day, runs=2)
            if m.Notification.objects.count() != before:
                sent_on[offset] = m.Notification.objects.count() - before
    # One reminder each for Alice and Ann on the 30th, 7th and 1st day before; none between.
    assert sent_on == {30: 2, 7: 2, 1: 2}
    assert reminders_of(alice) == reminders_of(ann) == ["1", "30", "7"]
    assert len(emails_to(alice)) == 3
    assert emails_to(alice)[0] == ("Reminder: Camden's 2009/10 self-assessment, due in 30 days")
    assert emails_to(alice)[-1].endswith("due tomorrow")
    # Islington's work is done: Bob hears nothing.
    assert reminders_of(bob) == [] and emails_to(bob) == []
    # The reminder links to the self-assessment.
    assert alice.notifications.first().link == "/self-assessment/2009-10/5K7/"


def test_a_person_who_turned_reminder_emails_off_still_sees_them_in_the_product(
    cycle, alice, ann, django_capture_on_commit_callbacks
):
    ann.reminder_emails = False
    ann.save()
    with django_capture_on_commit_callbacks(execute=True):
        run_job_on(PHASE_1_CLOSES - dt.timedelta(days=7))
    assert reminders_of(ann) == ["7"] and emails_to(ann) == []
    assert not ann.notifications.get().emailed
    assert reminders_of(alice) == ["7"] and len(emails_to(alice)) == 1


def test_submitting_stops_the_reminders(cycle, camden, alice):
    send_reminders(PHASE_1_CLOSES - dt.timedelta(days=30))
    m.SelfAssessment.objects.create(
        cycle=cycle, pct=camden, status=m.SelfAssessmentStatus.SUBMITTED
    )
    assert send_reminders(PHASE_1_CLOSES - dt.timedelta(days=7)) == 0
    assert reminders_of(alice) == ["30"]


def test_a_phase_not_open_reminds_nobody(reference_data, alice):
    CycleFactory(year_label="2009/10", open_phase=2)  # phase 1 closed
    assert send_reminders(PHASE_1_CLOSES - dt.timedelta(days=7)) == 0


def test_a_switched_off_account_is_not_reminded(cycle, alice, ann):
    alice.is_active = False
    alice.save()
    send_reminders(PHASE_1_CLOSES - dt.timedelta(days=1))
    assert reminders_of(alice) == [] and reminders_of(ann) == ["1"]


def test_a_late_first_run_catches_up_with_the_nearest_reminder_only(cycle, alice):
    send_reminders(PHASE_1_CLOSES - dt.timedelta(days=5))  # the job was down until now
    assert reminders_of(alice) == ["7"]


def test_a_moved_deadline_is_reminded_again(cycle, alice):
    send_reminders(PHASE_1_CLOSES - dt.timedelta(days=7))
    cycle.phases.filter(kind=1).update(closes_on=PHASE_1_CLOSES + dt.timedelta(days=14))
    send_reminders(PHASE_1_CLOSES + dt.timedelta(days=7))
    keys = sorted(alice.notifications.values_list("key", flat=True))
    assert [k.split(":")[-2:] for k in keys] == [["2009-12-31", "7"], ["2010-01-14", "7"]]


# --- Panel days: score sheets (members) and consensus (the SHA lead) -------------------------


@pytest.fixture
def panel(reference_data, camden, sara, sam, lena):
    cycle = panel_cycle()
    sa = submitted_self_assessment(cycle, camden)
    panel_day(cycle, camden.sha, [sara, sam], slots=[(camden, "10:00", "12:00")])
    return sa


def test_panel_members_are_reminded_of_their_unsubmitted_score_sheets(panel, sara, sam, lena):
    panel_services.record_panel_scores(sara, panel, full_values(panel))
    panel_services.submit_score_sheet(sara, panel)
    send_reminders(PHASE_3_CLOSES - dt.timedelta(days=7))
    assert reminders_of(sara) == []  # hers is in
    assert reminders_of(sam) == ["7"]
    notice = sam.notifications.get()
    assert notice.subject == "Reminder: Your score sheet for Camden (2009/10), due in 7 days"
    assert notice.link == f"/panels/scores/{panel.pk}/"
    # The lead: the consensus is not locked yet.
    assert lena.notifications.get().link == f"/panels/consensus/{panel.pk}/"


def test_a_locked_consensus_stops_the_leads_reminders(panel, lena, sara, sam):
    for member in (sara, sam):
        panel_services.record_panel_scores(member, panel, full_values(panel))
        panel_services.submit_score_sheet(member, panel)
    panel_services.set_consensus(lena, panel, full_values(panel))
    assert send_reminders(PHASE_3_CLOSES - dt.timedelta(days=1)) == 0


def test_another_shas_lead_hears_nothing_of_this_region(panel, north_east):
    from tests.factories import sha_user

    other_lead = sha_user(north_east, m.Role.SHA_LEAD, email="lead@ne.example")
    send_reminders(PHASE_3_CLOSES - dt.timedelta(days=7))
    assert reminders_of(other_lead) == []


# --- Calibration: a region with nothing moderated (the SHA lead) -----------------------------


def test_the_lead_is_reminded_of_a_region_until_it_is_moderated(panel, lena, sara, sam):
    for member in (sara, sam):
        panel_services.record_panel_scores(member, panel, full_values(panel))
        panel_services.submit_score_sheet(member, panel)
    panel_services.set_consensus(lena, panel, full_values(panel))
    set_phase(panel.cycle, m.PhaseKind.CALIBRATION)
    send_reminders(PHASE_4_CLOSES - dt.timedelta(days=30))
    assert reminders_of(lena) == ["30"]
    assert lena.notifications.get().link == f"/panels/cycles/{panel.cycle.pk}/calibration/"
    consensus = m.Consensus.objects.filter(self_assessment=panel, competency__isnull=False)
    panel_services.moderate_score(
        lena, consensus.first(), value=3, reason="Calibrated against London."
    )
    assert send_reminders(PHASE_4_CLOSES - dt.timedelta(days=7)) == 0


# --- The registry -----------------------------------------------------------------------------


def test_every_kind_of_the_year_is_registered():
    codes = {kind.code for kind in kinds.kinds()}
    assert {"self_assessment", "score_sheet", "consensus", "regional_moderation"} <= codes
    assert {"challenge", "rating_review"} <= codes  # the due process (queries/reminders.py)
    assert "plan_action" in codes  # freedoms registers its own (freedoms/apps.py)


def test_one_more_kind_is_one_register_call(cycle, dora):
    """How the factual accuracy check's and the rating review's kinds will plug in."""
    deadline = dt.date(2010, 8, 1)

    def undecided(since, until):
        if since <= deadline <= until:
            yield kinds.Outstanding(dora, "review:1", "A rating review", deadline, "/")

    kinds.register(kinds.ReminderKind("test_review", "Review not yet decided", undecided))
    try:
        assert send_reminders(deadline - dt.timedelta(days=7)) == 1
        assert send_reminders(deadline - dt.timedelta(days=7)) == 0
    finally:
        kinds._KINDS.pop("test_review")


def test_the_job_reads_in_a_fixed_number_of_queries(reference_data, django_assert_max_num_queries):
    """However many PCTs, people and panel slots: a few reads per kind, then one insert
    per reminder sent. With nothing due, the reads alone."""
    from tests.factories import PCTFactory, pct_user

    cycle = CycleFactory(year_label="2009/10", open_phase=1)
    send_reminders(PHASE_1_CLOSES - dt.timedelta(days=40))  # warm up
    for _ in range(5):
        pct = PCTFactory()
        pct_user(pct)
    assert cycle
    with django_assert_max_num_queries(10):
        send_reminders(PHASE_1_CLOSES - dt.timedelta(days=40))
