"""Requests refused before any view sees them, and the sessions' idle timeout."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse

NUL = "\x00"


def _has_nul(request: HttpRequest) -> bool:
    if NUL in request.path or NUL in request.path_info:
        return True
    for name, values in request.GET.lists():
        if NUL in name or any(NUL in value for value in values):
            return True
    return any(NUL in name or NUL in value for name, value in request.COOKIES.items())


class RejectNulBytesMiddleware:
    """400 for a NUL byte in the path, the query string or a cookie (issue 13, finding 8).

    PostgreSQL cannot store or compare a string holding NUL, so ``/registry/pcts/%00/``,
    ``?q=%00`` or a session cookie holding one reached the database and failed there (a
    500). No page of this service needs one; form fields already refuse them (Django's
    ``ProhibitNullCharactersValidator``).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _has_nul(request):
            if request.path_info.startswith("/api/"):
                return JsonResponse({"detail": "The request contains a NUL character."}, status=400)
            return HttpResponseBadRequest(
                "Bad request: the address contains a NUL character.", content_type="text/plain"
            )
        return self.get_response(request)


class SessionIdleRefreshMiddleware:
    """Restart a session's idle timeout as people use the site (issue 13, finding 8).

    Sessions last ``SESSION_COOKIE_AGE`` (8 hours) from their last save. Saving on every
    request (``SESSION_SAVE_EVERY_REQUEST``) would add a write to every autosave, the
    busiest request there is; instead the session is saved again, and its cookie re-sent,
    when the last refresh is ``SESSION_REFRESH_SECONDS`` (5 minutes) old. The timeout is
    then 8 hours of inactivity, give or take 5 minutes. Sits after ``SessionMiddleware``.
    """

    KEY = "_wcc_refreshed_at"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if (
            session is None
            or response.status_code >= 500
            or (settings.SESSION_COOKIE_NAME not in request.COOKIES and not session.modified)
        ):
            return response
        if session.is_empty():
            return response
        now = int(time.time())
        if session.modified or now - session.get(self.KEY, 0) >= settings.SESSION_REFRESH_SECONDS:
            session[self.KEY] = now
        return response


def start_idle_clock(sender: object, request: HttpRequest, user: object, **kwargs: object) -> None:
    """Signing in starts the idle clock, so the first page after it makes no extra save."""
    session = getattr(request, "session", None)
    if session is not None:
        session[SessionIdleRefreshMiddleware.KEY] = int(time.time())
