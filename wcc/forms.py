"""NHS.UK styling for Django form widgets, shared by every form in the project."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
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


class Textarea(forms.Textarea):
    """A textarea whose line breaks count once on the server, as the browser's ``maxlength``
    counts them. A form sends each line break as CR LF, two characters, so a note that
    fitted in the box was refused as too long once saved (found in a browser)."""

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        value = super().value_from_datadict(data, files, name)
        if isinstance(value, str):
            return value.replace("\r\n", "\n").replace("\r", "\n")
        return value


WIDGET_CLASSES[Textarea] = "nhsuk-textarea"


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

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # No whole number the database cannot hold reaches it (a 500 on PostgreSQL).
        for field in self.fields.values():
            if isinstance(field, forms.IntegerField) and field.max_value is None:
                field.max_value = DB_INT_MAX
                field.validators.append(MaxValueValidator(DB_INT_MAX))

    def add_service_error(self, error: ServiceError) -> None:
        """Show a service's refusal: each problem next to its field, else at the top."""
        for problem in error.problems:
            self.add_error(problem.field if problem.field in self.fields else None, problem.message)


class ConfirmForm(NHSForm):
    """The confirmation an irreversible step asks for: one checkbox whose label says what
    will happen (render with ``includes/confirm.html``). Unticked, the step is refused with
    ``error`` and nothing changes."""

    confirm = forms.BooleanField()

    def __init__(self, *args: Any, label: str, error: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["confirm"].label = label
        self.fields["confirm"].error_messages["required"] = error


#: The largest id or whole number any form passes to the database (PostgreSQL ``integer``).
DB_INT_MAX = 2**31 - 1


def _is_db_int(value: Any) -> bool:
    text = str(value).strip()
    return text.isdigit() and 0 < int(text) <= DB_INT_MAX


class ModelChoiceField(forms.ModelChoiceField):
    """A choice of a row by id that refuses ids no row can have (``abc``, 10²⁰) as an
    invalid choice, before the database sees them."""

    def to_python(self, value: Any) -> Any:
        if value not in self.empty_values and not self.to_field_name and not _is_db_int(value):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Several rows by id, refusing ids no row can have, like :class:`ModelChoiceField`."""

    def _check_values(self, value: Any) -> Any:
        if not self.to_field_name:
            for pk in value if isinstance(value, list | tuple) else [value]:
                if not _is_db_int(pk):
                    raise ValidationError(
                        self.error_messages["invalid_choice"],
                        code="invalid_choice",
                        params={"value": str(pk)[:20]},
                    )
        return super()._check_values(value)
