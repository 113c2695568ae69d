"""A refusal's reason, field by field: what rule functions return when they say no."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """A refusal with the form field it belongs to ('' for the whole form)."""

    field: str
    message: str
