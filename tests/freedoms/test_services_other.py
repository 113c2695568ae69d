"""Reviews, multi-year budgets, the innovation fund and plans (§5)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from assurance.services.errors import ServiceError
from freedoms.models import (
    ActionStatus,
    BudgetProposal,
    DecisionStatus,
    FundApplication,
    InnovationFund,
    Plan,
    PlanStatus,
    Standing,
)
from freedoms.services import (
    add_plan_action,
    agree_plan,
    apply_to_fund,
    decide_budget_proposal,
    decide_fund_application,
    record_review,
    submit_budget_proposal,
    update_action_status,
)
from tests.freedoms.factories import PlanActionFactory, confirmed

TODAY = timezone.localdate()


@pytest.fixture
def tiers(dora, camden, islington, durham):
    return confirmed({camden: "freedoms", islington: "notice", durham: "support"}, dora)


@pytest.fixture
def fund(catalogue):
    return InnovationFund.objects.get(financial_year="2010-11")


# Reviews


def test_recording_a_review_moves_the_calendar_on(tiers, sara, islington):
    standing = Standing.objects.get(pct=islington)
    assert standing.next_review_due == _month_after(TODAY)
    record_review(islington, by=sara, held_on=TODAY, summary="Monthly review: recovery on track")
    standing.refresh_from_db()
    assert standing.last_review_on == TODAY
    assert standing.next_review_due == _month_after(TODAY)


def _month_after(day):
    from freedoms.eligibility import add_months

    return add_months(day, 1)


def test_only_the_pcts_sha_records_reviews(tiers, nick, alice, islington):
    for user in (nick, alice):
        with pytest.raises(ServiceError, match="SHA"):
            record_review(islington, by=user, held_on=TODAY, summary="x")


def test_a_review_cannot_be_in_the_future_or_empty(tiers, sara, islington):
    with pytest.raises(ServiceError) as refused:
        record_review(islington, by=sara, held_on=TODAY + dt.timedelta(days=1), summary="x")
    assert refused.value.problems[0].field == "held_on"
    with pytest.raises(ServiceError, match="summary"):
        record_review(islington, by=sara, held_on=TODAY, summary="  ")


# Multi-year budgets

AMOUNTS = [Decimal(2_000_000), Decimal(2_500_000), Decimal(3_000_000)]


def submit(by, **kw):
    values = {
        "title": "Diabetes pathway",
        "first_year": 2010,
        "amounts": AMOUNTS,
        "rationale": "Save admissions",
    }
    return submit_budget_proposal(by=by, **{**values, **kw})


def test_a_freedom_holder_submits_a_budget_and_the_sha_approves(tiers, alice, lena):
    proposal = submit(alice)
    assert proposal.total == Decimal(7_500_000)
    assert [y for y, _ in proposal.years] == ["2010/11", "2011/12", "2012/13"]
    decide_budget_proposal(proposal, by=lena, approve=True, reason="")
    assert BudgetProposal.objects.get().status == DecisionStatus.APPROVED


def test_a_budget_rejection_needs_a_reason(tiers, alice, lena):
    proposal = submit(alice)
    with pytest.raises(ServiceError) as refused:
        decide_budget_proposal(proposal, by=lena, approve=False, reason="")
    assert refused.value.problems[0].field == "reason"
    decide_budget_proposal(proposal, by=lena, approve=False, reason="Savings not evidenced")
    with pytest.raises(ServiceError, match="already been decided"):
        decide_budget_proposal(proposal, by=lena, approve=True, reason="")


def test_only_freedom_holders_submit_budgets(tiers, bob):
    with pytest.raises(ServiceError, match="multi-year budgets freedom"):
        submit(bob)


def test_a_one_year_budget_is_refused(tiers, alice):
    with pytest.raises(ServiceError, match="2 to 5 years"):
        submit(alice, amounts=[Decimal(1)])


def test_only_the_pcts_sha_lead_decides_a_budget(tiers, alice, sara, nick):
    proposal = submit(alice)
    for user in (sara, nick, alice):
        with pytest.raises(ServiceError, match="SHA lead"):
            decide_budget_proposal(proposal, by=user, approve=True, reason="")


# Innovation fund


def test_the_fund_holds_fifty_million_for_2010_11(fund):
    assert fund.pot == Decimal("50000000.00")


def test_any_pct_applies_and_dh_approves_within_the_pot(tiers, fund, bob, dora):
    application = apply_to_fund(
        fund, by=bob, title="Telehealth", amount=Decimal(30_000_000), summary="x"
    )
    decide_fund_application(application, by=dora, approve=True, reason="")
    second = apply_to_fund(fund, by=bob, title="More", amount=Decimal(20_000_001), summary="x")
    with pytest.raises(ServiceError, match="exceed the fund"):
        decide_fund_application(second, by=dora, approve=True, reason="")
    assert FundApplication.objects.get(pk=second.pk).status == DecisionStatus.SUBMITTED


def test_only_dh_decides_fund_applications(tiers, fund, bob, lena):
    application = apply_to_fund(fund, by=bob, title="T", amount=Decimal(1), summary="x")
    with pytest.raises(ServiceError, match="DH staff"):
        decide_fund_application(application, by=lena, approve=True, reason="")


def test_an_application_amount_must_be_positive(tiers, fund, bob):
    with pytest.raises(ServiceError) as refused:
        apply_to_fund(fund, by=bob, title="T", amount=Decimal(0), summary="x")
    assert refused.value.problems[0].field == "amount"


# Plans


def test_a_plan_gets_actions_then_the_sha_agrees_it(
    tiers, bob, sara, islington, django_capture_on_commit_callbacks
):
    plan = Plan.objects.get(pct=islington, subject="notice")
    with pytest.raises(ServiceError, match="at least one action"):
        agree_plan(plan, by=sara)
    add_plan_action(
        plan, by=bob, description="Appoint a turnaround director", owner="Chair", due_on=TODAY
    )
    with django_capture_on_commit_callbacks(execute=True):
        agree_plan(plan, by=sara)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.AGREED
    assert mail.outbox[-1].to == [bob.email]
    with pytest.raises(ServiceError, match="agreed"):
        add_plan_action(plan, by=bob, description="Late", owner="x", due_on=TODAY)


def test_other_pcts_and_other_shas_cannot_touch_a_plan(tiers, alice, nick, islington):
    plan = Plan.objects.get(pct=islington, subject="notice")
    with pytest.raises(ServiceError, match="own staff"):
        add_plan_action(plan, by=alice, description="x", owner="x", due_on=TODAY)
    with pytest.raises(ServiceError, match="SHA"):
        agree_plan(plan, by=nick)


def test_action_status_updates_and_overdue(tiers, bob, islington):
    plan = Plan.objects.get(pct=islington, subject="notice")
    action = PlanActionFactory(plan=plan, due_on=TODAY - dt.timedelta(days=1))
    assert action.is_overdue(TODAY)
    update_action_status(action, by=bob, status=ActionStatus.DONE)
    action.refresh_from_db()
    assert not action.is_overdue(TODAY)


def test_an_overdue_action_is_reminded_once_by_the_daily_job(
    tiers, bob, islington, django_capture_on_commit_callbacks
):
    """Plan actions are a kind of reminder freedoms registers (apps.py); the daily job of
    assurance sends the overdue notice once, however often it runs."""
    from assurance.services.reminders import send_reminders

    plan = Plan.objects.get(pct=islington, subject="notice")
    PlanActionFactory(plan=plan, due_on=TODAY - dt.timedelta(days=2), owner="Medical director")
    PlanActionFactory(plan=plan, due_on=TODAY + dt.timedelta(days=40))
    with django_capture_on_commit_callbacks(execute=True):
        assert send_reminders(TODAY) == 1
        assert send_reminders(TODAY) == 0
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [bob.email]
    assert mail.outbox[0].subject.startswith("Overdue: Action in")
    assert "2 days overdue" in mail.outbox[0].subject
    assert bob.notifications.get().link == f"/freedoms/plans/{plan.pk}/"
