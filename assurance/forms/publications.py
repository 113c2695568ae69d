"""Forms of the publication pages (DH staff)."""

from __future__ import annotations

from typing import Any

from django import forms

from assurance.models import PCT
from wcc.forms import ModelChoiceField, NHSForm, Textarea


class LeaveOutForm(NHSForm):
    """Leave a PCT out of a cycle's publication, with the reason (domain brief §4 [rule])."""

    pct = ModelChoiceField(label="PCT", queryset=PCT.objects.none(), empty_label="Choose a PCT")
    reason = forms.CharField(
        label="Reason",
        help_text="For example: merged with its neighbour in 2010, or no panel was held.",
        max_length=500,
        widget=Textarea(attrs={"rows": 2}),
        error_messages={"required": "Enter the reason for leaving this PCT out."},
    )

    def __init__(self, *args: Any, pcts: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["pct"].queryset = pcts
