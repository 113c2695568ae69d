"""Forms for freedoms pages. Validation of shape only; the rules live in eligibility.py."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator

from assurance.models import PCT
from assurance.rules.consequences import FreedomCode
from freedoms.models import ActionStatus, GrantStatus
from wcc.forms import ModelChoiceField, NHSForm, Textarea

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

# Sane bounds on what a person types (issue 13, finding 8: 1E+20 amounts, 4 MB summaries
# and year-1 dates were accepted). No PCT's annual budget came near £5bn; the freedoms
# ran from 2009, and nothing is planned beyond 2099.
MAX_POUNDS = Decimal("5000000000")
LONG_TEXT = 5000
REASON_TEXT = 2000
EARLIEST = dt.date(2000, 1, 1)
LATEST = dt.date(2099, 12, 31)


def pounds(label: str, *, required: bool = True) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        min_value=0,
        max_value=MAX_POUNDS,
        max_digits=12,
        decimal_places=2,
        error_messages={"max_value": "Enter an amount of £5,000,000,000 or less"},
    )


def date(label: str) -> forms.DateField:
    between = "Enter a date between 1 January 2000 and 31 December 2099"
    return forms.DateField(
        label=label,
        widget=DATE,
        validators=[MinValueValidator(EARLIEST, between), MaxValueValidator(LATEST, between)],
    )


class FranchiseScopeForm(NHSForm):
    """What a franchise covers and when: shared by a proposal and a request."""

    all_services = forms.TypedChoiceField(
        label="What will be commissioned?",
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
    starts_on = date("Start date")
    ends_on = date("End date")


class FranchiseProposalForm(FranchiseScopeForm):
    receiver = ModelChoiceField(
        label="Receiving PCT",
        queryset=PCT.objects.none(),
        help_text="A PCT in the support or on-notice tier.",
        empty_label="Choose a PCT",
    )
    field_order = ["receiver"]

    def __init__(self, *args: Any, franchisor: PCT, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["all_services"].label = "What will you commission?"
        self.fields["receiver"].queryset = (  # type: ignore[attr-defined]
            PCT.objects.filter(standing__isnull=False).exclude(pk=franchisor.pk).order_by("name")
        )


class FranchiseRequestForm(FranchiseScopeForm):
    franchisor = ModelChoiceField(
        label="PCT to ask",
        queryset=PCT.objects.none(),
        help_text="A PCT holding the franchising freedom.",
        empty_label="Choose a PCT",
    )
    field_order = ["franchisor"]

    def __init__(self, *args: Any, receiver: PCT, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["all_services"].label = "What do you ask them to commission?"
        self.fields["franchisor"].queryset = (  # type: ignore[attr-defined]
            PCT.objects.filter(
                grants__freedom__code=FreedomCode.FRANCHISING, grants__status=GrantStatus.ACTIVE
            )
            .exclude(pk=receiver.pk)
            .order_by("name")
        )


class ReasonForm(NHSForm):
    reason = forms.CharField(
        label="Reason", max_length=REASON_TEXT, widget=Textarea(attrs={"rows": 3})
    )


class DecisionForm(NHSForm):
    decision = forms.ChoiceField(
        label="Decision",
        choices=[("approve", "Approve"), ("reject", "Reject")],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label="Reason",
        required=False,
        max_length=REASON_TEXT,
        widget=Textarea(attrs={"rows": 3}),
        help_text="Required when you reject.",
    )


class BudgetProposalForm(NHSForm):
    title = forms.CharField(max_length=150)
    first_year = forms.TypedChoiceField(
        label="First financial year",
        choices=[(y, f"{y}/{(y + 1) % 100:02d}") for y in range(2010, 2014)],
        coerce=int,
    )
    year_1 = pounds("Year 1 amount (£)")
    year_2 = pounds("Year 2 amount (£)")
    year_3 = pounds("Year 3 amount (£)", required=False)
    year_4 = pounds("Year 4 amount (£)", required=False)
    year_5 = pounds("Year 5 amount (£)", required=False)
    rationale = forms.CharField(max_length=LONG_TEXT, widget=Textarea(attrs={"rows": 5}))

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
    amount = pounds("Amount (£)")
    summary = forms.CharField(
        label="What the money will do",
        max_length=LONG_TEXT,
        widget=Textarea(attrs={"rows": 5}),
    )


class PlanActionForm(NHSForm):
    description = forms.CharField(
        label="Action", max_length=LONG_TEXT, widget=Textarea(attrs={"rows": 2})
    )
    owner = forms.CharField(max_length=150, help_text="The person accountable, by role.")
    due_on = date("Due date")


class ActionStatusForm(NHSForm):
    status = forms.ChoiceField(choices=ActionStatus.choices, label="Status")


class ReviewForm(NHSForm):
    held_on = date("Date of the review")
    summary = forms.CharField(
        label="Summary",
        max_length=LONG_TEXT,
        widget=Textarea(attrs={"rows": 4}),
        help_text="What was reviewed and agreed.",
    )


def _in_a_sentence(grant: Any) -> str:
    """The freedom's name inside a sentence: "highlighted as a top PCT" keeps its PCT."""
    name: str = grant.freedom.name
    return name[:1].lower() + name[1:]


class GrantNotesForm(NHSForm):
    """One page, one form: a notes field per grant the PCT holds, all saved together."""

    def __init__(self, *args: Any, grants: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for grant in grants:
            name = _in_a_sentence(grant)
            self.fields[f"notes-{grant.pk}"] = forms.CharField(
                label=f"Notes on {name}",
                required=False,
                max_length=2000,
                initial=grant.notes,
                widget=Textarea(attrs={"rows": 2}),
                error_messages={"max_length": f"Notes on {name} must be 2,000 characters or fewer"},
            )

    @staticmethod
    def posted_grant_ids(data: Any) -> set[int]:
        """The grants the page was showing when it was sent (at most 100 read)."""
        ids = set()
        for name in list(data)[:100]:
            number = name.removeprefix("notes-")
            if name.startswith("notes-") and number.isdigit() and len(number) < 10:
                ids.add(int(number))
        return ids

    def lapsed_notes(self, lapsed: list[Any]) -> list[tuple[Any, str]]:
        """(grant, what was typed) for each grant that lapsed while the page was open and
        whose notes were changed on it: they cannot be saved, and are not to be lost."""
        typed = []
        for grant in lapsed:
            field = Textarea().value_from_datadict(self.data, self.files, f"notes-{grant.pk}")
            if isinstance(field, str) and field.strip() != grant.notes:
                self.add_error(
                    None,
                    f"Notes on {_in_a_sentence(grant)} were not saved: the grant lapsed while "
                    "this page was open, so its notes can no longer change. What you typed is "
                    "shown below. Nothing else was saved: save again to keep the other notes.",
                )
                typed.append((grant, field.strip()))
        return typed

    def changed_notes(self, grants: list[Any]) -> list[tuple[Any, str]]:
        """(grant, notes) for each grant whose notes differ from what is saved."""
        return [
            (g, self.cleaned_data[f"notes-{g.pk}"])
            for g in grants
            if self.cleaned_data.get(f"notes-{g.pk}", g.notes).strip() != g.notes
        ]
