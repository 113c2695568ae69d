"""No lost work when a session expires (issue 3 §6).

A POST that arrives without a signed-in user (the session expired while someone typed)
is kept in the new anonymous session, keyed by the page it belongs to, and the person is
sent to sign in with ``next`` pointing back at that page. Django's ``login()`` keeps an
anonymous session's data (it cycles the key rather than flushing), so after signing in
the page finds the draft, shows it unsaved in the form, and says so.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import resolve_url
from django_htmx.http import HttpResponseClientRedirect

SESSION_KEY = "wcc_drafts"
# Anyone can post to these pages signed out, so what a session keeps is bounded (issue 13,
# finding 8: one POST stored 4.2 MB): a few drafts of at most 64 KB each, far more than a
# rating's evidence or a declaration's commentary typed by hand.
MAX_DRAFTS = 3
MAX_DRAFT_BYTES = 64 * 1024
IGNORED = {"csrfmiddlewaretoken"}


def keep_draft(request: HttpRequest, page: str) -> None:
    """Store the POSTed fields (no files, no CSRF token) as a draft for ``page``.

    A draft over ``MAX_DRAFT_BYTES`` is not kept; beyond ``MAX_DRAFTS`` the oldest goes.
    """
    fields = {k: request.POST.getlist(k) for k in request.POST if k not in IGNORED}
    if len(json.dumps([page, fields]).encode()) > MAX_DRAFT_BYTES:
        return
    drafts = dict(request.session.get(SESSION_KEY, {}))
    drafts.pop(page, None)  # re-inserted last: the newest is kept longest
    drafts[page] = fields
    while len(drafts) > MAX_DRAFTS:
        drafts.pop(next(iter(drafts)))
    request.session[SESSION_KEY] = drafts


def pop_draft(request: HttpRequest, page: str) -> QueryDict | None:
    """The draft kept for ``page``, removed from the session (shown once, then it is gone)."""
    drafts = request.session.get(SESSION_KEY)
    if not drafts or page not in drafts:
        return None
    fields = drafts.pop(page)
    request.session[SESSION_KEY] = drafts
    data = QueryDict(mutable=True)
    for key, values in fields.items():
        data.setlist(key, values)
    return data


def login_required_keeping_drafts(
    page_of: Callable[[HttpRequest], str] | None = None,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Like ``login_required``, but a signed-out POST keeps its fields for after sign-in.

    ``page_of(request)`` names the page the draft belongs to (default: the request path).
    htmx requests are redirected client-side, so the whole page goes to sign-in.
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.user.is_authenticated:
                return view(request, *args, **kwargs)
            page = page_of(request) if page_of else request.path
            if request.method == "POST":
                keep_draft(request, page)
            if getattr(request, "htmx", False):
                login = resolve_url(settings.LOGIN_URL)
                return HttpResponseClientRedirect(
                    f"{login}?{QueryDict.fromkeys(['next'], page).urlencode()}"
                )
            return redirect_to_login(page)

        return wrapper

    return decorator
