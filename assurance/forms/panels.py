"""Forms for panel days, review notes, score sheets, consensus and moderation.

Forms only turn text into values with a clear message next to the field; the rules
(rationale required, levels 1–4, phases) are checked again by the services.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from assurance.models import PCT, RAG, SHA_ROLES, User
from assurance.queries.panel_items import ACTUAL, LEVEL, RATING, Item
from wcc.forms import ModelChoiceField, ModelMultipleChoiceField, NHSForm, Textarea

LEVEL_CHOICES = [(n, str(n)) for n in (1, 2, 3, 4)]


class PanelMembersForm(NHSForm):
    members = ModelMultipleChoiceField(
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one panel member"},
        help_text="The SHA's assessors and external peer experts.",
    )

    def __init__(self, *args: Any, sha_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = User.objects.filter(
            sha_id=sha_id, role__in=[r.value for r in SHA_ROLES], is_active=True
        ).order_by("full_name")
        self.fields["members"].label_from_instance = lambda u: (
            f"{u.full_name} ({u.get_role_display()})"
        )


class PanelDayForm(PanelMembersForm):
    field_order = ["date", "venue", "members"]

    date = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": "Enter the date of the panel day",
            "invalid": "Enter a real date, like 2010-04-20",
        },
    )
    venue = forms.CharField(max_length=200, error_messages={"required": "Enter the venue"})


class SlotTimeForm(NHSForm):
    starts_at = forms.TimeField(
        label="Starts at",
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"required": "Enter the start time", "invalid": "Enter a time, like 10:00"},
    )
    ends_at = forms.TimeField(
        label="Ends at",
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"required": "Enter the end time", "invalid": "Enter a time, like 12:00"},
    )


class SlotForm(SlotTimeForm):
    field_order = ["pct", "starts_at", "ends_at"]

    pct = ModelChoiceField(
        label="PCT",
        queryset=PCT.objects.none(),
        error_messages={"required": "Choose the PCT", "invalid_choice": "Choose a PCT of this SHA"},
    )

    def __init__(self, *args: Any, sha_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["pct"].queryset = PCT.objects.filter(sha_id=sha_id).order_by("name")


class RemoveSlotForm(NHSForm):
    reason = forms.CharField(
        label="Why is this PCT coming off the panel day?",
        widget=Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Give the reason for removing this slot"},
    )


NOTE_MAX_CHARS = 10_000


class ReviewNoteForm(NHSForm):
    note = forms.CharField(
        label="Review notes",
        widget=Textarea(attrs={"rows": 3}),
        required=False,
        max_length=NOTE_MAX_CHARS,
        error_messages={"max_length": "Review notes must be 10,000 characters or fewer"},
    )
    questions = forms.CharField(
        label="Questions for the panel day",
        widget=Textarea(attrs={"rows": 3}),
        required=False,
        max_length=NOTE_MAX_CHARS,
        error_messages={"max_length": "Questions must be 10,000 characters or fewer"},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.errors:  # a note too long is not also "empty"
            return data
        if not (data.get("note", "").strip() or data.get("questions", "").strip()):
            self.add_error("note", "Enter a note or a question")
        return data


def value_field(item: Item, *, label: str, required: bool = False) -> forms.Field:
    if item.kind == LEVEL:
        return forms.TypedChoiceField(
            label=label,
            choices=LEVEL_CHOICES,
            coerce=int,
            required=required,
            widget=forms.RadioSelect,
            error_messages={
                "invalid_choice": f"Choose a level from 1 to 4 for {item.label}.",
                "required": f"Choose a level from 1 to 4 for {item.label}.",
            },
        )
    if item.kind == RATING:
        return forms.ChoiceField(
            label=label,
            choices=RAG.choices,
            required=required,
            widget=forms.RadioSelect,
            error_messages={
                "invalid_choice": f"Choose red, amber or green for {item.label}.",
                "required": f"Choose red, amber or green for {item.label}.",
            },
        )
    assert item.kind == ACTUAL
    return forms.DecimalField(
        label=label,
        max_digits=12,
        decimal_places=3,
        min_value=0,
        required=required,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "nhsuk-input--width-10"}),
        error_messages={
            "invalid": f"Enter the actual value for {item.label} as a number, like 12.5.",
            "min_value": f"Enter an actual value for {item.label} of 0 or more.",
            "required": f"Enter the actual value for {item.label}.",
            "max_digits": f"Enter the actual value for {item.label} with at most 9 digits before the point.",
            "max_decimal_places": f"Enter the actual value for {item.label} with at most 3 decimal places.",
            "max_whole_digits": f"Enter the actual value for {item.label} with at most 9 digits before the point.",
        },
    )


VALUE_LABELS = {LEVEL: "Level", RATING: "Rating", ACTUAL: "Actual value"}


class ItemsForm(NHSForm):
    """A value and a rationale for each item (a member's score sheet, or the consensus)."""

    def __init__(self, *args: Any, items: list[Item], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = items
        for item in items:
            p = item.field_prefix
            self.fields[f"{p}__value"] = value_field(
                item, label=f"{VALUE_LABELS[item.kind]}: {item.label}"
            )
            self.fields[f"{p}__rationale"] = forms.CharField(
                label=f"Rationale: {item.label}",
                required=False,
                widget=Textarea(attrs={"rows": 2}),
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for item in self.items:
            p = item.field_prefix
            value = data.get(f"{p}__value")
            if value not in (None, "") and not data.get(f"{p}__rationale", "").strip():
                self.add_error(f"{p}__rationale", f"Enter a rationale for {item.label}.")
        return data

    def values(self) -> dict[str, tuple[Any, str]]:
        out: dict[str, tuple[Any, str]] = {}
        for item in self.items:
            p = item.field_prefix
            value = self.cleaned_data.get(f"{p}__value")
            out[item.key] = (
                None if value == "" else value,
                self.cleaned_data.get(f"{p}__rationale", ""),
            )
        return out

    def rows(self) -> list[tuple[Item, forms.BoundField, forms.BoundField]]:
        return [
            (i, self[f"{i.field_prefix}__value"], self[f"{i.field_prefix}__rationale"])
            for i in self.items
        ]

    def groups(self) -> list[tuple[str, list[tuple[Item, forms.BoundField, forms.BoundField]]]]:
        out: list[tuple[str, list[tuple[Item, forms.BoundField, forms.BoundField]]]] = []
        for row in self.rows():
            if not out or out[-1][0] != row[0].group:
                out.append((row[0].group, []))
            out[-1][1].append(row)
        return out


def initial_from_rows(items: list[Item], rows: dict[str, Any]) -> dict[str, Any]:
    initial: dict[str, Any] = {}
    for item in items:
        row = rows.get(item.key)
        if row is None:
            continue
        value = getattr(row, item.kind)
        if isinstance(value, Decimal):
            value = f"{value.normalize():f}"
        initial[f"{item.field_prefix}__value"] = value
        initial[f"{item.field_prefix}__rationale"] = row.rationale
    return initial


class ModerationForm(NHSForm):
    reason = forms.CharField(
        label="Reason for the change",
        widget=Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter the reason for moderating this score."},
        help_text="Recorded in the trail with your name, the stage and the time.",
    )

    def __init__(self, *args: Any, item: Item, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.item = item
        self.fields["value"] = value_field(
            item, label=f"Moderated {VALUE_LABELS[item.kind].lower()}", required=True
        )
        self.order_fields(["value", "reason"])
