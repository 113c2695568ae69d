"""Rules of the freedoms once granted (freedoms/eligibility.py), without a database."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from assurance.rules.consequences import Regime
from assurance.rules.problems import Problem
from assurance.rules.tiers import Tier
from freedoms.eligibility import (
    Agreement,
    FranchiseProposal,
    Initiator,
    NoticeOutcome,
    QueueEntry,
    add_months,
    budget_problems,
    franchise_problems,
    franchise_step_problems,
    fund_can_approve,
    fund_queue_order,
    is_due_by_end_of_month,
    is_overdue,
    next_review_due,
    notice_outcome,
)

D = dt.date


def test_the_review_calendar_runs_from_the_last_review_or_the_start():
    assert next_review_due(Regime.MONTHLY, D(2010, 8, 1), None) == D(2010, 9, 1)
    assert next_review_due(Regime.QUARTERLY, D(2010, 8, 1), D(2010, 10, 15)) == D(2011, 1, 15)
    assert next_review_due(Regime.ANNUAL, D(2010, 8, 1), None) == D(2011, 8, 1)


def test_adding_months_clips_to_the_end_of_the_month():
    assert add_months(D(2010, 1, 31), 1) == D(2010, 2, 28)
    assert add_months(D(2010, 11, 30), 3) == D(2011, 2, 28)


def test_due_this_month_includes_overdue_but_not_next_month():
    today = D(2010, 9, 10)
    assert is_due_by_end_of_month(D(2010, 9, 30), today)
    assert is_due_by_end_of_month(D(2010, 8, 1), today)
    assert not is_due_by_end_of_month(D(2010, 10, 1), today)


def test_a_notice_is_discharged_when_the_pct_leaves_the_notice_tier():
    assert notice_outcome(Tier.SUPPORT) is NoticeOutcome.DISCHARGED
    assert notice_outcome(Tier.FREEDOMS) is NoticeOutcome.DISCHARGED
    assert notice_outcome(Tier.NOTICE) is NoticeOutcome.ESCALATED
    assert notice_outcome(None) is NoticeOutcome.ESCALATED


def test_an_action_is_overdue_only_when_past_due_and_not_done():
    today = D(2010, 9, 10)
    assert is_overdue(D(2010, 9, 9), False, today)
    assert not is_overdue(D(2010, 9, 10), False, today)
    assert not is_overdue(D(2010, 9, 1), True, today)


def proposal(**kw) -> FranchiseProposal:
    values = {
        "franchisor_id": 1,
        "receiver_id": 2,
        "franchisor_holds_freedom": True,
        "receiver_tier": Tier.NOTICE,
        "service": "Community dentistry",
        "all_services": False,
        "starts_on": D(2010, 10, 1),
        "ends_on": D(2011, 9, 30),
    }
    return FranchiseProposal(**{**values, **kw})


def messages(problems) -> list[str]:
    return [p.message for p in problems]


def test_a_good_franchise_proposal_has_no_problems():
    assert franchise_problems(proposal(), []) == []
    assert franchise_problems(proposal(receiver_tier=Tier.SUPPORT), []) == []


def test_it_refuses_a_franchisor_without_the_freedom():
    problems = franchise_problems(proposal(franchisor_holds_freedom=False), [])
    assert "does not hold the franchising freedom" in messages(problems)[0]


def test_it_refuses_a_receiver_in_the_freedoms_tier():
    problems = franchise_problems(proposal(receiver_tier=Tier.FREEDOMS), [])
    assert problems[0].field == "receiver"
    assert "freedoms tier" in problems[0].message


def test_it_refuses_franchising_yourself():
    problems = franchise_problems(proposal(receiver_id=1), [])
    assert messages(problems) == ["A PCT cannot franchise its own services."]


def test_it_refuses_a_second_all_services_franchise_for_the_same_pct():
    existing = [Agreement("", True, D(2010, 4, 1), D(2011, 3, 31))]
    problems = franchise_problems(proposal(all_services=True, service=""), existing)
    assert problems[0].field == "all_services"
    assert "at most one" in problems[0].message


def test_two_all_services_franchises_may_follow_one_another():
    existing = [Agreement("", True, D(2009, 4, 1), D(2010, 9, 30))]
    assert franchise_problems(proposal(all_services=True, service=""), existing) == []


def test_it_refuses_overlapping_dates_for_the_same_service():
    existing = [Agreement("community  DENTISTRY", False, D(2011, 9, 30), D(2012, 3, 31))]
    problems = franchise_problems(proposal(), existing)
    assert problems[0].field == "starts_on"
    assert "overlap" in problems[0].message


def test_a_different_service_on_the_same_dates_is_fine():
    existing = [Agreement("Mental health", False, D(2010, 10, 1), D(2011, 9, 30))]
    assert franchise_problems(proposal(), existing) == []


def test_a_named_service_overlapping_an_all_services_franchise_is_refused():
    existing = [Agreement("", True, D(2010, 1, 1), D(2010, 12, 31))]
    assert "all services" in messages(franchise_problems(proposal(), existing))[0]


def test_it_refuses_an_end_before_the_start_and_a_missing_service():
    problems = franchise_problems(proposal(service=" ", ends_on=D(2010, 1, 1)), [])
    assert {p.field for p in problems} == {"service", "ends_on"}


def test_a_budget_spans_two_to_five_years_with_positive_amounts():
    assert budget_problems(3, [Decimal(1), Decimal(2), Decimal(3)]) == []
    assert budget_problems(1, [Decimal(1)])[0].field == "years"
    assert budget_problems(6, [Decimal(1)] * 6)[0].field == "years"
    assert budget_problems(2, [Decimal(1), Decimal(0)])[0].field == "amounts"


def test_the_fund_never_approves_beyond_the_pot():
    pot = Decimal(50_000_000)
    assert fund_can_approve(pot, [Decimal(30_000_000)], Decimal(20_000_000))
    assert not fund_can_approve(pot, [Decimal(30_000_000)], Decimal("20000000.01"))
    assert not fund_can_approve(pot, [], Decimal(0))


def test_the_fund_queue_lists_freedom_holders_first_then_oldest():
    t = dt.datetime(2010, 9, 1, tzinfo=dt.UTC)
    entries = [
        QueueEntry(1, False, t),
        QueueEntry(2, True, t + dt.timedelta(days=3)),
        QueueEntry(3, False, t - dt.timedelta(days=1)),
        QueueEntry(4, True, t + dt.timedelta(days=1)),
    ]
    assert fund_queue_order(entries) == [4, 2, 3, 1]


# --- A poorer PCT asking for help, and the checks at each later step (issue 12) -----------


def test_a_request_names_its_problems_for_the_pct_asking():
    asked = {"initiator": Initiator.RECEIVER}
    assert franchise_problems(proposal(**asked), []) == []
    assert franchise_problems(proposal(**asked, franchisor_holds_freedom=False), []) == [
        Problem(
            "franchisor",
            "The PCT you named does not hold the franchising freedom: ask a PCT that does.",
        )
    ]
    (freedoms,) = franchise_problems(proposal(**asked, receiver_tier=Tier.FREEDOMS), [])
    assert freedoms.field == "" and freedoms.message.startswith("Your PCT is in the freedoms")
    (untiered,) = franchise_problems(proposal(**asked, receiver_tier=None), [])
    assert untiered.message.startswith("Your PCT has no confirmed tier")
    assert franchise_problems(proposal(**asked, receiver_id=1), []) == [
        Problem("franchisor", "A PCT cannot franchise its own services.")
    ]


def test_a_request_meets_the_same_date_rules_as_a_proposal():
    existing = [Agreement("", True, D(2010, 4, 1), D(2011, 3, 31))]
    problems = franchise_problems(
        proposal(initiator=Initiator.RECEIVER, all_services=True, service=""), existing
    )
    assert "at most one" in messages(problems)[0]


def step(**kw):
    values = {
        "receiver": "Islington",
        "receiver_tier": Tier.NOTICE,
        "franchisor": "Camden",
        "franchisor_holds_freedom": True,
    }
    return franchise_step_problems(**{**values, **kw})


def test_a_later_step_goes_ahead_while_the_receiver_is_in_support_or_on_notice():
    assert step() == []
    assert step(receiver_tier=Tier.SUPPORT) == []


def test_a_later_step_is_refused_once_the_receiver_is_in_the_freedoms_tier_or_untiered():
    assert messages(step(receiver_tier=Tier.FREEDOMS)) == [
        "Islington is now in the freedoms tier: only a PCT in the support or on-notice tier "
        "can be franchised, so this franchise cannot go ahead."
    ]
    assert messages(step(receiver_tier=None)) == [
        "Islington has no confirmed tier, so this franchise cannot go ahead."
    ]


def test_a_later_step_is_refused_once_the_franchisor_has_lost_the_freedom():
    assert messages(step(franchisor_holds_freedom=False)) == [
        "Camden no longer holds the franchising freedom."
    ]
