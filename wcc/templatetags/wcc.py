"""Template tags every page may use (a builtin library, no ``{% load %}`` needed).

- ``{% status_tag value label %}``: an NHS.UK tag coloured by the one map in wcc/status.py.
- ``{% pct_badges as badges %}`` once per page, then ``{% pct_badge pct badges %}`` beside
  a PCT's name: badges other apps put there (``freedoms`` adds "Top PCT") through their
  AppConfig's ``pct_badges()``, so ``assurance`` templates never name those apps.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django import template
from django.apps import apps
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from wcc.status import tag_class

register = template.Library()


@register.simple_tag
def status_tag(value: Any, label: str = "", testid: str = "") -> SafeString:
    text = label or str(value).replace("_", " ").capitalize()
    if testid:
        return format_html(
            '<strong class="nhsuk-tag {}" data-testid="{}">{}</strong>',
            tag_class(value),
            testid,
            text,
        )
    return format_html('<strong class="nhsuk-tag {}">{}</strong>', tag_class(value), text)


@register.simple_tag
def pct_badges() -> dict[int, list[str]]:
    """Every installed app's badges by PCT id, one query per app for a whole page."""
    badges: dict[int, list[str]] = defaultdict(list)
    for config in apps.get_app_configs():
        provider = getattr(config, "pct_badges", None)
        if provider is None:
            continue
        for pct_id, html in provider().items():
            badges[pct_id].append(html)
    return badges


@register.simple_tag
def pct_badge(pct: Any, badges: dict[int, list[str]] | None = None) -> SafeString:
    shown = badges if badges is not None else pct_badges()
    return mark_safe(" ".join(shown.get(getattr(pct, "pk", pct), [])))
