"""Refusals raised by services. Each carries a message written for the person acting."""

from __future__ import annotations

import datetime as dt
from typing import Any


class ServiceError(Exception):
    """A rule refused the change. ``field`` names the form field it belongs to, if any."""

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


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
