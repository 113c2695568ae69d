"""Formatting for publication pages and PDFs (templates hold no rules)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

from assurance.rules.tiers import ordinal as _ordinal

register = template.Library()


@register.filter
def ordinal(value: int | None) -> str:
    return _ordinal(int(value)) if value is not None else "–"


@register.filter
def normalize(value: Decimal | None) -> str:
    if value is None:
        return "–"
    return f"{Decimal(value).normalize():f}"


@register.filter
def index(sequence: Any, i: int) -> Any:
    try:
        return sequence[i]
    except (IndexError, KeyError, TypeError):
        return None


@register.filter
def percent(value: Any) -> str:
    """0.200 → 20%."""
    try:
        return f"{(Decimal(str(value)) * 100).normalize():f}%"
    except ArithmeticError:
        return str(value)
