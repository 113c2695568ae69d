"""Forms for freedoms pages. Validation of shape only; the rules live in eligibility.py."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from assurance.models import PCT
from freedoms.models import ActionStatus
from wcc.forms import ModelChoiceField, NHSForm

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class FranchiseProposalForm(NHSForm):
    receiver = ModelChoiceField(
        label="Receiving PCT",
        queryset=PCT.objects.none(),
        help_text="A PCT in the support or on-notice tier.",
        empty_label="Choose a PCT",
    )
    all_services = forms.TypedChoiceField(
        label="What will you commission?",
        choices=[("false", "One named service"), ("true", "All services")],
        coerce=lambda v: v == "true",
        widget=forms.RadioSelect,
        initial="false",
    )
    service = forms.CharField(
        label="Service",
        required=False,
        max_length=150,
        help_text="For example, community dentistry.",
    )
    starts_on = forms.DateField(label="Start date", widget=DATE)
    ends_on = forms.DateField(label="End date", widget=DATE)

    def __init__(self, *args: Any, franchisor: PCT, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["receiver"].queryset = (  # type: ignore[attr-defined]
            PCT.objects.filter(standing__isnull=False).exclude(pk=franchisor.pk).order_by("name")
        )


class ReasonForm(NHSForm):
    reason = forms.CharField(label="Reason", widget=forms.Textarea(attrs={"rows": 3}))


class DecisionForm(NHSForm):
    decision = forms.ChoiceField(
        label="Decision",
        choices=[("approve", "Approve"), ("reject", "Reject")],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label="Reason",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required when you reject.",
    )


class BudgetProposalForm(NHSForm):
    title = forms.CharField(max_length=150)
    first_year = forms.TypedChoiceField(
        label="First financial year",
        choices=[(y, f"{y}/{(y + 1) % 100:02d}") for y in range(2010, 2014)],
        coerce=int,
    )
    year_1 = forms.DecimalField(label="Year 1 amount (£)", min_value=0, decimal_places=2)
    year_2 = forms.DecimalField(label="Year 2 amount (£)", min_value=0, decimal_places=2)
    year_3 = forms.DecimalField(
        label="Year 3 amount (£)", required=False, min_value=0, decimal_places=2
    )
    year_4 = forms.DecimalField(
        label="Year 4 amount (£)", required=False, min_value=0, decimal_places=2
    )
    year_5 = forms.DecimalField(
        label="Year 5 amount (£)", required=False, min_value=0, decimal_places=2
    )
    rationale = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}))

    def amounts(self) -> list[Decimal]:
        """The amounts entered, year by year, up to the first empty year."""
        amounts: list[Decimal] = []
        for i in range(1, 6):
            value = self.cleaned_data.get(f"year_{i}")
            if value is None:
                break
            amounts.append(value)
        return amounts

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        filled = [i for i in range(1, 6) if data.get(f"year_{i}") is not None]
        if filled and filled != list(range(1, len(filled) + 1)):
            self.add_error(f"year_{filled[-1]}", "Fill in the years in order, with no gaps.")
        return data


class FundApplicationForm(NHSForm):
    title = forms.CharField(max_length=150)
    amount = forms.DecimalField(label="Amount (£)", min_value=0, decimal_places=2, max_digits=14)
    summary = forms.CharField(
        label="What the money will do", widget=forms.Textarea(attrs={"rows": 5})
    )


class PlanActionForm(NHSForm):
    description = forms.CharField(label="Action", widget=forms.Textarea(attrs={"rows": 2}))
    owner = forms.CharField(max_length=150, help_text="The person accountable, by role.")
    due_on = forms.DateField(label="Due date", widget=DATE)


class ActionStatusForm(NHSForm):
    status = forms.ChoiceField(choices=ActionStatus.choices, label="Status")


class ReviewForm(NHSForm):
    held_on = forms.DateField(label="Date of the review", widget=DATE)
    summary = forms.CharField(
        label="Summary",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What was reviewed and agreed.",
    )


class GrantNotesForm(NHSForm):
    grant = forms.IntegerField(widget=forms.HiddenInput)
    notes = forms.CharField(
        label="Notes", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
