"""Forms of the self-assessment pages. They only parse input; the services hold the rules."""

from __future__ import annotations

from typing import Any

from django import forms

from assurance.models import RAG, Direction, DocumentKind
from wcc.forms import ModelChoiceField, NHSForm, Textarea

LEVEL_CHOICES = [
    (1, "1 – Developing"),
    (2, "2 – Established in parts"),
    (3, "3 – Consistent"),
    (4, "4 – World class"),
]


class VersionedForm(NHSForm):
    """A form over a versioned entry: ``version`` is what the editor loaded."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    # "Replace theirs with mine" after a conflict posts the other person's version here.
    version_override = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "%s")
        super().__init__(*args, **kwargs)

    @property
    def base_version(self) -> int:
        override = self.cleaned_data.get("version_override")
        return override if override is not None else self.cleaned_data["version"]


class RatingForm(VersionedForm):
    level = forms.TypedChoiceField(
        label="Level",
        choices=LEVEL_CHOICES,
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose a level from 1 to 4"},
    )
    evidence = forms.CharField(
        label="Evidence",
        help_text="What shows this level: documents, board decisions, measurable results.",
        required=False,
        strip=False,
        widget=Textarea(attrs={"rows": 8}),
    )


class GovernanceForm(VersionedForm):
    rating = forms.ChoiceField(
        label="Your rating",
        choices=RAG.choices,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose red, amber or green"},
    )
    commentary = forms.CharField(
        label="Commentary",
        help_text="Needed if you rate amber or red: say why, and what a recovery plan agreed "
        "with your SHA would address.",
        required=False,
        strip=False,
        widget=Textarea(attrs={"rows": 5}),
    )


class ChooseOutcomeForm(NHSForm):
    indicator = ModelChoiceField(
        label="Outcome indicator",
        queryset=None,
        empty_label="Choose an outcome",
        error_messages={"required": "Choose an outcome", "invalid_choice": "Choose an outcome"},
    )

    def __init__(self, *args: Any, indicators: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["indicator"].queryset = indicators


class OutcomeForm(VersionedForm):
    # Every indicator on the menu counts something (a rate, a share): never below 0.
    baseline = forms.DecimalField(
        label="Baseline",
        max_digits=12,
        decimal_places=3,
        min_value=0,
        required=False,
        error_messages={
            "invalid": "Enter the baseline as a number",
            "min_value": "Enter a baseline of 0 or more",
        },
    )
    target = forms.DecimalField(
        label="This year's trajectory target",
        max_digits=12,
        decimal_places=3,
        min_value=0,
        required=False,
        error_messages={
            "invalid": "Enter the target as a number",
            "min_value": "Enter a target of 0 or more",
        },
    )
    direction = forms.ChoiceField(label="Direction", choices=Direction.choices)


class UploadForm(NHSForm):
    kind = forms.ChoiceField(
        label="What is this document?",
        choices=DocumentKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what kind of document this is"},
    )
    title = forms.CharField(label="Title (optional)", required=False, max_length=200)
    file = forms.FileField(
        label="Upload a file",
        help_text="PDF, DOCX, XLSX, ODT, PNG or JPEG",
        error_messages={
            "required": "Select a file to upload",
            "empty": "The selected file is empty",
        },
    )


class SubmitForm(NHSForm):
    board_ratified_on = forms.DateField(
        label="Date the board ratified the self-assessment",
        help_text="For example, 10 12 2009",
        input_formats=["%d %m %Y", "%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y"],
        error_messages={
            "required": "Enter the date the board ratified the self-assessment",
            "invalid": "Enter a real date, for example 10 12 2009",
        },
    )
