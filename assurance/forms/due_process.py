"""Forms of the due process pages (domain brief §8). They parse input only; the services
decide, and a refusal comes back through ``form.add_service_error``."""

from __future__ import annotations

from typing import Any

from django import forms

from assurance.queries.panel_items import Item
from assurance.services.due_process import MAX_UPLOADS, TEXT_LIMIT
from wcc.forms import NHSForm, Textarea

from .panels import value_field

DATE_FORMATS = ["%Y-%m-%d", "%d %m %Y", "%d/%m/%Y"]


class OpenWindowForm(NHSForm):
    opens_on = forms.DateField(
        label="Opens on",
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": "Enter the day the check opens",
            "invalid": "Enter a real date, like 2010-07-01",
        },
    )
    closes_on = forms.DateField(
        label="Closes on (optional)",
        required=False,
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Leave empty for the cycle's setting in working days.",
        error_messages={"invalid": "Enter a real date, like 2010-07-14"},
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, list | tuple) else [data] if data else []
        if len(files) > MAX_UPLOADS:
            raise forms.ValidationError(f"Attach {MAX_UPLOADS} files or fewer.")
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


class ChallengeForm(NHSForm):
    what_is_wrong = forms.CharField(
        label="What is factually wrong",
        max_length=TEXT_LIMIT,
        widget=Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter what is factually wrong."},
    )
    correction = forms.CharField(
        label="The correction you ask for",
        max_length=TEXT_LIMIT,
        widget=Textarea(attrs={"rows": 2}),
        error_messages={"required": "Enter the correction you ask for."},
    )
    evidence = forms.CharField(
        label="Evidence (optional)",
        max_length=TEXT_LIMIT,
        required=False,
        widget=Textarea(attrs={"rows": 4}),
        help_text="Where the panel can find what shows the fact, for example board minutes.",
    )
    files = MultipleFileField(
        label="Attach files (optional)",
        required=False,
        help_text=f"Up to {MAX_UPLOADS} files: PDF, DOCX, XLSX, ODT, PNG or JPEG",
        error_messages={"empty": "The selected file is empty"},
    )


ANSWERS = [("accepted", "Accepted: moderate the item"), ("not_accepted", "Not accepted")]


class AnswerForm(NHSForm):
    answer = forms.ChoiceField(
        label="Your answer",
        choices=ANSWERS,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether the challenge is accepted."},
    )
    reason = forms.CharField(
        label="Reasons",
        max_length=TEXT_LIMIT,
        widget=Textarea(attrs={"rows": 3}),
        help_text="The PCT sees your answer and reasons.",
        error_messages={"required": "Enter the reasons for your answer."},
    )

    def __init__(self, *args: Any, item: Item, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["value"] = value_field(item, label="Corrected value (when accepted)")
        self.order_fields(["answer", "value", "reason"])

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("answer") == "accepted" and data.get("value") in (None, ""):
            self.add_error("value", "Choose the corrected value for an accepted challenge.")
        return data


class ReviewForm(NHSForm):
    items = forms.MultipleChoiceField(
        label="Which items should DH review?",
        widget=forms.CheckboxSelectMultiple,
        help_text="An item already named in a review of this version cannot be named again.",
        error_messages={
            "required": "Choose at least one item to review.",
            "invalid_choice": "Choose items of your own PCT's result.",
        },
    )
    grounds = forms.CharField(
        label="Grounds for the review",
        max_length=TEXT_LIMIT,
        widget=Textarea(attrs={"rows": 5}),
        error_messages={"required": "Enter the grounds for the review."},
    )

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["items"].choices = choices


DECISIONS = [("upheld", "Upheld: moderate the items"), ("not_upheld", "Not upheld")]


class DecisionForm(NHSForm):
    decision = forms.ChoiceField(
        label="Decision",
        choices=DECISIONS,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether the review is upheld."},
    )
    reason = forms.CharField(
        label="Reasons",
        max_length=TEXT_LIMIT,
        widget=Textarea(attrs={"rows": 3}),
        help_text="The PCT sees the decision and reasons; an upheld review's reasons are "
        "printed in the corrected version.",
        error_messages={"required": "Enter the reasons for the decision."},
    )

    def __init__(self, *args: Any, items: list[tuple[int, Item]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.item_fields = []
        for pk, item in items:
            name = f"item_{pk}"
            self.fields[name] = value_field(item, label=f"New value: {item.label}")
            self.item_fields.append(name)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("decision") == "upheld":
            for name in self.item_fields:
                if data.get(name) in (None, "") and name not in self.errors:
                    self.add_error(name, f"Choose the {self.fields[name].label.lower()}.")
        return data

    def values(self) -> dict[int, Any]:
        return {int(n.removeprefix("item_")): self.cleaned_data.get(n) for n in self.item_fields}


class OverrideForm(NHSForm):
    """DH staff start a publication while challenges are unanswered, with the reason."""

    override_reason = forms.CharField(
        label="Reason for publishing before every challenge is answered",
        required=False,
        max_length=TEXT_LIMIT,
        widget=Textarea(attrs={"rows": 2}),
    )
