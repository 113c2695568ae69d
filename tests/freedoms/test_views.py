"""Freedoms pages for each role, and the denials."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse, reverse_lazy
from django.utils import timezone

from assurance.models import PCT, AuditEntry, Role
from freedoms.models import (
    BudgetProposal,
    DecisionStatus,
    Franchise,
    FranchiseStatus,
    FundApplication,
    InnovationFund,
    Plan,
    PlanAction,
    PlanStatus,
    Standing,
)
from freedoms.services import apply_to_fund, propose_franchise, submit_budget_proposal
from tests.factories import pct_user
from tests.freedoms.factories import PlanActionFactory, confirmed, publish

TODAY = timezone.localdate()


@pytest.fixture
def tiers(dora, camden, islington, durham):
    return confirmed({camden: "freedoms", islington: "notice", durham: "support"}, dora)


@pytest.fixture
def ian(islington):
    return pct_user(
        islington, Role.PCT_APPROVER, full_name="Ian Approver", email="ian@islington.example"
    )


def _franchise(alice, islington):
    return propose_franchise(
        by=alice,
        receiver=islington,
        service="Community dentistry",
        all_services=False,
        starts_on=dt.date(2010, 10, 1),
        ends_on=dt.date(2011, 9, 30),
    )


def test_pages_need_a_sign_in(client):
    response = client.get(reverse("freedoms:mine"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_freedoms_pct_sees_its_grants_and_the_top_pct_badge(client, tiers, alice):
    client.force_login(alice)
    html = client.get(reverse("freedoms:mine")).content.decode()
    assert "Top PCT" in html
    assert "Franchising" in html
    assert "Annual review" in html
    assert "Propose a franchise" in html


def test_a_notice_pct_sees_its_plans_and_no_freedoms(client, tiers, bob):
    client.force_login(bob)
    html = client.get(reverse("freedoms:mine")).content.decode()
    assert "Top PCT" not in html
    assert "Recovery plan: on notice" in html
    assert "Monthly review" in html
    assert "Propose a franchise" not in html


def test_role_pages_refuse_other_roles(client, tiers, alice, sara, dora):
    client.force_login(alice)
    for name in ("freedoms:reviews", "freedoms:approvals", "freedoms:overview", "freedoms:fund"):
        assert client.get(reverse(name)).status_code == 403
    client.force_login(sara)
    assert client.get(reverse("freedoms:mine")).status_code == 403
    assert client.get(reverse("freedoms:overview")).status_code == 403
    client.force_login(dora)
    assert client.get(reverse("freedoms:franchise_propose")).status_code == 403


def test_proposing_a_franchise_through_the_form(client, tiers, alice, islington):
    client.force_login(alice)
    response = client.post(
        reverse("freedoms:franchise_propose"),
        {
            "receiver": islington.pk,
            "all_services": "false",
            "service": "Podiatry",
            "starts_on": "2010-10-01",
            "ends_on": "2011-03-31",
        },
    )
    franchise = Franchise.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("freedoms:franchise_detail", args=[franchise.pk])


def test_a_refused_franchise_shows_the_reason_next_to_the_field_and_keeps_the_input(
    client, tiers, alice, camden
):
    client.force_login(alice)
    response = client.post(
        reverse("freedoms:franchise_propose"),
        {
            "receiver": PCT.objects.get(code="5K8").pk,
            "all_services": "false",
            "service": "Podiatry",
            "starts_on": "2011-10-01",
            "ends_on": "2011-03-31",
        },
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in html
    assert "The end date must be on or after the start date." in html
    assert 'id="id_ends_on-error"' in html
    assert 'value="Podiatry"' in html
    assert not Franchise.objects.exists()


def test_a_pct_without_the_freedom_is_refused_at_the_top_of_the_form(
    client, tiers, dave, islington
):
    client.force_login(dave)
    response = client.post(
        reverse("freedoms:franchise_propose"),
        {
            "receiver": islington.pk,
            "all_services": "true",
            "starts_on": "2010-10-01",
            "ends_on": "2011-03-31",
        },
    )
    assert response.status_code == 400
    assert "does not hold the franchising freedom" in response.content.decode()


def test_franchise_steps_through_the_pages(client, tiers, alice, ian, lena, islington):
    franchise = _franchise(alice, islington)
    client.force_login(ian)
    page = client.get(reverse("freedoms:franchise_detail", args=[franchise.pk])).content.decode()
    assert "Accept franchise" in page
    client.post(reverse("freedoms:franchise_step", args=[franchise.pk, "accept"]))
    client.force_login(lena)
    assert (
        "Camden for Islington: Community dentistry"
        in client.get(reverse("freedoms:approvals")).content.decode()
    )
    client.post(reverse("freedoms:franchise_step", args=[franchise.pk, "approve"]))
    franchise.refresh_from_db()
    assert franchise.status == FranchiseStatus.APPROVED
    response = client.post(
        reverse("freedoms:franchise_step", args=[franchise.pk, "end"]), {"reason": ""}
    )
    assert response.status_code == 400
    assert "Enter the reason for ending the franchise early." in response.content.decode()


def test_a_franchise_is_hidden_from_pcts_not_party_to_it(
    client, tiers, alice, dave, nick, islington
):
    franchise = _franchise(alice, islington)
    url = reverse("freedoms:franchise_detail", args=[franchise.pk])
    for user in (dave, nick):
        client.force_login(user)
        assert client.get(url).status_code == 404
        assert (
            client.post(
                reverse("freedoms:franchise_step", args=[franchise.pk, "accept"])
            ).status_code
            == 404
        )


def test_another_pcts_plan_is_not_found(client, tiers, alice, nick, bob, islington):
    plan = Plan.objects.get(pct=islington, subject="notice")
    url = reverse("freedoms:plan_detail", args=[plan.pk])
    for user in (alice, nick):
        client.force_login(user)
        assert client.get(url).status_code == 404
        assert (
            client.post(reverse("freedoms:plan_add_action", args=[plan.pk]), {}).status_code == 404
        )
    client.force_login(bob)
    assert client.get(url).status_code == 200


def test_adding_an_action_with_a_missing_owner_keeps_what_was_typed(client, tiers, bob, islington):
    plan = Plan.objects.get(pct=islington, subject="notice")
    client.force_login(bob)
    response = client.post(
        reverse("freedoms:plan_add_action", args=[plan.pk]),
        {"description": "Appoint a turnaround director", "owner": "", "due_on": "2010-12-01"},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Appoint a turnaround director" in html
    assert 'id="id_owner-error"' in html
    assert not PlanAction.objects.exists()


def test_overdue_actions_stand_out_and_the_sha_agrees_the_plan(client, tiers, bob, sara, islington):
    plan = Plan.objects.get(pct=islington, subject="notice")
    PlanActionFactory(plan=plan, due_on=TODAY - dt.timedelta(days=3))
    client.force_login(sara)
    assert "Overdue actions" in client.get(reverse("freedoms:approvals")).content.decode()
    html = client.get(reverse("freedoms:plan_detail", args=[plan.pk])).content.decode()
    assert "wcc-overdue" in html
    client.post(reverse("freedoms:plan_agree", args=[plan.pk]))
    assert Plan.objects.get(pk=plan.pk).status == PlanStatus.AGREED


def test_updating_an_action_status(client, tiers, bob, islington):
    plan = Plan.objects.get(pct=islington, subject="notice")
    action = PlanActionFactory(plan=plan)
    client.force_login(bob)
    response = client.post(reverse("freedoms:action_status", args=[action.pk]), {"status": "done"})
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == "done"


def test_the_review_calendar_lists_pcts_due_this_month(client, tiers, sara, islington, camden):
    Standing.objects.filter(pct=islington).update(next_review_due=TODAY)
    Standing.objects.filter(pct=camden).update(next_review_due=TODAY + dt.timedelta(days=400))
    client.force_login(sara)
    html = client.get(reverse("freedoms:reviews")).content.decode()
    assert "Islington" in html
    assert "Camden" not in html
    assert "Camden" in client.get(reverse("freedoms:reviews"), {"show": "all"}).content.decode()


def test_recording_a_review_through_the_form(client, tiers, sara, islington):
    client.force_login(sara)
    url = reverse("freedoms:review_record", args=["5K8"])
    response = client.post(url, {"held_on": TODAY.isoformat(), "summary": ""})
    assert response.status_code == 400
    response = client.post(url, {"held_on": TODAY.isoformat(), "summary": "Recovery on track"})
    assert response.status_code == 302
    assert Standing.objects.get(pct=islington).last_review_on == TODAY


@pytest.mark.parametrize(
    ("who", "url", "typed"),
    [
        (
            "alice",
            reverse_lazy("freedoms:budget_new"),
            {"title": "Diabetes pathway", "first_year": "2010", "rationale": "Fewer admissions"},
        ),
        (
            "sara",
            reverse_lazy("freedoms:review_record", args=["5K8"]),
            {"held_on": TODAY.isoformat(), "summary": "Recovery on track"},
        ),
    ],
)
def test_a_form_sent_signed_out_is_back_after_sign_in_and_saves_nothing_meanwhile(
    client, request, tiers, who, url, typed
):
    url = str(url)
    assert "/accounts/login/" in client.post(url, typed)["Location"]
    assert not BudgetProposal.objects.exists()
    assert Standing.objects.get(pct__code="5K8").last_review_on is None
    client.force_login(request.getfixturevalue(who))
    html = client.get(url).content.decode()
    assert "You were signed out before this was sent" in html
    assert all(value in html for value in typed.values())


def test_a_draft_kept_signed_out_is_not_shown_to_someone_who_may_not_use_the_page(
    client, tiers, nick
):
    url = reverse("freedoms:review_record", args=["5K8"])
    client.post(url, {"held_on": TODAY.isoformat(), "summary": "Recovery on track"})
    client.force_login(nick)  # another SHA's assessor signs in in this browser
    response = client.get(url)
    assert response.status_code == 404
    assert "Recovery on track" not in response.content.decode()


def test_an_sha_cannot_review_another_shas_pct(client, tiers, nick):
    client.force_login(nick)
    assert client.get(reverse("freedoms:review_record", args=["5K8"])).status_code == 404


def test_the_review_calendar_query_count_does_not_grow_with_pcts(
    client, dora, sara, london, django_assert_max_num_queries
):
    pcts = list(PCT.objects.filter(sha=london))
    confirmed({pct: "notice" for pct in pcts}, dora)
    Standing.objects.update(next_review_due=TODAY)
    client.force_login(sara)
    with django_assert_max_num_queries(8):
        html = client.get(reverse("freedoms:reviews")).content.decode()
    assert html.count("Record a review") == len(pcts)


def test_budget_proposal_round_trip(client, tiers, alice, lena):
    client.force_login(alice)
    response = client.post(
        reverse("freedoms:budget_new"),
        {
            "title": "Diabetes pathway",
            "first_year": "2010",
            "year_1": "1000000",
            "year_2": "",
            "year_3": "5",
            "rationale": "x",
        },
    )
    assert response.status_code == 400
    assert "Fill in the years in order" in response.content.decode()
    client.post(
        reverse("freedoms:budget_new"),
        {
            "title": "Diabetes pathway",
            "first_year": "2010",
            "year_1": "1000000",
            "year_2": "1200000",
            "rationale": "Fewer admissions",
        },
    )
    proposal = BudgetProposal.objects.get()
    client.force_login(lena)
    url = reverse("freedoms:budget_detail", args=[proposal.pk])
    response = client.post(url, {"decision": "reject", "reason": ""})
    assert response.status_code == 400
    assert "Enter the reason for rejecting the proposal." in response.content.decode()
    client.post(url, {"decision": "approve", "reason": ""})
    assert BudgetProposal.objects.get().status == DecisionStatus.APPROVED


def test_a_budget_of_another_pct_is_not_found(client, tiers, alice, bob):
    proposal = submit_budget_proposal(
        by=alice, title="T", first_year=2010, amounts=[Decimal(1), Decimal(2)], rationale="r"
    )
    client.force_login(bob)
    assert client.get(reverse("freedoms:budget_detail", args=[proposal.pk])).status_code == 404


def test_the_fund_queue_puts_freedom_holders_first_and_dh_decides(client, tiers, alice, bob, dora):
    fund = InnovationFund.objects.get()
    early = apply_to_fund(
        fund, by=bob, title="Islington telehealth", amount=Decimal(40_000_000), summary="x"
    )
    apply_to_fund(fund, by=alice, title="Camden dementia", amount=Decimal(20_000_000), summary="x")
    client.force_login(dora)
    html = client.get(reverse("freedoms:fund")).content.decode()
    assert html.index("Camden dementia") < html.index("Islington telehealth")
    client.post(reverse("freedoms:fund_decide", args=[early.pk]), {"decision": "approve"})
    second = FundApplication.objects.get(title="Camden dementia")
    response = client.post(
        reverse("freedoms:fund_decide", args=[second.pk]), {"decision": "approve"}
    )
    assert response.status_code == 400
    assert "would exceed the fund" in response.content.decode()
    assert FundApplication.objects.get(pk=second.pk).status == DecisionStatus.SUBMITTED


def test_pct_staff_apply_to_the_fund(client, tiers, bob):
    client.force_login(bob)
    response = client.post(
        reverse("freedoms:fund_apply"), {"title": "T", "amount": "", "summary": "s"}
    )
    assert response.status_code == 400
    client.post(reverse("freedoms:fund_apply"), {"title": "T", "amount": "250000", "summary": "s"})
    assert FundApplication.objects.get().pct.code == "5K8"


def test_a_fund_application_sent_signed_out_is_back_in_the_form_after_sign_in(client, tiers, bob):
    """Found in a browser: the session ended while the application was typed, and the
    sign-in page led back to an empty form."""
    url = reverse("freedoms:fund_apply")
    typed = {"title": "Telehealth for COPD", "amount": "250000", "summary": "Fewer admissions."}
    response = client.post(url, typed)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not FundApplication.objects.exists()
    client.force_login(bob)
    html = client.get(url).content.decode()
    assert "You were signed out before this was sent" in html
    assert 'value="Telehealth for COPD"' in html and "Fewer admissions.</textarea>" in html
    # Shown once: the next visit is an empty form again.
    assert "Telehealth for COPD" not in client.get(url).content.decode()


def test_dh_confirms_a_publication_from_the_overview(client, dora, camden, islington):
    publication = publish({camden: "freedoms", islington: "notice"})
    client.force_login(dora)
    assert f"Confirm {publication}" in client.get(reverse("freedoms:overview")).content.decode()
    client.post(reverse("freedoms:publication_confirm", args=[publication.pk]))
    html = client.get(reverse("freedoms:overview")).content.decode()
    assert "Camden" in html and "7 of 7" in html


def test_only_dh_confirms(client, alice, lena, camden):
    publication = publish({camden: "freedoms"})
    for user in (alice, lena):
        client.force_login(user)
        assert (
            client.post(reverse("freedoms:publication_confirm", args=[publication.pk])).status_code
            == 403
        )
    publication.refresh_from_db()
    assert publication.confirmed_at is None


def test_the_calendar_toggle_returns_only_the_fragment_to_htmx(client, tiers, sara):
    client.force_login(sara)
    response = client.get(
        reverse("freedoms:reviews"), {"show": "all"}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert "<html" not in html
    assert 'id="calendar"' in html
    assert "Islington" in html


def test_dh_writes_notes_on_a_seat_at_the_table(client, tiers, dora, camden, alice):
    from freedoms.models import Grant

    grant = Grant.objects.get(pct=camden, freedom__code="seat_at_table")
    client.force_login(dora)
    url = reverse("freedoms:grant_notes", args=["5K7"])
    assert "A seat at the table" in client.get(url).content.decode()
    others = list(Grant.objects.filter(pct=camden).exclude(pk=grant.pk))
    # One form for the page: every grant's notes go together, unchanged ones untouched.
    data = {f"notes-{g.pk}": g.notes for g in others}
    data[f"notes-{grant.pk}"] = "Chief executive joins the DH commissioning board"
    assert client.post(url, data).status_code == 302
    grant.refresh_from_db()
    assert grant.notes.startswith("Chief executive")
    assert AuditEntry.objects.filter(action="grant.notes").count() == 1
    too_long = {**data, f"notes-{grant.pk}": "x" * 2001}
    refused = client.post(url, too_long)
    assert refused.status_code == 400 and "2,000 characters or fewer" in refused.content.decode()
    client.force_login(alice)
    assert client.get(url).status_code == 403
    assert "Chief executive joins" in client.get(reverse("freedoms:mine")).content.decode()


def test_a_note_with_line_breaks_that_fits_the_box_is_saved(client, tiers, dora, camden):
    """A browser counts a line break once against maxlength; a form sends it as CR LF."""
    from freedoms.models import Grant

    grant = Grant.objects.get(pct=camden, freedom__code="seat_at_table")
    client.force_login(dora)
    lines = "\r\n".join(["x" * 49] * 40)  # 1,999 characters in the box, 2,038 as sent
    response = client.post(
        reverse("freedoms:grant_notes", args=["5K7"]), {f"notes-{grant.pk}": lines}
    )
    assert response.status_code == 302
    grant.refresh_from_db()
    assert len(grant.notes) == 1999 and "\r" not in grant.notes


def test_a_note_on_a_grant_that_lapsed_while_the_page_was_open_is_not_lost(
    client, tiers, dora, camden
):
    from freedoms.models import Grant, GrantStatus

    seat = Grant.objects.get(pct=camden, freedom__code="seat_at_table")
    others = list(Grant.objects.filter(pct=camden).exclude(pk=seat.pk))
    client.force_login(dora)
    url = reverse("freedoms:grant_notes", args=["5K7"])
    data = {f"notes-{g.pk}": g.notes for g in others}
    data[f"notes-{seat.pk}"] = "Chief executive joins the board"
    data[f"notes-{others[0].pk}"] = "Agreed with the SHA"
    Grant.objects.filter(pk=seat.pk).update(status=GrantStatus.LAPSED)  # while typing
    audited = AuditEntry.objects.count()
    refused = client.post(url, data)
    html = refused.content.decode()
    assert refused.status_code == 400 and html.startswith("<!DOCTYPE") and "Error:" in html
    assert "Notes on a seat at the table were not saved: the grant lapsed" in html
    assert f'data-testid="lapsed-{seat.pk}"' in html and "Chief executive joins the board" in html
    assert "Agreed with the SHA</textarea>" in html  # the others, still as typed
    assert AuditEntry.objects.count() == audited  # nothing saved
    # Saved again from the page shown (which no longer holds the lapsed grant's box).
    del data[f"notes-{seat.pk}"]
    assert client.post(url, data).status_code == 302
    others[0].refresh_from_db()
    assert others[0].notes == "Agreed with the SHA"
    seat.refresh_from_db()
    assert seat.notes == ""


def _count(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_pct_and_dh_pages_do_not_grow_queries_with_rows(client, tiers, dora, bob, islington):
    plan = Plan.objects.get(pct=islington, subject="notice")
    client.force_login(bob)
    mine_before = _count(client, reverse("freedoms:mine"))
    plan_before = _count(client, reverse("freedoms:plan_detail", args=[plan.pk]))
    client.force_login(dora)
    overview_before = _count(client, reverse("freedoms:overview"))
    fund = InnovationFund.objects.get()
    for i in range(6):
        PlanActionFactory(plan=plan, due_on=TODAY - dt.timedelta(days=i))
        apply_to_fund(fund, by=bob, title=f"Idea {i}", amount=Decimal(1000), summary="s")
    fund_before = _count(client, reverse("freedoms:fund"))
    others = list(PCT.objects.exclude(code__in=["5K7", "5K8", "5ND"])[:20])
    confirmed({pct: "freedoms" if i < 10 else "notice" for i, pct in enumerate(others)}, dora)
    assert _count(client, reverse("freedoms:overview")) == overview_before
    for i in range(6):
        apply_to_fund(fund, by=bob, title=f"More {i}", amount=Decimal(1000), summary="s")
    assert _count(client, reverse("freedoms:fund")) == fund_before
    client.force_login(bob)
    assert _count(client, reverse("freedoms:plan_detail", args=[plan.pk])) == plan_before
    assert _count(client, reverse("freedoms:mine")) == mine_before


# --- A poorer PCT asks for help; tiers checked again at each step (issue 12) ---------------


def _ask(client, franchisor, **kw):
    data = {
        "franchisor": franchisor.pk,
        "all_services": "false",
        "service": "Podiatry",
        "starts_on": "2010-10-01",
        "ends_on": "2011-03-31",
        **kw,
    }
    return client.post(reverse("freedoms:franchise_request"), data)


def test_an_approver_in_support_or_on_notice_is_offered_the_request(client, tiers, ian, bob):
    client.force_login(ian)
    assert "Ask a PCT for a franchise" in client.get(reverse("freedoms:mine")).content.decode()
    client.force_login(bob)  # Islington's staff: the approver asks
    assert "Ask a PCT for a franchise" not in client.get(reverse("freedoms:mine")).content.decode()
    assert client.get(reverse("freedoms:franchise_request")).status_code == 403


def test_the_request_form_lists_only_pcts_holding_the_franchising_freedom(
    client, tiers, ian, durham
):
    client.force_login(ian)
    html = client.get(reverse("freedoms:franchise_request")).content.decode()
    assert ">Camden<" in html
    assert ">County Durham<" not in html and ">Islington<" not in html


def test_asking_then_answering_then_approving_through_the_pages(
    client, tiers, ian, ann, lena, camden, islington
):
    client.force_login(ian)
    response = _ask(client, camden)
    franchise = Franchise.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("freedoms:franchise_detail", args=[franchise.pk])
    page = client.get(response["Location"]).content.decode()
    assert "Requested by receiving PCT" in page
    assert "Accept request" not in page  # Islington waits for Camden's answer
    client.force_login(ann)
    page = client.get(response["Location"]).content.decode()
    assert "Accept request" in page and "Decline request" in page
    assert "Requested by receiving PCT" in client.get(reverse("freedoms:mine")).content.decode()
    client.post(reverse("freedoms:franchise_step", args=[franchise.pk, "accept"]))
    client.force_login(lena)
    approvals = client.get(reverse("freedoms:approvals")).content.decode()
    assert "Camden for Islington: Podiatry" in approvals and "requested by Islington" in approvals
    client.post(reverse("freedoms:franchise_step", args=[franchise.pk, "approve"]))
    franchise.refresh_from_db()
    assert franchise.status == FranchiseStatus.APPROVED
    assert franchise.initiator == "receiver"


def test_a_refused_request_shows_the_error_summary_and_keeps_the_input(
    client, tiers, ian, alice, camden, islington
):
    _franchise(alice, islington)  # Community dentistry, October 2010 to September 2011
    client.force_login(ian)
    response = _ask(client, camden, service="Community dentistry")
    html = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in html
    assert "These dates overlap an existing franchise" in html
    assert 'value="Community dentistry"' in html
    assert Franchise.objects.count() == 1


def test_an_answer_refused_because_the_tier_changed_is_shown_and_changes_nothing(
    client, tiers, dora, alice, ian, camden, islington
):
    from tests.factories import CycleFactory

    franchise = _franchise(alice, islington)
    confirmed(
        {camden: "freedoms", islington: "freedoms"},
        dora,
        cycle=CycleFactory(year_label="2010/11", open_phase=5),
    )
    client.force_login(ian)
    response = client.post(reverse("freedoms:franchise_step", args=[franchise.pk, "accept"]))
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html
    assert "Islington is now in the freedoms tier" in html
    franchise.refresh_from_db()
    assert franchise.status == FranchiseStatus.PROPOSED
