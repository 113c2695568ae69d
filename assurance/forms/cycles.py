"""Forms of the cycle pages (DH staff): a cycle, its phases, its rule settings, a reason."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from wcc.forms import ModelChoiceField, NHSForm, Textarea


class ReasonForm(NHSForm):
    reason = forms.CharField(
        label="Reason",
        widget=Textarea(attrs={"rows": 3}),
        error_messages={"required": "Give a reason"},
    )

    def __init__(self, *args: Any, required: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = required
        if not required:
            self.fields["reason"].label = "Reason (optional)"


class CycleForm(NHSForm):
    year_label = forms.CharField(label="Year", help_text="For example, 2010/11", max_length=7)
    framework = ModelChoiceField(label="Competency framework", queryset=None)

    def __init__(self, *args: Any, frameworks: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["framework"].queryset = frameworks
        for kind in range(1, 6):
            self.fields[f"phase_{kind}_opens"] = forms.DateField(
                label=f"Phase {kind} opens", widget=forms.DateInput(attrs={"type": "date"})
            )
            self.fields[f"phase_{kind}_closes"] = forms.DateField(
                label=f"Phase {kind} closes", widget=forms.DateInput(attrs={"type": "date"})
            )

    def phase_dates(self) -> dict[int, tuple[dt.date, dt.date]]:
        return {
            k: (self.cleaned_data[f"phase_{k}_opens"], self.cleaned_data[f"phase_{k}_closes"])
            for k in range(1, 6)
        }


class RuleSettingsForm(NHSForm):
    freedoms_cap = forms.IntegerField(label="Freedoms tier cap", min_value=0)
    notice_cap = forms.IntegerField(label="On-notice cap", min_value=0)
    min_level_four = forms.IntegerField(
        label="Minimum number of level-4 competencies for freedoms", min_value=0, max_value=11
    )
    elite_share = forms.DecimalField(
        label="Elite candidate share",
        min_value=0,
        max_value=1,
        decimal_places=3,
        help_text="0.2 means the top 20% of ranked PCTs",
    )
    outcome_threshold = forms.DecimalField(
        label="Improved health outcomes threshold", min_value=0, max_value=1, decimal_places=3
    )
    # Due process (§8). Optional in a post: left out, the cycle keeps its current value.
    accuracy_check_days = forms.IntegerField(
        label="Factual accuracy check (working days)", min_value=1, max_value=60, required=False
    )
    review_days = forms.IntegerField(
        label="Rating review window (days after confirmation)",
        min_value=1,
        max_value=365,
        required=False,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for name in ("accuracy_check_days", "review_days"):
            if data.get(name) is None:
                data.pop(name, None)
        return data
