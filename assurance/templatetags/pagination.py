"""Page links that keep the other query parameters (search, filters, sort)."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def page_url(context: dict[str, Any], number: int) -> str:
    """The link to page ``number``: the view's ``page_query`` (validated parameters, for a
    cached page) when it gives one, else the request's own query string."""
    given = context.get("page_query")
    params = (given if given is not None else context["request"].GET).copy()
    params["page"] = str(number)
    return f"?{params.urlencode()}"


@register.simple_tag
def elided_pages(page_obj: Any) -> list[Any]:
    return list(
        page_obj.paginator.get_elided_page_range(page_obj.number, on_each_side=2, on_ends=1)
    )
