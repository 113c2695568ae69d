"""Confirming a publication: grants, notices, support packages, plans, regimes (§5)."""

from __future__ import annotations

import pytest
from django.core import mail

from assurance.models import PCT, AuditEntry, PublicationStatus
from assurance.services.errors import ServiceError
from freedoms.models import (
    Designation,
    DesignationStatus,
    Franchise,
    FranchiseStatus,
    Grant,
    GrantStatus,
    Plan,
    PlanStatus,
    Standing,
)
from freedoms.services import agree_plan, confirm_publication, grant_freedoms
from tests.factories import CycleFactory
from tests.freedoms.factories import PlanActionFactory, confirmed, publish


@pytest.fixture
def durham_pct(reference_data):
    return PCT.objects.get(code="5ND")


def test_confirming_grants_each_freedom_to_each_freedoms_pct(
    dora, camden, islington, durham, alice
):
    publication = publish({camden: "freedoms", islington: "support", durham: "notice"})
    summary = confirm_publication(publication, by=dora)
    publication.refresh_from_db()
    assert publication.confirmed_by == dora
    assert summary.granted == 7
    assert set(Grant.objects.values_list("pct__code", flat=True)) == {"5K7"}
    assert Grant.objects.filter(pct=camden, status=GrantStatus.ACTIVE).count() == 7
    assert Designation.objects.get(pct=durham).kind == "notice"
    assert Designation.objects.get(pct=islington).kind == "support"
    assert not Designation.objects.filter(pct=camden).exists()
    assert AuditEntry.objects.filter(action="publication.confirmed").exists()


def test_it_sets_each_pcts_regime_from_its_tier(dora, camden, islington, durham):
    confirmed({camden: "freedoms", islington: "support", durham: "notice"}, dora)
    regimes = dict(Standing.objects.values_list("pct__code", "regime"))
    assert regimes == {"5K7": "annual", "5K8": "quarterly", "5ND": "monthly"}


def test_it_opens_the_plans_each_tier_requires(dora, camden, islington, durham):
    confirmed({camden: "freedoms", islington: "support", durham: "notice"}, dora)
    subjects = {(p.pct.code, p.subject) for p in Plan.objects.select_related("pct")}
    assert subjects == {
        ("5K8", "governance:strategy"),
        ("5K8", "competency:5"),
        ("5K8", "competency:6"),
        ("5ND", "notice"),
        ("5ND", "governance:strategy"),
        ("5ND", "governance:finance"),
    }


def test_the_grant_email_goes_to_the_pcts_staff(
    dora, camden, islington, alice, bob, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        confirmed({camden: "freedoms", islington: "support"}, dora)
    assert [m.to for m in mail.outbox] == [[alice.email]]
    assert "Franchising" in mail.outbox[0].body


def test_only_dh_staff_confirm_and_only_complete_publications(dora, alice, camden):
    publication = publish({camden: "freedoms"})
    with pytest.raises(ServiceError, match="Only DH staff"):
        confirm_publication(publication, by=alice)
    publication.status = PublicationStatus.RENDERING
    publication.save()
    with pytest.raises(ServiceError, match="complete"):
        confirm_publication(publication, by=dora)
    assert not Grant.objects.exists()


def test_it_refuses_to_confirm_twice(dora, camden):
    publication = confirmed({camden: "freedoms"}, dora)
    with pytest.raises(ServiceError, match="already been confirmed"):
        confirm_publication(publication, by=dora)


def test_granting_twice_changes_nothing(dora, camden, islington):
    publication = confirmed({camden: "freedoms", islington: "notice"}, dora)
    summary = grant_freedoms(publication, by=dora)
    assert summary.granted == 0 and summary.notices == 0 and summary.plans == 0
    assert Grant.objects.count() == 7
    assert Designation.objects.count() == 1


def test_a_later_publication_lapses_grants_and_keeps_the_history(dora, camden, islington):
    first = confirmed({camden: "freedoms", islington: "support"}, dora)
    later_cycle = CycleFactory(year_label="2010/11", open_phase=5)
    second = confirmed({camden: "support", islington: "freedoms"}, dora, cycle=later_cycle)
    lapsed = Grant.objects.filter(pct=camden)
    assert lapsed.count() == 7
    assert all(g.status == GrantStatus.LAPSED for g in lapsed)
    assert {g.publication_id for g in lapsed} == {first.pk}
    assert {g.ended_by_publication_id for g in lapsed} == {second.pk}
    assert Grant.objects.filter(pct=islington, status=GrantStatus.ACTIVE).count() == 7
    support = Designation.objects.get(pct=islington, kind="support")
    assert support.status == DesignationStatus.ENDED
    assert support.ended_by_publication == second


def test_a_pct_staying_in_the_freedoms_tier_keeps_its_grants(dora, camden):
    first = confirmed({camden: "freedoms"}, dora)
    confirmed({camden: "freedoms"}, dora, cycle=CycleFactory(year_label="2010/11", open_phase=5))
    assert set(Grant.objects.values_list("publication_id", "status").distinct()) == {
        (first.pk, "active")
    }


def test_at_the_next_publication_notices_are_discharged_or_escalated(
    dora, camden, islington, durham
):
    confirmed({camden: "notice", islington: "notice", durham: "support"}, dora)
    second = confirmed(
        {camden: "support", islington: "notice", durham: "support"},
        dora,
        cycle=CycleFactory(year_label="2010/11", open_phase=5),
    )
    camden_notice = Designation.objects.get(pct=camden, kind="notice")
    assert camden_notice.status == DesignationStatus.DISCHARGED
    assert camden_notice.ended_by_publication == second
    old, new = Designation.objects.filter(pct=islington, kind="notice").order_by("created_at", "id")
    assert old.status == DesignationStatus.ESCALATED
    assert new.status == DesignationStatus.ACTIVE and new.publication == second
    assert Designation.objects.get(pct=durham, kind="support").status == DesignationStatus.ACTIVE
    assert AuditEntry.objects.filter(action="notice.discharged", pct=camden).exists()
    # The first publication's plans are closed by the second.
    assert not Plan.objects.exclude(publication=second).exclude(status=PlanStatus.CLOSED).exists()


def test_a_franchisor_losing_the_freedom_flags_its_franchises(dora, camden, islington):
    confirmed({camden: "freedoms", islington: "notice"}, dora)
    franchise = Franchise.objects.create(
        franchisor=camden,
        receiver=islington,
        service="Dentistry",
        starts_on="2010-10-01",
        ends_on="2011-09-30",
        status=FranchiseStatus.APPROVED,
        proposed_at="2010-09-01T00:00Z",
    )
    confirmed(
        {camden: "support", islington: "notice"},
        dora,
        cycle=CycleFactory(year_label="2010/11", open_phase=5),
    )
    franchise.refresh_from_db()
    assert franchise.needs_sha_review
    assert "lost the franchising freedom" in franchise.review_reason


def test_confirming_152_pcts_takes_a_bounded_number_of_queries(dora, django_assert_max_num_queries):
    pcts = list(PCT.objects.all()[:152])
    tiers = {
        pct: ("freedoms" if i < 15 else "notice" if i >= 145 else "support")
        for i, pct in enumerate(pcts)
    }
    publication = publish(tiers)
    # Set-based: bulk inserts and one UPDATE per tier, whatever the number of PCTs.
    with django_assert_max_num_queries(35):
        summary = confirm_publication(publication, by=dora)
    assert summary.granted == 105
    assert summary.notices == 7
    assert summary.support_packages == 130


# --- A corrected version of the same cycle (issue 12) ----------------------------------


def corrected(first, tiers, by):
    """Version N+1 of the same cycle supersedes ``first`` (a rating review upheld, §8),
    and DH confirm it."""
    second = publish(tiers, cycle=first.cycle, version=first.version + 1)
    type(first).objects.filter(pk=first.pk).update(
        status=PublicationStatus.SUPERSEDED, superseded_by=second
    )
    confirm_publication(second, by=by)
    second.refresh_from_db()
    return second


def test_a_corrected_version_carries_an_agreed_plan_over_with_its_actions(dora, lena, islington):
    first = confirmed({islington: "notice"}, dora)
    plan = Plan.objects.get(pct=islington, subject="notice")
    PlanActionFactory(plan=plan, description="Appoint a turnaround director")
    agree_plan(plan, by=lena)
    second = corrected(first, {islington: "notice"}, dora)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.AGREED
    assert plan.publication == second
    assert plan.agreed_by == lena
    assert [a.description for a in plan.actions.all()] == ["Appoint a turnaround director"]
    # Same rows, no blank copies: one open plan per required subject.
    open_plans = Plan.objects.filter(pct=islington).exclude(status=PlanStatus.CLOSED)
    assert sorted(open_plans.values_list("subject", flat=True)) == [
        "governance:finance",
        "governance:strategy",
        "notice",
    ]
    assert not Plan.objects.filter(status=PlanStatus.CLOSED).exists()
    entry = AuditEntry.objects.get(action="plan.carried_over", object_id=plan.pk)
    assert entry.old_value == str(first) and entry.new_value == str(second)


def test_a_corrected_version_closes_what_it_no_longer_requires_and_opens_what_it_does(
    dora, islington
):
    # v1: on notice (strategy red, finance amber). v2: support (strategy amber,
    # competencies 5 and 6 at level 2).
    first = confirmed({islington: "notice"}, dora)
    kept = Plan.objects.get(pct=islington, subject="governance:strategy")
    second = corrected(first, {islington: "support"}, dora)
    kept.refresh_from_db()
    assert kept.publication == second and kept.status == PlanStatus.DRAFT
    assert kept.title == "Recovery plan: strategy governance (amber)"
    closed = Plan.objects.filter(pct=islington, status=PlanStatus.CLOSED)
    assert sorted(closed.values_list("subject", flat=True)) == ["governance:finance", "notice"]
    for plan in closed:
        assert plan.closed_by_publication == second
        assert plan.closed_reason == f"No longer required by {second} (a corrected version)."
    opened = Plan.objects.filter(pct=islington, publication=second, status=PlanStatus.DRAFT)
    assert sorted(opened.values_list("subject", flat=True)) == [
        "competency:5",
        "competency:6",
        "governance:strategy",
    ]
    assert AuditEntry.objects.filter(action="plan.closed", pct=islington).count() == 2


def test_a_later_cycle_still_closes_every_earlier_plan_with_a_reason(dora, islington):
    confirmed({islington: "notice"}, dora)
    second = confirmed(
        {islington: "notice"}, dora, cycle=CycleFactory(year_label="2010/11", open_phase=5)
    )
    old = Plan.objects.exclude(publication=second)
    assert old.count() == 3
    assert all(p.status == PlanStatus.CLOSED for p in old)
    assert {p.closed_reason for p in old} == {f"Replaced by the plans of {second}."}
    assert Plan.objects.filter(publication=second, status=PlanStatus.DRAFT).count() == 3
