"""The one refusal services raise: :class:`ServiceError`. Each carries a message written for
the person acting and, where the refusal belongs next to form fields, a problem per field.

Views catch ``ServiceError`` and call ``form.add_service_error(error)`` (wcc/forms.py), the
one place a refusal becomes form errors; the subclasses below only carry extra context.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from assurance.rules.problems import Problem


class ServiceError(Exception):
    """A rule refused the change.

    ``message`` is the refusal in a sentence; ``field`` names the form field it belongs to,
    if any; ``problems`` lists several refusals, each next to its own field (the message
    then defaults to the first). Nothing was saved.
    """

    def __init__(
        self, message: str = "", *, field: str | None = None, problems: Iterable[Problem] = ()
    ) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems) or (Problem(field or "", message),)
        self.message = message or "; ".join(p.message for p in self.problems)
        self.field = field or ""
        super().__init__(self.message)

    @classmethod
    def for_fields(cls, errors: Mapping[str, str | list[str]]) -> ServiceError:
        """One refusal per field: ``{"members": "Choose at least one panel member."}``."""
        problems = [
            Problem(field, message)
            for field, messages in errors.items()
            for message in ([messages] if isinstance(messages, str) else messages)
        ]
        return cls(problems=problems)

    @property
    def messages(self) -> list[str]:
        return [p.message for p in self.problems]

    @property
    def message_dict(self) -> dict[str, list[str]]:
        """Messages by field name ('' for the whole form)."""
        out: dict[str, list[str]] = {}
        for problem in self.problems:
            out.setdefault(problem.field, []).append(problem.message)
        return out


class NotAllowed(ServiceError):
    """This person's role may not do this (e.g. only the PCT approver submits)."""


class PhaseClosed(ServiceError):
    """The phase for this change is not open, or the record is submitted."""

    def __init__(self, message: str, *, deadline: dt.date | None = None) -> None:
        super().__init__(message)
        self.deadline = deadline


class EditConflict(ServiceError):
    """Someone else saved this entry since it was loaded (optimistic lock, issue 3 §6).

    ``saved`` holds the other person's saved values, ``version`` the current version
    (post it back to overwrite deliberately), ``saved_by``/``saved_at`` who and when.
    """

    def __init__(
        self, *, saved: dict[str, Any], version: int, saved_by: Any, saved_at: dt.datetime | None
    ) -> None:
        who = str(saved_by) if saved_by else "Someone else"
        super().__init__(
            f"{who} saved this while you were editing. Your text has not been saved: "
            "compare it with theirs below, then save again to replace theirs."
        )
        self.saved = saved
        self.version = version
        self.saved_by = saved_by
        self.saved_at = saved_at


class Incomplete(ServiceError):
    """Submission refused: ``missing`` lists every item still to do."""

    def __init__(self, missing: list[Any]) -> None:
        super().__init__(
            f"The self-assessment cannot be submitted yet: {len(missing)} "
            f"item{'s' if len(missing) != 1 else ''} still to do."
        )
        self.missing = missing
