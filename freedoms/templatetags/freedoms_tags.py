"""Presentation of freedoms for any page: the top-PCT badge and status tags.

``{% load freedoms_tags %}`` then ``{% top_pct_badge pct %}`` on a single PCT's page, or on
a table ``{% highlighted_pcts as top %}`` once and ``{% top_pct_badge pct top %}`` per row
(one query for the whole table).
"""

from __future__ import annotations

from typing import Any

from django import template

from freedoms.queries import highlighted_pct_ids

register = template.Library()

TAG_COLOURS = {
    "active": "green",
    "approved": "green",
    "agreed": "green",
    "done": "green",
    "discharged": "green",
    "annual": "green",
    "freedoms": "green",
    "accepted": "blue",
    "submitted": "blue",
    "proposed": "blue",
    "in_progress": "blue",
    "quarterly": "yellow",
    "support": "yellow",
    "draft": "yellow",
    "not_started": "grey",
    "lapsed": "grey",
    "ended": "grey",
    "closed": "grey",
    "declined": "red",
    "rejected": "red",
    "escalated": "red",
    "monthly": "red",
    "notice": "red",
    "overdue": "red",
}


@register.simple_tag
def highlighted_pcts() -> set[int]:
    return highlighted_pct_ids()


@register.inclusion_tag("freedoms/_top_pct_badge.html")
def top_pct_badge(pct: Any, highlighted: set[int] | None = None) -> dict[str, Any]:
    """§5 freedom 5: "highlighted as a top PCT"."""
    ids = highlighted if highlighted is not None else highlighted_pct_ids()
    return {"show": getattr(pct, "pk", pct) in ids}


@register.inclusion_tag("freedoms/_status_tag.html")
def status_tag(value: str, label: str = "") -> dict[str, Any]:
    return {"colour": TAG_COLOURS.get(str(value), "grey"), "label": label or str(value).title()}
