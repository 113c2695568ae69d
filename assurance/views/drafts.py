"""No lost work when a session expires or a save is refused unseen (issues 3 §6 and 14).

A POST that arrives without a signed-in user (the session expired while someone typed)
is kept in the new anonymous session, keyed by the page it belongs to, and the person is
sent to sign in with ``next`` pointing back at that page. Django's ``login()`` keeps an
anonymous session's data (it cycles the key rather than flushing), so after signing in
the page finds the draft, shows it unsaved in the form, and says so.

An autosave refused by a conflict, or any refused save sent as the page was left (a
beacon, whose answer nobody sees), is kept the same way, keyed by the page and the entry
(``page#entry``), with the conflict's details; the page puts it back in the form and says
why it was not saved. A later successful save of the entry discards it.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import resolve_url
from django.utils.dateparse import parse_datetime
from django_htmx.http import HttpResponseClientRedirect

from assurance.services.errors import EditConflict

SESSION_KEY = "wcc_drafts"
# Anyone can post to these pages signed out, so what a session keeps is bounded (issue 13,
# finding 8: one POST stored 4.2 MB): a few drafts of at most 64 KB each, far more than a
# rating's evidence or a declaration's commentary typed by hand.
MAX_DRAFTS = 3
MAX_DRAFT_BYTES = 64 * 1024
#: static/js/forms.js adds this field to the saves it sends with ``sendBeacon`` as a page
#: is left: nobody will see the answer, so a refusal is kept as a draft instead.
BEACON_FIELD = "wcc-beacon"
IGNORED = {"csrfmiddlewaretoken", BEACON_FIELD}
SIGNED_OUT, REFUSED = "signed-out", "refused"


@dataclass(frozen=True)
class Draft:
    """What was typed and not saved: the fields, why (``SIGNED_OUT`` or ``REFUSED``), and
    the other person's save when a conflict refused it."""

    data: QueryDict
    reason: str = SIGNED_OUT
    conflict: EditConflict | None = None


def is_beacon(request: HttpRequest) -> bool:
    return request.method == "POST" and BEACON_FIELD in request.POST


def keep_draft(
    request: HttpRequest,
    page: str,
    *,
    reason: str = SIGNED_OUT,
    conflict: EditConflict | None = None,
) -> None:
    """Store the POSTed fields (no files, no CSRF token) as a draft for ``page``, with why
    it was not saved.

    A draft over ``MAX_DRAFT_BYTES`` is not kept; beyond ``MAX_DRAFTS`` the oldest goes.
    """
    fields = {k: request.POST.getlist(k) for k in request.POST if k not in IGNORED}
    if len(json.dumps([page, fields]).encode()) > MAX_DRAFT_BYTES:
        return
    drafts = dict(request.session.get(SESSION_KEY, {}))
    drafts.pop(page, None)  # re-inserted last: the newest is kept longest
    drafts[page] = {"fields": fields, "reason": reason, "conflict": _conflict_data(conflict)}
    while len(drafts) > MAX_DRAFTS:
        drafts.pop(next(iter(drafts)))
    request.session[SESSION_KEY] = drafts


def pop_draft(request: HttpRequest, page: str) -> Draft | None:
    """The draft kept for ``page``, removed from the session (shown once, then it is gone)."""
    drafts = request.session.get(SESSION_KEY)
    if not drafts or page not in drafts:
        return None
    kept = drafts.pop(page)
    request.session[SESSION_KEY] = drafts
    if not isinstance(kept.get("fields"), dict):  # kept before drafts had a reason
        kept = {"fields": kept, "reason": SIGNED_OUT, "conflict": None}
    data = QueryDict(mutable=True)
    for key, values in kept["fields"].items():
        data.setlist(key, values)
    return Draft(data, kept["reason"], _conflict(kept["conflict"]))


def discard_draft(request: HttpRequest, page: str) -> None:
    """Forget the draft for ``page``: what it held has now been saved."""
    drafts = request.session.get(SESSION_KEY)
    if drafts and page in drafts:
        pop_draft(request, page)


def _conflict_data(conflict: EditConflict | None) -> dict[str, Any] | None:
    """The conflict as the session can store it (JSON): values as text, the time as ISO."""
    if conflict is None:
        return None
    return {
        "saved": {k: None if v is None else str(v) for k, v in conflict.saved.items()},
        "version": conflict.version,
        "saved_by": str(conflict.saved_by) if conflict.saved_by else "",
        "saved_at": conflict.saved_at.isoformat() if conflict.saved_at else "",
    }


def _conflict(data: dict[str, Any] | None) -> EditConflict | None:
    if data is None:
        return None
    saved_at: dt.datetime | None = parse_datetime(data["saved_at"]) if data["saved_at"] else None
    return EditConflict(
        saved=data["saved"],
        version=data["version"],
        saved_by=data["saved_by"] or None,
        saved_at=saved_at,
    )


def login_required_keeping_drafts(
    page_of: Callable[..., str] | None = None,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Like ``login_required``, but a signed-out POST keeps its fields for after sign-in.

    ``page_of(request, **url_kwargs)`` names where the draft is kept (default: the request
    path): a page, or for an autosave of one entry ``page#entry``, as a refused save of the
    entry is kept, so the page puts it back in that entry's form. Sign-in leads back to the
    page. htmx requests are redirected client-side, so the whole page goes to sign-in
    (not the sign-in page swapped into the entry).
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.user.is_authenticated:
                return view(request, *args, **kwargs)
            draft = page_of(request, **kwargs) if page_of else request.path
            page = draft.partition("#")[0]
            if request.method == "POST":
                keep_draft(request, draft)
            if getattr(request, "htmx", False):
                login = resolve_url(settings.LOGIN_URL)
                return HttpResponseClientRedirect(
                    f"{login}?{QueryDict.fromkeys(['next'], page).urlencode()}"
                )
            return redirect_to_login(page)

        return wrapper

    return decorator


SIGNED_OUT_MESSAGE = (
    "You were signed out before this was sent. We kept what you typed (but not any file "
    "you chose): check it and send it again."
)


def posted_or_draft(request: HttpRequest) -> QueryDict | None:
    """The data to bind a one-form page's form to: the POST, or on the way back from
    sign-in the fields its signed-out POST kept (``login_required_keeping_drafts``), said
    so in a message; else None (an unbound form)."""
    if request.method == "POST":
        return request.POST
    draft = pop_draft(request, request.path)
    if draft is None:
        return None
    messages.warning(request, SIGNED_OUT_MESSAGE)
    return draft.data
