"""Franchising: propose, accept, approve, end early, decline, and every refusal (§5)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from assurance.models import AuditEntry, Role
from assurance.services.errors import ServiceError
from freedoms.models import Franchise, FranchiseStatus
from freedoms.queries import sha_approvals
from freedoms.services import (
    accept_franchise,
    approve_franchise,
    decline_franchise,
    end_franchise,
    keep_flagged_franchise,
    propose_franchise,
)
from tests.factories import pct_user
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
    assert [m.subject.split(":")[0] for m in mail.outbox] == [
        "Camden proposes a franchise for Islington",
        "Franchise for Islington accepted",
        "Franchise approved",
    ]
    assert mail.outbox[0].to == [ian.email]
    assert lena.email in mail.outbox[1].to
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
