"""NHS.UK styling for Django form widgets, shared by every form in the project."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.boundfield import BoundField

from assurance.services.errors import ServiceError

WIDGET_CLASSES: dict[type[forms.Widget], str] = {
    forms.Textarea: "nhsuk-textarea",
    forms.Select: "nhsuk-select",
    forms.FileInput: "nhsuk-file-upload",
    forms.ClearableFileInput: "nhsuk-file-upload",
    forms.CheckboxInput: "nhsuk-checkboxes__input",
}


def _css_class(widget: forms.Widget) -> str:
    return WIDGET_CLASSES.get(type(widget), "nhsuk-input")


class NHSBoundField(BoundField):
    """Marks a field in error the NHS.UK way and links it to its error message."""

    def build_widget_attrs(self, attrs: dict[str, Any], widget: Any = None) -> dict[str, Any]:
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        if isinstance(widget, forms.RadioSelect):
            return attrs
        css = _css_class(widget)
        classes = [css, attrs.get("class", "")]
        if self.errors:
            classes.append(f"{css}--error")
            attrs["aria-describedby"] = f"{self.auto_id}-error"
        elif self.help_text:
            attrs["aria-describedby"] = f"{self.auto_id}-hint"
        attrs["class"] = " ".join(c for c in classes if c)
        return attrs


class NHSForm(forms.Form):
    bound_field_class = NHSBoundField

    def add_service_error(self, error: ServiceError) -> None:
        """Show a service's refusal: each problem next to its field, else at the top."""
        for problem in error.problems:
            self.add_error(problem.field if problem.field in self.fields else None, problem.message)
