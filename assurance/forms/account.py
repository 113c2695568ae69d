"""The "Your account" page's forms: each parses input only."""

from __future__ import annotations

from django import forms

from wcc.forms import NHSForm


class ReminderEmailsForm(NHSForm):
    reminder_emails = forms.TypedChoiceField(
        label="Email me reminders of deadlines",
        choices=[("yes", "Yes, email me reminders"), ("no", "No, only show them here")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether to get reminder emails"},
    )


class CalendarFeedForm(NHSForm):
    action = forms.ChoiceField(
        choices=[("new", "Make a new calendar link"), ("revoke", "Turn off the calendar link")],
        error_messages={
            "required": "Choose what to do with your calendar link",
            "invalid_choice": "Choose what to do with your calendar link",
        },
    )
