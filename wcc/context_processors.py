"""Role-aware navigation for the NHS header.

Each app lists its own entries on its AppConfig (``navigation``), so no app's templates
name another app's pages; they appear in INSTALLED_APPS order.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.apps import apps
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from assurance.queries.notifications import unread_count


def navigation_entries() -> list[tuple[str, str, str]]:
    """(label, URL name, who sees it) of every installed app, in INSTALLED_APPS order."""
    return [
        entry for config in apps.get_app_configs() for entry in getattr(config, "navigation", [])
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
        "sha_staff": user.is_sha_staff,
        "sha_lead": user.is_sha_lead,
        "assessors": user.is_sha_user or user.is_dh,
        "dh": user.is_dh,
    }.get(audience, False)


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    items = []
    for label, url_name, audience in navigation_entries():
        if not _visible(audience, user):
            continue
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue
        items.append({"label": label, "url": url, "current": request.path.startswith(url)})
    return {"nav_items": items}


class UnreadNotifications:
    """The header's unread count, asked for only when a page shows the header (htmx
    fragments do not) and then with one query, however often the template reads it."""

    def __init__(self, user: Any) -> None:
        self._user = user

    @cached_property
    def count(self) -> int:
        return unread_count(self._user)


def notifications(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": UnreadNotifications(user)}
