"""Freedoms forms bound what a person may type (issue 13, finding 8: 1E+20 amounts, 4 MB
summaries and year-1 dates were accepted)."""

from __future__ import annotations

import pytest

from freedoms.forms import (
    BudgetProposalForm,
    DecisionForm,
    FundApplicationForm,
    PlanActionForm,
    ReasonForm,
    ReviewForm,
)

HUGE_TEXT = "x" * (4 << 20)


def budget(**fields):
    data = {"title": "Diabetes pathway", "first_year": "2010", "year_1": "1000000"}
    data |= {"year_2": "1200000", "rationale": "Fewer admissions", **fields}
    return BudgetProposalForm(data)


def test_an_ordinary_budget_proposal_is_valid():
    assert budget().is_valid(), budget().errors


@pytest.mark.parametrize("amount", ["1E+20", "5000000000.01", "99999999999999", "-1"])
def test_budget_amounts_are_bounded(amount):
    form = budget(year_2=amount)
    assert not form.is_valid()
    assert "year_2" in form.errors


def test_the_most_a_budget_year_may_be():
    assert budget(year_2="5000000000").is_valid()


def test_a_budget_rationale_is_bounded():
    assert "rationale" in budget(rationale=HUGE_TEXT).errors


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"amount": "1E+20"}, "amount"),
        ({"summary": HUGE_TEXT}, "summary"),
    ],
)
def test_fund_applications_are_bounded(fields, field):
    form = FundApplicationForm(
        {"title": "Telehealth", "amount": "250000", "summary": "s", **fields}
    )
    assert not form.is_valid()
    assert field in form.errors


@pytest.mark.parametrize("due_on", ["0001-01-01", "1999-12-31", "2100-01-01", "9999-12-31"])
def test_plan_action_dates_are_in_a_sensible_range(due_on):
    form = PlanActionForm({"description": "Hire a lead", "owner": "Director", "due_on": due_on})
    assert form.errors["due_on"] == ["Enter a date between 1 January 2000 and 31 December 2099"]


def test_plan_actions_are_bounded_in_length():
    form = PlanActionForm({"description": HUGE_TEXT, "owner": "D", "due_on": "2010-06-30"})
    assert "description" in form.errors
    assert PlanActionForm({"description": "d", "owner": "D", "due_on": "2010-06-30"}).is_valid()


def test_review_dates_and_summaries_are_bounded():
    form = ReviewForm({"held_on": "0001-01-01", "summary": HUGE_TEXT})
    assert set(form.errors) == {"held_on", "summary"}


@pytest.mark.parametrize("form_class", [ReasonForm, DecisionForm])
def test_reasons_are_bounded(form_class):
    form = form_class({"decision": "reject", "reason": HUGE_TEXT})
    assert "reason" in form.errors


@pytest.mark.django_db
def test_franchise_dates_are_in_a_sensible_range(reference_data):
    from assurance.models import PCT
    from freedoms.forms import FranchiseProposalForm

    form = FranchiseProposalForm(
        {"all_services": "true", "starts_on": "0001-01-01", "ends_on": "9999-12-31"},
        franchisor=PCT.objects.get(code="5K7"),
    )
    assert "starts_on" in form.errors and "ends_on" in form.errors


@pytest.mark.django_db
def test_a_fund_application_of_1e20_is_refused_on_the_page(client, dora, camden, islington, bob):
    from django.urls import reverse

    from freedoms.models import FundApplication
    from tests.freedoms.factories import confirmed

    confirmed({camden: "freedoms", islington: "notice"}, dora)
    client.force_login(bob)
    response = client.post(
        reverse("freedoms:fund_apply"), {"title": "T", "amount": "1E+20", "summary": "s"}
    )
    assert response.status_code == 400
    assert "£5,000,000,000 or less" in response.content.decode()
    assert not FundApplication.objects.exists()
