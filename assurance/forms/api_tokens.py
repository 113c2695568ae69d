"""The form of the API tokens page: a name for a new token."""

from __future__ import annotations

from django import forms

from wcc.forms import NHSForm


class ApiTokenForm(NHSForm):
    name = forms.CharField(
        label="Token name",
        help_text="What it is for, so you can tell your tokens apart: for example, "
        "“Regional dashboard”",
        max_length=100,
        error_messages={"required": "Enter a name for the token"},
    )
