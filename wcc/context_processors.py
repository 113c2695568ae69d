"""Role-aware navigation for the NHS header."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

# (label, url name, who sees it). Later features add their entries here.
NAVIGATION: list[tuple[str, str, str]] = [
    ("Registry", "registry:pct_list", "everyone"),
    ("Self-assessment", "self_assessment:start", "pct"),
    ("Self-assessments", "self_assessment:start", "assessors"),
    ("Cycles", "cycles:list", "dh"),
    ("Results", "publications:index", "everyone"),
    ("Panels", "panels:index", "assessors"),
    ("Panel result", "panels:index", "pct"),
    ("Freedoms and plans", "freedoms:mine", "pct"),
    ("Reviews", "freedoms:reviews", "sha"),
    ("Approvals", "freedoms:approvals", "sha"),
    ("Freedoms", "freedoms:overview", "dh"),
    ("Innovation fund", "freedoms:fund", "dh"),
]


def _visible(audience: str, user: Any) -> bool:
    if audience == "everyone":
        return True
    if not user.is_authenticated:
        return False
    return {
        "signed_in": True,
        "pct": user.is_pct_user,
        "sha": user.is_sha_user,
        "assessors": user.is_sha_user or user.is_dh,
        "dh": user.is_dh,
    }.get(audience, False)


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    items = []
    for label, url_name, audience in NAVIGATION:
        if not _visible(audience, user):
            continue
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue
        items.append({"label": label, "url": url, "current": request.path.startswith(url)})
    return {"nav_items": items}
