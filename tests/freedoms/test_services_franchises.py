"""Franchising: propose, accept, approve, end early, decline, and every refusal (§5)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from assurance.models import AuditEntry, Role
from assurance.rules.problems import Problem
from assurance.services.errors import ServiceError
from freedoms.models import Franchise, FranchiseInitiator, FranchiseStatus, Standing
from freedoms.queries import sha_approvals
from freedoms.services import (
    accept_franchise,
    approve_franchise,
    decline_franchise,
    end_franchise,
    keep_flagged_franchise,
    propose_franchise,
    request_franchise,
)
from tests.factories import CycleFactory, pct_user
from tests.freedoms.factories import confirmed

START, END = dt.date(2010, 10, 1), dt.date(2011, 9, 30)


@pytest.fixture
def tiers(dora, camden, islington, durham):
    """Camden holds the freedoms; Islington is on notice; Durham in support."""
    return confirmed({camden: "freedoms", islington: "notice", durham: "support"}, dora)


@pytest.fixture
def ian(islington):
    return pct_user(
        islington, Role.PCT_APPROVER, full_name="Ian Approver", email="ian@islington.example"
    )


def propose(by, receiver, **kw):
    values = {
        "service": "Community dentistry",
        "all_services": False,
        "starts_on": START,
        "ends_on": END,
    }
    return propose_franchise(by=by, receiver=receiver, **{**values, **kw})


def recipients(outbox, subject: str) -> set[str]:
    return {address for m in outbox if m.subject.startswith(subject) for address in m.to}


def test_a_franchise_goes_from_proposal_to_approval(
    tiers, alice, ian, lena, islington, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        franchise = propose(alice, islington)
        accept_franchise(franchise, by=ian)
        approve_franchise(franchise, by=lena)
    franchise.refresh_from_db()
    assert franchise.status == FranchiseStatus.APPROVED
    assert franchise.is_active_on(dt.date(2011, 1, 1))
    assert not franchise.is_active_on(dt.date(2011, 10, 1))
    # One email per person (each also a notification in the product), in order of steps.
    assert list(dict.fromkeys(m.subject.split(":")[0] for m in mail.outbox)) == [
        "Camden proposes a franchise for Islington",
        "Franchise for Islington accepted",
        "Franchise approved",
    ]
    assert mail.outbox[0].to == [ian.email]
    assert lena.email in recipients(mail.outbox, "Franchise for Islington accepted")
    actions = set(
        AuditEntry.objects.filter(object_id=franchise.pk).values_list("action", flat=True)
    )
    assert {"franchise.proposed", "franchise.accepted", "franchise.approved"} <= actions


def test_it_refuses_a_pct_without_the_freedom(tiers, dave, islington):
    with pytest.raises(ServiceError, match="does not hold the franchising freedom"):
        propose(dave, islington)


def test_it_refuses_franchising_yourself(tiers, alice, camden):
    with pytest.raises(ServiceError) as refused:
        propose(alice, camden)
    assert refused.value.problems[0].message == "A PCT cannot franchise its own services."


def test_it_refuses_a_receiver_that_also_holds_the_freedoms(dora, alice, camden, islington):
    confirmed({camden: "freedoms", islington: "freedoms"}, dora)
    with pytest.raises(ServiceError, match="freedoms tier"):
        propose(alice, islington)


def test_it_refuses_a_second_all_services_franchise(tiers, alice, islington):
    propose(alice, islington, service="", all_services=True)
    with pytest.raises(ServiceError, match="at most one"):
        propose(alice, islington, service="", all_services=True, starts_on=dt.date(2011, 1, 1))


def test_it_refuses_overlapping_dates_for_the_same_service(tiers, alice, islington):
    propose(alice, islington)
    with pytest.raises(ServiceError, match="overlap"):
        propose(alice, islington, starts_on=dt.date(2011, 9, 1), ends_on=dt.date(2012, 3, 31))
    propose(alice, islington, starts_on=dt.date(2011, 10, 1), ends_on=dt.date(2012, 3, 31))
    assert Franchise.objects.count() == 2


def test_a_declined_franchise_no_longer_blocks_the_dates(tiers, alice, ian, islington):
    franchise = propose(alice, islington)
    with pytest.raises(ServiceError, match="reason"):
        decline_franchise(franchise, by=ian, reason=" ")
    decline_franchise(franchise, by=ian, reason="We are commissioning it with our council")
    propose(alice, islington)


def test_a_declined_franchise_leaves_the_sha_leads_review_list(tiers, alice, ian, islington):
    # Flagged while proposed (the franchisor lost the freedom), then declined: nothing is
    # left for the SHA lead to review.
    franchise = propose(alice, islington)
    Franchise.objects.filter(pk=franchise.pk).update(needs_sha_review=True)
    decline_franchise(franchise, by=ian, reason="We are commissioning it with our council")
    assert not sha_approvals(islington.sha_id, START)["flagged"].exists()


def test_only_the_receiving_approver_accepts(tiers, alice, bob, ann, islington):
    franchise = propose(alice, islington)
    for user in (alice, bob, ann):
        with pytest.raises(ServiceError, match="receiving PCT's approver"):
            accept_franchise(franchise, by=user)


def test_only_the_receiving_sha_lead_approves_and_only_once_accepted(
    tiers, alice, ian, lena, sara, durham, north_east
):
    from tests.factories import sha_user

    franchise = propose(alice, durham)  # Durham is in the North East
    accept_franchise(franchise, by=pct_user(durham, Role.PCT_APPROVER))
    with pytest.raises(ServiceError, match="SHA lead"):
        approve_franchise(franchise, by=lena)  # London's lead
    with pytest.raises(ServiceError, match="SHA lead"):
        approve_franchise(franchise, by=sara)
    approve_franchise(franchise, by=sha_user(north_east, Role.SHA_LEAD))
    other = propose(alice, durham, service="Podiatry")
    with pytest.raises(ServiceError, match="accepted"):
        approve_franchise(other, by=sha_user(north_east, Role.SHA_LEAD, email="l2@ne.example"))


def test_an_approved_franchise_ends_early_only_with_a_reason(
    tiers, alice, ian, lena, bob, islington
):
    franchise = propose(alice, islington)
    accept_franchise(franchise, by=ian)
    approve_franchise(franchise, by=lena)
    with pytest.raises(ServiceError, match="reason"):
        end_franchise(franchise, by=lena, reason="")
    with pytest.raises(ServiceError, match="approver"):
        end_franchise(franchise, by=bob, reason="Not mine to end")
    end_franchise(franchise, by=lena, reason="Services returned to the PCT after recovery")
    franchise.refresh_from_db()
    assert franchise.status == FranchiseStatus.ENDED
    assert franchise.end_reason.startswith("Services returned")
    assert AuditEntry.objects.get(action="franchise.ended").reason.startswith("Services")


def test_the_sha_lead_can_keep_a_flagged_franchise_with_a_reason(tiers, alice, lena, islington):
    franchise = propose(alice, islington)
    Franchise.objects.filter(pk=franchise.pk).update(needs_sha_review=True)
    keep_flagged_franchise(franchise, by=lena, reason="Delivery is on track")
    franchise.refresh_from_db()
    assert not franchise.needs_sha_review


# --- A poorer PCT asks for help (issue 12; §7 record) ----------------------------------


def request(by, franchisor, **kw):
    values = {
        "service": "Community dentistry",
        "all_services": False,
        "starts_on": START,
        "ends_on": END,
    }
    return request_franchise(by=by, franchisor=franchisor, **{**values, **kw})


def test_a_poorer_pct_asks_a_top_pct_for_help_and_its_sha_approves(
    tiers, ian, ann, lena, bob, camden, islington, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        franchise = request(ian, camden)
        assert franchise.initiator == FranchiseInitiator.RECEIVER
        assert (franchise.franchisor, franchise.receiver) == (camden, islington)
        assert franchise.status_label == "Requested by receiving PCT"
        accept_franchise(franchise, by=ann)
        franchise.refresh_from_db()
        assert franchise.status_label == "Accepted by franchising PCT"
        approve_franchise(franchise, by=lena)
    franchise.refresh_from_db()
    assert franchise.status == FranchiseStatus.APPROVED
    assert franchise.proposed_by == ian and franchise.accepted_by == ann
    assert franchise.approved_by == lena
    assert list(dict.fromkeys(m.subject.split(":")[0] for m in mail.outbox)) == [
        "Islington asks Camden to franchise Community dentistry",
        "Franchise for Islington accepted",
        "Franchise approved",
    ]
    assert mail.outbox[0].to == [ann.email]  # the named PCT's approver
    assert {lena.email, bob.email} <= recipients(mail.outbox, "Franchise for Islington accepted")
    assert "Camden has agreed" in mail.outbox[1].body
    actions = set(
        AuditEntry.objects.filter(object_id=franchise.pk).values_list("action", flat=True)
    )
    assert {"franchise.requested", "franchise.accepted", "franchise.approved"} <= actions


def test_only_an_approver_of_a_support_or_notice_pct_can_ask(tiers, bob, ann, camden, durham):
    with pytest.raises(ServiceError, match="approver"):
        request(bob, camden)  # Islington's staff, not its approver
    with pytest.raises(ServiceError) as refused:
        request(ann, camden)  # Camden itself
    assert "cannot franchise its own services" in refused.value.message
    request(pct_user(durham, Role.PCT_APPROVER), camden)  # support tier: may ask
    assert not Franchise.objects.filter(proposed_by__in=[bob, ann]).exists()


def test_a_freedoms_pct_cannot_ask_for_a_franchise(dora, camden, islington):
    confirmed({camden: "freedoms", islington: "freedoms"}, dora)
    approver = pct_user(islington, Role.PCT_APPROVER)
    with pytest.raises(ServiceError) as refused:
        request(approver, camden)
    assert refused.value.problems == (
        Problem(
            "",
            "Your PCT is in the freedoms tier: only a PCT in the support or on-notice tier "
            "can ask for a franchise.",
        ),
    )


def test_a_request_must_name_a_pct_holding_the_franchising_freedom(tiers, ian, durham):
    with pytest.raises(ServiceError) as refused:
        request(ian, durham)
    assert refused.value.problems[0].field == "franchisor"
    assert "does not hold the franchising freedom" in refused.value.message


def test_a_request_is_checked_against_the_receivers_live_franchises(
    tiers, alice, ian, camden, islington
):
    propose(alice, islington, service="", all_services=True)
    with pytest.raises(ServiceError, match="at most one"):
        request(ian, camden, service="", all_services=True)
    with pytest.raises(ServiceError, match="overlap"):
        request(ian, camden, service="Podiatry")


def test_only_the_named_pcts_approver_answers_a_request(
    tiers, ian, ann, alice, lena, camden, django_capture_on_commit_callbacks
):
    franchise = request(ian, camden)
    for user in (ian, alice, lena):
        with pytest.raises(ServiceError, match="Camden's approver"):
            accept_franchise(franchise, by=user)
    with pytest.raises(ServiceError, match="cannot decline"):
        decline_franchise(franchise, by=ian, reason="Changed our mind")
    with django_capture_on_commit_callbacks(execute=True):
        decline_franchise(franchise, by=ann, reason="No commissioning capacity this year")
    franchise.refresh_from_db()
    assert franchise.status == FranchiseStatus.DECLINED
    assert "asked Camden" in mail.outbox[-1].body
    assert ian.email in recipients(mail.outbox, "Franchise declined")


# --- The receiving PCT's tier is checked again at each step (issue 12) --------------------


def a_later_cycle(dora, tiers_by_pct):
    confirmed(tiers_by_pct, dora, cycle=CycleFactory(year_label="2010/11", open_phase=5))


def state(*franchises):
    """What a step would change, read afresh from the database."""
    rows = Franchise.objects.filter(pk__in=[f.pk for f in franchises]).order_by("pk")
    return list(rows.values_list("status", "accepted_by", "accepted_at", "approved_by"))


def test_accepting_is_refused_once_the_receiver_is_in_the_freedoms_tier(
    tiers, dora, alice, ian, camden, islington
):
    franchise = propose(alice, islington)
    a_later_cycle(dora, {camden: "freedoms", islington: "freedoms"})
    before = state(franchise)
    with pytest.raises(ServiceError) as refused:
        accept_franchise(franchise, by=ian)
    assert refused.value.message == (
        "Islington is now in the freedoms tier: only a PCT in the support or on-notice tier "
        "can be franchised, so this franchise cannot go ahead."
    )
    assert state(franchise) == before
    assert not AuditEntry.objects.filter(action="franchise.accepted").exists()


def test_approving_is_refused_once_the_receiver_is_in_the_freedoms_tier(
    tiers, dora, alice, ian, lena, camden, islington
):
    franchise = propose(alice, islington)
    accept_franchise(franchise, by=ian)
    a_later_cycle(dora, {camden: "freedoms", islington: "freedoms"})
    before = state(franchise)
    with pytest.raises(ServiceError, match="Islington is now in the freedoms tier"):
        approve_franchise(franchise, by=lena)
    assert state(franchise) == before
    assert before[0][0] == FranchiseStatus.ACCEPTED
    assert not AuditEntry.objects.filter(action="franchise.approved").exists()


def test_a_request_is_refused_at_accept_and_approve_once_the_requester_has_freedoms(
    tiers, dora, ian, ann, lena, camden, islington
):
    accepted = request(ian, camden)
    accept_franchise(accepted, by=ann)
    waiting = request(ian, camden, service="Podiatry")
    a_later_cycle(dora, {camden: "freedoms", islington: "freedoms"})
    before = state(waiting, accepted)
    with pytest.raises(ServiceError, match="now in the freedoms tier"):
        accept_franchise(waiting, by=ann)
    with pytest.raises(ServiceError, match="now in the freedoms tier"):
        approve_franchise(accepted, by=lena)
    assert state(waiting, accepted) == before


def test_accept_and_approve_are_refused_when_the_receiver_has_no_confirmed_tier(
    tiers, alice, ian, lena, islington
):
    accepted = propose(alice, islington)
    accept_franchise(accepted, by=ian)
    proposed = propose(alice, islington, service="Podiatry")
    Standing.objects.filter(pct=islington).delete()
    before = state(proposed, accepted)
    with pytest.raises(ServiceError, match="Islington has no confirmed tier"):
        accept_franchise(proposed, by=ian)
    with pytest.raises(ServiceError, match="Islington has no confirmed tier"):
        approve_franchise(accepted, by=lena)
    assert state(proposed, accepted) == before
